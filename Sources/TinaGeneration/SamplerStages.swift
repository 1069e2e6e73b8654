import Foundation
import TinaCore

/// The tokens still in the running after some stages, with their logits already divided by the temperature.
/// `bestFirst` says whether they are ordered by logit (larger first, then lower id); stages that need the order
/// (top-p) require it, the draw does not care.
public struct Candidates: Sendable, Equatable {
    public var ids: [Int32]
    public var logits: [Float]
    public var bestFirst: Bool

    public init(ids: [Int32], logits: [Float], bestFirst: Bool) {
        self.ids = ids
        self.logits = logits
        self.bestFirst = bestFirst
    }

    /// Probability ratios to the best candidate, exp(l - max), as the draw and min-p weigh them.
    public var relativeWeights: [Double] {
        guard let top = logits.max() else { return [] }
        return SamplerMath.weights(logits, top: top).map { Double($0) }
    }

    /// The distribution the draw samples from: the candidates' softmax, renormalized over the survivors.
    public var probabilities: [Double] {
        let w = relativeWeights
        let total = w.reduce(0, +)
        return w.map { $0 / total }
    }

    func keeping(_ keep: (Int) -> Bool) -> Candidates {
        var out = Candidates(ids: [], logits: [], bestFirst: bestFirst)
        for i in ids.indices where keep(i) {
            out.ids.append(ids[i])
            out.logits.append(logits[i])
        }
        return out
    }
}

/// What the penalties look at: the distinct prompt tokens and how often each output token has occurred.
public struct PenaltyHistory: Sendable, Equatable {
    public var promptTokens: Set<Int>
    public var outputCounts: [Int: Int]

    public init(prompt: [Int] = [], output: [Int] = []) {
        promptTokens = Set(prompt)
        outputCounts = [:]
        for token in output { record(token) }
    }

    public mutating func record(_ token: Int) { outputCounts[token, default: 0] += 1 }
}

/// The stages of the sampler chain, each a small function tested on its own (SamplerChain composes them in
/// llama.cpp's manner, in the order penalties -> logit bias -> temperature -> top-k -> top-p -> min-p -> draw,
/// which is also transformers' and vLLM's order of temperature before the truncations).
public enum SamplerStages {
    /// Repetition penalty over prompt and output tokens, then frequency and presence over output tokens
    /// (see `SamplingParameters`). Ids outside `0..<count` are ignored.
    public static func applyPenalties(_ logits: UnsafeMutablePointer<Float>, count: Int,
                                      parameters p: SamplingParameters, history: PenaltyHistory) {
        if p.repetitionPenalty != 1 {
            for token in history.promptTokens.union(history.outputCounts.keys) where token >= 0 && token < count {
                let l = logits[token]
                logits[token] = l < 0 ? l * p.repetitionPenalty : l / p.repetitionPenalty
            }
        }
        if p.frequencyPenalty != 0 || p.presencePenalty != 0 {
            for (token, n) in history.outputCounts where token >= 0 && token < count && n > 0 {
                logits[token] -= p.frequencyPenalty * Float(n) + p.presencePenalty
            }
        }
    }

    /// Adds each bias to its token's logit (ids outside `0..<count` are ignored; `validate(vocabSize:)` refuses them).
    public static func applyLogitBias(_ logits: UnsafeMutablePointer<Float>, count: Int, bias: [Int: Float]) {
        for (token, b) in bias where token >= 0 && token < count { logits[token] += b }
    }

    /// Temperature 0: the first index of the largest logit (torch.argmax's tie rule).
    public static func greedy(_ logits: UnsafePointer<Float>, count: Int) -> Int {
        guard count > 0 else { return 0 }
        var best = 0
        var bestValue = logits[0]
        for i in 1..<count where logits[i] > bestValue {
            best = i
            bestValue = logits[i]
        }
        return best
    }

    /// Temperature stage with no truncation: every token, in id order, logits divided by `temperature`.
    public static func all(_ logits: UnsafePointer<Float>, count: Int, temperature: Float) -> Candidates {
        Candidates(ids: (0..<Int32(count)).map { $0 }, logits: (0..<count).map { logits[$0] / temperature }, bestFirst: false)
    }

    /// Top-k by partial selection (scaling by a positive temperature keeps the order, so it is applied to the
    /// k survivors only). Best first.
    public static func topK(_ logits: UnsafePointer<Float>, count: Int, k: Int, temperature: Float) -> Candidates {
        let ids = PartialSelection.top(logits, count: count, k: k)
        return Candidates(ids: ids, logits: ids.map { logits[Int($0)] / temperature }, bestFirst: true)
    }

    /// Top-p within candidates already ordered best first (after top-k: renormalized over them, as transformers
    /// and vLLM do): the shortest prefix whose probability reaches `p`.
    public static func topP(_ c: Candidates, p: Float) -> Candidates {
        guard p < 1, c.bestFirst else { return c }
        let w = c.relativeWeights
        let total = w.reduce(0, +)
        let keep = prefixReaching(Double(p) * total, weights: w)
        return Candidates(ids: Array(c.ids.prefix(keep)), logits: Array(c.logits.prefix(keep)), bestFirst: true)
    }

    /// Length of the shortest prefix of `weights` whose sum reaches `target` (all of them if none does).
    public static func prefixReaching(_ target: Double, weights: [Double]) -> Int {
        var cumulative = 0.0
        for (i, w) in weights.enumerated() {
            cumulative += w
            if cumulative >= target { return i + 1 }
        }
        return weights.count
    }

    /// Min-p (vLLM): keeps the candidates whose probability is at least `p` times the best one's.
    public static func minP(_ c: Candidates, p: Float) -> Candidates {
        guard p > 0 else { return c }
        let w = c.relativeWeights
        return c.keeping { w[$0] >= Double(p) }
    }

    /// Inverse-CDF draw with `u` in [0, 1): the candidates are walked in token-id order, so the token drawn depends
    /// only on the surviving set, their probabilities and `u`, not on how earlier stages ordered them.
    public static func draw(_ c: Candidates, u: Float) -> Int {
        guard !c.ids.isEmpty else { return 0 }
        let w = c.relativeWeights
        var order = Array(c.ids.indices)
        if c.bestFirst { order.sort { c.ids[$0] < c.ids[$1] } }
        let target = Double(u) * w.reduce(0, +)
        var cumulative = 0.0
        for i in order {
            cumulative += w[i]
            if target < cumulative { return Int(c.ids[i]) }
        }
        // Rounding can leave target == total; the last positive weight takes it.
        return Int(c.ids[order.last(where: { w[$0] > 0 }) ?? order[order.count - 1]])
    }
}
