/// Checks every product path of a backend against `ScalarReference` on small random shapes: the forward
/// product (GEMV, small-product and oneDNN rows, bf16 and f32, plain and K-panel bf16 storage), the input gradient and
/// the weight gradient. `tina info --check` runs it; tests run it in-process and, with `DNNL_MAX_CPU_ISA`
/// capping oneDNN, in subprocesses for each lower instruction set this CPU also runs.
public enum ProductCheck {
    public struct Case: Codable, Sendable {
        public var name: String
        public var kernel: String
        public var maxError: Double
        public var tolerance: Double
        public var passed: Bool
    }

    /// bf16 products round both operands to bf16 (relative error ~2^-8 per factor); the reference is computed
    /// from the same rounded operands, so what remains is f32 accumulation order, far below this bound.
    static let bf16Tolerance = 2e-3
    static let f32Tolerance = 1e-4

    public static func run(backend: CPUBackend = CPUBackend.shared) throws -> [Case] {
        var rng = Philox(seed: 7)
        func random(_ count: Int) -> [Float] { (0..<count).map { _ in rng.nextUniform() * 2 - 1 } }
        var cases: [Case] = []
        let n = 40, k = 4200 // k above the panel threshold: bf16 storage is K-panelled
        for (kk, layout) in [(72, "plain"), (k, "panels")] {
            let w = random(n * kk)
            let weight = try Tensor(shape: [n, kk], values: w)
            for precision in ComputePrecision.allCases {
                let storedWeight = precision == .bf16 ? try weight.converted(to: .bf16) : weight
                let matrix = try backend.matrix(storedWeight, precision: precision)
                let wRef = try storedWeight.toArray()
                // 1 row (decode), a few, past the exact path's GEMV, past the small-product kernel (oneDNN).
                for m in [1, 2, 8, backend.exactGEMVMaxRows + 5, max(backend.smallProductMaxRows, backend.exactGEMVMaxRows) + 6] {
                    let x = random(m * kk)
                    // Activations are rounded to bf16 only where a oneDNN bf16 kernel runs.
                    let kernel = backend.productKernel(rows: m, matrix) ?? "?"
                    let xRef = isBF16Kernel(kernel) ? x.map(roundBF16) : x
                    let y = try Tensor(zeros: [m, n])
                    try backend.linear(try Tensor(shape: [m, kk], values: x), matrix, bias: nil, into: y)
                    cases.append(compare("linear \(precision.rawValue) \(layout) M=\(m)", kernel: kernel,
                                         try y.toArray(), ScalarReference.gemv(wRef, n: n, k: kk, x: xRef, rows: m),
                                         tolerance: precision == .bf16 ? bf16Tolerance : f32Tolerance))
                    // dx = dy W
                    let dy = random(m * n)
                    let gradientKernel = backend.productKernel(rows: m, matrix, gradient: true) ?? "?"
                    let dyRef = isBF16Kernel(gradientKernel) ? dy.map(roundBF16) : dy
                    let start = random(m * kk)
                    let dx = try Tensor(shape: [m, kk], values: start)
                    try backend.linearInputGradient(try Tensor(shape: [m, n], values: dy), matrix, into: dx, accumulate: true)
                    let dxRef = zip(ScalarReference.gemm(dyRef, wRef, m: m, n: kk, k: n), start).map { $0 + $1 }
                    cases.append(compare("input gradient \(precision.rawValue) \(layout) M=\(m)", kernel: gradientKernel,
                                         try dx.toArray(), dxRef,
                                         tolerance: precision == .bf16 ? bf16Tolerance : f32Tolerance))
                }
            }
        }
        // dW = dy^T x, accumulated onto an existing gradient.
        let m = 19, kk = 33
        let dy = random(m * n), x = random(m * kk), start = random(n * kk)
        let dw = try Tensor(shape: [n, kk], values: start)
        try backend.linearWeightGradient(try Tensor(shape: [m, n], values: dy), try Tensor(shape: [m, kk], values: x),
                                         into: dw, accumulate: true)
        var dyT = [Float](repeating: 0, count: m * n)
        for i in 0..<m { for j in 0..<n { dyT[j * m + i] = dy[i * n + j] } }
        let expected = zip(ScalarReference.gemm(dyT, x, m: n, n: kk, k: m), start).map { $0 + $1 }
        cases.append(compare("weight gradient f32 (accumulate)", kernel: "onednn-sgemm", try dw.toArray(), expected,
                             tolerance: f32Tolerance))
        return cases
    }

    static func isBF16Kernel(_ kernel: String) -> Bool { !kernel.hasPrefix("tina-gemv") && !kernel.hasPrefix("onednn-sgemm") }

    static func roundBF16(_ v: Float) -> Float { HalfPrecision.bf16ToFloat(HalfPrecision.floatToBF16(v)) }

    static func compare(_ name: String, kernel: String, _ got: [Float], _ want: [Float], tolerance: Double) -> Case {
        var worst = 0.0
        for (g, w) in zip(got, want) {
            let error = abs(Double(g) - Double(w)) / max(1, abs(Double(w)))
            if !(error <= worst) { worst = error.isNaN ? .infinity : error }
        }
        if got.count != want.count { worst = .infinity }
        return Case(name: name, kernel: kernel, maxError: worst, tolerance: tolerance, passed: worst <= tolerance)
    }
}
