import Foundation
import TinaCore

/// Temperature / top-k / top-p sampling with no penalties: the earlier single-sequence API, now a thin front of
/// `SamplerChain` (partial selection, no full sort of the vocabulary). New code uses `SamplingParameters`.
public struct Sampler: Sendable {
    public let chain: SamplerChain
    public var temperature: Float { chain.parameters.temperature }
    /// 0 disables top-k.
    public var topK: Int { chain.parameters.topK }
    /// 1 disables top-p.
    public var topP: Float { chain.parameters.topP }

    public init(temperature: Float = 0, topK: Int = 0, topP: Float = 1) throws {
        chain = SamplerChain(try SamplingParameters(temperature: temperature, topK: topK, topP: topP))
    }

    public init(parameters: SamplingParameters) { chain = SamplerChain(parameters) }

    public static let greedy = Sampler(parameters: .greedy)

    public func sample(_ logits: UnsafePointer<Float>, count: Int, rng: inout Philox) -> Int {
        chain.sample(logits, count: count, rng: &rng)
    }

    /// First index of the largest logit (ties go to the lower id, as torch.argmax does).
    public static func argmax(_ logits: UnsafePointer<Float>, count: Int) -> Int {
        SamplerStages.greedy(logits, count: count)
    }
}
