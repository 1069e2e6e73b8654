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

    /// One sequence of a batched call: its `tokens` new rows start at row `row` of q and out; its keys/values
    /// ([positions, kvHeads * headDim], f32 or bf16) hold positions 0 ..< start + tokens with the new ones written.
    struct Segment {
        let row, tokens, start: Int
        /// Positions prefixLength ..< start + tokens (all of them when there is no shared prefix).
        let keys, values: UnsafeRawPointer
        let bf16: Bool
        /// Positions 0 ..< prefixLength, shared with other sequences.
        var prefixLength = 0
        var prefixKeys: UnsafeRawPointer? = nil
        var prefixValues: UnsafeRawPointer? = nil

        /// Where position j's row (kvDim elements of `bytesPerElement`) of keys or values lives.
        @inline(__always)
        func row(_ j: Int, keys: Bool, kvDim: Int) -> UnsafeRawPointer {
            let size = bf16 ? 2 : 4
            if j < prefixLength, let p = keys ? prefixKeys : prefixValues { return p + j * kvDim * size }
            return (keys ? self.keys : values) + (j - prefixLength) * kvDim * size
        }
    }

    /// Every segment's tiles (sequence x KV head x block of query tokens) run in one parallel region, so a decode
    /// step of many sequences is one hand-out to the pool instead of one per sequence (16 sequences x 30 layers
    /// made 480 pool round trips per SmolLM2 step, each waking both threads for 3 tiny tiles).
    static func apply(q: UnsafePointer<Float>, segments all: [Segment], heads: Int, kvHeads: Int, headDim: Int,
                      out: UnsafeMutablePointer<Float>) throws {
        // A one-token segment over a bf16 cache takes the decode kernel. The choice depends only on the segment
        // itself, never on its batch, so a sequence's result is the same whatever it is batched with.
        let decode = CPUDecodeAttention.supports(headDim: headDim)
            ? all.filter { $0.tokens == 1 && $0.bf16 } : []
        if !decode.isEmpty {
            CPUDecodeAttention.apply(q: q, segments: decode, heads: heads, kvHeads: kvHeads, headDim: headDim, out: out)
        }
        let segments = decode.isEmpty ? all : all.filter { !($0.tokens == 1 && $0.bf16) }
        guard !segments.isEmpty else { return }
        struct Tile { let segment, kvHead, block, keys: Int }
        var tiles: [Tile] = []
        for (index, segment) in segments.enumerated() {
            let blocks = (segment.tokens + tileTokens - 1) / tileTokens
            for block in 0..<blocks {
                let keys = segment.start + min(segment.tokens, (block + 1) * tileTokens)
                for kvh in 0..<kvHeads { tiles.append(Tile(segment: index, kvHead: kvh, block: block, keys: keys)) }
            }
        }
        // The tiles that see the most keys go first, so the last ones to finish are the cheapest.
        tiles.sort { $0.keys > $1.keys }
        let geometries = segments.map { Geometry(tokens: $0.tokens, start: $0.start, heads: heads, kvHeads: kvHeads, headDim: headDim) }
        let widest = Geometry(tokens: segments.map(\.tokens).max() ?? 1, start: segments.map { $0.start + $0.tokens }.max() ?? 1,
                              heads: heads, kvHeads: kvHeads, headDim: headDim)
        let failure = Mutex<Error?>(nil)
        let args = UnsafeSendable((q, out, segments, tiles, geometries))
        Parallel.forChunks(of: tiles.count, minChunk: 1) { range in
            let (q, out, segments, tiles, geometries) = args.value
            let scratch = Scratch(widest)
            defer { scratch.free() }
            do {
                try OneDNN.singleThreaded {
                    for tile in tiles[range] {
                        let segment = segments[tile.segment], g = geometries[tile.segment]
                        let (keys, values, stride) = scratch.headKeysAndValues(segment, kvHead: tile.kvHead, rows: tile.keys, g)
                        try runTile(kvHead: tile.kvHead, block: tile.block, g, q: q + segment.row * g.qDim, keys: keys,
                                    values: values, stride: stride, out: out + segment.row * g.qDim, scratch: scratch)
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
        var maxKeys: Int { max(1, start + tokens) }
    }

    struct Scratch {
        let stacked, scores, mixed, keys, values: UnsafeMutablePointer<Float>
        init(_ g: Geometry) {
            stacked = .allocate(capacity: g.tileRows * g.headDim)
            scores = .allocate(capacity: g.tileRows * g.maxKeys)
            mixed = .allocate(capacity: g.tileRows * g.headDim)
            keys = .allocate(capacity: g.maxKeys * g.headDim)
            values = .allocate(capacity: g.maxKeys * g.headDim)
        }
        func free() { [stacked, scores, mixed, keys, values].forEach { $0.deallocate() } }

        /// One KV head's first `used` keys and values of a segment as f32 rows `stride` apart: the cache itself when f32
        /// in one piece, else its rows gathered here (bf16 widened exactly) for the tile's products.
        func headKeysAndValues(_ s: Segment, kvHead kvh: Int, rows used: Int, _ g: Geometry)
            -> (keys: UnsafePointer<Float>, values: UnsafePointer<Float>, stride: Int) {
            let offset = kvh * g.headDim
            if !s.bf16 && s.prefixLength == 0 {
                return (s.keys.assumingMemoryBound(to: Float.self) + offset, s.values.assumingMemoryBound(to: Float.self) + offset, g.kvDim)
            }
            for j in 0..<used {
                let k = s.row(j, keys: true, kvDim: g.kvDim), v = s.row(j, keys: false, kvDim: g.kvDim)
                if s.bf16 {
                    HalfPrecision.bf16ToFloat(k.assumingMemoryBound(to: UInt16.self) + offset, keys + j * g.headDim, count: g.headDim)
                    HalfPrecision.bf16ToFloat(v.assumingMemoryBound(to: UInt16.self) + offset, values + j * g.headDim, count: g.headDim)
                } else {
                    (keys + j * g.headDim).update(from: k.assumingMemoryBound(to: Float.self) + offset, count: g.headDim)
                    (values + j * g.headDim).update(from: v.assumingMemoryBound(to: Float.self) + offset, count: g.headDim)
                }
            }
            return (UnsafePointer(keys), UnsafePointer(values), g.headDim)
        }
    }

    /// One tile; keys/values are this KV head's, element (j, d) at [j * stride + d].
    private static func runTile(kvHead kvh: Int, block: Int, _ g: Geometry, q: UnsafePointer<Float>,
                                keys: UnsafePointer<Float>, values: UnsafePointer<Float>, stride: Int,
                                out: UnsafeMutablePointer<Float>, scratch s: Scratch) throws {
        let t0 = block * tileTokens
        let count = min(tileTokens, g.tokens - t0)
        let group = g.group, headDim = g.headDim, qDim = g.qDim
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
                    s.scores[r * keysUsed + j] = g.scale * Dot.f32(s.stacked + r * headDim, keys + j * stride, count: headDim)
                }
            }
        } else {
            try OneDNN.sgemmSingle(m: rows, n: keysUsed, k: headDim, a: s.stacked, lda: headDim,
                                   b: keys, ldb: stride, transposeB: true,
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
                    Elementwise.addScaled(values + j * stride, alpha: s.scores[r * keysUsed + j],
                                          into: s.mixed + r * headDim, count: headDim)
                }
            }
        } else {
            try OneDNN.sgemmSingle(m: rows, n: headDim, k: keysUsed, a: s.scores, lda: keysUsed,
                                   b: values, ldb: stride, c: s.mixed, ldc: headDim)
        }
        for t in 0..<count {
            for h in 0..<group {
                (out + (t0 + t) * qDim + (kvh * group + h) * headDim).update(from: s.mixed + (t * group + h) * headDim, count: headDim)
            }
        }
    }
}
