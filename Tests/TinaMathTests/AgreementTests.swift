import Foundation
import Testing
import TinaMath
import TinaTestSupport

/// Agreement with math-verify 0.9.0 on Tests/Fixtures/math/pairs.jsonl (tools/reference/make_math_fixtures.py).
@Suite struct AgreementTests {
    static let fixture = Paths.fixture("math/pairs.jsonl")

    struct Row {
        let source: String, mode: GradingMode, gold: String, pred: String, expected: Bool, devExpected: Bool?
    }

    static func rows() throws -> [Row] {
        let text = try String(contentsOfFile: fixture, encoding: .utf8)
        return try text.split(separator: "\n").map { line in
            let o = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            return Row(source: o["source"] as? String ?? "", mode: GradingMode(rawValue: o["mode"] as? String ?? "") ?? .default,
                       gold: o["gold"] as? String ?? "", pred: o["pred"] as? String ?? "", expected: o["expected"] as? Bool ?? false,
                       devExpected: o["dev_expected"] as? Bool)
        }
    }

    /// >= 97% agreement overall, and every disagreement is one listed (with its reason) in disagreements.json.
    @Test func agreesWithMathVerify() throws {
        let rows = try Self.rows()
        let known = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath:
            Self.fixture.replacingOccurrences(of: "pairs.jsonl", with: "disagreements.json")))) as? [String: String])
        var disagreements: [String] = []
        var unexplained: [String] = []
        for row in rows {
            let result = Grader.grade(gold: row.gold, prediction: row.pred, mode: row.mode)
            if result.correct != row.expected {
                let key = "\(row.source) [\(row.mode.rawValue)]"
                disagreements.append(key)
                if known[key] == nil {
                    unexplained.append("\(key) expected \(row.expected): gold \(row.gold.prefix(80).debugDescription) pred \(row.pred.suffix(80).debugDescription) -> \(result.prediction.map(\.text))")
                }
            }
        }
        let agreement = 1 - Double(disagreements.count) / Double(rows.count)
        print("math-verify agreement: \(rows.count - disagreements.count)/\(rows.count) = \(String(format: "%.2f", 100 * agreement))%")
        for d in unexplained.prefix(40) { print("  unexplained: " + d) }
        #expect(agreement >= 0.97)
        #expect(unexplained.isEmpty)
    }

    /// The dev set (public test suites): 100% on every case whose expected value math-verify itself reproduces.
    @Test func devCasesMathVerifyReproduces() throws {
        let rows = try Self.rows().filter { $0.source.hasPrefix("dev:") && $0.devExpected == $0.expected }
        #expect(rows.count >= 120)
        for row in rows {
            #expect(Grader.grade(gold: row.gold, prediction: row.pred, mode: row.mode).correct == row.expected, "\(row.source)")
        }
    }
}
