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

    /// Several sequences in one call (decode rows, a prefill with a cached prefix, an empty segment) give what one
    /// call per sequence gives, bit for bit, and the backward over stacked sequences equals per-sequence backwards.
    @Test func batchedSegmentsEqualOneCallPerSequence() throws {
        let (heads, kvHeads, headDim) = (6, 2, 32)
        let qDim = heads * headDim, kvDim = kvHeads * headDim
        let shapes = [(tokens: 1, start: 40), (tokens: 70, start: 9), (tokens: 0, start: 3), (tokens: 1, start: 0), (tokens: 5, start: 130)]
        let total = shapes.reduce(0) { $0 + $1.tokens }
        let q = try Tensor(shape: [total, qDim], values: randomFloats(total * qDim, seed: 21))
        var segments: [AttentionSegment] = [], row = 0
        for (i, shape) in shapes.enumerated() {
            let length = shape.start + shape.tokens
            segments.append(AttentionSegment(rows: row..<(row + shape.tokens),
                                             keys: try Tensor(shape: [length, kvDim], values: randomFloats(length * kvDim, seed: UInt64(30 + i))),
                                             values: try Tensor(shape: [length, kvDim], values: randomFloats(length * kvDim, seed: UInt64(40 + i))),
                                             start: shape.start))
            row += shape.tokens
        }
        let batched = try Tensor(zeros: [total, qDim])
        try CPUBackend.shared.attention(q: q, segments: segments, heads: heads, kvHeads: kvHeads, headDim: headDim, into: batched)
        for segment in segments where !segment.rows.isEmpty {
            let one = try Tensor(zeros: [segment.rows.count, qDim])
            try CPUBackend.shared.attention(q: try q.rows(segment.rows), keys: segment.keys, values: segment.values, start: segment.start,
                                            heads: heads, kvHeads: kvHeads, headDim: headDim, into: one)
            #expect(try one.toArray() == (try batched.rows(segment.rows).toArray()))
        }

        // Backward: whole sequences stacked by rows.
        let lengths = [70, 1, 130, 9]
        let rows = lengths.reduce(0, +)
        let qs = try Tensor(shape: [rows, qDim], values: randomFloats(rows * qDim, seed: 50))
        let ks = try Tensor(shape: [rows, kvDim], values: randomFloats(rows * kvDim, seed: 51))
        let vs = try Tensor(shape: [rows, kvDim], values: randomFloats(rows * kvDim, seed: 52))
        let dOut = try Tensor(shape: [rows, qDim], values: randomFloats(rows * qDim, seed: 53))
        var ranges: [Range<Int>] = [], first = 0
        for n in lengths { ranges.append(first..<(first + n)); first += n }
        let dq = try Tensor(zeros: [rows, qDim]), dk = try Tensor(zeros: [rows, kvDim]), dv = try Tensor(zeros: [rows, kvDim])
        try CPUBackend.shared.attentionBackward(q: qs, keys: ks, values: vs, outputGradient: dOut, sequences: ranges, heads: heads,
                                                kvHeads: kvHeads, headDim: headDim, queryGradient: dq, keyGradient: dk, valueGradient: dv)
        for r in ranges {
            let n = r.count
            let dq1 = try Tensor(zeros: [n, qDim]), dk1 = try Tensor(zeros: [n, kvDim]), dv1 = try Tensor(zeros: [n, kvDim])
            try CPUBackend.shared.attentionBackward(q: try qs.rows(r), keys: try ks.rows(r), values: try vs.rows(r),
                                                    outputGradient: try dOut.rows(r), heads: heads, kvHeads: kvHeads, headDim: headDim,
                                                    queryGradient: dq1, keyGradient: dk1, valueGradient: dv1)
            #expect(try dq1.toArray() == (try dq.rows(r).toArray()))
            #expect(try dk1.toArray() == (try dk.rows(r).toArray()))
            #expect(try dv1.toArray() == (try dv.rows(r).toArray()))
        }
        #expect(throws: TinaError.self) {
            try CPUBackend.shared.attentionBackward(q: qs, keys: ks, values: vs, outputGradient: dOut, sequences: [0..<70, 80..<rows],
                                                    heads: heads, kvHeads: kvHeads, headDim: headDim, queryGradient: dq,
                                                    keyGradient: dk, valueGradient: dv)
        }
    }

    /// A bf16 KV cache: attention over bf16 keys and values equals attention over the same values widened to f32
    /// (the widening is exact), for decode rows (the decode kernel: SmolLM2's and the 1.5B model's head shapes, a
    /// context shorter than its 8-key blocks) and a prefill with a cached prefix, on both tile kinds.
    @Test(arguments: [(1, 300, 9, 3, 64), (1, 45, 12, 2, 128), (1, 4, 4, 4, 32), (150, 7, 6, 2, 32)])
    func bf16KeysAndValuesEqualTheirF32Widening(tokens: Int, start: Int, heads: Int, kvHeads: Int, headDim: Int) throws {
        let length = start + tokens, qDim = heads * headDim, kvDim = kvHeads * headDim
        let q = try Tensor(shape: [tokens, qDim], values: randomFloats(tokens * qDim, seed: 61))
        let keys = try Tensor(shape: [length, kvDim], values: randomFloats(length * kvDim, seed: 62))
        let values = try Tensor(shape: [length, kvDim], values: randomFloats(length * kvDim, seed: 63))
        let keys16 = try Tensor(zeros: [length, kvDim], dtype: .bf16), values16 = try Tensor(zeros: [length, kvDim], dtype: .bf16)
        try CPUBackend.shared.copy(keys, into: keys16)
        try CPUBackend.shared.copy(values, into: values16)
        let widenedKeys = try Tensor(zeros: [length, kvDim]), widenedValues = try Tensor(zeros: [length, kvDim])
        try CPUBackend.shared.copy(keys16, into: widenedKeys)
        try CPUBackend.shared.copy(values16, into: widenedValues)
        #expect(try widenedKeys.toArray() != (try keys.toArray()), "rounding to bf16 changed nothing")
        let fromBF16 = try Tensor(zeros: [tokens, qDim]), fromF32 = try Tensor(zeros: [tokens, qDim])
        try CPUBackend.shared.attention(q: q, keys: keys16, values: values16, start: start, heads: heads, kvHeads: kvHeads,
                                        headDim: headDim, into: fromBF16)
        try CPUBackend.shared.attention(q: q, keys: widenedKeys, values: widenedValues, start: start, heads: heads, kvHeads: kvHeads,
                                        headDim: headDim, into: fromF32)
        #expect(maxScaledError(try fromBF16.toArray(), try fromF32.toArray()) < 1e-6)
        #expect(throws: TinaError.self) {
            try CPUBackend.shared.attention(q: q, keys: keys16, values: values, start: start, heads: heads, kvHeads: kvHeads,
                                            headDim: headDim, into: fromBF16)
        }
    }
}
