import Foundation
import TinaGeneration

/// Completions from the batched rollout engine (continuous batching, each prompt prefilled once for its samples).
///
/// Sample s of a request draws from stream (request id, s), the same stream the single-sequence `Generator` uses.
/// A resumed run asks the engine for the range of samples it misses (firstSample ..< max + 1); samples inside the
/// range that are already saved (rare: a gap) are generated again and dropped, so every sample still comes from
/// its own stream and the run equals an uninterrupted one.
public struct EngineSource: CompletionSource {
    public let engine: RolloutEngine
    public var onProgress: ((RolloutProgress) -> Void)?

    public init(engine: RolloutEngine, onProgress: ((RolloutProgress) -> Void)? = nil) {
        (self.engine, self.onProgress) = (engine, onProgress)
    }

    public func complete(_ requests: [EvalRequest], onCompletion: (EvalCompletion) throws -> Void) throws {
        let wanted = requests.map { Set($0.samples) }
        let rollouts = requests.map { r in
            let first = r.samples.min() ?? 0
            return RolloutRequest(id: r.id, prompt: r.prompt, samples: (r.samples.max() ?? 0) + 1 - first, firstSample: first, parameters: r.parameters)
        }
        // The engine's callback is escaping-typed; `onCompletion` only lives for this call, which `run` does not outlive.
        try withoutActuallyEscaping(onCompletion) { handler in
            _ = try engine.run(rollouts, onProgress: onProgress) { c in
                guard wanted[c.requestIndex].contains(c.sample) else { return }
                let reason: EvalFinishReason = switch c.finishReason {
                case .stop: .stop
                case .length: .length
                case .context: .context
                }
                try handler(EvalCompletion(requestIndex: c.requestIndex, sample: c.sample, tokens: c.tokens, text: c.text,
                                           finishReason: reason))
            }
        }
    }
}
