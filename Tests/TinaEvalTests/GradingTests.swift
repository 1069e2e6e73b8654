import Foundation
import Testing
import TinaEval
import TinaMath

/// The eval grader reads golds per benchmark as lighteval does and warns about golds it cannot read whole.
@Suite struct GradingTests {
    let grader = AnswerGrader()

    @Test func boxedEchoOfEveryShippedGoldIsCorrect() throws {
        for name in BenchmarkRegistry.names {
            let spec = try BenchmarkRegistry.spec(named: name, dataDirectory: BenchmarkRegistry.defaultDataDirectory())
            // AIME/AMC in full; a spread of the LaTeX sets (every 17th) to keep the test fast in debug builds.
            let problems = try ProblemLoader.load(spec).enumerated().filter { spec.goldMode == .expression || $0.offset % 17 == 0 }.map(\.element)
            var wrong: [String] = []
            for p in problems {
                let r = grader.grade(completion: "Therefore, the final answer is: $\\boxed{\(p.answer)}$. I hope it is correct", gold: p.answer, mode: spec.goldMode)
                if !r.correct { wrong.append("\(p.id): \(p.answer)") }
            }
            #expect(wrong.isEmpty, "\(name): \(wrong.prefix(5))")
        }
    }

    @Test func bareLatexGoldIsReadWhole() {
        let r = grader.grade(completion: "$\\boxed{(3, \\frac{\\pi}{2})}$", gold: "\\left( 3, \\frac{\\pi}{2} \\right)", mode: .latex)
        #expect(r.correct && r.goldWarning == nil)
        #expect(!grader.grade(completion: "$\\boxed{3}$", gold: "\\left( 3, \\frac{\\pi}{2} \\right)", mode: .latex).correct)
    }

    @Test func emptyGoldExtractionIsWarned() {
        let r = grader.grade(completion: "$\\boxed{1}$", gold: "no number here", mode: .expression)
        #expect(r.goldWarning == .empty && !r.correct)
    }

    @Test func predictionsAreReadBoxedFirstAndNumbersToFiveDecimals() {
        #expect(grader.grade(completion: "The answer is 5. Final: \\boxed{7}", gold: "7", mode: .expression).correct)
        #expect(grader.grade(completion: "$\\boxed{0.333333}$", gold: "\\frac{1}{3}", mode: .latex).correct)
        #expect(grader.sameAnswer(grader.answers("$\\boxed{\\frac{1}{2}}$"), grader.answers("$\\boxed{0.5}$")))
    }
}
