import TinaCore

extension DecoderModel {
    /// Rows of the vocabulary projection handled at once by `tokenLogProbs`: [chunk, vocab] floats is the
    /// largest logits buffer ever alive (19 MB for a 151,936-token vocabulary).
    public static let logitsChunkRows = 32

    /// Logits [rows.count, vocab] of the given rows of `hidden` (from `forward`), on the model's backend.
    public func logits(_ hidden: Tensor, rows: [Int]) throws -> Tensor {
        let h = config.hiddenSize
        let gathered = try backend.zeros([rows.count, h], dtype: .f32)
        for (i, r) in rows.enumerated() {
            guard r >= 0, r < hidden.shape[0] else { throw TinaError.invalidArgument("hidden row \(r) out of range") }
            try backend.copy(try hidden.rows(r..<(r + 1)), into: try gathered.rows(i..<(i + 1)))
        }
        let out = try backend.zeros([rows.count, config.vocabSize], dtype: .f32)
        try weights.lmHead.forward(gathered, into: out, on: backend)
        return out
    }

    /// log p(targets[i] | context) for hidden row rows[i], and optionally the entropy of each row's
    /// distribution, computing lm_head and log-softmax a few rows at a time.
    public func tokenLogProbs(_ hidden: Tensor, rows: [Int], targets: [Int], withEntropy: Bool = false) throws
        -> (logProbs: [Float], entropies: [Float]?) {
        guard rows.count == targets.count else {
            throw TinaError.invalidArgument("\(rows.count) rows but \(targets.count) targets")
        }
        var logProbs: [Float] = [], entropies: [Float] = []
        logProbs.reserveCapacity(rows.count)
        var start = 0
        while start < rows.count {
            let end = min(rows.count, start + Self.logitsChunkRows)
            let chunk = try logits(hidden, rows: Array(rows[start..<end]))
            let part = try backend.tokenLogProbs(chunk, targets: Array(targets[start..<end]), withEntropy: withEntropy)
            logProbs += part.logProbs
            entropies += part.entropies ?? []
            start = end
        }
        return (logProbs, withEntropy ? entropies : nil)
    }
}
