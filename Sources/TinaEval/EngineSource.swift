import Foundation
import TinaGeneration

/// Completions from the batched rollout engine (continuous batching, each prompt prefilled once for its samples).
///
/// The engine numbers a request's samples 0..<count and sample s draws from stream (request id, s), the same
/// stream the single-sequence `Generator` uses. A resumed run usually misses whole problems (samples 0..<n);
/// when it misses only some samples of a problem (one cut short by a kill, or a larger `--n`), the engine is
/// asked for samples 0...max and the ones already saved are dropped, so every sample still comes from its own
/// stream and the run equals an uninterrupted one.
public struct EngineSource: CompletionSource {
    public let engine: RolloutEngine
    public var onProgress: ((RolloutProgress) -> Void)?

    public init(engine: RolloutEngine, onProgress: ((RolloutProgress) -> Void)? = nil) {
        (self.engine, self.onProgress) = (engine, onProgress)
    }

    public func complete(_ requests: [EvalRequest], onCompletion: (EvalCompletion) throws -> Void) throws {
        let wanted = requests.map { Set($0.samples) }
        let rollouts = requests.map { r in
            RolloutRequest(id: r.id, prompt: r.prompt, samples: (r.samples.max() ?? 0) + 1, parameters: r.parameters)
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
