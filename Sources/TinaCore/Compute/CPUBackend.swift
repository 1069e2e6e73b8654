/// The CPU implementation of `ComputeBackend`. Products wider than a decode batch go to oneDNN (bf16 matmul
/// primitives or f32 sgemm); decode-sized products over bf16 weights go to Tina's kernels: 1-64 rows to the
/// AVX512_BF16 small-product kernel where the CPU has it, else 1-3 rows to the SIMD GEMV; both stream weights
/// near DRAM speed where oneDNN reached a fraction of it (BENCHMARKS.md);
/// norms, rope, activations and attention are Tina's SIMD kernels on its worker pool.
public final class CPUBackend: ComputeBackend, @unchecked Sendable {
    public static let shared = CPUBackend()

    /// Rows at or below which bf16 products use GEMV where the CPU lacks AVX512_BF16 (with it, the small-product
    /// kernel takes every decode-sized product: SmolLM2 batch-1 decode, 1536 x 576 gate/up 73 vs 85 us, lm_head
    /// 1.8 vs 2.5 ms per call). Measured with weights streamed from DRAM (BENCHMARKS.md, "Products"): the GEMV
    /// wins at 1-2 rows (0.63 vs 1.29 ms at M = 1, gate/up), oneDNN from 4 rows (1.33 vs 2.15 ms at M = 4).
    public static let defaultGEMVMaxRows = BF16SmallProduct.isAvailable ? 0 : 3
    /// On the exact (f32) path over bf16 weights the alternative is widening the weights for sgemm, so the
    /// GEMV keeps every decode-sized product.
    public static let defaultExactGEMVMaxRows = 16
    /// This backend's thresholds (both 0 send every product to oneDNN: benchmarks and tests of that path).
    public let gemvMaxRows: Int
    public let exactGEMVMaxRows: Int
    /// Rows up to which bf16 products take `BF16SmallProduct` (0 where the CPU lacks AVX512_BF16). Measured on
    /// Zen 4 with weights from DRAM (BENCHMARKS.md, session 5, "Decode-sized products"): it beats oneDNN 2.6.3 up to 64 rows.
    public static let defaultSmallProductMaxRows = BF16SmallProduct.isAvailable ? 64 : 0
    public let smallProductMaxRows: Int
    /// Weight rows widened to f32 per sgemm call on the exact path over bf16 weights (6 MB at K = 1536).
    static let widenBlockRows = 1024

    public let device = Device.cpu

    public init(gemvMaxRows: Int? = nil, smallProductMaxRows: Int? = nil) {
        self.gemvMaxRows = gemvMaxRows ?? Self.defaultGEMVMaxRows
        exactGEMVMaxRows = gemvMaxRows ?? Self.defaultExactGEMVMaxRows
        let small = smallProductMaxRows ?? Self.defaultSmallProductMaxRows
        self.smallProductMaxRows = BF16SmallProduct.isAvailable ? small : 0
    }

    /// Every product on oneDNN (benchmarks and tests of that path).
    public static func oneDNNOnly() -> CPUBackend { CPUBackend(gemvMaxRows: 0, smallProductMaxRows: 0) }

    /// Whether an m-row product over `w` runs on `BF16SmallProduct`.
    func usesSmallProduct(rows m: Int, _ w: CPUMatrix) -> Bool {
        w.precision == .bf16 && w.isBF16Layout && m > gemvRows(w) && m <= smallProductMaxRows
    }

    /// Rows up to which `w`'s products run on the GEMV.
    func gemvRows(_ w: CPUMatrix) -> Int { w.precision == .bf16 ? gemvMaxRows : exactGEMVMaxRows }

    public var summary: String {
        let cpu = CPUInfo.current
        let library = OneDNN.isAvailable ? "oneDNN \(OneDNN.version)" : "oneDNN missing (\(OneDNN.loadError))"
        var decode: [String] = []
        if gemvMaxRows > 0 { decode.append("1-\(gemvMaxRows) rows Tina SIMD GEMV") }
        if smallProductMaxRows > gemvMaxRows { decode.append("\(gemvMaxRows + 1)-\(smallProductMaxRows) rows Tina AVX512_BF16") }
        let decodePath = decode.isEmpty ? "oneDNN" : decode.joined(separator: ", ")
        return "cpu: \(cpu.name), \(Parallel.threadCount) threads; bf16 products: \(cpu.bf16Hardware) via \(library); decode: \(decodePath)"
    }

