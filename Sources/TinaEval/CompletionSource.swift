import Foundation
import TinaGeneration

/// Why a completion ended (the rollout engine's reasons).
public enum EvalFinishReason: String, Sendable, Codable, CaseIterable {
    /// An end-of-sequence token, a stop id or a stop string.
    case stop
    /// `maxNewTokens` was reached.
    case length
    /// The model's context was full before `maxNewTokens`.
    case context
}

/// Samples to draw for one prompt. `id` names the random stream family: sample s of request id draws from
/// stream (id, s), so a resumed run regenerates exactly what an uninterrupted one would.
public struct EvalRequest: Sendable {
    public var id: Int
    public var prompt: [Int]
    /// The sample indices still missing (a resumed run asks only for those).
    public var samples: [Int]
    /// Already capped so that prompt + new tokens fit the model's context.
    public var parameters: SamplingParameters

    public init(id: Int, prompt: [Int], samples: [Int], parameters: SamplingParameters) {
        (self.id, self.prompt, self.samples, self.parameters) = (id, prompt, samples, parameters)
    }
}

public struct EvalCompletion: Sendable {
    /// The position of the request in the array given to `complete`.
    public var requestIndex: Int
    public var sample: Int
    public var tokens: [Int]
    public var text: String
    public var finishReason: EvalFinishReason

    public init(requestIndex: Int, sample: Int, tokens: [Int], text: String, finishReason: EvalFinishReason) {
        (self.requestIndex, self.sample, self.tokens, self.text, self.finishReason) = (requestIndex, sample, tokens, text, finishReason)
    }
}

/// Where completions come from: a model (`GeneratorSource`) or, in tests, a script. Completions are handed to
/// `onCompletion` as each finishes, in any order, so the caller can save them before the next one starts.
public protocol CompletionSource {
    func complete(_ requests: [EvalRequest], onCompletion: (EvalCompletion) throws -> Void) throws
}

extension SamplingParameters {
    /// The same parameters with another token budget.
    public func with(maxNewTokens: Int) throws -> SamplingParameters {
        try SamplingParameters(temperature: temperature, topK: topK, topP: topP, minP: minP, repetitionPenalty: repetitionPenalty,
                               presencePenalty: presencePenalty, frequencyPenalty: frequencyPenalty, logitBias: logitBias,
                               seed: seed, maxNewTokens: maxNewTokens, stopTokenIDs: stopTokenIDs, stopStrings: stopStrings)
    }
}
