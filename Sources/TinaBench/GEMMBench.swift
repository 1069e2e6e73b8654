import TinaCore

/// One timed matmul: C[M,N] = A[M,K] * W[N,K]^T through OpenBLAS (the prefill and training path).
public struct GEMMResult: Codable, Sendable {
    public var projection: String
    public var m: Int, n: Int, k: Int
    public var seconds: Double
    public var gflops: Double
    public var percentOfPeak: Double
}

public enum GEMMBench {
    public static func run(shapes: [ProjectionShape], rows: [Int], peakGFLOPS: Double,
                           progress: (String) -> Void = { _ in }) -> [GEMMResult] {
        var results: [GEMMResult] = []
        var rng = Philox(seed: 1)
        for m in rows {
            for shape in shapes {
                let (n, k) = (shape.n, shape.k)
                let a = randomBuffer(m * k, &rng), w = randomBuffer(n * k, &rng)
                let c = UnsafeMutablePointer<Float>.allocate(capacity: m * n)
                defer { a.deallocate(); w.deallocate(); c.deallocate() }
                let seconds = Stopwatch.best(minSeconds: 0.5, minRuns: 3) {
                    BLAS.sgemm(m: m, n: n, k: k, a: a, lda: k, b: w, ldb: k, transposeB: true, c: c, ldc: n)
                }
                let gflops = 2 * Double(m) * Double(n) * Double(k) / seconds / 1e9
                let result = GEMMResult(projection: shape.name, m: m, n: n, k: k, seconds: seconds, gflops: gflops,
                                        percentOfPeak: 100 * gflops / peakGFLOPS)
                progress(String(format: "gemm %-18@ M=%5d N=%6d K=%5d  %8.2f ms  %7.1f GFLOP/s  %5.1f%% of peak",
                                shape.name, m, n, k, seconds * 1e3, gflops, result.percentOfPeak))
                results.append(result)
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