    // MARK: Memory

    public func zeros(_ shape: [Int], dtype: DType) throws -> Tensor {
        try OpProfile.measure("allocate") { try Tensor(zeros: shape, dtype: dtype) }
    }

    public func empty(_ shape: [Int], dtype: DType) throws -> Tensor {
        try OpProfile.measure("allocate") { try Tensor(uninitialized: shape, dtype: dtype) }
    }

    public func upload(_ host: Tensor) throws -> Tensor { host }

    public func download(_ tensor: Tensor) throws -> [Float] {
            try onCPU(tensor, "download")
        return try tensor.toArray()
    }

    public func copy(_ src: Tensor, into dst: Tensor) throws {
        try OpProfile.measure("copy") { try copyBody(src, into: dst) }
    }

    private func copyBody(_ src: Tensor, into dst: Tensor) throws {
        try onCPU(src, "copy source"); try onCPU(dst, "copy destination")
        guard src.count == dst.count else {
            throw TinaError.shapeMismatch(what: "copy (\(src.dtype.rawValue) into \(dst.dtype.rawValue))", expected: src.shape, actual: dst.shape)
        }
        switch (src.dtype, dst.dtype) {
        case _ where src.dtype == dst.dtype: dst.rawPointer.copyMemory(from: src.rawPointer, byteCount: src.byteCount)
        case (.f32, .bf16): HalfPrecision.floatToBF16(src.floats, dst.halfBits, count: src.count)
        case (.bf16, .f32): HalfPrecision.bf16ToFloat(src.halfBits, dst.floats, count: src.count)
        default: throw TinaError.unsupported(source: "copy", reason: "\(src.dtype.rawValue) into \(dst.dtype.rawValue)")
        }
    }

    public func matrix(_ weight: Tensor, precision: ComputePrecision) throws -> any BackendMatrix {
        try CPUMatrix(weight, precision: precision)
    }

    // MARK: Products

    public func linear(_ x: Tensor, _ matrix: any BackendMatrix, bias: Tensor?, into y: Tensor) throws {
        try OpProfile.measure(profileName("linear", rows: x.count / max(1, matrix.columns), matrix)) { try linearBody(x, matrix, bias: bias, into: y) }
    }

    private func linearBody(_ x: Tensor, _ matrix: any BackendMatrix, bias: Tensor?, into y: Tensor) throws {
        let w = try cpuMatrix(matrix)
        let m = try rows(of: x, columns: w.columns, "linear input")
        try expect(y, rows: m, columns: w.rows, "linear output")
        guard m > 0 else { return }
        if let bias, bias.count != w.rows || bias.dtype != .f32 {
            throw TinaError.shapeMismatch(what: "linear bias", expected: [w.rows], actual: bias.shape)
        }
        let b = bias.map { UnsafePointer($0.floats) }
        switch w.layout {
        case let .f32(t):
            if m < min(4, exactGEMVMaxRows + 1) { return GEMV.f32(t.floats, n: w.rows, k: w.columns, input: x.floats, rows: m, output: y.floats, bias: b) }
            try OneDNN.sgemm(m: m, n: w.rows, k: w.columns, a: x.floats, lda: w.columns, b: t.floats, ldb: w.columns,
                             transposeB: true, c: y.floats, ldc: w.rows)
        case let .bf16(t):
            if m <= gemvRows(w) { return try GEMV.apply(weight: t, input: x.floats, rows: m, output: y.floats, bias: b) }
            try bf16Linear(x, w, rows: m, into: y)
        case let .packedBF16(p):
            if m <= gemvRows(w) { return GEMV.apply(weight: p, input: x.floats, rows: m, output: y.floats, bias: b) }
            try bf16Linear(x, w, rows: m, into: y)
        }
        if let b { for r in 0..<m { Elementwise.add(b, into: y.floats + r * w.rows, count: w.rows) } }
    }

