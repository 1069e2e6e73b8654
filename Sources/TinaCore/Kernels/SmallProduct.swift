/// c[m, n] = alpha * a[m, k] b[n, k]^T (+ c when accumulating) on the calling thread, for the products too small
/// for a library call to pay off: LoRA's adapter products in a decode step (x A^T with 16 rows x r = 16 x 576,
/// then (x A^T) B^T into 576-1536 columns) cost ~40 us each through oneDNN's sgemm, ~26,000 of them per SmolLM2
/// GRPO rollout step. A long reduction (k >= 64) is one SIMD dot product per element; a short one (LoRA's rank)
/// would spend more on each dot product's horizontal sum than on its multiplies, so b is transposed once and
/// each output row is built 16 columns at a time from k broadcast multiply-adds.
public enum SmallProduct {
    /// Multiply-adds up to which `CPUBackend.matmul` takes this path for the a b^T form.
    public static let maxWork = 1 << 20

    public static func nt(m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                          c: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float, accumulate: Bool) {
        if k >= 64 || n < 16 {
            for i in 0..<m {
                let row = a + i * lda, out = c + i * ldc
                for j in 0..<n {
                    let value = alpha * Dot.f32(row, b + j * ldb, count: k)
                    out[j] = accumulate ? out[j] + value : value
                }
            }
            return
        }
        // bt[p, j] = b[j, p]
        let bt = UnsafeMutablePointer<Float>.allocate(capacity: k * n)
        defer { bt.deallocate() }
        for j in 0..<n {
            for p in 0..<k { bt[p * n + j] = b[j * ldb + p] }
        }
        for i in 0..<m {
            let row = a + i * lda, out = c + i * ldc
            var j = 0
            while j + 16 <= n {
                var sum = SIMD16<Float>()
                for p in 0..<k { sum.addProduct(SIMD16(repeating: row[p]), load16(bt + p * n + j)) }
                sum *= alpha
                store16(accumulate ? load16(out + j) + sum : sum, out + j)
                j += 16
            }
            while j < n {
                var sum: Float = 0
                for p in 0..<k { sum += row[p] * bt[p * n + j] }
                out[j] = accumulate ? out[j] + alpha * sum : alpha * sum
                j += 1
            }
        }
    }
}
