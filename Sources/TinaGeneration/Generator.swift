import Foundation
import TinaCore
import TinaModels

/// Generates one sequence token by token (the thin single-prompt path; the batched rollout engine is its
/// own component). Stops at `maxNewTokens` or at any of `stopTokens`, which is included in the output.
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

    /// Uses the sampler's `maxNewTokens` and `seed`, drawing from the stream of (requestID, sampleIndex). With
    /// `decode`, generation also stops once the output's text contains one of the stop strings (the token that
    /// completes it is the last one returned).
    public func generate(prompt: [Int], requestID: UInt32 = 0, sampleIndex: UInt32 = 0,
                         decode: (([Int]) -> String)? = nil, onToken: (Int) -> Void = { _ in }) throws -> [Int] {
        let p = sampler.chain.parameters
        var state = SequenceSampler(parameters: p, requestID: requestID, sampleIndex: sampleIndex, prompt: prompt)
        let stops = decode == nil ? [] : p.stopStrings
        // A stop string of n UTF-8 bytes spans at most n tokens that each decode to at least one byte.
        let window = (stops.map(\.utf8.count).max() ?? 0) + 8
        return try run(prompt: prompt, maxNewTokens: p.maxNewTokens, onToken: onToken,
                       pick: { state.next($0, count: $1) },
                       stopsAfter: { output in
                           guard let decode, !stops.isEmpty else { return false }
                           let tail = decode(Array(output.suffix(window)))
                           return stops.contains { tail.contains($0) }
                       })
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
                     pick: (UnsafePointer<Float>, Int) -> Int, stopsAfter: ([Int]) -> Bool = { _ in false }) throws -> [Int] {
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
            if stopTokens.contains(token) || stopsAfter(output) { break }
            next = [token]
        }
        return output
    }
}