    /// bf16 weights, many rows: oneDNN bf16 products (one per K panel, accumulating), or on the exact path
    /// (and where oneDNN has no bf16 kernel for this CPU) f32 sgemm over weight rows widened a block at a
    /// time, so no full f32 copy of the matrix ever exists.
    private func bf16Linear(_ x: Tensor, _ w: CPUMatrix, rows m: Int, into y: Tensor) throws {
        let n = w.rows, k = w.columns
        if usesSmallProduct(rows: m, w) {
            let blocks = w.bf16Blocks
            let xb = BF16Scratch(rounding: x.floats, rows: m, columns: k, blocks: blocks.map { ($0.start, $0.width) })
            defer { xb.free() }
            for (index, block) in blocks.enumerated() {
                BF16SmallProduct.apply(x: xb.bits + m * block.start, ldx: block.width, w: block.bits, ldw: block.width,
                                       y: y.floats, ldy: n, m: m, n: n, k: block.width, accumulate: index > 0)
            }
            return
        }
        if w.precision == .bf16, let plans = try forwardPlans(rows: m, w) {
            // x rounded into one dense [m, width] block per panel: oneDNN's fast kernels want dense operands
            // (a strided x sent 2.6.3 to its generic gemm:jit).
            let xb = BF16Scratch(rounding: x.floats, rows: m, columns: k, blocks: w.bf16Blocks.map { ($0.start, $0.width) })
            defer { xb.free() }
            for (plan, block) in zip(plans, w.bf16Blocks) {
                try plan.run(a: xb.bits + m * block.start, b: block.bits, c: y.floats)
            }
            return
        }
        try widenedRowBlocks(of: w) { first, count, scratch in
            try OneDNN.sgemm(m: m, n: count, k: k, a: x.floats, lda: k, b: scratch, ldb: k, transposeB: true,
                             c: y.floats + first, ldc: n)
        }
    }

    /// One bf16 plan per K block of `w` for an m-row forward product, or nil when oneDNN lacks one.
    private func forwardPlans(rows m: Int, _ w: CPUMatrix) throws -> [MatmulPlan]? {
        var plans: [MatmulPlan] = []
        for (index, block) in w.bf16Blocks.enumerated() {
            let key = MatmulPlan.Key(m: m, n: w.rows, k: block.width,
                                     a: MatmulOperand(bf16: true, rowStride: block.width, columnStride: 1),
                                     b: MatmulOperand(bf16: true, rowStride: 1, columnStride: block.width),
                                     ldc: w.rows, alpha: 1, accumulate: index > 0)
            guard let plan = try MatmulPlan.cached(key) else { return nil }
            plans.append(plan)
        }
        return plans
    }

    /// One bf16 plan per K block of `w` for dx[m, block] = dy[m, out] W[:, block], or nil.
    private func inputGradientPlans(rows m: Int, _ w: CPUMatrix) throws -> [MatmulPlan]? {
        var plans: [MatmulPlan] = []
        for block in w.bf16Blocks {
            let key = MatmulPlan.Key(m: m, n: block.width, k: w.rows,
                                     a: MatmulOperand(bf16: true, rowStride: w.rows, columnStride: 1),
                                     b: MatmulOperand(bf16: true, rowStride: block.width, columnStride: 1),
                                     ldc: block.width, alpha: 1, accumulate: false)
            guard let plan = try MatmulPlan.cached(key) else { return nil }
            plans.append(plan)
        }
        return plans
    }

    /// The kernel `linear` (or with `gradient`, `linearInputGradient`) runs for `rows` rows of this matrix:
    /// "tina-gemv-*", "onednn-sgemm", or oneDNN's implementation name for bf16 products (e.g.
    /// "brg:avx512_core_bf16", "brg:avx512_core_amx_bf16").
    public func productKernel(rows m: Int, _ matrix: any BackendMatrix, gradient: Bool = false) -> String? {
        guard let w = matrix as? CPUMatrix else { return nil }
        switch w.layout {
        case .f32: return !gradient && m < min(4, exactGEMVMaxRows + 1) ? "tina-gemv-f32" : "onednn-sgemm"
        case .bf16, .packedBF16:
            if !gradient && m <= gemvRows(w) { return "tina-gemv-bf16" }
            if !gradient && usesSmallProduct(rows: m, w) { return "tina-avx512bf16-small" }
            let widened = "onednn-sgemm (bf16 widened)"
            if w.precision == .f32 { return widened }
            let plans = gradient ? try? inputGradientPlans(rows: m, w) : try? forwardPlans(rows: m, w)
            guard let plans = plans ?? nil else { return widened }
            return Array(Set(plans.map(\.implementation))).sorted().joined(separator: "+")
        }
    }

