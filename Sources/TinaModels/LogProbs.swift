import TinaCore

extension DecoderModel {
    /// Rows of the vocabulary projection handled at once by `tokenLogProbs` and the training pass: [chunk, vocab]
    /// floats (at most 64 MiB: 110 rows of a 151,936-token vocabulary, 341 of SmolLM2's 49,152) is the largest
    /// logits buffer alive. 32 rows made lm_head a memory-bound product that read the whole bf16 matrix once per
    /// 32 rows (467 MB per chunk at the 1.5B shape).
    public var logitsChunkRows: Int { max(32, min(512, (64 << 20) / (MemoryLayout<Float>.size * max(1, config.vocabSize)))) }

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
            let end = min(rows.count, start + logitsChunkRows)
            let chunk = try logits(hidden, rows: Array(rows[start..<end]))
            let part = try backend.tokenLogProbs(chunk, targets: Array(targets[start..<end]), withEntropy: withEntropy)
            logProbs += part.logProbs
            entropies += part.entropies ?? []
            start = end
        }
        return (logProbs, withEntropy ? entropies : nil)
    }
}

extension DecoderModel {
    /// log p(sequences[s][t] | sequences[s][..<t]) for t in starts[s]..<count, without gradients: GRPO's
    /// reference-policy (adapters off) and old-policy log-probs. Sequences go through `forward` together, up to
    /// `tokensPerForward` tokens at a time, each in a fresh cache that is dropped afterwards.
    public func sequenceLogProbs(_ sequences: [[Int]], from starts: [Int], tokensPerForward: Int = 8192) throws -> [[Float]] {
        guard sequences.count == starts.count else {
            throw TinaError.invalidArgument("\(sequences.count) sequences but \(starts.count) start positions")
        }
        for (s, start) in zip(sequences, starts) where start < 1 || start > s.count {
            throw TinaError.invalidArgument("start position \(start) is outside 1...\(s.count)")
        }
        var result = [[Float]](repeating: [], count: sequences.count)
        var first = 0
        while first < sequences.count {
            var last = first + 1, tokens = sequences[first].count
            while last < sequences.count && tokens + sequences[last].count <= tokensPerForward {
                tokens += sequences[last].count
                last += 1
            }
            // f32 keys and values, as the training pass uses them: reference and policy log-probs then differ
            // only by the adapter.
            let cache = makeCache(maxBytes: Int.max, dtype: .f32)
            let chunks = (first..<last).map { SequenceChunk(sequence: cache.newSequence(), tokens: sequences[$0]) }
            let hidden = try forward(chunks, cache: cache)
            var rows: [Int] = [], targets: [Int] = [], offset = 0
            for i in first..<last {
                for t in starts[i]..<sequences[i].count {
                    rows.append(offset + t - 1)
                    targets.append(sequences[i][t])
                }
                offset += sequences[i].count
            }
            let logProbs = try tokenLogProbs(hidden, rows: rows, targets: targets).logProbs
            var k = 0
            for i in first..<last {
                let n = sequences[i].count - starts[i]
                result[i] = Array(logProbs[k..<(k + n)])
                k += n
            }
            first = last
        }
        return result
    }
}
