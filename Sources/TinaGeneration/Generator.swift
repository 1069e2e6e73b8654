import Foundation
import TinaCore
import TinaModels

/// Generates one sequence token by token (the thin single-prompt path; the batched rollout engine is its
/// own component). Stops at `maxNewTokens` or at any of `stopTokens`, which is included in the output.
/// Stop strings of `SamplingParameters` are not checked here (they need decoded text: the batched engine's job).
public struct Generator {
    public let model: DecoderModel
    public var sampler: Sampler
    public var stopTokens: Set<Int>

    public init(model: DecoderModel, sampler: Sampler, stopTokens: Set<Int>) {
        self.model = model
        self.sampler = sampler
        self.stopTokens = stopTokens
    }

    /// Samples with `parameters` (penalties included); its stop ids join `stopTokens`.
    public init(model: DecoderModel, parameters: SamplingParameters, stopTokens: Set<Int>) {
        self.init(model: model, sampler: Sampler(parameters: parameters), stopTokens: stopTokens.union(parameters.stopTokenIDs))
    }

    /// Uses the sampler's `maxNewTokens` and `seed`, drawing from the stream of (requestID, sampleIndex).
    public func generate(prompt: [Int], requestID: UInt32 = 0, sampleIndex: UInt32 = 0,
                         onToken: (Int) -> Void = { _ in }) throws -> [Int] {
        let p = sampler.chain.parameters
        var state = SequenceSampler(parameters: p, requestID: requestID, sampleIndex: sampleIndex, prompt: prompt)
        return try run(prompt: prompt, maxNewTokens: p.maxNewTokens, onToken: onToken) { state.next($0, count: $1) }
    }

    /// Calls `onToken` with each new token as soon as it is chosen; returns them all. Draws from Philox(seed).
    public func generate(prompt: [Int], maxNewTokens: Int, seed: UInt64 = 0,
                         onToken: (Int) -> Void = { _ in }) throws -> [Int] {
        var rng = Philox(seed: seed)
        let chain = sampler.chain
        var history = PenaltyHistory(prompt: chain.parameters.usesPenalties ? prompt : [])
        return try run(prompt: prompt, maxNewTokens: maxNewTokens, onToken: onToken) { logits, count in
            let token = chain.sample(logits, count: count, history: history, rng: &rng)
            if chain.parameters.usesPenalties { history.record(token) }
            return token
        }
    }

    private func run(prompt: [Int], maxNewTokens: Int, onToken: (Int) -> Void,
                     pick: (UnsafePointer<Float>, Int) -> Int) throws -> [Int] {
        guard !prompt.isEmpty else { throw TinaError.invalidArgument("the prompt has no tokens") }
        try sampler.chain.parameters.validate(vocabSize: model.config.vocabSize)
        let cache = model.makeCache()
        let sequence = cache.newSequence()
        var next = prompt
        var output: [Int] = []
        while output.count < maxNewTokens {
            let hidden = try model.forward([SequenceChunk(sequence: sequence, tokens: next)], cache: cache)
            let logits = try model.logits(hidden, rows: [next.count - 1])
            let token = pick(logits.floats, model.config.vocabSize)
            output.append(token)
            onToken(token)
            if stopTokens.contains(token) { break }
            next = [token]
        }
        return output
    }
}
