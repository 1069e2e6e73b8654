import Foundation
import Testing
import TinaMath
import TinaTestSupport

/// Agreement with math-verify 0.9.0 on the hand-written family pairs of issue 12 (Tests/Fixtures/math/families.jsonl,
/// from tools/reference/math_family_pairs.py): relations written two ways, approximations, inequalities vs
/// intervals, \text{E} vs E, assignments vs tuples, semicolon tuples, several boxed answers, subscripted equation
/// lists, sums. The `heldout` split was written with the rest and never tuned on: its agreement is reported.
@Suite struct FamilyAgreementTests {
    struct Row { let source: String, split: String, mode: GradingMode, gold: String, pred: String, expected: Bool }

    static func rows(_ name: String) throws -> [Row] {
        let text = try String(contentsOfFile: Paths.fixture("math/\(name)"), encoding: .utf8)
        return try text.split(separator: "\n").map { line in
            let o = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            return Row(source: o["source"] as? String ?? "", split: o["split"] as? String ?? "grown",
                       mode: GradingMode(rawValue: o["mode"] as? String ?? "") ?? .default, gold: o["gold"] as? String ?? "",
                       pred: o["pred"] as? String ?? "", expected: o["expected"] as? Bool ?? false)
        }
    }

    static func disagreements(_ rows: [Row]) -> [String] {
        rows.compactMap { row in
            let r = Grader.grade(gold: row.gold, prediction: row.pred, mode: row.mode)
            return r.correct == row.expected ? nil
                : "\(row.source) [\(row.mode.rawValue)] math-verify \(row.expected): \(row.gold) vs \(row.pred) -> \(r.gold.map(\.text)) / \(r.prediction.map(\.text))"
        }
    }

    static func percent(_ bad: Int, _ total: Int) -> String {
        "\(total - bad)/\(total) = \(String(format: "%.2f", 100 * Double(total - bad) / Double(max(total, 1))))%"
    }

    /// The grown set (pairs.jsonl plus every family pair) agrees >= 99%; the tune split entirely.
    @Test func grownSetAgreesWithMathVerify() throws {
        let families = try Self.rows("families.jsonl")
        let tune = families.filter { $0.split == "tune" }
        let tuneBad = Self.disagreements(tune)
        let grown = try Self.rows("pairs.jsonl") + families
        let grownBad = Self.disagreements(grown)
        print("family pairs (tune) agreement: \(Self.percent(tuneBad.count, tune.count))")
        print("grown set agreement (pairs + families): \(Self.percent(grownBad.count, grown.count))")
        for d in tuneBad { print("  tune disagreement: " + d) }
        #expect(tune.count >= 150)
        #expect(tuneBad.isEmpty)
        #expect(Double(grown.count - grownBad.count) / Double(grown.count) >= 0.99)
    }

    /// The held-out split: reported, and kept from collapsing (>= 95%).
    @Test func heldOutAgreementIsReported() throws {
        let heldout = try Self.rows("families.jsonl").filter { $0.split == "heldout" }
        let bad = Self.disagreements(heldout)
        print("family pairs (held-out) agreement: \(Self.percent(bad.count, heldout.count))")
        for d in bad { print("  held-out disagreement: " + d) }
        #expect(heldout.count >= 60)
        #expect(Double(heldout.count - bad.count) / Double(heldout.count) >= 0.95)
    }

    /// Each family is handled by meaning, checked directly (not only through the fixture's verdicts).
    @Test func familiesBySemantics() {
        let cases: [(String, String, Bool)] = [
            ("$x \\neq 3$", "$x != 3$", true), ("$x \\approx 0.33$", "$0.33$", true), ("$0<f(x)<1$", "$(0,1)$", true),
            ("$\\text{E}$", "$E$", true), ("$p=5,q=2;p=7,q=2$", "$(5,2),(7,2)$", true), ("$(1,2);(3,4)$", "$(1,2),(3,4)$", true),
            ("$2, 3$", "$\\boxed{2} \\quad \\text{and} \\quad \\boxed{3}$", true), ("$x_1 = 2, x_2 = 3$", "$2, 3$", true),
            ("$\\sum_{k=1}^{10} k$", "$55$", true), ("$\\sum_{k=1}^{10} k$", "$56$", false), ("$\\prod_{k=1}^{4} k$", "$24$", true),
            ("$\\sum_{i=1}^{n} i$", "$\\frac{n(n+1)}{2}$", false), ("$1<x<2$", "$(1,3)$", false), ("$x \\neq 3$", "$x \\neq 4$", false),
        ]
        for (gold, pred, expected) in cases {
            #expect(Grader.grade(gold: gold, prediction: pred).correct == expected, "\(gold) vs \(pred)")
        }
    }

    /// Sums over huge or deeply nested ranges give up quickly instead of iterating.
    @Test func hugeSumsGiveUp() {
        let start = Date()
        let nested = "$\\sum_{a=1}^{100000}\\sum_{b=1}^{100000}\\sum_{c=1}^{100000} abc$"
        #expect(!Grader.grade(gold: nested, prediction: "$1$").correct)
        #expect(!Grader.grade(gold: "$\\sum_{k=1}^{1000000000} k$", prediction: "$500000000500000000$").correct)
        #expect(Date().timeIntervalSince(start) < 5)
    }
}
