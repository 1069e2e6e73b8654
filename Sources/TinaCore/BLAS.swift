import COpenBLAS

/// The bridge to OpenBLAS (row-major). Big matmuls (prefill, training) go here; single-row decode uses the
/// SIMD GEMV kernels, because OpenBLAS 0.3.21 does not forward M=1 sgemm to a GEMV path.
public enum BLAS {
    /// C[M,N] = alpha * op(A) * op(B) + beta * C, all row-major f32. op(A) is [M,K], op(B) is [K,N].
    /// With `transposeB` B is stored [N,K], the layout of a Linear layer's weight.
    public static func sgemm(m: Int, n: Int, k: Int,
                             a: UnsafePointer<Float>, lda: Int, transposeA: Bool = false,
                             b: UnsafePointer<Float>, ldb: Int, transposeB: Bool = false,
                             c: UnsafeMutablePointer<Float>, ldc: Int,
                             alpha: Float = 1, beta: Float = 0) {
        guard m > 0, n > 0 else { return }
        cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// y[N] = alpha * W[N,K] x[K] + beta * y (or W^T x with `transpose`), row-major f32.
    public static func sgemv(rows: Int, columns: Int, w: UnsafePointer<Float>, x: UnsafePointer<Float>,
                             y: UnsafeMutablePointer<Float>, transpose: Bool = false, alpha: Float = 1, beta: Float = 0) {
        cblas_sgemv(CblasRowMajor, transpose ? CblasTrans : CblasNoTrans, Int32(rows), Int32(columns),
                    alpha, w, Int32(columns), x, 1, beta, y, 1)
    }

    /// out[M,N] = x[M,K] * W[N,K]^T for f32 tensors (a Linear layer without bias).
    public static func linear(_ x: Tensor, weight: Tensor, into out: Tensor) throws {
        guard x.dtype == .f32, weight.dtype == .f32, out.dtype == .f32, weight.rank == 2 else {
            throw TinaError.invalidArgument("BLAS.linear needs f32 tensors and a 2-D weight")
        }
        let k = weight.shape[1], n = weight.shape[0]
        let m = x.count / max(k, 1)
        guard x.count == m * k, out.count == m * n else {
            throw TinaError.shapeMismatch(what: "BLAS.linear", expected: [m, n], actual: out.shape)
        }
        sgemm(m: m, n: n, k: k, a: x.floats, lda: k, b: weight.floats, ldb: k, transposeB: true, c: out.floats, ldc: n)
    }

    /// The kernel set OpenBLAS selected at run time (e.g. "Cooperlake").
    public static var coreName: String {
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name)
    }

    public static var threadCount: Int { Int(openblas_get_num_threads()) }
}
