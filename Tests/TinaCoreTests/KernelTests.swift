import Foundation
import Testing
import TinaCore

/// Each SIMD kernel against its scalar Double-accumulating reference. Tolerances are mixed
/// absolute/relative (|a-b| / max(1,|b|)) and stated per test: f32 accumulation over K terms of size ~1
/// differs from the Double reference by a few ulps times sqrt(K).
@Suite struct KernelTests {
    static let lengths = [1, 7, 16, 31, 32, 33, 63, 64, 65, 130, 1536, 8960]

    @Test(arguments: lengths)
    func dotF32(count: Int) {
        let a = randomFloats(count, seed: 1), b = randomFloats(count, seed: 2)
        let fast = Dot.f32(a, b, count: count)
        #expect(maxScaledError([fast], [ScalarReference.dot(a, b)]) < 1e-5)
    }

    @Test(arguments: lengths)
    func dotBF16(count: Int) {
        let wide = randomFloats(count, seed: 3)
        let bits = wide.map(HalfPrecision.floatToBF16)
        let x = randomFloats(count, seed: 4)
        var paired = [Float](repeating: 0, count: count)
        EvenOdd.interleave(x, count: count, paired: &paired)
        let fast = Dot.bf16(bits, paired: paired, x: x, count: count)
        let reference = ScalarReference.dot(bits.map(HalfPrecision.bf16ToFloat), x)
        #expect(maxScaledError([fast], [reference]) < 1e-5)
    }

    @Test(arguments: [(1, 5, 7), (1, 64, 1536), (3, 17, 130), (16, 40, 96), (2, 300, 33), (9, 7, 50), (8, 6, 2048)])
    func gemvMatchesReference(m: Int, n: Int, k: Int) throws {
        let w = randomFloats(n * k, seed: 5), x = randomFloats(m * k, seed: 6), bias = randomFloats(n, seed: 7)
        let weight = try Tensor(shape: [n, k], values: w)
        var y = [Float](repeating: 0, count: m * n)
        try GEMV.apply(weight: weight, input: x, rows: m, output: &y, bias: bias)
        #expect(maxScaledError(y, ScalarReference.gemv(w, n: n, k: k, x: x, rows: m, bias: bias)) < 1e-5)

        let bf16 = try weight.converted(to: .bf16)
        try GEMV.apply(weight: bf16, input: x, rows: m, output: &y)
        let rounded = try bf16.toArray()
        #expect(maxScaledError(y, ScalarReference.gemv(rounded, n: n, k: k, x: x, rows: m)) < 1e-5)
    }

    @Test(arguments: [(1, 9, 100, 32), (3, 6, 8960, 2048), (8, 5, 200, 64), (9, 12, 130, 96), (1, 4, 64, 4096)])
    func packedGEMVMatchesReference(m: Int, n: Int, k: Int, panel: Int) throws {
        let w = randomFloats(n * k, seed: 15), x = randomFloats(m * k, seed: 16), bias = randomFloats(n, seed: 17)
        let packed = try PackedBF16Matrix(Tensor(shape: [n, k], values: w), panelWidth: panel)
        #expect(packed.panelWidth == min(k, panel))
        var y = [Float](repeating: 0, count: m * n)
        GEMV.apply(weight: packed, input: x, rows: m, output: &y, bias: bias)
        let rounded = w.map { HalfPrecision.bf16ToFloat(HalfPrecision.floatToBF16($0)) }
        #expect(maxScaledError(y, ScalarReference.gemv(rounded, n: n, k: k, x: x, rows: m, bias: bias)) < 1e-5)
        #expect(throws: TinaError.self) { try PackedBF16Matrix(Tensor(zeros: [4], dtype: .f32)) }
    }

    @Test func gemvRejectsUnsupportedWeights() throws {
        let weight = try Tensor(zeros: [4, 4], dtype: .i32)
        var y = [Float](repeating: 0, count: 4)
        #expect(throws: TinaError.self) { try GEMV.apply(weight: weight, input: [1, 2, 3, 4], rows: 1, output: &y) }
    }

    @Test(arguments: [(1, 16), (3, 1536), (2, 37), (4, 576)])
    func rmsNorm(rows: Int, dim: Int) {
        let x = randomFloats(rows * dim, seed: 8, scale: 3), w = randomFloats(dim, seed: 9)
        var y = [Float](repeating: 0, count: rows * dim)
        RMSNorm.apply(x, weight: w, eps: 1e-6, rows: rows, dim: dim, output: &y)
        for r in 0..<rows {
            let ref = ScalarReference.rmsNorm(Array(x[(r * dim)..<((r + 1) * dim)]), weight: w, eps: 1e-6)
            #expect(maxScaledError(Array(y[(r * dim)..<((r + 1) * dim)]), ref) < 2e-6)
        }
    }

    @Test(arguments: [(0, 64), (1, 64), (7, 128), (100, 8), (513, 40), (60, 34)])
    func ropeRotateHalf(position: Int, headDim: Int) {
        let heads = 3
        let x = randomFloats(heads * headDim, seed: UInt64(position + headDim))
        var y = x
        let freqs = RoPE.inverseFrequencies(headDim: headDim, theta: 10000)
        var cos = [Float](repeating: 0, count: headDim / 2), sin = cos
        RoPE.angles(position: position, inverseFrequencies: freqs, cos: &cos, sin: &sin)
        RoPE.apply(&y, heads: heads, headDim: headDim, cos: cos, sin: sin)
        for h in 0..<heads {
            let ref = ScalarReference.rope(Array(x[(h * headDim)..<((h + 1) * headDim)]), position: position, theta: 10000)
            // Angles are computed in f32 like transformers: error grows with position * 6e-8.
            #expect(maxScaledError(Array(y[(h * headDim)..<((h + 1) * headDim)]), ref) < 1e-6 + Float(position) * 2e-7)
        }
    }

