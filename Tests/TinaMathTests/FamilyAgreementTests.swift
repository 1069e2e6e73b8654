import Foundation
import Testing
import TinaMath
import TinaTestSupport

/// Agreement with math-verify 0.9.0 on the hand-written pairs of Tests/Fixtures/math/families.jsonl
/// (tools/reference/make_math_fixtures.py), in three splits:
/// - `tune` (math_family_pairs.py): issue 12's families (relations written two ways, approximations, inequalities vs
///   intervals, \text{E} vs E, assignments vs tuples, semicolon tuples, several boxed answers, subscripted equation
///   lists, sums); the grader was developed against them. 163/163.
/// - `heldout1-seen` (math_family_pairs.py): written with `tune`, never tuned on, 76/77; its one disagreement was then
///   examined (a math-verify ordering artefact, Tina kept), so it is no longer blind.
/// - `heldout2` (math_heldout2_pairs.py): 205 pairs written and committed blind, graded once with the grader as it
///   stood: 349/350 rows (204/205 default-mode pairs, 145/145 tina-mode), 99.71 %. Its one disagreement, the mixed
///   number `3\frac{1}{2}` (math-verify 7/2, Tina then 3/2), has since been looked at and fixed (LatexParser reads an
///   integer followed by a proper fraction of integers as a + b/c): 350/350 now, but that pair is no longer blind,
///   so 350/350 is not a blind measurement (349/350 is). The other rows have not been tuned on.
/// Every disagreement must be listed with its reason in disagreements.json.
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

    /// The disagreements explained (with reasons) in disagreements.json, keyed "source [mode]".
    static func known() throws -> [String: String] {
        try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath:
            Paths.fixture("math/disagreements.json")))) as? [String: String])
    }

    /// "source [mode]" of each row Tina grades differently from math-verify, with what was extracted.
    static func disagreements(_ rows: [Row]) -> [(key: String, detail: String)] {
        rows.compactMap { row in
            let r = Grader.grade(gold: row.gold, prediction: row.pred, mode: row.mode)
            return r.correct == row.expected ? nil : ("\(row.source) [\(row.mode.rawValue)]",
                "math-verify \(row.expected): \(row.gold) vs \(row.pred) -> \(r.gold.map(\.text)) / \(r.prediction.map(\.text))")
        }
    }

    static func percent(_ bad: Int, _ total: Int) -> String {
        "\(total - bad)/\(total) = \(String(format: "%.2f", 100 * Double(total - bad) / Double(max(total, 1))))%"
    }

    /// Reports a split's agreement; returns its agreement and the disagreements not explained in disagreements.json.
    static func measure(_ split: String, _ rows: [Row]) throws -> (agreement: Double, unexplained: [String]) {
        let bad = disagreements(rows), known = try known()
        print("family pairs (\(split)) agreement: \(percent(bad.count, rows.count))")
        for d in bad { print("  \(split) disagreement: \(d.key) \(d.detail)") }
        return (Double(rows.count - bad.count) / Double(max(rows.count, 1)), bad.filter { known[$0.key] == nil }.map(\.key))
    }

    /// The tune split agrees entirely; the grown set (pairs.jsonl, tune and heldout1-seen) >= 99%.
    @Test func grownSetAgreesWithMathVerify() throws {
        let families = try Self.rows("families.jsonl")
        let tune = families.filter { $0.split == "tune" }
        #expect(tune.count >= 150)
        #expect(try Self.measure("tune", tune).agreement == 1)
        let grown = try Self.rows("pairs.jsonl") + families.filter { $0.split != "heldout2" }
        let bad = Self.disagreements(grown)
        print("grown set agreement (pairs + tune + heldout1-seen): \(Self.percent(bad.count, grown.count))")
        #expect(Double(grown.count - bad.count) / Double(grown.count) >= 0.99)
    }

    /// The first held-out split (seen since): its one disagreement, an artefact of math-verify, is listed.
    @Test func heldOut1SeenAgreement() throws {
        let rows = try Self.rows("families.jsonl").filter { $0.split == "heldout1-seen" }
        let (agreement, unexplained) = try Self.measure("heldout1-seen", rows)
        #expect(rows.count >= 60)
        #expect(agreement >= 0.98)
        #expect(unexplained.isEmpty, "\(unexplained)")
    }

    /// The blind split (blind but for its mixed-number pair, fixed since): >= 99% agreement (measured blind 99.71%,
    /// 100% after the mixed-number fix), and every disagreement explained.
    @Test func heldOut2AgreesWithMathVerify() throws {
        let rows = try Self.rows("families.jsonl").filter { $0.split == "heldout2" }
        let (agreement, unexplained) = try Self.measure("heldout2", rows)
        #expect(rows.filter { $0.mode == .default }.count >= 150)
        #expect(agreement >= 0.99)
        #expect(unexplained.isEmpty, "\(unexplained)")
    }

    /// Each family is handled by meaning, checked directly (not only through the fixture's verdicts).
    @Test func familiesBySemantics() {
        let cases: [(String, String, Bool)] = [
            ("$x \\neq 3$", "$x != 3$", true), ("$x \\approx 0.33$", "$0.33$", true), ("$0<f(x)<1$", "$(0,1)$", true),
            ("$\\text{E}$", "$E$", true), ("$p=5,q=2;p=7,q=2$", "$(5,2),(7,2)$", true), ("$(1,2);(3,4)$", "$(1,2),(3,4)$", true),
            ("$2, 3$", "$\\boxed{2} \\quad \\text{and} \\quad \\boxed{3}$", true), ("$x_1 = 2, x_2 = 3$", "$2, 3$", true),
            ("$\\sum_{k=1}^{10} k$", "$55$", true), ("$\\sum_{k=1}^{10} k$", "$56$", false), ("$\\prod_{k=1}^{4} k$", "$24$", true),
            ("$\\sum_{i=1}^{n} i$", "$\\frac{n(n+1)}{2}$", false), ("$1<x<2$", "$(1,3)$", false), ("$x \\neq 3$", "$x \\neq 4$", false),
            ("$a=1,b=1;a=2,b=4$", "$(1,1),(2,4)$", true), ("$a=1,b=1;a=2,b=4$", "$(1,1),(4,2)$", false),
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
