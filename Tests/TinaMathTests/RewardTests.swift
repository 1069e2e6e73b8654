import Foundation
import Testing
import TinaMath

/// Tina's reward functions with the semantics of its code (tina-digest.md section 4), values computed by hand.
@Suite struct RewardTests {
    static let solution = "$\\frac{1}{2}$"
    static let right = "<think>\nhalf of 1\n</think>\nThe answer is $\\boxed{0.5}$."
    static let wrong = "<think>\nno idea\n</think>\n$\\boxed{3}$"

    func run(_ f: RewardFunction, _ completions: [String], solution: String = solution, target: Int? = nil) -> [Double?] {
        f.rewards(completions.map { RewardInput(completion: $0, solution: solution, targetLength: target) })
    }

    @Test func accuracy() {
        #expect(run(TinaRewards.Accuracy(), [Self.right, Self.wrong, "The answer is 1/2"]) == [1, 0, 0])  // unboxed, unanchored -> 0
        #expect(run(TinaRewards.Accuracy(), [Self.right], solution: "no math here") == [nil])             // gold unparsable -> nil
        // A whole worked solution as gold: its last boxed answer counts.
        #expect(run(TinaRewards.Accuracy(), ["so $\\boxed{12}$"], solution: "We get $3\\cdot 4 = \\boxed{12}$.") == [1])
    }

    @Test func formatAndTagCount() {
        let twice = "<think>\na\n</think>\nb\n</think>\n"
        #expect(run(TinaRewards.Format(), [Self.right, "no tags", twice]) == [1, 0, 0])
        #expect(run(TinaRewards.TagCount(), [Self.right, "<think>\nonly open", twice, "none"]) == [1, 0.5, 0.5, 0])
    }

    @Test func cosineUsesCharactersUnclippedAndSwappedWrongRange() throws {
        let f = TinaRewards.Cosine(maxLength: 100)
        let short = "$\\boxed{0.5}$"  // 13 characters
        let values = run(f, [short, "$\\boxed{7}$"]).map { $0 ?? .nan }
        let c1 = cos(Double.pi * 13 / 100), c2 = cos(Double.pi * 11 / 100)
        #expect(abs(values[0] - (0.5 + 0.25 * (1 + c1))) < 1e-12)
        #expect(abs(values[1] - (-0.5 + 0.25 * (1 + c2))) < 1e-12)
        // Past maxLength the progress is not clipped: cos rises again.
        let long = String(repeating: "x", count: 150) + short
        let over = try #require(run(f, [long])[0])
        #expect(abs(over - (0.5 + 0.25 * (1 + cos(Double.pi * 163 / 100)))) < 1e-12)
    }

    @Test func lengthIsGroupWise() {
        let short = "$\\boxed{0.5}$", longRight = "long text " + short, longWrong = "a much longer wrong one $\\boxed{9}$"
        let values = run(TinaRewards.Length(), [short, longRight, longWrong]).map { $0 ?? .nan }
        let lengths = [short, longRight, longWrong].map { Double($0.unicodeScalars.count) }
        let lo = lengths.min()!, hi = lengths.max()!
        #expect(abs(values[0] - 0.5) < 1e-12)
        #expect(abs(values[1] - (0.5 - (lengths[1] - lo) / (hi - lo))) < 1e-12)
        #expect(abs(values[2] - min(0, 0.5 - 1)) < 1e-12)
        #expect(run(TinaRewards.Length(), ["same", "same"]) == [0, 0])
    }

    @Test func reasoningStepsAndRepetition() {
        #expect(run(TinaRewards.ReasoningSteps(), ["Step 1: a\nStep 2: b\n- c\nFinally, d"]) == [1])
        #expect(run(TinaRewards.ReasoningSteps(), ["1. first line\n2. second"]) == [Double(1) / 3])  // ^ only at the start
        #expect(run(TinaRewards.RepetitionPenalty(), ["a b c a b c"]) == [-(1 - 3.0 / 4.0)])
        #expect(run(TinaRewards.RepetitionPenalty(), ["two words", ""]) == [0, 0])
    }

    @Test func lengthL1() {
        let a = "$\\boxed{0.5}$", b = "xx $\\boxed{0.5}$"
        let exact = run(TinaRewards.LengthL1(.exact), [a, b], target: 10).map { $0 ?? .nan }
        #expect(abs(exact[0] - (1 - 0.0003 * 3)) < 1e-12 && abs(exact[1] - (1 - 0.0003 * 6)) < 1e-12)
        let capped = run(TinaRewards.LengthL1(.max), [a, "$\\boxed{4}$"], target: 10).map { $0 ?? .nan }
        #expect(abs(capped[0] - (0.0003 * -3 + 0.5)) < 1e-12 && capped[1] == 0)
        #expect(run(TinaRewards.LengthL1(.exact), [a, a], target: 10) == [0, 0])
    }

    @Test func weightedSumTreatsNilAsZero() {
        let set = WeightedRewards([(TinaRewards.Format(), 1), (TinaRewards.Accuracy(), 2)])
        let inputs = [RewardInput(completion: Self.right, solution: Self.solution), RewardInput(completion: Self.right, solution: "none")]
        let (totals, parts) = set.score(inputs)
        #expect(totals == [3, 1])
        #expect(parts["accuracy"]! == [1, nil])
        #expect(TinaRewards.named("cosine", cosineMaxLength: 3584) is TinaRewards.Cosine)
        #expect(TinaRewards.named("nope") == nil)
    }
}

@Suite struct FinalNumberRewardTests {
    @Test func theLastNumberDecides() {
        let reward = TinaRewards.FinalNumber()
        let cases: [(completion: String, solution: String, expected: Double?)] = [
            ("Rosa has 641 - 10 = 631 pencils.\n#### 631", "$631$", 1),
            ("The answer is: 8", "$8$", 1),
            ("12 + 30 = 32.", "$42$", 0),
            ("It costs 1,250 dollars", "1250", 1),
            ("x = 2.50", "2.5", 1),
            ("the result is -7", "$-7$", 1),
            ("so 5-3 = 2", "2", 1),
            ("answer: 10-3", "3", 1),           // the minus after a digit is an operator, not a sign
            ("no digits here", "$3$", 0),
            ("42", "no number in the gold", nil),
        ]
        for c in cases {
            #expect(reward.rewards([RewardInput(completion: c.completion, solution: c.solution)]) == [c.expected], "\(c.completion)")
        }
        #expect(TinaRewards.named("final_number") != nil)
    }
}

@Suite struct AnswerLineRewardTests {
    @Test func theLastLineMustStateTheAnswer() {
        let reward = TinaRewards.AnswerLine()
        let cases: [(completion: String, expected: Double)] = [
            ("7 + 5 = 12.\nThe answer is: 12", 1),
            ("7 + 5 = 12.\n#### 12\nThe answer is 12.\n\n", 1),
            ("the final answer is -3", 1),
            ("The answer is: 1,250", 1),
            ("The answer is: 2.5.", 1),
            ("  The answer is: 99  ", 1),           // the right answer is final_number's business, not this one's
            ("The answer is: 12\nI hope this helps!", 0),
            ("The answer is twelve.", 0),
            ("The answer is: 12 apples", 0),
            ("So the answer is: 12", 0),
            ("7 + 5 = 12", 0),
            ("", 0),
        ]
        for c in cases {
            #expect(reward.rewards([RewardInput(completion: c.completion, solution: "$12$")]) == [c.expected], "\(c.completion)")
        }
        #expect(TinaRewards.named("answer_line") is TinaRewards.AnswerLine)
    }
}
