import TinaCore

/// One timed decode matmul of M rows against a weight matrix in DRAM.
public struct GEMVResult: Codable, Sendable {
    public var projection: String
    /// "tina-bf16", "tina-bf16-packed" (K panels, long rows only), "tina-f32", "tina-bf16-small" (the AVX512_BF16
    /// small-product kernel through the backend, activations rounded to bf16; where the CPU has it), "onednn-bf16" (oneDNN's bf16
    /// matmul on the same weights and rows) or "onednn-sgemm".
    public var kernel: String
    public var m: Int, n: Int, k: Int
    public var seconds: Double
    public var gflops: Double
    /// Weight bytes read per call divided by the time.
    public var weightGBps: Double
    public var percentOfDRAM: Double
}

/// Decode-shaped matmuls. Each call uses the next of several weight copies whose total is far larger than
/// the L3 cache, so every call streams its weights from DRAM as real decode does.
public enum GEMVBench {
    public static let rotationBytes = 512 * 1024 * 1024

    public static func run(shapes: [ProjectionShape], rows: [Int], dramGBps: Double,
                           progress: (String) -> Void = { _ in }) throws -> [GEMVResult] {
        var results: [GEMVResult] = []
        var rng = Philox(seed: 2)
        for shape in shapes {
            let (n, k) = (shape.n, shape.k)
            let copies = max(2, rotationBytes / (n * k * 4))
            var f32Weights: [Tensor] = []
            for _ in 0..<copies {
                let t = try Tensor(zeros: [n, k])
                for i in 0..<(n * k) { t.floats[i] = rng.nextUniform() * 2 - 1 }
                f32Weights.append(t)
            }
            let bf16Copies = max(2, rotationBytes / (n * k * 2))
            var bf16Weights: [Tensor] = []
            for i in 0..<bf16Copies { bf16Weights.append(try f32Weights[i % copies].converted(to: .bf16)) }
            let packedWeights = k > 2048 ? try bf16Weights.map { try PackedBF16Matrix($0) } : []
            let onednn = CPUBackend.oneDNNOnly()
            let onednnMatrices = try bf16Weights.map { try onednn.matrix($0, precision: .bf16) }
            // The same weights through the small-product kernel (no GEMV, no oneDNN).
            let small = CPUBackend(gemvMaxRows: 0, smallProductMaxRows: Int.max)
            let smallMatrices = BF16SmallProduct.isAvailable ? try bf16Weights.map { try small.matrix($0, precision: .bf16) } : []
            let maxRows = rows.max() ?? 1
            let x = randomBuffer(maxRows * k, &rng)
            let y = UnsafeMutablePointer<Float>.allocate(capacity: maxRows * n)
            defer { x.deallocate(); y.deallocate() }
            for m in rows {
                func measure(_ kernel: String, bytesPerWeight: Int, _ call: (Int) -> Void) {
                    var next = 0
                    let seconds = Stopwatch.best(minSeconds: 0.4, minRuns: 8) { call(next); next += 1 }
                    let bytes = Double(n * k * bytesPerWeight)
                    let result = GEMVResult(projection: shape.name, kernel: kernel, m: m, n: n, k: k, seconds: seconds,
                                            gflops: 2 * Double(m * n * k) / seconds / 1e9,
                                            weightGBps: bytes / seconds / 1e9,
                                            percentOfDRAM: 100 * bytes / seconds / 1e9 / dramGBps)
                    progress(String(format: "gemv %-18@ %-15@ M=%2d N=%5d K=%5d  %7.3f ms  %6.1f GB/s  %5.1f%% of DRAM  %6.1f GFLOP/s",
                                    shape.name, kernel, m, n, k, seconds * 1e3, result.weightGBps, result.percentOfDRAM, result.gflops))
                    results.append(result)
                }
                measure("tina-bf16", bytesPerWeight: 2) { i in
                    try? GEMV.apply(weight: bf16Weights[i % bf16Copies], input: x, rows: m, output: y)
                }
                if !packedWeights.isEmpty {
                    measure("tina-bf16-packed", bytesPerWeight: 2) { i in
                        GEMV.apply(weight: packedWeights[i % bf16Copies], input: x, rows: m, output: y)
                    }
                }
                measure("tina-f32", bytesPerWeight: 4) { i in
                    try? GEMV.apply(weight: f32Weights[i % copies], input: x, rows: m, output: y)
                }
                let xt = try Tensor(storage: TensorStorage(borrowing: UnsafeMutableRawPointer(x), byteCount: m * k * 4, owner: onednn),
                                    dtype: .f32, shape: [m, k])
                let yt = try Tensor(storage: TensorStorage(borrowing: UnsafeMutableRawPointer(y), byteCount: m * n * 4, owner: onednn),
                                    dtype: .f32, shape: [m, n])
                if !smallMatrices.isEmpty {
                    measure("tina-bf16-small", bytesPerWeight: 2) { i in
                        try? small.linear(xt, smallMatrices[i % bf16Copies], bias: nil, into: yt)
                    }
                }
                measure("onednn-bf16", bytesPerWeight: 2) { i in
                    try? onednn.linear(xt, onednnMatrices[i % bf16Copies], bias: nil, into: yt)
                }
                measure("onednn-sgemm", bytesPerWeight: 4) { i in
                    try? OneDNN.sgemm(m: m, n: n, k: k, a: x, lda: k, b: f32Weights[i % copies].floats, ldb: k,
                                      transposeB: true, c: y, ldc: n)
                }
            }
        }
        return results
    }
}
