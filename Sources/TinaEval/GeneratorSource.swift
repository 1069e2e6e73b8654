import Foundation
import TinaGeneration
import TinaModels

/// Completions from a model, one sequence at a time with the single-sequence `Generator` (each sample draws
/// from its own (request id, sample) random stream, so the result does not depend on order or batching).
public struct GeneratorSource: CompletionSource {
    public let model: DecoderModel
    public let stopTokens: Set<Int>
    /// Token ids to text (special tokens skipped, as vLLM returns them).
    public let decode: ([Int]) -> String

    public init(model: DecoderModel, stopTokens: Set<Int>, decode: @escaping ([Int]) -> String) {
        (self.model, self.stopTokens, self.decode) = (model, stopTokens, decode)
    }

    public func complete(_ requests: [EvalRequest], onCompletion: (EvalCompletion) throws -> Void) throws {
        let context = model.config.maxPositionEmbeddings
        for (index, request) in requests.enumerated() {
            let generator = Generator(model: model, parameters: request.parameters, stopTokens: stopTokens)
            let stops = stopTokens.union(request.parameters.stopTokenIDs)
            for sample in request.samples {
                let tokens = try generator.generate(prompt: request.prompt, requestID: UInt32(truncatingIfNeeded: request.id),
                                                    sampleIndex: UInt32(truncatingIfNeeded: sample), decode: decode)
                let text = decode(tokens)
                let reason: EvalFinishReason
                if let last = tokens.last, stops.contains(last) || request.parameters.stopStrings.contains(where: text.contains) {
                    reason = .stop
                } else if context > 0 && request.prompt.count + tokens.count >= context {
                    reason = .context
                } else {
                    reason = .length
                }
                try onCompletion(EvalCompletion(requestIndex: index, sample: sample, tokens: tokens, text: text, finishReason: reason))
            }
        }
    }
}
