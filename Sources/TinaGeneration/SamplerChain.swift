import Foundation
import TinaCore

/// The stages of `SamplerStages` composed for one `SamplingParameters`:
/// penalties -> logit bias -> temperature (0: greedy, no draw) -> top-k -> top-p -> min-p -> draw.
/// A sampled token consumes exactly one uniform of the caller's stream; a greedy one consumes none.
public struct SamplerChain: Sendable {
    public let parameters: SamplingParameters

    public init(_ parameters: SamplingParameters) { self.parameters = parameters }

    public func sample(_ logits: UnsafePointer<Float>, count: Int, history: PenaltyHistory = PenaltyHistory(),
                       rng: inout Philox) -> Int {
        guard count > 0 else { return 0 }
        let p = parameters
        guard p.usesPenalties || !p.logitBias.isEmpty else { return sampleAdjusted(logits, count: count, rng: &rng) }
        var adjusted = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            if let base = buffer.baseAddress { base.initialize(from: logits, count: count) }
            initialized = count
        }
        return adjusted.withUnsafeMutableBufferPointer { buffer -> Int in
            guard let base = buffer.baseAddress else { return 0 }
            SamplerStages.applyPenalties(base, count: count, parameters: p, history: history)
            SamplerStages.applyLogitBias(base, count: count, bias: p.logitBias)
            return sampleAdjusted(base, count: count, rng: &rng)
        }
    }

    /// The stages after penalties and bias.
    func sampleAdjusted(_ logits: UnsafePointer<Float>, count: Int, rng: inout Philox) -> Int {
        let p = parameters
        if p.temperature == 0 { return SamplerStages.greedy(logits, count: count) }
        var candidates: Candidates
        if p.topK > 0 && p.topK < count {
            candidates = SamplerStages.topP(SamplerStages.topK(logits, count: count, k: p.topK, temperature: p.temperature), p: p.topP)
        } else if p.topP < 1 {
            candidates = SamplerStages.topP(logits, count: count, p: p.topP, temperature: p.temperature)
        } else {
            // No truncation: temperature, min-p and the draw in passes over the row (the same token as the stages).
            return SamplerStages.drawWholeRow(logits, count: count, temperature: p.temperature, minP: p.minP, u: rng.nextUniform())
        }
        candidates = SamplerStages.minP(candidates, p: p.minP)
        return SamplerStages.draw(candidates, u: rng.nextUniform())
    }
}

/// Per-sequence random streams: sample `sampleIndex` of request `requestID` draws from Philox(seed, stream
/// requestID << 32 | sampleIndex), a stream no other (request, sample) pair shares. A completion therefore does
/// not depend on what else is in the batch, on slot order or on thread count.
public enum SequenceStreams {
    public static func stream(requestID: UInt32, sampleIndex: UInt32) -> UInt64 {
        UInt64(requestID) << 32 | UInt64(sampleIndex)
    }

    public static func rng(seed: UInt64, requestID: UInt32, sampleIndex: UInt32) -> Philox {
        Philox(seed: seed, stream: stream(requestID: requestID, sampleIndex: sampleIndex))
    }
}

/// One sequence's sampler state: the chain, its own random stream and the history its penalties read.
public struct SequenceSampler: Sendable {
    public let chain: SamplerChain
    public private(set) var rng: Philox
    public private(set) var history: PenaltyHistory

    public init(parameters: SamplingParameters, requestID: UInt32 = 0, sampleIndex: UInt32 = 0, prompt: [Int] = []) {
        chain = SamplerChain(parameters)
        rng = SequenceStreams.rng(seed: parameters.seed, requestID: requestID, sampleIndex: sampleIndex)
        history = PenaltyHistory(prompt: parameters.usesPenalties ? prompt : [])
    }

    /// Picks the next token from this sequence's row of logits and records it.
    public mutating func next(_ logits: UnsafePointer<Float>, count: Int) -> Int {
        let token = chain.sample(logits, count: count, history: history, rng: &rng)
        if chain.parameters.usesPenalties { history.record(token) }
        return token
    }
}
