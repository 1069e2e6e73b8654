import Foundation

/// Plain scalar versions of every SIMD kernel, accumulating in Double. Tests compare the fast kernels
/// against these; they are written for obviousness, not speed.
public enum ScalarReference {
    public static func dot(_ a: [Float], _ b: [Float]) -> Float {
        var s = 0.0
        for i in a.indices { s += Double(a[i]) * Double(b[i]) }
        return Float(s)
    }

    /// y[m][n] = sum_k w[n][k] * x[m][k] + bias[n]; `w` is row-major [n, k].
    public static func gemv(_ w: [Float], n: Int, k: Int, x: [Float], rows m: Int, bias: [Float]? = nil) -> [Float] {
        var y = [Float](repeating: 0, count: m * n)
        for r in 0..<m {
            for row in 0..<n {
                var s = Double(bias?[row] ?? 0)
                for c in 0..<k { s += Double(w[row * k + c]) * Double(x[r * k + c]) }
                y[r * n + row] = Float(s)
            }
        }
        return y
    }

    /// y[m][n] = sum_k x[m][k] * w[n][k] over bf16 bit patterns (`BF16SmallProduct`'s twin).
    public static func bf16Product(x: [UInt16], w: [UInt16], m: Int, n: Int, k: Int) -> [Float] {
        var y = [Float](repeating: 0, count: m * n)
        for r in 0..<m {
            for c in 0..<n {
                var s = 0.0
                for i in 0..<k { s += Double(HalfPrecision.bf16ToFloat(x[r * k + i])) * Double(HalfPrecision.bf16ToFloat(w[c * k + i])) }
                y[r * n + c] = Float(s)
            }
        }
        return y
    }

    /// C[m][n] = sum_k A[m][k] * B[k][n]
    public static func gemm(_ a: [Float], _ b: [Float], m: Int, n: Int, k: Int) -> [Float] {
        var c = [Float](repeating: 0, count: m * n)
        for i in 0..<m {
            for j in 0..<n {
                var s = 0.0
                for p in 0..<k { s += Double(a[i * k + p]) * Double(b[p * n + j]) }
                c[i * n + j] = Float(s)
            }
        }
        return c
    }

    public static func rmsNorm(_ x: [Float], weight: [Float], eps: Float) -> [Float] {
        var ss = 0.0
        for v in x { ss += Double(v) * Double(v) }
        let scale = 1 / (ss / Double(x.count) + Double(eps)).squareRoot()
        return x.indices.map { Float(Double(x[$0]) * scale * Double(weight[$0])) }
    }

    /// Rotate-half RoPE of one head at `position` (HF `apply_rotary_pos_emb`).
    public static func rope(_ x: [Float], position: Int, theta: Double, linearFactor: Double = 1) -> [Float] {
        let d = x.count, half = d / 2
        var y = x
        for i in 0..<half {
            let invFreq = 1 / pow(theta, Double(2 * i) / Double(d)) / linearFactor
            let angle = Double(position) * invFreq
            let a = Double(x[i]), b = Double(x[i + half])
            y[i] = Float(a * cos(angle) - b * sin(angle))
            y[i + half] = Float(b * cos(angle) + a * sin(angle))
        }
        return y
    }

    public static func swiglu(gate: [Float], up: [Float]) -> [Float] {
        gate.indices.map { i in
            let g = Double(gate[i])
            return Float(g / (1 + exp(-g)) * Double(up[i]))
        }
    }

    /// (dGate, dUp) of swiglu for the output gradient d, in Double.
    public static func swigluBackward(gate: [Float], up: [Float], outputGradient d: [Float]) -> (gate: [Float], up: [Float]) {
        var dGate = [Float](), dUp = [Float]()
        for i in gate.indices {
            let g = Double(gate[i]), s = 1 / (1 + exp(-g))
            dUp.append(Float(Double(d[i]) * g * s))
            dGate.append(Float(Double(d[i]) * Double(up[i]) * s * (1 + g * (1 - s))))
        }
        return (dGate, dUp)
    }

    public static func softmax(_ x: [Float]) -> [Float] {
        let m = Double(x.max() ?? 0)
        let e = x.map { exp(Double($0) - m) }
        let s = e.reduce(0, +)
        return e.map { Float($0 / s) }
    }

    public static func logSoftmax(_ x: [Float]) -> [Float] {
        let m = Double(x.max() ?? 0)
        let s = x.reduce(0.0) { $0 + exp(Double($1) - m) }
        let lse = m + log(s)
        return x.map { Float(Double($0) - lse) }
    }
}
