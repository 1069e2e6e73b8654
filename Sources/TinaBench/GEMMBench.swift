import TinaCore

/// One timed product y[M,N] = x[M,K] W[N,K]^T through the CPU backend, as the model runs it.
public struct GEMMResult: Codable, Sendable {
    public var projection: String
    /// "bf16" (the model's bf16 path: GEMV up to 16 rows, oneDNN above), "bf16-onednn" (oneDNN at every M),
    /// or "f32" (the exact path).
    public var path: String
    /// The kernel that ran: oneDNN's implementation name, or "tina-gemv".
    public var kernel: String
    public var m: Int, n: Int, k: Int
    public var seconds: Double
    public var gflops: Double
    /// Against the measured FP32 FMA peak (bf16 products can pass 100%).
    public var percentOfFP32Peak: Double
}

public enum GEMMBench {
    public static let paths = ["bf16", "bf16-onednn", "f32"]

    public static func run(shapes: [ProjectionShape], rows: [Int], paths: [String] = paths, peakGFLOPS: Double,
                           progress: (String) -> Void = { _ in }) throws -> [GEMMResult] {
        var results: [GEMMResult] = []
        var rng = Philox(seed: 1)
        for m in rows {
            for shape in shapes {
                let (n, k) = (shape.n, shape.k)
                let x = try Tensor(shape: [m, k], values: (0..<(m * k)).map { _ in rng.nextUniform() * 2 - 1 })
                let weight = try Tensor(shape: [n, k], values: (0..<(n * k)).map { _ in (rng.nextUniform() * 2 - 1) * 0.05 })
                let y = try Tensor(zeros: [m, n])
                for path in paths {
                    let backend = path == "bf16-onednn" ? CPUBackend.oneDNNOnly() : CPUBackend.shared
                    let precision: ComputePrecision = path == "f32" ? .f32 : .bf16
                    let matrix = try backend.matrix(weight, precision: precision)
                    try backend.linear(x, matrix, bias: nil, into: y)
                    let seconds = try Stopwatch.best(minSeconds: 0.5, minRuns: 3) {
                        try backend.linear(x, matrix, bias: nil, into: y)
                    }
                    let gflops = 2 * Double(m) * Double(n) * Double(k) / seconds / 1e9
                    let kernel = backend.productKernel(rows: m, matrix) ?? "unknown"
                    let result = GEMMResult(projection: shape.name, path: path, kernel: kernel, m: m, n: n, k: k,
                                            seconds: seconds, gflops: gflops, percentOfFP32Peak: 100 * gflops / peakGFLOPS)
                    progress(String(format: "gemm %-18@ %-11@ M=%5d N=%6d K=%5d  %8.3f ms  %7.1f GFLOP/s  %5.1f%% of FP32 peak  [%@]",
                                    shape.name, path, m, n, k, seconds * 1e3, gflops, result.percentOfFP32Peak, kernel))
                    results.append(result)
                }
            }
        }
        return results
    }
}

/// A buffer of uniform values in [-1, 1) (speed does not depend on them; they only avoid denormals).
func randomBuffer(_ count: Int, _ rng: inout Philox) -> UnsafeMutablePointer<Float> {
    let p = UnsafeMutablePointer<Float>.allocate(capacity: max(count, 1))
    for i in 0..<count { p[i] = rng.nextUniform() * 2 - 1 }
    return p
}
