import Foundation

/// One completion to score: the decoded assistant text (special tokens skipped, <think> tags kept) and the
/// gold solution of its prompt. `targetLength` is the per-example L1 target (length_l1_* rewards only).
public struct RewardInput: Sendable {
    public var completion: String
    public var solution: String
    public var targetLength: Int?

    public init(completion: String, solution: String, targetLength: Int? = nil) {
        self.completion = completion
        self.solution = solution
        self.targetLength = targetLength
    }
}

/// A reward over a group of completions (group-wise rewards such as `length` need all of them); nil marks
/// "not applicable" (e.g. the gold cannot be parsed), which contributes 0 to the weighted sum.
public protocol RewardFunction: Sendable {
    var name: String { get }
    func rewards(_ inputs: [RewardInput]) -> [Double?]
}

/// The reward functions of Tina's recipes, with the exact semantics of its code (tina-digest.md section 4).
public enum TinaRewards {
    /// Lengths are in characters (Python `len`: Unicode scalars).
    static func length(_ text: String) -> Int { text.unicodeScalars.count }

    static func occurrences(_ needle: String, in text: String) -> Int {
        text.components(separatedBy: needle).count - 1
    }

    /// Correctness as cosine/length compute it: gold parsed first-match with LaTeX only (unparsable gold counts
    /// as correct), prediction as the accuracy reward parses it, then verify(prediction, gold).
    static func isCorrect(_ input: RewardInput) -> Bool {
        let gold = MathVerifier.parse(input.solution, targets: [.latex()], mode: .firstMatch)
        guard !gold.isEmpty else { return true }
        let prediction = MathVerifier.parse(input.completion, targets: GradingMode.tinaPrediction, mode: .firstMatch)
        return MathVerifier.verify(gold: prediction, prediction: gold)
    }

    public struct Accuracy: RewardFunction {
        public let name = "accuracy"
        public init() {}
        public func rewards(_ inputs: [RewardInput]) -> [Double?] {
            inputs.map { input in
                let gold = MathVerifier.parse(input.solution, mode: .firstMatch)
                guard !gold.isEmpty else { return nil }
                let prediction = MathVerifier.parse(input.completion, targets: GradingMode.tinaPrediction, mode: .firstMatch)
                return MathVerifier.verify(gold: gold, prediction: prediction) ? 1 : 0
            }
        }
    }

    /// 1 iff "\n</think>\n" occurs exactly once.
    public struct Format: RewardFunction {
        public let name = "format"
        public init() {}
        public func rewards(_ inputs: [RewardInput]) -> [Double?] {
            inputs.map { occurrences("\n</think>\n", in: $0.completion) == 1 ? 1 : 0 }
        }
    }

    public struct TagCount: RewardFunction {
        public let name = "tag_count"
        public init() {}
        public func rewards(_ inputs: [RewardInput]) -> [Double?] {
            inputs.map {
                (occurrences("<think>\n", in: $0.completion) == 1 ? 0.5 : 0) + (occurrences("\n</think>\n", in: $0.completion) == 1 ? 0.5 : 0)
            }
        }
    }

    /// Cosine-scaled by length: correct in [0.5, 1], wrong in [-0.5, 0]; progress L / maxLength is not clipped.
    public struct Cosine: RewardFunction {
        public let name = "cosine"
        public var maxLength: Int
        public var minCorrect = 0.5, maxCorrect = 1.0
        /// As configured (0.0 / -0.5); the code swaps them for wrong answers, which is reproduced here.
        public var minWrong = 0.0, maxWrong = -0.5
        public init(maxLength: Int = 1000) { self.maxLength = maxLength }
        public func rewards(_ inputs: [RewardInput]) -> [Double?] {
            inputs.map { input in
                let progress = Double(length(input.completion)) / Double(maxLength)
                let c = Foundation.cos(progress * Double.pi)
                let (low, high) = isCorrect(input) ? (minCorrect, maxCorrect) : (maxWrong, minWrong)
                return low + 0.5 * (high - low) * (1 + c)
            }
        }
    }

    /// Kimi-1.5 length reward over the group: lambda = 0.5 - (L - Lmin)/(Lmax - Lmin); correct -> lambda,
    /// wrong -> min(0, lambda); all lengths equal -> 0.
    public struct Length: RewardFunction {
        public let name = "length"
        public init() {}
        public func rewards(_ inputs: [RewardInput]) -> [Double?] {
            let lengths = inputs.map { Double(length($0.completion)) }
            guard let lo = lengths.min(), let hi = lengths.max(), hi > lo else { return inputs.map { _ in 0 } }
            return zip(inputs, lengths).map { input, l in
                let lambda = 0.5 - (l - lo) / (hi - lo)
                return isCorrect(input) ? lambda : min(0, lambda)
            }
        }
    }

