import TinaCore

extension DecoderModel {
    /// Rows of the vocabulary projection handled at once by `tokenLogProbs` and the training pass: [chunk, vocab]
    /// floats (at most 128 MiB: 220 rows of a 151,936-token vocabulary, 512 of SmolLM2's 49,152) is the largest
    /// logits buffer alive. 32 rows made lm_head a memory-bound product that read the whole bf16 matrix once per
    /// 32 rows (467 MB per chunk at the 1.5B shape); against 64 MiB chunks, 128 MiB ones took lm_head's input
    /// gradient from 3.1-3.3 s to 2.7-2.9 s per 2,048 tokens (oneDNN re-lays the 467 MB matrix out for each call).
    public var logitsChunkRows: Int { max(32, min(512, (128 << 20) / (MemoryLayout<Float>.size * max(1, config.vocabSize)))) }

    /// Logits [rows.count, vocab] of the given rows of `hidden` (from `forward`), on the model's backend.
    public func logits(_ hidden: Tensor, rows: [Int]) throws -> Tensor {
        let h = config.hiddenSize
        let gathered = try backend.empty([rows.count, h], dtype: .f32)
        for (i, r) in rows.enumerated() {
            guard r >= 0, r < hidden.shape[0] else { throw TinaError.invalidArgument("hidden row \(r) out of range") }
            try backend.copy(try hidden.rows(r..<(r + 1)), into: try gathered.rows(i..<(i + 1)))
        }
        let out = try backend.empty([rows.count, config.vocabSize], dtype: .f32)
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
        backend.releaseCachedMemory()  // the logits chunks, kept for reuse within the loop
        return (logProbs, withEntropy ? entropies : nil)
    }
}

extension DecoderModel {
    /// log p(sequences[s][t] | sequences[s][..<t]) for t in starts[s]..<count, without gradients: GRPO's
    /// reference-policy (adapters off) and old-policy log-probs. Sequences go through `forward` together, up to
    /// `tokensPerForward` new tokens at a time, in a fresh cache that is dropped afterwards. Sequences that share
    /// the tokens before their first scored position (the G completions of one GRPO prompt) run that prefix once
    /// and each continue from a copy of its keys and values (SmolLM2 GRPO bench, 4 x 4 samples of 50 + 64 tokens:
    /// 44 % fewer tokens through the model).
    public func sequenceLogProbs(_ sequences: [[Int]], from starts: [Int], tokensPerForward: Int = 8192) throws -> [[Float]] {
        guard sequences.count == starts.count else {
            throw TinaError.invalidArgument("\(sequences.count) sequences but \(starts.count) start positions")
        }
        for (s, start) in zip(sequences, starts) where start < 1 || start > s.count {
            throw TinaError.invalidArgument("start position \(start) is outside 1...\(s.count)")
        }
        let groups = PrefixGroup.groups(sequences, starts: starts)
        var result = [[Float]](repeating: [], count: sequences.count)
        var first = 0
        while first < groups.count {
            var last = first + 1, tokens = groups[first].newTokens(sequences)
            while last < groups.count && tokens + groups[last].newTokens(sequences) <= tokensPerForward {
                tokens += groups[last].newTokens(sequences)
                last += 1
            }
            try scoreGroups(groups[first..<last], sequences, starts, into: &result)
            first = last
        }
        return result
    }

    private func scoreGroups(_ groups: ArraySlice<PrefixGroup>, _ sequences: [[Int]], _ starts: [Int], into result: inout [[Float]]) throws {
        // f32 keys and values, as the training pass uses them: reference and policy log-probs then differ only
        // by the adapter.
        let cache = makeCache(maxBytes: Int.max, dtype: .f32)
        let shared = groups.filter(\.sharesPrefix)
        let prefixChunks = shared.map { SequenceChunk(sequence: cache.newSequence(), tokens: Array(sequences[$0.members[0]][..<$0.prefixLength])) }
        if !prefixChunks.isEmpty { _ = try forward(prefixChunks, cache: cache) }
        let prefixSequence = Dictionary(uniqueKeysWithValues: zip(shared.map { $0.members[0] }, prefixChunks.map(\.sequence)))
        // Each member continues after its group's shared prefix (or starts from scratch).
        var chunks: [SequenceChunk] = [], skipped: [Int] = []
        for group in groups {
            for i in group.members {
                let skip = group.sharesPrefix ? group.prefixLength : 0
                let id = try prefixSequence[group.members[0]].map { try cache.fork($0, reserving: sequences[i].count) } ?? cache.newSequence()
                chunks.append(SequenceChunk(sequence: id, tokens: Array(sequences[i][skip...])))
                skipped.append(skip)
            }
        }
        let hidden = try forward(chunks, cache: cache)
        let members = groups.flatMap(\.members)
        var rows: [Int] = [], targets: [Int] = [], offset = 0
        for (i, skip) in zip(members, skipped) {
            for t in starts[i]..<sequences[i].count {
                rows.append(offset + t - 1 - skip)
                targets.append(sequences[i][t])
            }
            offset += sequences[i].count - skip
        }
        let logProbs = try tokenLogProbs(hidden, rows: rows, targets: targets).logProbs
        var k = 0
        for i in members {
            let n = sequences[i].count - starts[i]
            result[i] = Array(logProbs[k..<(k + n)])
            k += n
        }
    }
}

/// Sequences with the same tokens before their first scored position (start - 1 tokens: the row that predicts
/// the first scored token is each member's own), in first-appearance order.
struct PrefixGroup {
    var members: [Int]
    let prefixLength: Int
    /// Worth a shared run: two or more members and a non-empty prefix.
    var sharesPrefix: Bool { members.count > 1 && prefixLength > 0 }

    /// Tokens this group puts through the model.
    func newTokens(_ sequences: [[Int]]) -> Int {
        let skip = sharesPrefix ? prefixLength : 0
        return skip + members.reduce(0) { $0 + sequences[$1].count - skip }
    }

    static func groups(_ sequences: [[Int]], starts: [Int]) -> [PrefixGroup] {
        var groups: [PrefixGroup] = [], index: [ArraySlice<Int>: Int] = [:]
        for (i, s) in sequences.enumerated() {
            let prefix = s[..<(starts[i] - 1)]
            if let g = index[prefix] {
                groups[g].members.append(i)
            } else {
                index[prefix] = groups.count
                groups.append(PrefixGroup(members: [i], prefixLength: prefix.count))
            }
        }
        return groups
    }
}