    /// Calls `body(first row, row count, f32 rows)` over the matrix in blocks of `widenBlockRows` rows.
    private func widenedRowBlocks(of w: CPUMatrix, _ body: (Int, Int, UnsafePointer<Float>) throws -> Void) throws {
        let block = min(Self.widenBlockRows, w.rows)
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: max(1, block * w.columns))
        defer { scratch.deallocate() }
        var first = 0
        while first < w.rows {
            let count = min(block, w.rows - first)
            switch w.layout {
            case let .f32(t): scratch.update(from: t.floats + first * w.columns, count: count * w.columns)
            case let .bf16(t): HalfPrecision.bf16ToFloat(t.halfBits + first * w.columns, scratch, count: count * w.columns)
            case let .packedBF16(p): p.widenRows(first..<(first + count), into: scratch)
            }
            try body(first, count, scratch)
            first += count
        }
    }

    public func linearInputGradient(_ dy: Tensor, _ matrix: any BackendMatrix, into dx: Tensor, accumulate: Bool) throws {
        try OpProfile.measure("input gradient \(matrix.rows)x\(matrix.columns)") {
            try inputGradientBody(dy, matrix, into: dx, accumulate: accumulate)
        }
    }

    private func inputGradientBody(_ dy: Tensor, _ matrix: any BackendMatrix, into dx: Tensor, accumulate: Bool) throws {
        let w = try cpuMatrix(matrix)
        let m = try rows(of: dy, columns: w.rows, "input gradient dy")
        try expect(dx, rows: m, columns: w.columns, "input gradient dx")
        guard m > 0 else { return }
        let n = w.rows, k = w.columns
        if case let .f32(t) = w.layout {
            return try OneDNN.sgemm(m: m, n: k, k: n, a: dy.floats, lda: n, b: t.floats, ldb: k, c: dx.floats, ldc: k,
                                    beta: accumulate ? 1 : 0)
        }
        if w.precision == .bf16, let plans = try inputGradientPlans(rows: m, w) {
            let dyb = BF16Scratch(rounding: dy.floats, rows: m, columns: n, blocks: [(0, n)])
            defer { dyb.free() }
            let blocks = w.bf16Blocks
            // One block writes dx directly; panels write a dense [m, width] block that is then placed.
            let direct = blocks.count == 1 && !accumulate
            let temp = UnsafeMutablePointer<Float>.allocate(capacity: direct ? 1 : m * (blocks.map(\.width).max() ?? 1))
            defer { temp.deallocate() }
            for (plan, block) in zip(plans, blocks) {
                try plan.run(a: dyb.bits, b: block.bits, c: direct ? dx.floats : temp)
                if direct { continue }
                for r in 0..<m {
                    let target = dx.floats + r * k + block.start, source = temp + r * block.width
                    if accumulate { Elementwise.add(source, into: target, count: block.width) } else { target.update(from: source, count: block.width) }
                }
            }
            return
        }
        var first = true
        try widenedRowBlocks(of: w) { row, count, scratch in
            try OneDNN.sgemm(m: m, n: k, k: count, a: dy.floats + row, lda: n, b: scratch, ldb: k, c: dx.floats, ldc: k,
                             beta: (first && !accumulate) ? 0 : 1)
            first = false
        }
    }

    public func linearWeightGradient(_ dy: Tensor, _ x: Tensor, into dw: Tensor, accumulate: Bool) throws {
        try OpProfile.measure("weight gradient") { try linearWeightGradientBody(dy, x, into: dw, accumulate: accumulate) }
    }

    private func linearWeightGradientBody(_ dy: Tensor, _ x: Tensor, into dw: Tensor, accumulate: Bool) throws {
        try onCPU(dw, "weight gradient"); try onCPU(dy, "weight gradient dy"); try onCPU(x, "weight gradient x")
        guard dw.rank == 2, dw.dtype == .f32 else { throw TinaError.invalidArgument("weight gradient must be a 2-D f32 tensor") }
        let n = dw.shape[0], k = dw.shape[1]
        let m = try rows(of: dy, columns: n, "weight gradient dy")
        try expect(x, rows: m, columns: k, "weight gradient x")
        if m == 0 { if !accumulate { dw.floats.update(repeating: 0, count: dw.count) }; return }
        try OneDNN.sgemm(m: n, n: k, k: m, a: dy.floats, lda: n, transposeA: true, b: x.floats, ldb: k,
                         c: dw.floats, ldc: k, beta: accumulate ? 1 : 0)
    }

    public func matmul(_ a: Tensor, transposeA: Bool, _ b: Tensor, transposeB: Bool, into c: Tensor,
                       alpha: Float, accumulate: Bool) throws {
        let small = !transposeA && transposeB && a.shape.count == 2 && b.shape.count == 2
            && a.shape[0] * a.shape[1] * b.shape[0] <= SmallProduct.maxWork
        try OpProfile.measure(small ? "matmul (f32, small)" : "matmul (f32)") {
            try matmulBody(a, transposeA: transposeA, b, transposeB: transposeB, into: c, alpha: alpha, accumulate: accumulate)
        }
    }

    private func matmulBody(_ a: Tensor, transposeA: Bool, _ b: Tensor, transposeB: Bool, into c: Tensor,
                       alpha: Float, accumulate: Bool) throws {
        for (t, name) in [(a, "a"), (b, "b"), (c, "c")] {
            try onCPU(t, "matmul \(name)")
            guard t.rank == 2, t.dtype == .f32 else { throw TinaError.invalidArgument("matmul \(name) must be a 2-D f32 tensor, got \(t.dtype.rawValue) \(t.shape)") }
        }
        let m = transposeA ? a.shape[1] : a.shape[0], k = transposeA ? a.shape[0] : a.shape[1]
        let kb = transposeB ? b.shape[1] : b.shape[0], n = transposeB ? b.shape[0] : b.shape[1]
        guard k == kb, c.shape == [m, n] else {
            throw TinaError.shapeMismatch(what: "matmul \(a.shape)\(transposeA ? "^T" : "") x \(b.shape)\(transposeB ? "^T" : "")", expected: [m, n], actual: c.shape)
        }
        if !transposeA, transposeB, m * n * k <= SmallProduct.maxWork {
            SmallProduct.nt(m: m, n: n, k: k, a: a.floats, lda: k, b: b.floats, ldb: k, c: c.floats, ldc: n, alpha: alpha,
                            accumulate: accumulate)
            return
        }
        try OneDNN.sgemm(m: m, n: n, k: k, a: a.floats, lda: a.shape[1], transposeA: transposeA, b: b.floats, ldb: b.shape[1],
                         transposeB: transposeB, c: c.floats, ldc: n, alpha: alpha, beta: accumulate ? 1 : 0)
    }

    // MARK: Row operations

    public func embed(_ tokens: [Int], table: Tensor, into out: Tensor) throws {
        try OpProfile.measure("embed") { try embedBody(tokens, table: table, into: out) }
    }

    private func embedBody(_ tokens: [Int], table: Tensor, into out: Tensor) throws {
        try onCPU(table, "embedding table")
        guard table.rank == 2 else { throw TinaError.invalidArgument("embedding table must be 2-D") }
        let vocab = table.shape[0], hidden = table.shape[1]
        try expect(out, rows: tokens.count, columns: hidden, "embedding output")
        for (row, token) in tokens.enumerated() {
            guard token >= 0, token < vocab else {
                throw TinaError.invalidArgument("token id \(token) is outside the vocabulary (0..<\(vocab))")
            }
            let destination = out.floats + row * hidden
            switch table.dtype {
            case .bf16: HalfPrecision.bf16ToFloat(table.halfBits + token * hidden, destination, count: hidden)
            case .f32: destination.update(from: table.floats + token * hidden, count: hidden)
            default: throw TinaError.unsupported(source: "embedding table", reason: "dtype \(table.dtype.rawValue)")
            }
        }
    }

    public func rmsNorm(_ x: Tensor, weight: Tensor, eps: Float, into out: Tensor) throws {
        try OpProfile.measure("rms norm") { try rmsNormBody(x, weight: weight, eps: eps, into: out) }
    }

    private func rmsNormBody(_ x: Tensor, weight: Tensor, eps: Float, into out: Tensor) throws {
        let dim = weight.count
        let m = try rows(of: x, columns: dim, "rms norm input")
        try expect(out, rows: m, columns: dim, "rms norm output")
        RMSNorm.apply(x.floats, weight: weight.floats, eps: eps, rows: m, dim: dim, output: out.floats)
    }

    public func rope(_ x: Tensor, heads: Int, headDim: Int, positions: [Int], inverseFrequencies: [Float]) throws {
        try OpProfile.measure("rope") { try ropeBody(x, heads: heads, headDim: headDim, positions: positions, inverseFrequencies: inverseFrequencies) }
    }

    private func ropeBody(_ x: Tensor, heads: Int, headDim: Int, positions: [Int], inverseFrequencies: [Float]) throws {
        let width = heads * headDim, half = headDim / 2
        try expect(x, rows: positions.count, columns: width, "rope input")
        guard inverseFrequencies.count == half else {
            throw TinaError.shapeMismatch(what: "rope frequencies", expected: [half], actual: [inverseFrequencies.count])
        }
        var cos = [Float](repeating: 0, count: half), sin = [Float](repeating: 0, count: half)
        for (row, position) in positions.enumerated() {
            RoPE.angles(position: position, inverseFrequencies: inverseFrequencies, cos: &cos, sin: &sin)
            RoPE.apply(x.floats + row * width, heads: heads, headDim: headDim, cos: cos, sin: sin)
        }
    }

    public func swiglu(gate: Tensor, up: Tensor, into out: Tensor) throws {
        try OpProfile.measure("swiglu") { try swigluBody(gate: gate, up: up, into: out) }
    }

    private func swigluBody(gate: Tensor, up: Tensor, into out: Tensor) throws {
        for (t, name) in [(gate, "gate"), (up, "up"), (out, "output")] {
            try onCPU(t, "swiglu \(name)")
            guard t.dtype == .f32, t.count == gate.count else { throw TinaError.shapeMismatch(what: "swiglu \(name)", expected: gate.shape, actual: t.shape) }
        }
        let args = UnsafeSendable((gate.floats, up.floats, out.floats))
        Parallel.forChunks(of: (gate.count + 15) / 16, minChunk: 1024) { blocks in
            let (g, u, o) = args.value
            let first = blocks.lowerBound * 16, count = min(gate.count, blocks.upperBound * 16) - first
            SwiGLU.apply(gate: g + first, up: u + first, output: o + first, count: count)
        }
    }

    public func add(_ x: Tensor, into y: Tensor) throws {
        try OpProfile.measure("add") { try addBody(x, into: y) }
    }

    private func addBody(_ x: Tensor, into y: Tensor) throws {
        try onCPU(x, "add"); try onCPU(y, "add")
        guard x.dtype == .f32, y.dtype == .f32, x.count == y.count else {
            throw TinaError.shapeMismatch(what: "add", expected: y.shape, actual: x.shape)
        }
        Elementwise.add(x.floats, into: y.floats, count: x.count)
    }

    public func attention(q: Tensor, segments: [AttentionSegment], heads: Int, kvHeads: Int, headDim: Int, into out: Tensor) throws {
        try OpProfile.measure(segments.allSatisfy { $0.rows.count <= 1 } ? "attention (decode)" : "attention") { try attentionBody(q: q, segments: segments, heads: heads, kvHeads: kvHeads, headDim: headDim, into: out) }
    }

    private func attentionBody(q: Tensor, segments: [AttentionSegment], heads: Int, kvHeads: Int, headDim: Int,
                               into out: Tensor) throws {
        guard kvHeads > 0, heads % kvHeads == 0 else { throw TinaError.invalidArgument("\(heads) heads do not group over \(kvHeads) KV heads") }
        let rows = try self.rows(of: q, columns: heads * headDim, "attention queries")
        try expect(out, rows: rows, columns: heads * headDim, "attention output")
        var kernelSegments: [CPUAttention.Segment] = []
        for segment in segments where !segment.rows.isEmpty {
            guard segment.rows.lowerBound >= 0, segment.rows.upperBound <= rows, segment.start >= 0 else {
                throw TinaError.invalidArgument("attention segment rows \(segment.rows) outside the \(rows) query rows")
            }
            let tokens = segment.rows.count, kvDim = kvHeads * headDim
            guard (segment.prefixKeys == nil) == (segment.prefixValues == nil) else {
                throw TinaError.invalidArgument("attention segment: prefix keys and prefix values go together")
            }
            let prefix = segment.prefixKeys.map { $0.count / kvDim } ?? 0
            guard segment.start >= prefix else {
                throw TinaError.invalidArgument("attention segment starts at position \(segment.start), inside its \(prefix)-position shared prefix")
            }
            var operands = [(segment.keys, "keys", segment.start + tokens - prefix), (segment.values, "values", segment.start + tokens - prefix)]
            if let k = segment.prefixKeys, let v = segment.prefixValues { operands += [(k, "prefix keys", prefix), (v, "prefix values", prefix)] }
            for (t, name, needed) in operands {
                try onCPU(t, "attention \(name)")
                guard t.dtype == segment.keys.dtype, t.dtype == .f32 || t.dtype == .bf16, t.count % kvDim == 0 else {
                    throw TinaError.shapeMismatch(what: "attention \(name) (\(t.dtype.rawValue); keys and values f32 or bf16 alike)",
                                                  expected: [-1, kvDim], actual: t.shape)
                }
                guard t.count / kvDim >= needed else {
                    throw TinaError.invalidArgument("attention \(name) hold \(t.count / kvDim) positions, \(needed) needed")
                }
            }
            kernelSegments.append(CPUAttention.Segment(row: segment.rows.lowerBound, tokens: tokens, start: segment.start,
                                                       keys: UnsafeRawPointer(segment.keys.rawPointer),
                                                       values: UnsafeRawPointer(segment.values.rawPointer),
                                                       bf16: segment.keys.dtype == .bf16, prefixLength: prefix,
                                                       prefixKeys: segment.prefixKeys.map { UnsafeRawPointer($0.rawPointer) },
                                                       prefixValues: segment.prefixValues.map { UnsafeRawPointer($0.rawPointer) }))
        }
        try CPUAttention.apply(q: q.floats, segments: kernelSegments, heads: heads, kvHeads: kvHeads, headDim: headDim, out: out.floats)
    }

    public func tokenLogProbs(_ logits: Tensor, targets: [Int], withEntropy: Bool) throws -> (logProbs: [Float], entropies: [Float]?) {
        try OpProfile.measure("log-probs") { try tokenLogProbsBody(logits, targets: targets, withEntropy: withEntropy) }
    }

    private func tokenLogProbsBody(_ logits: Tensor, targets: [Int], withEntropy: Bool) throws -> (logProbs: [Float], entropies: [Float]?) {
        try onCPU(logits, "log-probs")
        guard logits.rank == 2, logits.dtype == .f32, logits.shape[0] == targets.count else {
            throw TinaError.shapeMismatch(what: "log-prob logits", expected: [targets.count, -1], actual: logits.shape)
        }
        let vocab = logits.shape[1]
        for target in targets where target < 0 || target >= vocab {
            throw TinaError.invalidArgument("target token \(target) outside the vocabulary (0..<\(vocab))")
        }
        var logProbs = [Float](repeating: 0, count: targets.count), entropies = [Float](repeating: 0, count: withEntropy ? targets.count : 0)
        // Rows are independent: split across threads (each row's arithmetic is the same on any thread).
        logProbs.withUnsafeMutableBufferPointer { lp in
            entropies.withUnsafeMutableBufferPointer { ent in
                guard let base = lp.baseAddress else { return }  // no rows
                // (An empty array's buffer may still have a base address: entropies are written only when asked for.)
                let args = UnsafeSendable((logits.floats, base, withEntropy ? ent.baseAddress : nil, targets))
                Parallel.forChunks(of: targets.count, minChunk: max(1, (1 << 16) / max(vocab, 1))) { range in
                    let (logits, lp, ent, targets) = args.value
                    // Entropy scratch only when entropies are asked for.
                    let scratch = ent == nil ? 1 : vocab
                    let probabilities = UnsafeMutablePointer<Float>.allocate(capacity: scratch)
                    let shifted = UnsafeMutablePointer<Float>.allocate(capacity: scratch)
                    defer { probabilities.deallocate(); shifted.deallocate() }
                    for i in range {
                        let z = logits + i * vocab
                        let lse = Softmax.logSumExp(z, count: vocab)
                        lp[i] = z[targets[i]] - lse
                        if let ent {
                            // H = (lse - m) - sum p (z - m): shifting by the row maximum m avoids the cancellation of
                            // lse - sum p z in f32 when logits are large (4e-4 off for SmolLM2's logits of 13-27).
                            let m = Softmax.max(z, count: vocab)
                            for j in 0..<vocab { shifted[j] = z[j] - m }
                            Softmax.apply(z, count: vocab, output: probabilities)
                            ent[i] = (lse - m) - Dot.f32(probabilities, shifted, count: vocab)
                        }
                    }
                }
            }
        }
        return (logProbs, withEntropy ? entropies : nil)
    }

    private func profileName(_ op: String, rows m: Int, _ matrix: any BackendMatrix) -> String {
        let w = matrix as? CPUMatrix
        let path = w.map { m <= gemvRows($0) && $0.isBF16Layout } == true ? "gemv"
            : w.map { usesSmallProduct(rows: m, $0) } == true ? "bf16 small" : (w?.precision.rawValue ?? "?")
        return "\(op) \(path) \(matrix.rows)x\(matrix.columns)"
    }

    // MARK: Checks

    private func onCPU(_ t: Tensor, _ what: String) throws {
        guard t.device == .cpu else { throw TinaError.invalidArgument("\(what): tensor lives on \(t.device), the CPU backend needs cpu") }
    }

    private func cpuMatrix(_ m: any BackendMatrix) throws -> CPUMatrix {
        guard let w = m as? CPUMatrix else { throw TinaError.invalidArgument("CPU backend given a \(m.device) matrix") }
        return w
    }

    /// Rows of an f32 activation tensor whose rows have `columns` elements.
    private func rows(of t: Tensor, columns: Int, _ what: String) throws -> Int {
        try onCPU(t, what)
        guard t.dtype == .f32, columns > 0, t.count % columns == 0 else {
            throw TinaError.shapeMismatch(what: "\(what) (\(t.dtype.rawValue))", expected: [-1, columns], actual: t.shape)
        }
        return t.count / columns
    }

    private func expect(_ t: Tensor, rows: Int, columns: Int, _ what: String) throws {
        guard try self.rows(of: t, columns: columns, what) == rows else {
            throw TinaError.shapeMismatch(what: what, expected: [rows, columns], actual: t.shape)
        }
    }
}

/// Activations rounded to bf16 for a product's input, converted in parallel: rows x columns f32 laid out as
/// one dense [rows, width] block per column block (block b at offset rows * start).
struct BF16Scratch {
    let bits: UnsafeMutablePointer<UInt16>
    private let byteCount: Int

    init(rounding source: UnsafePointer<Float>, rows: Int, columns: Int, blocks: [(start: Int, width: Int)]) {
        byteCount = max(1, rows * columns) * 2
        bits = LargeBlockCache.shared.allocate(byteCount: byteCount).bindMemory(to: UInt16.self, capacity: max(1, rows * columns))
        let args = UnsafeSendable((source, bits))
        Parallel.forChunks(of: rows, minChunk: max(1, (1 << 16) / max(columns, 1))) { range in
            let (source, bits) = args.value
            for r in range {
                for block in blocks {
                    HalfPrecision.floatToBF16(source + r * columns + block.start,
                                              bits + rows * block.start + r * block.width, count: block.width)
                }
            }
        }
    }

    func free() { LargeBlockCache.shared.deallocate(UnsafeMutableRawPointer(bits), byteCount: byteCount) }
}
