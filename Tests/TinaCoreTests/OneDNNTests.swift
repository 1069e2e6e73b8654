import Foundation
import Testing
import TinaCore
import TinaTestSupport

@Suite struct OneDNNTests {
    @Test func libraryLoads() {
        #expect(OneDNN.isAvailable, "oneDNN did not load: \(OneDNN.loadError)")
        #expect(OneDNN.version.hasPrefix("2."))
    }

    @Test(arguments: [(1, 1, 1), (5, 7, 9), (33, 65, 17), (128, 96, 200)])
    func sgemmAllTransposes(m: Int, n: Int, k: Int) throws {
        let a = randomFloats(m * k, seed: 1), b = randomFloats(k * n, seed: 2), c0 = randomFloats(m * n, seed: 3)
        let reference = ScalarReference.gemm(a, b, m: m, n: n, k: k)
        // Store transposed copies to exercise each flag.
        var aT = [Float](repeating: 0, count: m * k), bT = [Float](repeating: 0, count: k * n)
        for i in 0..<m { for p in 0..<k { aT[p * m + i] = a[i * k + p] } }
        for p in 0..<k { for j in 0..<n { bT[j * k + p] = b[p * n + j] } }
        for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
            var c = c0
            try OneDNN.sgemm(m: m, n: n, k: k, a: ta ? aT : a, lda: ta ? m : k, transposeA: ta,
                             b: tb ? bT : b, ldb: tb ? k : n, transposeB: tb, c: &c, ldc: n, alpha: 0.5, beta: 1)
            let expected = zip(reference, c0).map { 0.5 * $0 + $1 }
            #expect(maxScaledError(c, expected) < 1e-5, "transposeA \(ta) transposeB \(tb)")
        }
    }

    /// The backend's general f32 matmul with each transpose, alpha and accumulation, and its shape checks; the
    /// a b^T form of small products takes Tina's dot-product path (`SmallProduct`), larger ones oneDNN.
    @Test(arguments: [(7, 5, 11), (16, 16, 576), (16, 1536, 16), (5, 37, 8), (3, 4, 20_000), (300, 200, 40)])
    func backendMatmulAllTransposes(m: Int, n: Int, k: Int) throws {
        let a = randomFloats(m * k, seed: 4), b = randomFloats(k * n, seed: 5), c0 = randomFloats(m * n, seed: 6)
        let reference = ScalarReference.gemm(a, b, m: m, n: n, k: k)
        var aT = [Float](repeating: 0, count: m * k), bT = [Float](repeating: 0, count: k * n)
        for i in 0..<m { for p in 0..<k { aT[p * m + i] = a[i * k + p] } }
        for p in 0..<k { for j in 0..<n { bT[j * k + p] = b[p * n + j] } }
        let backend = CPUBackend.shared
        for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
            let c = try Tensor(shape: [m, n], values: c0)
            try backend.matmul(try Tensor(shape: ta ? [k, m] : [m, k], values: ta ? aT : a), transposeA: ta,
                               try Tensor(shape: tb ? [n, k] : [k, n], values: tb ? bT : b), transposeB: tb,
                               into: c, alpha: 2, accumulate: true)
            #expect(maxScaledError(try c.toArray(), zip(reference, c0).map { 2 * $0 + $1 }) < 1e-5, "transposeA \(ta) transposeB \(tb)")
        }
        #expect(throws: TinaError.self) {
            try backend.matmul(try Tensor(zeros: [m, k]), transposeA: false, try Tensor(zeros: [k + 1, n]), transposeB: false,
                               into: try Tensor(zeros: [m, n]), alpha: 1, accumulate: false)
        }
    }

    /// Every product path of the CPU backend (GEMV, oneDNN bf16 and f32, plain and K-panel weights, forward,
    /// input and weight gradients) against the scalar reference, at this CPU's best instruction set.
    @Test func everyProductPathMatchesTheScalarReference() throws {
        for backend in [CPUBackend.shared, CPUBackend.oneDNNOnly()] {
            for c in try ProductCheck.run(backend: backend) {
                #expect(c.passed, "\(c.name) [\(c.kernel)]: max error \(c.maxError) > \(c.tolerance)")
            }
        }
    }

    static let cpu = CPUInfo.current
    static let binaryBuilt = FileManager.default.isExecutableFile(atPath: tinaBinary)

    /// oneDNN capped to AVX-512 without bf16 instructions (Skylake/Ice Lake class): bf16 emulated by gemm:jit.
    @Test(.enabled(if: cpu.features.contains("avx512"), "this CPU has no AVX-512: oneDNN's AVX512_CORE path is not exercised"),
          .enabled(if: binaryBuilt, "the tina binary is not built next to the tests"))
    func avx512CorePathMatchesTheScalarReference() throws {
        try checkInSubprocess(isa: "AVX512_CORE")
    }

    /// oneDNN capped to AVX2 (Haswell..Zen 3 class): bf16 weights widened to f32 products.
    @Test(.enabled(if: cpu.features.contains("avx2+fma"), "this CPU has no AVX2: oneDNN's AVX2 path is not exercised"),
          .enabled(if: binaryBuilt, "the tina binary is not built next to the tests"))
    func avx2PathMatchesTheScalarReference() throws {
        try checkInSubprocess(isa: "AVX2")
    }

    @Test(.enabled(if: cpu.amxTile && cpu.amxBF16, "no AMX-BF16 on this CPU: the AMX tile path is not exercised"))
    func amxTilesRunTheBF16Products() throws {
        #expect(try bestBF16Kernel().contains("amx"))
    }

    @Test(.enabled(if: cpu.avx512BF16 && !cpu.amxBF16, "no AVX512_BF16 without AMX on this CPU: that path is not exercised"))
    func avx512BF16RunsTheBF16Products() throws {
        #expect(try bestBF16Kernel().contains("avx512_core_bf16"))
    }

    private func bestBF16Kernel() throws -> String {
        let backend = CPUBackend.shared
        // A prefill-sized product (the R1 q_proj shape), where oneDNN picks its best bf16 kernel.
        let matrix = try backend.matrix(try Tensor(zeros: [1536, 1536]), precision: .bf16)
        return backend.productKernel(rows: 512, matrix) ?? ""
    }

    /// `tina info --check` with oneDNN capped by DNNL_MAX_CPU_ISA (process-wide and read once, hence a subprocess).
    private func checkInSubprocess(isa: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tinaBinary)
        process.arguments = ["info", "--check", "--json"]
        var environment = ProcessInfo.processInfo.environment
        environment["DNNL_MAX_CPU_ISA"] = isa
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "tina info --check under DNNL_MAX_CPU_ISA=\(isa) failed")
        let report = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(report["maxISA"] as? String == isa)
        let checks = try #require(report["checks"] as? [[String: Any]])
        #expect(checks.count >= 25)
        for c in checks { #expect(c["passed"] as? Bool == true, "\(isa): \(c)") }
        let paths = try #require(report["paths"] as? [String: String])
        // Capped below AVX512_BF16, no bf16 brgemm kernel may run.
        #expect(!(paths["bf16 products, M=2048"] ?? "").contains("avx512_core_bf16"), "\(paths)")
    }
}
