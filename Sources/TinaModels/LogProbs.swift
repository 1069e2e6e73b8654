import TinaCore

extension DecoderModel {
    /// Rows of the vocabulary projection handled at once by `tokenLogProbs`: [chunk, vocab] floats is the
    /// largest logits buffer ever alive (19 MB for a 151,936-token vocabulary).
    public static let logitsChunkRows = 32

    /// Logits [rows.count, vocab] of the given rows of `hidden` (from `forward`).
    public func logits(_ hidden: Tensor, rows: [Int]) throws -> Tensor {
        let h = config.hiddenSize
        let gathered = try Tensor(zeros: [rows.count, h])
        for (i, r) in rows.enumerated() {
            guard r >= 0, r < hidden.shape[0] else { throw TinaError.invalidArgument("hidden row \(r) out of range") }
            (gathered.floats + i * h).update(from: hidden.floats + r * h, count: h)
        }
        let out = try Tensor(zeros: [rows.count, config.vocabSize])
        weights.lmHead.forward(gathered.floats, rows: rows.count, into: out.floats)
        return out
    }

    /// log p(targets[i] | context) for hidden row rows[i], and optionally the entropy of each row's
    /// distribution, computing lm_head and log-softmax a few rows at a time.
    public func tokenLogProbs(_ hidden: Tensor, rows: [Int], targets: [Int], withEntropy: Bool = false) throws
        -> (logProbs: [Float], entropies: [Float]?) {
        guard rows.count == targets.count else {
            throw TinaError.invalidArgument("\(rows.count) rows but \(targets.count) targets")
        }
        let vocab = config.vocabSize
        var logProbs: [Float] = []
        var entropies: [Float] = []
        logProbs.reserveCapacity(rows.count)
        let probabilities = UnsafeMutablePointer<Float>.allocate(capacity: vocab)
        defer { probabilities.deallocate() }
        var start = 0
        while start < rows.count {
            let end = min(rows.count, start + Self.logitsChunkRows)
            let chunk = try logits(hidden, rows: Array(rows[start..<end]))
            for i in 0..<(end - start) {
                let target = targets[start + i]
                guard target >= 0, target < vocab else { throw TinaError.invalidArgument("target token \(target) outside the vocabulary") }
                let z = chunk.floats + i * vocab
                let lse = Softmax.logSumExp(z, count: vocab)
                logProbs.append(z[target] - lse)
                if withEntropy {
                    Softmax.apply(z, count: vocab, output: probabilities)
                    entropies.append(lse - Dot.f32(probabilities, z, count: vocab))
                }
            }
            start = end
        }
        return (logProbs, withEntropy ? entropies : nil)
    }
}
