import Foundation
import Testing
import TinaCore
import TinaTestSupport

/// Finite-difference checks of every backward op of the CPU backend. Each forward runs in f32, so the check
/// uses L = sum(r * f(x)) with random r, central differences with step h on a sample of coordinates, and a
/// tolerance of 2e-2 relative to the largest gradient (f32 forward noise over h is ~1e-4 / h of the values).
@Suite struct BackwardTests {
    static let backend = CPUBackend.shared
    static let h: Float = 1e-2

    /// Largest |analytic - numeric| over sampled coordinates, relative to the largest analytic gradient.
    static func check(_ x: [Float], shape: [Int], analytic: [Float], loss: ([Float]) throws -> Double) throws -> Float {
        var worst: Float = 0
        let largest = max(analytic.map(abs).max() ?? 0, 1e-6)
        for i in stride(from: 0, to: x.count, by: max(1, x.count / 40)) {
            var plus = x, minus = x
            plus[i] += h; minus[i] -= h
            let numeric = Float((try loss(plus) - loss(minus)) / Double(2 * h))
            worst = max(worst, abs(numeric - analytic[i]) / largest)
        }
        return worst
    }

    static func weighted(_ t: Tensor, _ r: [Float]) throws -> Double {
        zip(try t.toArray(), r).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
    }

    @Test func rmsNorm() throws {
        let (rows, dim) = (3, 24)
        let x = randomFloats(rows * dim, seed: 1), g = randomFloats(dim, seed: 2), r = randomFloats(rows * dim, seed: 3)
        let weight = try Tensor(shape: [dim], values: g)
        func f(_ v: [Float]) throws -> Double {
            let out = try Tensor(zeros: [rows, dim])
            try Self.backend.rmsNorm(try Tensor(shape: [rows, dim], values: v), weight: weight, eps: 1e-6, into: out)
            return try Self.weighted(out, r)
        }
        let dx = try Tensor(zeros: [rows, dim])
        try Self.backend.rmsNormBackward(try Tensor(shape: [rows, dim], values: x), weight: weight, eps: 1e-6,
                                         outputGradient: try Tensor(shape: [rows, dim], values: r), into: dx, accumulate: false)
        #expect(try Self.check(x, shape: [rows, dim], analytic: try dx.toArray(), loss: f) < 2e-2)
    }

    @Test func ropeIsInvertedByItsBackward() throws {
        let (heads, headDim) = (3, 8)
        let positions = [0, 5, 17], frequencies = RoPE.inverseFrequencies(headDim: headDim, theta: 10000)
        let x = randomFloats(positions.count * heads * headDim, seed: 4), r = randomFloats(x.count, seed: 5)
        func f(_ v: [Float]) throws -> Double {
            let t = try Tensor(shape: [positions.count, heads * headDim], values: v)
            try Self.backend.rope(t, heads: heads, headDim: headDim, positions: positions, inverseFrequencies: frequencies)
            return try Self.weighted(t, r)
        }
        // RoPE is a rotation: its backward is the inverse rotation of the output gradient.
        let dx = try Tensor(shape: [positions.count, heads * headDim], values: r)
        try Self.backend.ropeBackward(dx, heads: heads, headDim: headDim, positions: positions, inverseFrequencies: frequencies)
        #expect(try Self.check(x, shape: [], analytic: try dx.toArray(), loss: f) < 2e-2)
    }

    @Test func swiglu() throws {
        let n = 40
        let gate = randomFloats(n, seed: 6, scale: 3), up = randomFloats(n, seed: 7), r = randomFloats(n, seed: 8)
        func f(_ gv: [Float], _ uv: [Float]) throws -> Double {
            let out = try Tensor(zeros: [n])
            try Self.backend.swiglu(gate: try Tensor(shape: [n], values: gv), up: try Tensor(shape: [n], values: uv), into: out)
            return try Self.weighted(out, r)
        }
        let dg = try Tensor(zeros: [n]), du = try Tensor(zeros: [n])
        try Self.backend.swigluBackward(gate: try Tensor(shape: [n], values: gate), up: try Tensor(shape: [n], values: up),
                                        outputGradient: try Tensor(shape: [n], values: r), gateGradient: dg, upGradient: du)
        #expect(try Self.check(gate, shape: [n], analytic: try dg.toArray(), loss: { try f($0, up) }) < 2e-2)
        #expect(try Self.check(up, shape: [n], analytic: try du.toArray(), loss: { try f(gate, $0) }) < 2e-2)
    }

