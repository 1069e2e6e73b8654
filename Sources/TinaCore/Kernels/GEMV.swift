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
        case .bf16:
            bf16(panels: [weight.halfBits], panelWidth: k, n: n, k: k, input: input, rows: m, output: output, bias: bias)
        default: throw TinaError.unsupported(source: "GEMV", reason: "weight dtype \(weight.dtype.rawValue)")
        }
    }

    /// The same product with weights packed in K panels (`PackedBF16Matrix`).
    public static func apply(weight: PackedBF16Matrix, input: UnsafePointer<Float>, rows m: Int,
                             output: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>? = nil) {
        bf16(panels: weight.panelPointers, panelWidth: weight.panelWidth, n: weight.rows, k: weight.columns,
             input: input, rows: m, output: output, bias: bias)
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

    /// bf16 weights stored as consecutive K panels: panel p holds columns p*panelWidth ..< min(K, (p+1)*panelWidth)
    /// of all N rows, row-major with the panel's own width. An unpacked [N, K] matrix is one panel of width K.
    static func bf16(panels: [UnsafePointer<UInt16>], panelWidth: Int, n: Int, k: Int, input: UnsafePointer<Float>,
                     rows m: Int, output: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>?) {
        let paired = UnsafeMutablePointer<Float>.allocate(capacity: max(1, m * k))
        defer { paired.deallocate() }
        for r in 0..<m {
            // Interleave each panel separately so every panel starts on a 32-element block.
            var start = 0
            while start < k {
                let width = min(panelWidth, k - start)
                EvenOdd.interleave(input + r * k + start, count: width, paired: paired + r * k + start)
                for j in (width / 32 * 32)..<width { paired[r * k + start + j] = input[r * k + start + j] }
                start += width
            }
        }
        let args = UnsafeSendable((panels, input, output, bias, UnsafePointer(paired)))
        // Chunks hold whole row pairs so each thread can run the two-row kernels.
        Parallel.forChunks(of: (n + 1) / 2, minChunk: 32) { pairs in
            let (panels, input, output, bias, paired) = args.value
            let rows = (2 * pairs.lowerBound)..<min(n, 2 * pairs.upperBound)
            for r in 0..<m { for row in rows { output[r * n + row] = bias?[row] ?? 0 } }
            for (p, panel) in panels.enumerated() {
                let start = p * panelWidth, width = min(panelWidth, k - start)
                let xs = input + start, ps = paired + start
                if m == 1 {
                    // One sequence: single-row dots streamed row by row measured fastest (BENCHMARKS.md).
                    for row in rows { output[row] += Dot.bf16(panel + row * width, paired: ps, x: xs, count: width) }
                    continue
                }
                var row = rows.lowerBound
                while row < rows.upperBound {
                    let w0 = panel + row * width
                    var r = 0
                    // The 2x4 block only pays off once x rows are reused many times (measured: M >= 8).
                    while m >= 8 && row + 1 < rows.upperBound && r + 4 <= m {
                        BF16Blocks.block2x4(w0, w0 + width, paired: ps + r * k, x: xs + r * k, count: width, xStride: k,
                                            out: output + r * n + row, stride: n)
                        r += 4
                    }
                    let pairRows = row + 1 < rows.upperBound ? 2 : 1
                    while r < m {
                        for j in 0..<pairRows {
                            output[r * n + row + j] += Dot.bf16(w0 + j * width, paired: ps + r * k, x: xs + r * k, count: width)
                        }
                        r += 1
                    }
                    row += pairRows
                }
            }
        }
    }
}

/// A bf16 weight matrix [N, K] repacked into K panels (`GEMV.bf16(panels:)`). With long rows (K = 8960 in
/// down_proj) the activations of a whole row no longer fit in L1 beside the weight stream; walking one panel
/// of all rows at a time keeps a panel of x in L1 while each thread's weights still stream contiguously.
public struct PackedBF16Matrix: Sendable {
    public let rows: Int
    public let columns: Int
    public let panelWidth: Int
    public let storage: TensorStorage

    /// Packs a 2-D f32 or bf16 tensor. `panelWidth` is rounded down to a multiple of 32 (at least 32).
    public init(_ weight: Tensor, panelWidth requested: Int = 2048) throws {
        guard weight.rank == 2, weight.dtype == .bf16 || weight.dtype == .f32 else {
            throw TinaError.invalidArgument("PackedBF16Matrix needs a 2-D f32 or bf16 tensor, got \(weight.dtype.rawValue) \(weight.shape)")
        }
        let bf16 = weight.dtype == .bf16 ? weight : try weight.converted(to: .bf16)
        rows = weight.shape[0]
        columns = weight.shape[1]
        panelWidth = min(columns, max(32, requested / 32 * 32))
        storage = TensorStorage(zeroedByteCount: rows * columns * 2)
        let source = bf16.halfBits
        let destination = storage.bytes.assumingMemoryBound(to: UInt16.self)
        var start = 0
        while start < columns {
            let width = min(panelWidth, columns - start)
            let panel = destination + rows * start
            for r in 0..<rows { (panel + r * width).update(from: source + r * columns + start, count: width) }
            start += width
        }
    }

    /// Widens rows `range` to f32, row-major [range.count, columns], into `destination`.
    public func widenRows(_ range: Range<Int>, into destination: UnsafeMutablePointer<Float>) {
        let base = UnsafePointer(storage.bytes.assumingMemoryBound(to: UInt16.self))
        var start = 0
        while start < columns {
            let width = min(panelWidth, columns - start)
            let panel = base + rows * start
            for (i, r) in range.enumerated() {
                HalfPrecision.bf16ToFloat(panel + r * width, destination + i * columns + start, count: width)
            }
            start += width
        }
    }

    var panelPointers: [UnsafePointer<UInt16>] {
        let base = UnsafePointer(storage.bytes.assumingMemoryBound(to: UInt16.self))
        return stride(from: 0, to: columns, by: max(panelWidth, 1)).map { base + rows * $0 }
    }
}
