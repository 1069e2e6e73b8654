import CTinaCPU
import Synchronization

/// oneDNN (Debian's libdnnl 2.x), the library behind every matrix product wider than a decode GEMV:
/// f32 GEMM (`dnnl_sgemm`) and bf16 x bf16 -> f32 matmul primitives. oneDNN picks its kernels from CPUID
/// bits (AMX tiles, AVX512_BF16, AVX-512, AVX2), so no CPU falls back to an old kernel for being unknown;
/// OpenBLAS 0.3.21 ran SSE3 kernels on Sapphire Rapids. Measured choice in BENCHMARKS.md ("Products").
public enum OneDNN {
    private static let state: (ok: Bool, error: String) = {
        var buffer = [CChar](repeating: 0, count: 512)
        let ok = tina_dnnl_open(Int32(Parallel.threadCount), &buffer, buffer.count) != 0
        let error = buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        return (ok, error)
    }()

    /// Loads the library once (its OpenMP threads get `TINA_NUM_THREADS` and a passive wait policy).
    public static var isAvailable: Bool { state.ok }

    /// Why the library could not be loaded ("" when it was).
    public static var loadError: String { state.error }

    public static var version: String { isAvailable ? String(cString: tina_dnnl_version()) : "not loaded" }

    static func require() throws {
        guard isAvailable else { throw TinaError.unsupported(source: "oneDNN", reason: loadError) }
    }

    /// C[M,N] = alpha * op(A) * op(B) + beta * C, row-major f32 (`transposeB`: B stored [N,K] like a Linear weight).
    public static func sgemm(m: Int, n: Int, k: Int,
                             a: UnsafePointer<Float>, lda: Int, transposeA: Bool = false,
                             b: UnsafePointer<Float>, ldb: Int, transposeB: Bool = false,
                             c: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float = 1, beta: Float = 0) throws {
        guard m > 0, n > 0 else { return }
        try require()
        let status = tina_dnnl_sgemm(transposeA ? 84 : 78, transposeB ? 84 : 78, Int64(m), Int64(n), Int64(k), alpha,
                                     a, Int64(lda), b, Int64(ldb), beta, c, Int64(ldc))
        guard status == 0 else {
            throw TinaError.invalidArgument("oneDNN sgemm \(m)x\(n)x\(k) (lda \(lda), ldb \(ldb), ldc \(ldc)) failed with status \(status)")
        }
    }
}

extension OneDNN {
    /// Runs `body` with this thread's oneDNN calls single-threaded (its OpenMP team size 1), so tiles of one
    /// operation can run side by side on Tina's worker pool; use `sgemmSingle` inside.
    public static func singleThreaded<T>(_ body: () throws -> T) throws -> T {
        try require()
        let previous = tina_dnnl_thread_team(1)
        defer { if previous > 0 { _ = tina_dnnl_thread_team(previous) } }
        return try body()
    }

    /// `sgemm` without the library lock, for use inside `singleThreaded` from several threads at once.
    public static func sgemmSingle(m: Int, n: Int, k: Int,
                                   a: UnsafePointer<Float>, lda: Int, transposeA: Bool = false,
                                   b: UnsafePointer<Float>, ldb: Int, transposeB: Bool = false,
                                   c: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float = 1, beta: Float = 0) throws {
        guard m > 0, n > 0 else { return }
        let status = tina_dnnl_sgemm_single(transposeA ? 84 : 78, transposeB ? 84 : 78, Int64(m), Int64(n), Int64(k), alpha,
                                            a, Int64(lda), b, Int64(ldb), beta, c, Int64(ldc))
        guard status == 0 else {
            throw TinaError.invalidArgument("oneDNN sgemm \(m)x\(n)x\(k) (lda \(lda), ldb \(ldb), ldc \(ldc)) failed with status \(status)")
        }
    }
}

/// An operand of `MatmulPlan`: element type and element strides (row, column), so transposed and strided
/// views need no copy.
public struct MatmulOperand: Hashable, Sendable {
    public var bf16: Bool
    public var rowStride: Int
    public var columnStride: Int
    public init(bf16: Bool, rowStride: Int, columnStride: Int) {
        self.bf16 = bf16
        self.rowStride = rowStride
        self.columnStride = columnStride
    }
}

/// One oneDNN matmul primitive: C[M,N] (f32, row stride ldc) (+)= alpha * A[M,K] * B[K,N]. Creating one costs
/// ~0.5 ms, so plans are cached by shape (`MatmulPlan.cached`).
public final class MatmulPlan: @unchecked Sendable {
    public struct Key: Hashable, Sendable {
        public var m: Int, n: Int, k: Int
        public var a: MatmulOperand, b: MatmulOperand
        public var ldc: Int
        public var alpha: Float
        public var accumulate: Bool
    }

    public let key: Key
    private let handle: OpaquePointer

    public init(_ key: Key) throws {
        try OneDNN.require()
        var buffer = [CChar](repeating: 0, count: 256)
        guard let h = tina_matmul_create(Int64(key.m), Int64(key.n), Int64(key.k),
                                         key.a.bf16 ? 1 : 0, Int64(key.a.rowStride), Int64(key.a.columnStride),
                                         key.b.bf16 ? 1 : 0, Int64(key.b.rowStride), Int64(key.b.columnStride),
                                         Int64(key.ldc), key.alpha, key.accumulate ? 1 : 0, &buffer, buffer.count) else {
            let reason = buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            throw TinaError.unsupported(source: "oneDNN matmul \(key.m)x\(key.n)x\(key.k)", reason: reason)
        }
        self.key = key
        handle = h
    }

    deinit { tina_matmul_destroy(handle) }

    /// The kernel oneDNN chose, e.g. "brg:avx512_core_amx_bf16".
    public var implementation: String { String(cString: tina_matmul_impl(handle)) }

    public func run(a: UnsafeRawPointer, b: UnsafeRawPointer, c: UnsafeMutablePointer<Float>) throws {
        let status = tina_matmul_run(handle, a, b, c)
        guard status == 0 else {
            throw TinaError.invalidArgument("oneDNN matmul \(key.m)x\(key.n)x\(key.k) failed with status \(status)")
        }
    }

    /// Plans by shape; prefill lengths vary, so the cache is bounded. A shape oneDNN has no kernel for on
    /// this CPU (bf16 needs AVX-512; some small shapes lack one) is remembered as nil.
    private static let cache = Mutex<[Key: MatmulPlan?]>([:])
    static let cacheLimit = 256

    /// The plan for `key`, or nil when oneDNN cannot run it here (the caller takes its f32 path).
    public static func cached(_ key: Key) throws -> MatmulPlan? {
        if let entry = cache.withLock({ $0[key] }) { return entry }
        try OneDNN.require()
        let plan = try? MatmulPlan(key)
        cache.withLock { plans in
            if plans.count >= cacheLimit { plans.removeAll(keepingCapacity: true) }
            plans[key] = .some(plan)
        }
        return plan
    }
}
