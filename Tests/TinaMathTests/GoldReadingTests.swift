import Foundation
import Testing
import TinaMath
import TinaTestSupport

/// Bare-LaTeX gold answers (a dataset's answer column) read as one answer, as lighteval does for Tina, and a
/// warning when a gold's extraction is empty or only a fragment.
@Suite struct GoldReadingTests {
    static let latexSets = ["math500", "minerva_math", "olympiadbench"]

    static func answers(_ name: String) -> [(id: String, answer: String)]? {
        guard let text = try? String(contentsOfFile: Paths.shared + "/data/\(name).jsonl", encoding: .utf8) else { return nil }
        return text.split(separator: "\n").compactMap {
            guard let o = try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] else { return nil }
            return ("\(o["id"] ?? "")", "\(o["answer"] ?? "")")
        }
    }

    /// Every MATH-500 / Minerva / OlympiadBench gold equals itself, bare or wrapped in $...$, against its own
    /// boxed echo and its $-wrapped self; the golds whose whole does not parse are counted and warned about.
    @Test(.enabled(if: SharedFiles.dataPresent, Comment(rawValue: SharedFiles.missingData)), arguments: latexSets)
    func everyGoldEqualsItselfBareOrWrapped(name: String) throws {
        guard let rows = Self.answers(name) else { print("skipping \(name): ../shared/data not found"); return }
        var failures: [String] = []
        var warned = 0
        for (id, a) in rows {
            // The answer as one $...$ span: a stray unescaped $ inside (Minerva's "+$ $") is formatting, not math.
            let span = "$" + a.replacingOccurrences(of: #"(?<!\\)\$"#, with: "", options: .regularExpression) + "$"
            for gold in [a, "$\(a)$"] {
                for pred in ["The final answer is $\\boxed{\(a)}$. I hope it is correct.", span] {
                    let r = Grader.grade(gold: gold, prediction: pred, goldFormat: .answer)
                    if !r.correct { failures.append("\(id): \(gold) vs \(pred)") }
                }
            }
            if Grader.grade(gold: a, prediction: "$\(a)$", goldFormat: .answer).goldWarning != nil { warned += 1 }
        }
        print("\(name): \(rows.count) golds equal to themselves bare and wrapped; \(warned) with a gold warning")
        #expect(failures.isEmpty, "\(failures.prefix(10))")
        #expect(warned * 20 < rows.count)
    }

    @Test func bareTupleIsOneAnswer() {
        let gold = "\\left( 3, \\frac{\\pi}{2} \\right)"
        let echo = "so $\\boxed{\\left( 3, \\frac{\\pi}{2} \\right)}$"
        let asText = Grader.grade(gold: gold, prediction: echo)
        #expect(!asText.correct)  // math-verify's raw reading takes the number 3
        guard case .partial(let read, let whole)? = asText.goldWarning else { Issue.record("no partial warning"); return }
        #expect(read == "3" && whole != nil)
        let asAnswer = Grader.grade(gold: gold, prediction: echo, goldFormat: .answer)
        #expect(asAnswer.correct && asAnswer.goldWarning == nil)
        #expect(Grader.grade(gold: "\\$18.90", prediction: "$\\boxed{18.90}$", goldFormat: .answer).correct)
        #expect(Grader.grade(gold: "69,84", prediction: "$\\boxed{69, 84}$", goldFormat: .answer).correct)
    }

    @Test func emptyGoldIsWarned() {
        let r = Grader.grade(gold: "no answer here", prediction: "$3$")
        #expect(!r.correct && r.goldWarning == .empty)
        #expect(Grader.grade(gold: "$3$", prediction: "$3$").goldWarning == nil)
        #expect(Grader.grade(gold: "The answer is $\\boxed{5}$ because 2+3.", prediction: "$5$").goldWarning == nil)
    }
}
