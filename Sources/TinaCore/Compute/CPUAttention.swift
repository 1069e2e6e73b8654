import Foundation
import TinaCore

/// Causal grouped-query attention of one sequence's new tokens against its cached keys and values.
/// Query heads that share a KV head are stacked into one matrix so each KV head costs two sgemm calls
/// (scores = Q K^T, then P V); tokens are taken in chunks to bound the score buffer.
enum CPUAttention {
    static let tokenChunk = 256
    /// Multiply-adds below which dot products replace sgemm: decode-sized attention then makes no library
    /// calls (and no OpenMP thread wake-ups); SmolLM2 decode speed was unchanged within noise.
    static let smallWork = 1 << 18

    /// q: [T, heads * headDim] rows of this sequence; keys/values: [L, kvDim] with the new tokens already
    /// written at positions start ..< start + T; out: [T, heads * headDim].
    static func apply(q: UnsafePointer<Float>, tokens: Int, start: Int, keys: UnsafePointer<Float>,
                      values: UnsafePointer<Float>, heads: Int, kvHeads: Int, headDim: Int,
                      out: UnsafeMutablePointer<Float>) throws {
        let smallWork = Self.smallWork
        let group = heads / kvHeads
        let qDim = heads * headDim, kvDim = kvHeads * headDim
        let scale = 1 / Float(headDim).squareRoot()
        let chunk = min(tokens, tokenChunk)
        let maxKeys = start + tokens
        let stacked = UnsafeMutablePointer<Float>.allocate(capacity: group * chunk * headDim)
        let scores = UnsafeMutablePointer<Float>.allocate(capacity: group * chunk * maxKeys)
        let mixed = UnsafeMutablePointer<Float>.allocate(capacity: group * chunk * headDim)
        defer { stacked.deallocate(); scores.deallocate(); mixed.deallocate() }
        for kvh in 0..<kvHeads {
            var t0 = 0
            while t0 < tokens {
                let count = min(chunk, tokens - t0)
                let rows = count * group
                let keysUsed = start + t0 + count
                // Row (t * group + g) holds query head kvh * group + g of token t0 + t.
                for t in 0..<count {
                    for g in 0..<group {
                        (stacked + (t * group + g) * headDim).update(from: q + (t0 + t) * qDim + (kvh * group + g) * headDim, count: headDim)
                    }
                }
                // Small problems (decode) skip oneDNN: its per-call overhead exceeds the arithmetic.
                let small = rows * keysUsed * headDim <= smallWork
                if small {
                    for r in 0..<rows {
                        for j in 0..<keysUsed {
                            scores[r * keysUsed + j] = scale * Dot.f32(stacked + r * headDim, keys + j * kvDim + kvh * headDim, count: headDim)
                        }
                    }
                } else {
                    try OneDNN.sgemm(m: rows, n: keysUsed, k: headDim, a: stacked, lda: headDim,
                               b: keys + kvh * headDim, ldb: kvDim, transposeB: true,
                               c: scores, ldc: keysUsed, alpha: scale)
                }
                for t in 0..<count {
                    let visible = start + t0 + t + 1
                    for g in 0..<group {
                        let row = scores + (t * group + g) * keysUsed
                        Softmax.apply(row, count: visible, output: row)
                        if visible < keysUsed { (row + visible).update(repeating: 0, count: keysUsed - visible) }
                    }
                }
                if small {
                    mixed.update(repeating: 0, count: rows * headDim)
                    for r in 0..<rows {
                        for j in 0..<keysUsed {
                            Elementwise.addScaled(values + j * kvDim + kvh * headDim, alpha: scores[r * keysUsed + j],
                                                  into: mixed + r * headDim, count: headDim)
                        }
                    }
                } else {
                    try OneDNN.sgemm(m: rows, n: headDim, k: keysUsed, a: scores, lda: keysUsed,
                               b: values + kvh * headDim, ldb: kvDim, c: mixed, ldc: headDim)
                }
                for t in 0..<count {
                    for g in 0..<group {
                        (out + (t0 + t) * qDim + (kvh * group + g) * headDim).update(from: mixed + (t * group + g) * headDim, count: headDim)
                    }
                }
                t0 += count
            }
        }
    }
}
