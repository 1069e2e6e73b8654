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
        let half = k / 2
        let split = UnsafeMutablePointer<Float>.allocate(capacity: max(1, 2 * half * m))
        defer { split.deallocate() }
        for r in 0..<m {
            EvenOdd.split(input + r * k, count: k, even: split + 2 * r * half, odd: split + (2 * r + 1) * half)
        }
        let args = UnsafeSendable((w, input, output, bias, UnsafePointer(split)))
        Parallel.forChunks(of: n, minChunk: 64) { range in
            let (w, input, output, bias, split) = args.value
            for row in range {
                let wRow = w + row * k
                let b = bias?[row] ?? 0
                for r in 0..<m {
                    output[r * n + row] = Dot.bf16(wRow, even: split + 2 * r * half, odd: split + (2 * r + 1) * half,
                                                   x: input + r * k, count: k) + b
                }
            }
        }
    }
}
