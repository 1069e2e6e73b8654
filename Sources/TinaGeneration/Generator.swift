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

    /// Calls `onToken` with each new token as soon as it is chosen; returns them all.
    public func generate(prompt: [Int], maxNewTokens: Int, seed: UInt64 = 0,
                         onToken: (Int) -> Void = { _ in }) throws -> [Int] {
        guard !prompt.isEmpty else { throw TinaError.invalidArgument("the prompt has no tokens") }
        let cache = model.makeCache()
        let sequence = cache.newSequence()
        var rng = Philox(seed: seed)
        var next = prompt
        var output: [Int] = []
        while output.count < maxNewTokens {
            let hidden = try model.forward([SequenceChunk(sequence: sequence, tokens: next)], cache: cache)
            let logits = try model.logits(hidden, rows: [next.count - 1])
            let token = sampler.sample(logits.floats, count: model.config.vocabSize, rng: &rng)
            output.append(token)
            onToken(token)
            if stopTokens.contains(token) { break }
            next = [token]
        }
        return output
    }
}
