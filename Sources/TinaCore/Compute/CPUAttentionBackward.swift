import Foundation
import Synchronization

/// The backward of `CPUAttention` over a whole sequence (positions 0..<T), tile by tile like the forward: for
/// a KV head and a block of query tokens, with the group's query heads stacked into rows,
///   S = scale Q K^T, P = softmax(S) (recomputed, never stored), dP = dO V^T, dS = P * (dP - rowsum(P * dP)),
///   dQ = scale dS K, dK += scale dS^T Q, dV += P^T dO,
/// five single-threaded sgemm calls per tile. Tasks are (sequence, KV head) pairs (each owns its dK, dV block),
/// so tiles that add into the same dK rows never run at once; all sequences of a batch share one parallel region
/// (by KV head alone, SmolLM2's 3 KV heads kept one of 2 threads idle a third of the time). Per-row dot products
/// and axpys took 35% of a SmolLM2 LoRA step.
enum CPUAttentionBackward {
    static let tileTokens = 64
    /// Sequences at least this long are split in two tasks per KV head (see `apply`).
    static let splitTokens = 1024

    /// Every tensor is [total rows, width] with the sequences stacked; `sequences` are their row ranges (each a
    /// whole sequence from position 0).
    static func apply(q: UnsafePointer<Float>, keys: UnsafePointer<Float>, values: UnsafePointer<Float>,
                      dOut: UnsafePointer<Float>, sequences: [Range<Int>], heads: Int, kvHeads: Int, headDim: Int,
                      dq: UnsafeMutablePointer<Float>, dk: UnsafeMutablePointer<Float>, dv: UnsafeMutablePointer<Float>) throws {
        let group = heads / kvHeads, qDim = heads * headDim, kvDim = kvHeads * headDim
        let scale = 1 / Float(headDim).squareRoot()
        // A sequence of `splitTokens` or more is two tasks per KV head: query tiles before `a` (writing dK, dV) and
        // from `a` (adding into a [T, headDim] scratch pair, added in after), a ~ T/sqrt(2) so the causal work halves.
        // At one sequence (SmolLM2 1 x 2,048: 3 KV heads on 2 threads) whole-head tasks left a thread idle a third of
        // the time. The split depends on the shapes only, never on the thread count, so the bits do not either.
        struct Task {
            let sequence, kvHead: Int; let queries: Range<Int>; let scratch: Int?
            /// Causal work grows with the square of the last query position.
            var work: Int { queries.upperBound * queries.upperBound - queries.lowerBound * queries.lowerBound }
        }
        var tasks: [Task] = [], scratchRows = 0
        for (index, range) in sequences.enumerated() {
            let tokens = range.count
            for kvh in 0..<kvHeads {
                if tokens >= splitTokens {
                    let a = min(tokens - tileTokens, max(tileTokens, Int((Double(tokens) / 2.0.squareRoot() / Double(tileTokens)).rounded()) * tileTokens))
                    tasks.append(Task(sequence: index, kvHead: kvh, queries: 0..<a, scratch: nil))
                    tasks.append(Task(sequence: index, kvHead: kvh, queries: a..<tokens, scratch: scratchRows))
                    scratchRows += tokens
                } else {
                    tasks.append(Task(sequence: index, kvHead: kvh, queries: 0..<tokens, scratch: nil))
                }
            }
        }
        tasks.sort { $0.work > $1.work }  // most work first
        // dK then dV rows of the later parts, [scratchRows, headDim] each.
        let partial = UnsafeMutablePointer<Float>.allocate(capacity: max(1, 2 * scratchRows * headDim))
        defer { partial.deallocate() }
        let longest = sequences.map(\.count).max() ?? 0, partialRows = scratchRows
        let failure = Mutex<Error?>(nil)
        let args = UnsafeSendable((q, keys, values, dOut, dq, dk, dv, tasks, partial))
        Parallel.forChunks(of: tasks.count, minChunk: 1) { range in
            let (q0, k0, v0, dO0, dq0, dk0, dv0, tasks, partial) = args.value
            let tokens = longest
            let rowsMax = group * min(tokens, tileTokens)
            let stackedQ = UnsafeMutablePointer<Float>.allocate(capacity: rowsMax * headDim)
            let stackedDO = UnsafeMutablePointer<Float>.allocate(capacity: rowsMax * headDim)
            let stackedDQ = UnsafeMutablePointer<Float>.allocate(capacity: rowsMax * headDim)
            let p = UnsafeMutablePointer<Float>.allocate(capacity: rowsMax * tokens)
            let dp = UnsafeMutablePointer<Float>.allocate(capacity: rowsMax * tokens)
            defer { [stackedQ, stackedDO, stackedDQ, p, dp].forEach { $0.deallocate() } }
            do {
                try OneDNN.singleThreaded {
                    for task in tasks[range] {
                        let kvh = task.kvHead
                        let first = sequences[task.sequence].lowerBound, tokens = sequences[task.sequence].count
                        let q = q0 + first * qDim, k = k0 + first * kvDim, v = v0 + first * kvDim, dO = dO0 + first * qDim
                        let dq = dq0 + first * qDim
                        // dK, dV of this head: the real rows (stride kvDim), or the task's scratch (stride headDim).
                        let dkh: UnsafeMutablePointer<Float>, dvh: UnsafeMutablePointer<Float>, kvStride: Int
                        if let row = task.scratch {
                            (dkh, dvh, kvStride) = (partial + row * headDim, partial + (partialRows + row) * headDim, headDim)
                        } else {
                            (dkh, dvh, kvStride) = (dk0 + first * kvDim + kvh * headDim, dv0 + first * kvDim + kvh * headDim, kvDim)
                        }
                        for t in 0..<tokens {
                            (dkh + t * kvStride).update(repeating: 0, count: headDim)
                            (dvh + t * kvStride).update(repeating: 0, count: headDim)
                        }
                        var t0 = task.queries.lowerBound
                        while t0 < task.queries.upperBound {
                            let count = min(tileTokens, task.queries.upperBound - t0), rows = count * group, keysUsed = t0 + count
                            // Row (t * group + h) is query head kvh * group + h of token t0 + t.
                            for t in 0..<count {
                                for h in 0..<group {
                                    let column = (kvh * group + h) * headDim, row = (t * group + h) * headDim
                                    (stackedQ + row).update(from: q + (t0 + t) * qDim + column, count: headDim)
                                    (stackedDO + row).update(from: dO + (t0 + t) * qDim + column, count: headDim)
                                }
                            }
                            let kh = k + kvh * headDim, vh = v + kvh * headDim
                            try OneDNN.sgemmSingle(m: rows, n: keysUsed, k: headDim, a: stackedQ, lda: headDim, b: kh, ldb: kvDim,
                                                   transposeB: true, c: p, ldc: keysUsed, alpha: scale)
                            try OneDNN.sgemmSingle(m: rows, n: keysUsed, k: headDim, a: stackedDO, lda: headDim, b: vh, ldb: kvDim,
                                                   transposeB: true, c: dp, ldc: keysUsed)
                            for t in 0..<count {
                                let visible = t0 + t + 1
                                for h in 0..<group {
                                    let r = t * group + h
                                    let pr = p + r * keysUsed, dpr = dp + r * keysUsed
                                    Softmax.apply(pr, count: visible, output: pr)
                                    let weighted = Dot.f32(pr, dpr, count: visible)
                                    // dS (scaled) in place of dP; masked positions are zero in both P and dS.
                                    for j in 0..<visible { dpr[j] = pr[j] * (dpr[j] - weighted) * scale }
                                    if visible < keysUsed {
                                        (pr + visible).update(repeating: 0, count: keysUsed - visible)
                                        (dpr + visible).update(repeating: 0, count: keysUsed - visible)
                                    }
                                }
                            }
                            try OneDNN.sgemmSingle(m: rows, n: headDim, k: keysUsed, a: dp, lda: keysUsed, b: kh, ldb: kvDim,
                                                   c: stackedDQ, ldc: headDim)
                            try OneDNN.sgemmSingle(m: keysUsed, n: headDim, k: rows, a: dp, lda: keysUsed, transposeA: true,
                                                   b: stackedQ, ldb: headDim, c: dkh, ldc: kvStride, beta: 1)
                            try OneDNN.sgemmSingle(m: keysUsed, n: headDim, k: rows, a: p, lda: keysUsed, transposeA: true,
                                                   b: stackedDO, ldb: headDim, c: dvh, ldc: kvStride, beta: 1)
                            for t in 0..<count {
                                for h in 0..<group {
                                    (dq + (t0 + t) * qDim + (kvh * group + h) * headDim)
                                        .update(from: stackedDQ + (t * group + h) * headDim, count: headDim)
                                }
                            }
                            t0 += count
                        }
                    }
                }
            } catch {
                failure.withLock { if $0 == nil { $0 = error } }
            }
        }
        if let error = failure.withLock({ $0 }) { throw error }
        // The later parts' dK, dV added in, in a fixed order.
        for task in tasks {
            guard let row = task.scratch else { continue }
            let first = sequences[task.sequence].lowerBound
            for t in 0..<sequences[task.sequence].count {
                let offset = (first + t) * kvDim + task.kvHead * headDim
                Elementwise.add(partial + (row + t) * headDim, into: dk + offset, count: headDim)
                Elementwise.add(partial + (scratchRows + row + t) * headDim, into: dv + offset, count: headDim)
            }
        }
    }
}
