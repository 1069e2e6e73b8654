import Foundation
import Testing
import TinaCore
import TinaMath
import TinaTestSupport

/// LaTeX past the nesting and size limits fails as a whole ("could not grade"): never a crash, never graded by
/// a fragment of itself, never quadratic.
@Suite struct MathLimitTests {
    func repeated(_ s: String, _ n: Int) -> String { String(repeating: s, count: n) }

    @Test func nestingPastTheLimitIsNotGradedByAFragment() {
        // (1/2)^150 inside 130 braces was graded equal to 1/2: the parse failed and the bare \frac{1}{2} inside
        // was extracted instead.
        let deep = "\\boxed{" + repeated("{", 130) + "\\frac{1}{2}" + repeated("}", 130) + "^{150}}"
        let r = Grader.grade(gold: "$\\frac{1}{2}$", prediction: deep)
        #expect(!r.correct)
        #expect(r.failure?.contains("limit of \(MathLimits.maxLatexDepth)") == true, "\(String(describing: r.failure))")
        // Below the limit the same answer parses and is (correctly) not 1/2.
        let shallow = "\\boxed{" + repeated("{", 50) + "\\frac{1}{2}" + repeated("}", 50) + "^{150}}"
        let s = Grader.grade(gold: "$\\frac{1}{2}$", prediction: shallow)
        #expect(!s.correct && s.failure == nil)
        #expect(Grader.grade(gold: "$\\frac{1}{2^{150}}$", prediction: shallow).correct)
        for mode in GradingMode.allCases {
            #expect(!Grader.grade(gold: "$\\frac{1}{2}$", prediction: deep, mode: mode).correct, "\(mode)")
        }
    }

    @Test func chainsThatBuildDeepTreesFailCleanly() {
        for answer in ["x" + repeated("^2", 50_000), "x" + repeated("!", 50_000), repeated("-", 50_000) + "x",
                       "x^" + repeated("-", 50_000) + "2", repeated("\\left", 50_000) + "x", repeated("(", 50_000) + "1",
                       repeated("\\sqrt{", 50_000) + "2" + repeated("}", 50_000), repeated("\\frac{1}{", 3000) + "2" + repeated("}", 3000)] {
            let r = Grader.grade(gold: "$1$", prediction: "$\(answer)$")
            #expect(!r.correct && r.failure != nil, "\(answer.prefix(20))")
        }
    }

    @Test func longInputsStayFast() {
        // A hang detector, not a benchmark: each took 0.1-0.5 s when measured; 11,000 boxes took 40 s before
        // the boxed search became linear.
        let n = 100_000
        let inputs = [repeated("\\boxed{1}", n / 9), repeated("1", n), repeated("$1$ ", n / 4), repeated("\\frac{1}{2}", n / 11),
                      repeated("{", n / 2) + repeated("}", n / 2), repeated("a ", n / 2), repeated("(1,", n / 3) + ")",
                      "$" + repeated("\\sqrt{2}", n / 8) + "$", "$" + repeated("1,", n / 2) + "$", repeated("x+", n / 2) + "1",
                      "\\boxed{" + repeated("1+", n / 2) + "1}", repeated("\\fbox{2} and ", n / 13)]
        for text in inputs {
            let start = Date()
            _ = Grader.grade(gold: "$1$", prediction: text)
            _ = Grader.grade(gold: text, prediction: "\\boxed{1}", mode: .tina)
            let seconds = Date().timeIntervalSince(start)
            #expect(seconds < 10, "\(text.prefix(20)): \(seconds) s")
        }
        #expect(Grader.grade(gold: "$1$", prediction: repeated("\\boxed{1}", n / 9)).correct)
        let huge = Grader.grade(gold: "$1$", prediction: repeated("1 ", MathLimits.maxTextLength))
        #expect(huge.failure?.contains("limit of \(MathLimits.maxTextLength)") == true)
        let longAnswer = Grader.grade(gold: "$1$", prediction: "\\boxed{" + repeated("1+", MathLimits.maxAnswerLength) + "1}")
        #expect(longAnswer.failure?.contains("limit of \(MathLimits.maxAnswerLength)") == true)
    }

    /// The deepest answers the limit allows grade on a 512 KiB stack.
    @Test func deepestAllowedAnswersFitASmallStack() {
        let depth = MathLimits.maxLatexDepth - 5
        let answers = ["\\boxed{" + repeated("{", depth) + "\\frac{1}{2}" + repeated("}", depth) + "}",
                       "$" + repeated("(", depth) + "1/2" + repeated(")", depth) + "$",
                       "$" + repeated("\\sqrt{", depth / 2) + "4" + repeated("}", depth / 2) + "$",
                       "$2" + repeated("^2", depth - 5) + "$", "$" + repeated("-", depth - 5) + "1$"]
        let results = runOnSmallStack(bytes: 512 << 10) {
            answers.map { Grader.grade(gold: "$\\frac{1}{2}$", prediction: $0) }
        }
        #expect(results[0].correct && results[1].correct, "\(results.map(\.failure))")
        #expect(results.allSatisfy { $0.failure == nil }, "\(results.map(\.failure))")
    }
}
