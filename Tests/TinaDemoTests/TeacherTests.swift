import Foundation
import Testing
import TinaCore
import TinaDemo

@Suite struct TeacherTests {
    @Test func noiseRatesAreAsConfigured() throws {
        let problems = try ArithmeticTaskGenerator(seed: 11).problems(split: .train, count: 20000)
        let noise = try TeacherNoise(slip: 0.2, skip: 0.1, format: 0.06)
        let counts = DemoData.flawCounts(Teacher(noise: noise, seed: 5).traces(for: problems))
        func rate(_ flaw: TraceFlaw) -> Double { Double(counts[flaw, default: 0]) / Double(problems.count) }
        #expect(abs(rate(.slip) - 0.2) < 0.015)
        #expect(abs(rate(.skip) - 0.1) < 0.015)
        #expect(abs(rate(.missingThinkClose) + rate(.missingBox) - 0.06) < 0.01)
        #expect(abs(rate(.none) - 0.64) < 0.02)
        let clean = DemoData.flawCounts(Teacher(noise: .none, seed: 5).traces(for: problems))
        #expect(clean[.none] == problems.count)
        #expect(throws: TinaError.self) { try TeacherNoise(slip: 0.6, skip: 0.3, format: 0.2) }
        #expect(throws: TinaError.self) { try TeacherNoise(total: -0.1) }
    }

    @Test func flawedTracesAreReallyFlawed() throws {
        let problems = try ArithmeticTaskGenerator(seed: 12).problems(split: .train, count: 3000)
        let traces = Teacher(noise: try TeacherNoise(total: 0.6), seed: 9).traces(for: problems)
        for t in traces {
            let p = t.problem
            let lines = t.completion.components(separatedBy: "\n").filter { $0.contains(" = ") }
            switch t.flaw {
            case .none:
                #expect(t.completion == p.referenceCompletion)
            case .slip:
                // Wrong final answer, well formatted, and exactly the wrong step's later steps are self-consistent.
                #expect(DemoFormat.isWellFormatted(t.completion))
                #expect(!DemoFormat.isCorrect(t.completion, answer: p.answer), "\(t.completion)")
                #expect(t.statedAnswer != p.answer && DemoFormat.boxedInteger(t.completion) == t.statedAnswer)
                let wrong = lines.filter { line in
                    let sides = line.components(separatedBy: " = ")
                    return ExpressionEvaluator.evaluate(sides[0]) != Int(sides[1])
                }
                #expect(wrong.count == 1, "\(t.completion)")
            case .skip:
                #expect(DemoFormat.isWellFormatted(t.completion) && DemoFormat.isCorrect(t.completion, answer: p.answer))
                #expect(lines.count == p.steps.count - 1)
                for line in lines {
                    let sides = line.components(separatedBy: " = ")
                    #expect(ExpressionEvaluator.evaluate(sides[0]) == Int(sides[1]), "\(line)")
                }
            case .missingThinkClose:
                #expect(!DemoFormat.hasThinkFormat(t.completion) && !t.completion.contains("</think>"))
                #expect(DemoFormat.isCorrect(t.completion, answer: p.answer))
            case .missingBox:
                #expect(DemoFormat.hasThinkFormat(t.completion) && DemoFormat.lastBoxed(t.completion) == nil)
                #expect(t.statedAnswer == nil)
            }
        }
        #expect(Set(traces.map(\.flaw)) == Set(TraceFlaw.allCases))
    }

    @Test func dataLinesAreJSON() throws {
        let p = try ArithmeticProblem(first: 23, operations: [.init(.add, 58), .init(.multiply, 3), .init(.subtract, 17)])
        let trace = Teacher(noise: .none, seed: 0).trace(for: p, index: 0)
        let sft = try JSONSerialization.jsonObject(with: Data(try DemoData.sftLine(trace).utf8)) as? [String: Any]
        #expect(sft?["prompt"] as? String == "Compute (23 + 58) * 3 - 17.")
        #expect(sft?["completion"] as? String == p.referenceCompletion)
        let line = try DemoData.problemLine(p)
        #expect(!line.contains("\n"))
        let problem = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        #expect(problem?["solution"] as? String == "\\boxed{226}" && problem?["answer"] as? Int == 226)
    }
}