    /// One tile, several (150 tokens: tiles of 64 adding into the same key and value rows), and a sequence long
    /// enough to be split in two tasks per KV head (1,100 tokens: the later part's key and value gradients added in).
    @Test(arguments: [(6, 4, 2, 8), (150, 6, 2, 16), (1100, 4, 2, 16)])
    func attention(tokens: Int, heads: Int, kvHeads: Int, headDim: Int) throws {
        let q = randomFloats(tokens * heads * headDim, seed: 9), k = randomFloats(tokens * kvHeads * headDim, seed: 10)
        let v = randomFloats(tokens * kvHeads * headDim, seed: 11), r = randomFloats(tokens * heads * headDim, seed: 12)
        func f(_ qv: [Float], _ kv: [Float], _ vv: [Float]) throws -> Double {
            let out = try Tensor(zeros: [tokens, heads * headDim])
            try Self.backend.attention(q: try Tensor(shape: [tokens, heads * headDim], values: qv),
                                       keys: try Tensor(shape: [tokens, kvHeads * headDim], values: kv),
                                       values: try Tensor(shape: [tokens, kvHeads * headDim], values: vv),
                                       start: 0, heads: heads, kvHeads: kvHeads, headDim: headDim, into: out)
            return try Self.weighted(out, r)
        }
        let dq = try Tensor(zeros: [tokens, heads * headDim]), dk = try Tensor(zeros: [tokens, kvHeads * headDim])
        let dv = try Tensor(zeros: [tokens, kvHeads * headDim])
        try Self.backend.attentionBackward(q: try Tensor(shape: [tokens, heads * headDim], values: q),
                                           keys: try Tensor(shape: [tokens, kvHeads * headDim], values: k),
                                           values: try Tensor(shape: [tokens, kvHeads * headDim], values: v),
                                           outputGradient: try Tensor(shape: [tokens, heads * headDim], values: r),
                                           heads: heads, kvHeads: kvHeads, headDim: headDim,
                                           queryGradient: dq, keyGradient: dk, valueGradient: dv)
        #expect(try Self.check(q, shape: [], analytic: try dq.toArray(), loss: { try f($0, k, v) }) < 2e-2)
        #expect(try Self.check(k, shape: [], analytic: try dk.toArray(), loss: { try f(q, $0, v) }) < 2e-2)
        #expect(try Self.check(v, shape: [], analytic: try dv.toArray(), loss: { try f(q, k, $0) }) < 2e-2)
    }

    @Test func logProbs() throws {
        let (rows, vocab) = (3, 11)
        let z = randomFloats(rows * vocab, seed: 13, scale: 2), targets = [4, 0, 10], w: [Float] = [0.5, -1, 0.25]
        func f(_ v: [Float]) throws -> Double {
            let lp = try Self.backend.tokenLogProbs(try Tensor(shape: [rows, vocab], values: v), targets: targets, withEntropy: false).logProbs
            return zip(lp, w).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        }
        let dz = try Tensor(zeros: [rows, vocab])
        try Self.backend.logProbBackward(try Tensor(shape: [rows, vocab], values: z), targets: targets, weights: w, into: dz)
        #expect(try Self.check(z, shape: [], analytic: try dz.toArray(), loss: f) < 2e-2)
        // In place over the logits (as the training pass runs it): the same bits.
        let inPlace = try Tensor(shape: [rows, vocab], values: z)
        try Self.backend.logProbBackward(inPlace, targets: targets, weights: w, into: inPlace)
        #expect(try inPlace.toArray() == dz.toArray())
        // Both in one pass: the same log-probs and gradient bits as the two operations apart.
        let fused = try Tensor(shape: [rows, vocab], values: z)
        let fusedLogProbs = try Self.backend.logProbsAndBackward(fused, targets: targets, weights: w, into: fused)
        let apart = try Self.backend.tokenLogProbs(try Tensor(shape: [rows, vocab], values: z), targets: targets, withEntropy: false).logProbs
        #expect(fusedLogProbs == apart)
        #expect(try fused.toArray() == dz.toArray())
    }
}
