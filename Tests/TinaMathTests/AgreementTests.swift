import Foundation
import Testing
import TinaMath

/// Agreement with math-verify 0.9.0 on Tests/Fixtures/math/pairs.jsonl (tools/reference/make_math_fixtures.py).
@Suite struct AgreementTests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/math/pairs.jsonl").path

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

    @Test func agreesWithMathVerify() throws {
        let rows = try Self.rows()
        var disagreements: [String] = []
        for row in rows {
            let result = Grader.grade(gold: row.gold, prediction: row.pred, mode: row.mode)
            if result.correct != row.expected {
                disagreements.append("\(row.source) [\(row.mode.rawValue)] expected \(row.expected): gold \(row.gold.prefix(80).debugDescription) pred \(row.pred.suffix(80).debugDescription) -> \(result.prediction.map(\.text))")
            }
        }
        let agreement = 1 - Double(disagreements.count) / Double(rows.count)
        print("math-verify agreement: \(rows.count - disagreements.count)/\(rows.count) = \(String(format: "%.2f", 100 * agreement))%")
        for d in disagreements.prefix(60) { print("  " + d) }
        #expect(agreement >= 0.97)
    }
}
