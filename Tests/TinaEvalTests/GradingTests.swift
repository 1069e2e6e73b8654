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

/// Gold warnings over every shipped benchmark: counted (and listed) before any generation.
@Suite struct GoldWarningTests {
    @Test func shippedGoldsAreReadWhole() throws {
        let selections = try BenchmarkRegistry.names.map { name in
            let spec = try BenchmarkRegistry.spec(named: name, dataDirectory: BenchmarkRegistry.defaultDataDirectory())
            return BenchmarkSelection(spec: spec, problems: try ProblemLoader.load(spec))
        }
        let job = EvalJob(config: EvalConfig(model: "none"), selections: selections, folder: RunFolder("/nonexistent"), label: "",
                          parameters: .greedy)
        let warnings = job.goldWarnings()
        // All 1,547 golds (expression and LaTeX, bare answers included) are read whole.
        #expect(!warnings.contains { $0.hasPrefix("aime") || $0.hasPrefix("amc") }, "\(warnings.prefix(5))")
        #expect(warnings.isEmpty, "\(warnings.count) gold warnings: \(warnings.prefix(20))")
    }
}
