import Foundation
import Synchronization

/// Causal grouped-query attention of one sequence's new tokens against its cached keys and values, split into
/// tiles (one KV head x a block of query tokens) that run side by side on the worker pool. In a tile the query
/// heads sharing the KV head are stacked into one matrix, so a tile is two single-threaded sgemm calls
/// (scores = Q K^T, then P V) around a row softmax; a tile only reads the keys its last token can see.
/// Before, each KV head ran as whole-sequence sgemm calls one after another with a serial softmax: 6 ms of a
/// SmolLM2 layer's 17 ms at 512 tokens.
enum CPUAttention {
    /// Query tokens per tile: small enough that tiles balance across threads and waste little work above the
    /// causal diagonal, large enough for efficient sgemm calls.
    static let tileTokens = 64
    /// Multiply-adds below which a tile uses dot products instead of sgemm (decode: one token, a few hundred
    /// keys, where a library call costs more than the arithmetic).
    static let smallWork = 1 << 18

    /// q: [T, heads * headDim] rows of this sequence; keys/values: [L, kvDim] with the new tokens already
    /// written at positions start ..< start + T; out: [T, heads * headDim].
    static func apply(q: UnsafePointer<Float>, tokens: Int, start: Int, keys: UnsafePointer<Float>,
                      values: UnsafePointer<Float>, heads: Int, kvHeads: Int, headDim: Int,
                      out: UnsafeMutablePointer<Float>) throws {
        let blocks = (tokens + tileTokens - 1) / tileTokens
        let tiles = kvHeads * blocks
        let geometry = Geometry(tokens: tokens, start: start, heads: heads, kvHeads: kvHeads, headDim: headDim)
        let failure = Mutex<Error?>(nil)
        let args = UnsafeSendable((q, keys, values, out))
        // Tiles of the last blocks see the most keys: hand them out first.
        Parallel.forChunks(of: tiles, minChunk: 1) { range in
            let (q, keys, values, out) = args.value
            let scratch = Scratch(geometry)
            defer { scratch.free() }
            do {
                try OneDNN.singleThreaded {
                    for index in range {
                        let tile = tiles - 1 - index
                        try runTile(kvHead: tile % kvHeads, block: tile / kvHeads, geometry, q: q, keys: keys,
                                    values: values, out: out, scratch: scratch)
                    }
                }
            } catch {
                failure.withLock { if $0 == nil { $0 = error } }
            }
        }
        if let error = failure.withLock({ $0 }) { throw error }
    }

    struct Geometry: Sendable {
        let tokens, start, heads, kvHeads, headDim: Int
        var group: Int { heads / kvHeads }
        var qDim: Int { heads * headDim }
        var kvDim: Int { kvHeads * headDim }
        var scale: Float { 1 / Float(headDim).squareRoot() }
        /// Rows of a tile's stacked queries and keys of its widest score matrix.
        var tileRows: Int { group * min(tokens, CPUAttention.tileTokens) }
        var maxKeys: Int { start + tokens }
    }

    struct Scratch {
        let stacked, scores, mixed: UnsafeMutablePointer<Float>
        init(_ g: Geometry) {
            stacked = .allocate(capacity: g.tileRows * g.headDim)
            scores = .allocate(capacity: g.tileRows * g.maxKeys)
            mixed = .allocate(capacity: g.tileRows * g.headDim)
        }
        func free() { stacked.deallocate(); scores.deallocate(); mixed.deallocate() }
    }

    private static func runTile(kvHead kvh: Int, block: Int, _ g: Geometry, q: UnsafePointer<Float>,
                                keys: UnsafePointer<Float>, values: UnsafePointer<Float>,
                                out: UnsafeMutablePointer<Float>, scratch s: Scratch) throws {
        let t0 = block * tileTokens
        let count = min(tileTokens, g.tokens - t0)
        let group = g.group, headDim = g.headDim, qDim = g.qDim, kvDim = g.kvDim
        let rows = count * group
        let keysUsed = g.start + t0 + count
        // Row (t * group + h) holds query head kvh * group + h of token t0 + t.
        for t in 0..<count {
            for h in 0..<group {
                (s.stacked + (t * group + h) * headDim).update(from: q + (t0 + t) * qDim + (kvh * group + h) * headDim, count: headDim)
            }
        }
        let small = rows * keysUsed * headDim <= smallWork
        if small {
            for r in 0..<rows {
                for j in 0..<keysUsed {
                    s.scores[r * keysUsed + j] = g.scale * Dot.f32(s.stacked + r * headDim, keys + j * kvDim + kvh * headDim, count: headDim)
                }
            }
        } else {
            try OneDNN.sgemmSingle(m: rows, n: keysUsed, k: headDim, a: s.stacked, lda: headDim,
                                   b: keys + kvh * headDim, ldb: kvDim, transposeB: true,
                                   c: s.scores, ldc: keysUsed, alpha: g.scale)
        }
        for t in 0..<count {
            let visible = g.start + t0 + t + 1
            for h in 0..<group {
                let row = s.scores + (t * group + h) * keysUsed
                Softmax.apply(row, count: visible, output: row)
                if visible < keysUsed { (row + visible).update(repeating: 0, count: keysUsed - visible) }
            }
        }
        if small {
            s.mixed.update(repeating: 0, count: rows * headDim)
            for r in 0..<rows {
                for j in 0..<keysUsed {
                    Elementwise.addScaled(values + j * kvDim + kvh * headDim, alpha: s.scores[r * keysUsed + j],
                                          into: s.mixed + r * headDim, count: headDim)
                }
            }
        } else {
            try OneDNN.sgemmSingle(m: rows, n: headDim, k: keysUsed, a: s.scores, lda: keysUsed,
                                   b: values + kvh * headDim, ldb: kvDim, c: s.mixed, ldc: headDim)
        }
        for t in 0..<count {
            for h in 0..<group {
                (out + (t0 + t) * qDim + (kvh * group + h) * headDim).update(from: s.mixed + (t * group + h) * headDim, count: headDim)
            }
        }
    }
}