    /// min(1, matches/3) of (Step \d+:|^\d+\.|\n-|\n\*|First,|Second,|Next,|Finally,), ^ at the start only.
    public struct ReasoningSteps: RewardFunction {
        public let name = "reasoning_steps"
        static let pattern = Normalizer.regex(#"(Step \d+:|^\d+\.|\n-|\n\*|First,|Second,|Next,|Finally,)"#)
        public init() {}
        public func rewards(_ inputs: [RewardInput]) -> [Double?] {
            inputs.map { input in
                let count = Self.pattern.numberOfMatches(in: input.completion, range: NSRange(input.completion.startIndex..., in: input.completion))
                return min(1, Double(count) / 3)
            }
        }
    }

    /// (1 - unique n-grams / n-grams) * maxPenalty over lowercased whitespace-split words.
    public struct RepetitionPenalty: RewardFunction {
        public let name = "repetition_penalty"
        public var ngramSize = 3
        public var maxPenalty = -1.0
        public init(ngramSize: Int = 3, maxPenalty: Double = -1.0) {
            self.ngramSize = ngramSize
            self.maxPenalty = maxPenalty
        }
        public func rewards(_ inputs: [RewardInput]) -> [Double?] {
            inputs.map { input in
                let words = input.completion.lowercased().split(whereSeparator: { $0.isWhitespace }).map(String.init)
                guard !input.completion.isEmpty, words.count >= ngramSize else { return 0 }
                var seen = Set<[String]>()
                var total = 0
                for i in 0...(words.count - ngramSize) {
                    seen.insert(Array(words[i..<(i + ngramSize)]))
                    total += 1
                }
                return (1 - Double(seen.count) / Double(total)) * maxPenalty
            }
        }
    }

    /// L1 length control: exact (correct 1 - a|L - t|, wrong -a|L - t|) or max (correct clip(a(t - L) + 0.5, 0, 1),
    /// wrong 0), a = 0.0003; all zeros when every length is equal.
    public struct LengthL1: RewardFunction {
        public enum Kind: String, Sendable { case exact = "length_l1_exact", max = "length_l1_max" }
        public let kind: Kind
        public var name: String { kind.rawValue }
        public init(_ kind: Kind) { self.kind = kind }
        public func rewards(_ inputs: [RewardInput]) -> [Double?] {
            let lengths = inputs.map { length($0.completion) }
            guard Set(lengths).count > 1 else { return inputs.map { _ in 0 } }
            return zip(inputs, lengths).map { input, l in
                guard let target = input.targetLength else { return nil }
                let correct = isCorrect(input)
                switch kind {
                case .exact:
                    let penalty = 0.0003 * Double(abs(l - target))
                    return correct ? 1 - penalty : -penalty
                case .max:
                    return correct ? min(1, max(0, 0.0003 * Double(target - l) + 0.5)) : 0
                }
            }
        }
    }

    /// A recipe's reward by its YAML name (`cosine_max_len` applies to cosine).
    public static func named(_ name: String, cosineMaxLength: Int = 1000) -> RewardFunction? {
        switch name {
        case "accuracy": return Accuracy()
        case "format": return Format()
        case "tag_count": return TagCount()
        case "cosine": return Cosine(maxLength: cosineMaxLength)
        case "length": return Length()
        case "reasoning_steps": return ReasoningSteps()
        case "repetition_penalty": return RepetitionPenalty()
        case "length_l1_exact": return LengthL1(.exact)
        case "length_l1_max": return LengthL1(.max)
        case "final_number": return FinalNumber()
        case "answer_line": return AnswerLine()
        default: return nil
        }
    }
}

/// Weighted rewards: total = sum_k w_k R_k with not-applicable (nil) terms counted as 0 (TRL's nansum).
public struct WeightedRewards: Sendable {
    public var terms: [(function: RewardFunction, weight: Double)]

    public init(_ terms: [(RewardFunction, Double)]) {
        self.terms = terms.map { (function: $0.0, weight: $0.1) }
    }

    /// Per completion: the total and each function's value.
    public func score(_ inputs: [RewardInput]) -> (totals: [Double], perFunction: [String: [Double?]]) {
        var totals = [Double](repeating: 0, count: inputs.count)
        var parts: [String: [Double?]] = [:]
        for (function, weight) in terms {
            let values = function.rewards(inputs)
            parts[function.name] = values
            for (i, v) in values.enumerated() where i < totals.count { totals[i] += weight * (v ?? 0) }
        }
        return (totals, parts)
    }
}
