import TinaCore
import TinaModels

extension DecoderModel {
    /// One GRPO micro-batch: runs `samples` through the model and accumulates the gradient of `objective`'s loss
    /// into the trainable parameters' `gradient` (add, so micro-batches of a step accumulate).
    @discardableResult
    public func accumulateGRPOGradients(samples: [GRPOSample], objective: GRPOObjective, dropout: LoRADropout? = nil) throws
        -> GRPOLossEvaluation {
        try objective.validateSettings()
        var evaluation: GRPOLossEvaluation?
        // Only completion positions enter the loss: the prompt's lm_head rows are skipped.
        _ = try accumulateGradients(sequences: samples.map(\.tokens), dropout: dropout, lossFrom: samples.map { $0.promptLength - 1 },
                                    loss: objective.lossFunction(samples: samples) { evaluation = $0 })
        guard let evaluation else { throw TinaError.invalidArgument("the GRPO loss was not evaluated") }
        return evaluation
    }

    /// Per completion token of each sample, log p(token | prefix) under the current weights, without gradients:
    /// the reference log-probs (call with `adaptersEnabled = false`) or the old policy's (num_iterations > 1).
    public func completionLogProbs(_ samples: [GRPOSample]) throws -> [[Float]] {
        guard !samples.isEmpty else { return [] }
        for (s, sample) in samples.enumerated() where sample.promptLength < 1 || sample.completionLength < 1 {
            throw TinaError.invalidArgument("GRPO sample \(s) needs a prompt and a completion (prompt \(sample.promptLength), completion \(sample.completionLength) tokens)")
        }
        return try sequenceLogProbs(samples.map(\.tokens), from: samples.map(\.promptLength))
    }
}
