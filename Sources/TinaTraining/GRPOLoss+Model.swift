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
        _ = try accumulateGradients(sequences: samples.map(\.tokens), dropout: dropout,
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
        // One padding-free forward over every sequence; rows of `hidden` follow the samples' tokens in order.
        let cache = makeCache()
        let hidden = try forward(samples.map { SequenceChunk(sequence: cache.newSequence(), tokens: $0.tokens) }, cache: cache)
        var rows: [Int] = [], targets: [Int] = [], offset = 0
        for sample in samples {
            for t in (sample.promptLength - 1)..<(sample.tokens.count - 1) {
                rows.append(offset + t)
                targets.append(sample.tokens[t + 1])
            }
            offset += sample.tokens.count
        }
        let all = try tokenLogProbs(hidden, rows: rows, targets: targets).logProbs
        var result: [[Float]] = [], start = 0
        for sample in samples {
            result.append(Array(all[start..<(start + sample.completionLength)]))
            start += sample.completionLength
        }
        return result
    }
}
