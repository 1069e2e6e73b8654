import Foundation
import TinaCore

/// Picks the next token from a row of logits: greedy at temperature 0, else softmax(logits / T) restricted
/// by top-k and top-p (nucleus), drawn from the caller's Philox stream so each sequence is reproducible.
public struct Sampler: Sendable {
    public var temperature: Float
    /// 0 disables top-k.
    public var topK: Int
    /// 1 disables top-p.
    public var topP: Float

    public init(temperature: Float = 0, topK: Int = 0, topP: Float = 1) throws {
        guard temperature >= 0, temperature.isFinite else { throw TinaError.invalidArgument("temperature must be >= 0, got \(temperature)") }
        guard topK >= 0 else { throw TinaError.invalidArgument("top-k must be >= 0, got \(topK)") }
        guard topP > 0, topP <= 1 else { throw TinaError.invalidArgument("top-p must be in (0, 1], got \(topP)") }
        self.temperature = temperature
        self.topK = topK
        self.topP = topP
    }

    private init(validTemperature: Float, topK: Int, topP: Float) {
        temperature = validTemperature
        self.topK = topK
        self.topP = topP
    }

    public static let greedy = Sampler(validTemperature: 0, topK: 0, topP: 1)

    public func sample(_ logits: UnsafePointer<Float>, count: Int, rng: inout Philox) -> Int {
        if temperature == 0 { return Self.argmax(logits, count: count) }
        // Candidates sorted by logit, cut by top-k, then by cumulative probability top-p.
        var order = Array(0..<count)
        order.sort { logits[$0] > logits[$1] }
        if topK > 0 && topK < count { order.removeLast(count - topK) }
        let maxLogit = logits[order[0]]
        var weights = order.map { Foundation.exp(Double((logits[$0] - maxLogit) / temperature)) }
        let total = weights.reduce(0, +)
        if topP < 1 {
            var cumulative = 0.0
            var keep = weights.count
            for (i, w) in weights.enumerated() {
                cumulative += w / total
                if cumulative >= Double(topP) { keep = i + 1; break }
            }
            order.removeLast(order.count - keep)
            weights.removeLast(weights.count - keep)
        }
        let kept = weights.reduce(0, +)
        var u = Double(rng.nextUniform()) * kept
        for (i, w) in weights.enumerated() {
            u -= w
            if u < 0 { return order[i] }
        }
        return order[order.count - 1]
    }

    /// First index of the largest logit (ties go to the lower id, as torch.argmax does).
    public static func argmax(_ logits: UnsafePointer<Float>, count: Int) -> Int {
        var best = 0
        for i in 1..<max(count, 1) where logits[i] > logits[best] { best = i }
        return best
    }
}
