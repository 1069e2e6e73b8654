/// Matrix-vector products for decode: y[m, n] = sum_k W[n, k] * x[m, k] (+ bias[n]) for a few rows m.
/// Each weight row is read from memory once and reused for every input row while it sits in L1, so decode
/// of M sequences costs about one pass over the weights. Rows of W are split across cores.
public enum GEMV {
    /// `weight` is [N, K] in f32 or bf16; `input` holds M rows of K floats; `output` M rows of N floats.
    public static func apply(weight: Tensor, input: UnsafePointer<Float>, rows m: Int,
                             output: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>? = nil) throws {
        guard weight.rank == 2 else {
            throw TinaError.invalidArgument("GEMV weight must be 2-D, got shape \(weight.shape)")
        }
        let n = weight.shape[0], k = weight.shape[1]
        switch weight.dtype {
        case .f32: f32(weight.floats, n: n, k: k, input: input, rows: m, output: output, bias: bias)
        case .bf16: bf16(weight.halfBits, n: n, k: k, input: input, rows: m, output: output, bias: bias)
        default: throw TinaError.unsupported(source: "GEMV", reason: "weight dtype \(weight.dtype.rawValue)")
        }
    }

    public static func f32(_ w: UnsafePointer<Float>, n: Int, k: Int, input: UnsafePointer<Float>, rows m: Int,
                           output: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>? = nil) {
        let args = UnsafeSendable((w, input, output, bias))
        Parallel.forChunks(of: n, minChunk: 64) { range in
            let (w, input, output, bias) = args.value
            for row in range {
                let wRow = w + row * k
                let b = bias?[row] ?? 0
                for r in 0..<m {
                    output[r * n + row] = Dot.f32(wRow, input + r * k, count: k) + b
                }
            }
        }
    }

    public static func bf16(_ w: UnsafePointer<UInt16>, n: Int, k: Int, input: UnsafePointer<Float>, rows m: Int,
                            output: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>? = nil) {
        let paired = UnsafeMutablePointer<Float>.allocate(capacity: max(1, m * k))
        defer { paired.deallocate() }
        for r in 0..<m { EvenOdd.interleave(input + r * k, count: k, paired: paired + r * k) }
        let args = UnsafeSendable((w, input, output, bias, UnsafePointer(paired)))
        if m == 1 {
            // One sequence: single-row dots streamed row by row measured fastest (BENCHMARKS.md).
            Parallel.forChunks(of: n, minChunk: 64) { rows in
                let (w, input, output, bias, paired) = args.value
                for row in rows {
                    output[row] = Dot.bf16(w + row * k, paired: paired, x: input, count: k) + (bias?[row] ?? 0)
                }
            }
            return
        }
        // Chunks hold whole row pairs so each thread runs the two-row kernels.
        Parallel.forChunks(of: (n + 1) / 2, minChunk: 32) { pairs in
            let (w, input, output, bias, paired) = args.value
            for pair in pairs {
                let row = 2 * pair
                if row + 1 == n {
                    for r in 0..<m {
                        output[r * n + row] = Dot.bf16(w + row * k, paired: paired + r * k, x: input + r * k, count: k)
                    }
                    continue
                }
                let w0 = w + row * k, w1 = w0 + k
                var r = 0
                // The 2x4 block only pays off once x rows are reused many times (measured: M >= 8).
                while m >= 8 && r + 4 <= m {
                    BF16Blocks.block2x4(w0, w1, paired: paired + r * k, x: input + r * k, count: k,
                                        out: output + r * n + row, stride: n)
                    r += 4
                }
                while r < m {
                    output[r * n + row] = Dot.bf16(w0, paired: paired + r * k, x: input + r * k, count: k)
                    output[r * n + row + 1] = Dot.bf16(w1, paired: paired + r * k, x: input + r * k, count: k)
                    r += 1
                }
            }
            if let bias {
                let rows = (2 * pairs.lowerBound)..<min(n, 2 * pairs.upperBound)
                for r in 0..<m { for row in rows { output[r * n + row] += bias[row] } }
            }
        }
    }
}