    @Test func ropeLinearScalingDividesPositions() {
        let a = RoPE.inverseFrequencies(headDim: 16, theta: 10000, linearFactor: 4)
        let b = RoPE.inverseFrequencies(headDim: 16, theta: 10000)
        for i in a.indices { #expect(abs(a[i] * 4 - b[i]) <= b[i] * 1e-6) }
    }

    @Test func expMatchesFoundation() {
        var worst: Float = 0
        var x: Float = -87
        while x < 88 {
            var lane = SIMD16<Float>(repeating: 0)
            for j in 0..<16 { lane[j] = x + Float(j) * 0.0137 }
            let fast = simdExp(lane)
            for j in 0..<16 {
                let ref = Foundation.exp(Double(lane[j]))
                worst = max(worst, Float(abs(Double(fast[j]) - ref) / ref))
            }
            x += 0.219
        }
        #expect(worst < 5e-7)
        let special = simdExp(SIMD16<Float>(-.infinity, -100, 100, .infinity, .nan, 0, 1, -1, 0, 0, 0, 0, 0, 0, 0, 0))
        #expect(special[0] == 0 && special[1] == 0)
        #expect(special[2] == .infinity && special[3] == .infinity)
        #expect(special[4].isNaN)
        #expect(special[5] == 1)
    }

    @Test(arguments: [1, 9, 16, 100, 8960])
    func swiglu(count: Int) {
        let g = randomFloats(count, seed: 10, scale: 8), u = randomFloats(count, seed: 11, scale: 2)
        var y = [Float](repeating: 0, count: count)
        SwiGLU.apply(gate: g, up: u, output: &y, count: count)
        #expect(maxScaledError(y, ScalarReference.swiglu(gate: g, up: u)) < 2e-6)
    }

    @Test(arguments: [1, 9, 16, 100, 8960])
    func swigluBackward(count: Int) {
        let g = randomFloats(count, seed: 12, scale: 8), u = randomFloats(count, seed: 13, scale: 2)
        let d = randomFloats(count, seed: 14)
        var dg = [Float](repeating: 0, count: count), du = [Float](repeating: 0, count: count)
        SwiGLU.backward(gate: g, up: u, outputGradient: d, gateGradient: &dg, upGradient: &du, count: count)
        let reference = ScalarReference.swigluBackward(gate: g, up: u, outputGradient: d)
        #expect(maxScaledError(dg, reference.gate) < 4e-6)
        #expect(maxScaledError(du, reference.up) < 4e-6)
        // In place: the gradients overwrite gate and up, with the same values.
        var gInPlace = g, uInPlace = u
        gInPlace.withUnsafeMutableBufferPointer { gp in
            uInPlace.withUnsafeMutableBufferPointer { up in
                SwiGLU.backward(gate: gp.baseAddress!, up: up.baseAddress!, outputGradient: d, gateGradient: gp.baseAddress!,
                                upGradient: up.baseAddress!, count: count)
            }
        }
        #expect(gInPlace == dg && uInPlace == du)
    }

    @Test(arguments: [1, 5, 16, 1000, 151_936])
    func softmaxAndLogSoftmax(count: Int) {
        var x = randomFloats(count, seed: 12, scale: 20)
        if count > 4 { x[2] = -.infinity }  // a masked position
        var p = [Float](repeating: 0, count: count), lp = p
        Softmax.apply(x, count: count, output: &p)
        Softmax.logApply(x, count: count, output: &lp)
        #expect(maxScaledError(p, ScalarReference.softmax(x)) < 1e-6)
        if count > 4 {
            #expect(p[2] == 0)
            #expect(lp[2] == -.infinity)
            lp[2] = 0
        }
        var ref = ScalarReference.logSoftmax(x)
        if count > 4 { ref[2] = 0 }
        #expect(maxScaledError(lp, ref) < 2e-6)
        #expect(abs(p.reduce(0, +) - 1) < 1e-4)
    }

    @Test(arguments: [1, 17, 151_936])
    func scaledProbabilitiesInPlace(count: Int) {
        var x = randomFloats(count, seed: 15, scale: 20)
        if count > 4 { x[3] = -.infinity }
        let reference = ScalarReference.softmax(x).map { -0.75 * $0 }
        var y = x
        y.withUnsafeMutableBufferPointer {
            Softmax.scaledProbabilities($0.baseAddress!, count: count, logSumExp: Softmax.logSumExp($0.baseAddress!, count: count),
                                        scale: -0.75, output: $0.baseAddress!)
        }
        #expect(maxScaledError(y, reference) < 1e-6)
        if count > 4 { #expect(y[3] == 0) }
        var masked = [Float](repeating: -.infinity, count: count)
        masked.withUnsafeMutableBufferPointer {
            Softmax.scaledProbabilities($0.baseAddress!, count: count, logSumExp: Softmax.logSumExp($0.baseAddress!, count: count),
                                        scale: 2, output: $0.baseAddress!)
        }
        #expect(masked.allSatisfy { $0 == 0 })
    }

    @Test func elementwise() {
        let x = randomFloats(37, seed: 13)
        var y = randomFloats(37, seed: 14)
        let y0 = y
        Elementwise.add(x, into: &y, count: 37)
        #expect(y == zip(x, y0).map { $0 + $1 })
        Elementwise.addScaled(x, alpha: -0.5, into: &y, count: 37)
        #expect(maxScaledError(y, zip(x, y0).map { $1 + 0.5 * $0 }) < 1e-6)
        Elementwise.scale(&y, by: 2, count: 37)
        #expect(maxScaledError(y, zip(x, y0).map { 2 * ($1 + 0.5 * $0) }) < 1e-6)
    }
}
