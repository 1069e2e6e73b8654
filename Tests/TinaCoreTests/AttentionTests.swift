import Foundation
import Testing
import TinaCore
import TinaTestSupport

/// The backend's causal GQA attention (tiles on the worker pool, sgemm or dot products per tile) against a
/// plain Double implementation, for prefill with a cached prefix, several tiles and both tile kinds.
@Suite struct AttentionTests {
    static func reference(q: [Float], keys: [Float], values: [Float], tokens: Int, start: Int,
                          heads: Int, kvHeads: Int, headDim: Int) -> [Float] {
        let group = heads / kvHeads, qDim = heads * headDim, kvDim = kvHeads * headDim
        var out = [Float](repeating: 0, count: tokens * qDim)
        for t in 0..<tokens {
            let visible = start + t + 1
            for h in 0..<heads {
                let kvh = h / group
                var scores = [Double](repeating: 0, count: visible)
                for j in 0..<visible {
                    var s = 0.0
                    for d in 0..<headDim { s += Double(q[t * qDim + h * headDim + d]) * Double(keys[j * kvDim + kvh * headDim + d]) }
                    scores[j] = s / Double(headDim).squareRoot()
                }
                let m = scores.max() ?? 0
                let e = scores.map { exp($0 - m) }, total = e.reduce(0, +)
                for d in 0..<headDim {
                    var v = 0.0
                    for j in 0..<visible { v += e[j] / total * Double(values[j * kvDim + kvh * headDim + d]) }
                    out[t * qDim + h * headDim + d] = Float(v)
                }
            }
        }
        return out
    }

    @Test(arguments: [(150, 7, 6, 2, 32), (1, 300, 9, 3, 64), (70, 0, 4, 4, 16), (200, 40, 12, 2, 64)])
    func tilesMatchTheReference(tokens: Int, start: Int, heads: Int, kvHeads: Int, headDim: Int) throws {
        let length = start + tokens, qDim = heads * headDim, kvDim = kvHeads * headDim
        let q = randomFloats(tokens * qDim, seed: 11), keys = randomFloats(length * kvDim, seed: 12)
        let values = randomFloats(length * kvDim, seed: 13)
        let out = try Tensor(zeros: [tokens, qDim])
        try CPUBackend.shared.attention(q: try Tensor(shape: [tokens, qDim], values: q),
                                        keys: try Tensor(shape: [length, kvDim], values: keys),
                                        values: try Tensor(shape: [length, kvDim], values: values),
                                        start: start, heads: heads, kvHeads: kvHeads, headDim: headDim, into: out)
        let expected = Self.reference(q: q, keys: keys, values: values, tokens: tokens, start: start,
                                      heads: heads, kvHeads: kvHeads, headDim: headDim)
        #expect(maxScaledError(try out.toArray(), expected) < 1e-5)
    }
}
