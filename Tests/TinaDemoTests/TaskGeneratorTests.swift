import Foundation
import Testing
import TinaCore
import TinaDemo

@Suite struct TaskGeneratorTests {
    let generator = ArithmeticTaskGenerator(seed: 7)

    @Test func exampleFromTheBrief() throws {
        let p = try ArithmeticProblem(first: 23, operations: [.init(.add, 58), .init(.multiply, 3), .init(.subtract, 17)])
        #expect(p.expression == "(23 + 58) * 3 - 17")
        #expect(p.prompt == "Compute (23 + 58) * 3 - 17.")
        #expect(p.answer == 226)
        #expect(p.solution == "23 + 58 = 81\n81 * 3 = 243\n243 - 17 = 226")
        #expect(p.gold == "\\boxed{226}")
        #expect(p.referenceCompletion == "<think>\n23 + 58 = 81\n81 * 3 = 243\n243 - 17 = 226\n</think>\n\nThe answer is \\boxed{226}.")
        #expect(throws: TinaError.self) { try ArithmeticProblem(first: 1, operations: []) }
        #expect(throws: TinaError.self) { try ArithmeticProblem(first: Int.max, operations: [.init(.add, 1)]) }
    }

    @Test(arguments: DemoSplit.allCases)
    func answersAreRightAndStepsConsistent(split: DemoSplit) throws {
        for p in try generator.problems(split: split, count: 2000) {
            #expect(ExpressionEvaluator.evaluate(p.expression) == p.answer, "\(p.expression)")
            #expect(p.steps.count == p.operations.count)
            var value = p.first
            for (step, operation) in zip(p.steps, p.operations) {
                #expect(step.left == value && step.op == operation.op && step.right == operation.operand)
                #expect(step.result == ExpressionEvaluator.evaluate("\(step.left) \(step.op.rawValue) \(step.right)"))
                #expect(step.result >= 0)
                value = step.result
            }
            #expect(p.solution.split(separator: "\n").count == p.steps.count)
            #expect(DemoFormat.isWellFormatted(p.referenceCompletion) && DemoFormat.isCorrect(p.referenceCompletion, answer: p.answer))
        }
    }

    @Test func difficultiesAreRespected() throws {
        for (split, steps) in [(DemoSplit.train, 2...3), (.heldOut, 2...3), (.harder, 3...3)] {
            let levels = try split.levels.map { try DemoDifficulty.level($0.level) }
            let maxValue = levels.map(\.maxValue).max() ?? 0
            for p in try generator.problems(split: split, count: 500) {
                #expect(steps.contains(p.steps.count))
                #expect(p.steps.allSatisfy { $0.result <= maxValue })
            }
        }
        #expect(throws: TinaError.self) { try DemoDifficulty.level(0) }
        #expect(throws: TinaError.self) { try DemoDifficulty(operations: 0...1, operands: 1...9, maxFactor: 2, maxValue: 9) }
    }

    @Test func splitsAreDisjoint() throws {
        let train = Set(try ArithmeticTaskGenerator(seed: 1).problems(split: .train, count: 20000).map(\.expression))
        let heldOut = try ArithmeticTaskGenerator(seed: 2).problems(split: .heldOut, count: 500, unique: true).map(\.expression)
        let harder = try ArithmeticTaskGenerator(seed: 2).problems(split: .harder, count: 500, unique: true).map(\.expression)
        #expect(Set(heldOut).count == 500 && Set(harder).count == 500)
        #expect(train.isDisjoint(with: heldOut))
        #expect(train.isDisjoint(with: harder))
        #expect(heldOut.allSatisfy(ArithmeticTaskGenerator.isHeldOut) && harder.allSatisfy(ArithmeticTaskGenerator.isHeldOut))
        #expect(!train.contains(where: ArithmeticTaskGenerator.isHeldOut))
    }

    @Test func trainMixesTheLevels() throws {
        let counts = Dictionary(grouping: try generator.problems(split: .train, count: 10000), by: \.steps.count).mapValues(\.count)
        // Level 1 is 2 steps, level 2 is 3 steps (some train draws fall in the held-out bucket and are redrawn).
        #expect(abs(Double(counts[2, default: 0]) / 10000 - 0.5) < 0.03)
        #expect(abs(Double(counts[3, default: 0]) / 10000 - 0.5) < 0.03)
    }

    @Test func deterministicGivenASeed() throws {
        let a = try ArithmeticTaskGenerator(seed: 3).problems(split: .train, count: 300)
        let b = try ArithmeticTaskGenerator(seed: 3).problems(split: .train, count: 300)
        let c = try ArithmeticTaskGenerator(seed: 4).problems(split: .train, count: 300)
        #expect(a == b)
        #expect(a != c)
        let noise = try TeacherNoise(total: 0.5)
        #expect(Teacher(noise: noise, seed: 3).traces(for: a).map(\.completion) == Teacher(noise: noise, seed: 3).traces(for: a).map(\.completion))
        // A prefix of a longer request is the same problems.
        #expect(Array(try ArithmeticTaskGenerator(seed: 3).problems(split: .train, count: 100)) == Array(a.prefix(100)))
    }

    @Test func promptsAndCompletionsAreShort() throws {
        for split in DemoSplit.allCases {
            for p in try generator.problems(split: split, count: 300) {
                #expect(p.prompt.count <= 60, "\(p.prompt)")
                #expect(p.referenceCompletion.count <= 160, "\(p.referenceCompletion)")
            }
        }
    }
}
