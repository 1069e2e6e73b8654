import TinaCore

/// A linear layer y = x W^T (+ b) with W stored [out, in] as transformers stores it. Few rows (decode) go
/// through the SIMD GEMV kernels; many rows (prefill, scoring) through OpenBLAS sgemm, widening bf16
/// weights to f32 one block of rows at a time so no full f32 copy of a big matrix ever exists.
public struct Linear: Sendable {
    public enum Storage: Sendable {
        case f32(Tensor)
        case bf16(Tensor)
        case packedBF16(PackedBF16Matrix)
    }

    public let storage: Storage
    /// f32 [out] or nil.
    public let bias: Tensor?
    public let inFeatures: Int
    public let outFeatures: Int

    /// Rows at or below which the GEMV kernels beat sgemm (measured in BENCHMARKS.md: bf16 up to 16).
    public static let gemvMaxRows = 16
    /// Weight rows widened to f32 per sgemm call on the bf16 path (6 MB of scratch at K = 1536).
    static let widenBlockRows = 1024

    public init(storage: Storage, bias: Tensor?) throws {
        switch storage {
        case let .f32(t), let .bf16(t):
            guard t.rank == 2 else { throw TinaError.invalidArgument("Linear weight must be 2-D, got \(t.shape)") }
            outFeatures = t.shape[0]; inFeatures = t.shape[1]
        case let .packedBF16(p):
            outFeatures = p.rows; inFeatures = p.columns
        }
        if let bias, bias.count != outFeatures || bias.dtype != .f32 {
            throw TinaError.shapeMismatch(what: "Linear bias", expected: [outFeatures], actual: bias.shape)
        }
        self.storage = storage
        self.bias = bias
    }

    /// out[m, out] = x[m, in] W^T + b.
    public func forward(_ x: UnsafePointer<Float>, rows m: Int, into out: UnsafeMutablePointer<Float>) {
        guard m > 0 else { return }
        let b = bias.map { UnsafePointer($0.floats) }
        switch storage {
        case let .f32(w):
            if m < 4 {
                GEMV.f32(w.floats, n: outFeatures, k: inFeatures, input: x, rows: m, output: out, bias: b)
                return
            }
            BLAS.sgemm(m: m, n: outFeatures, k: inFeatures, a: x, lda: inFeatures, b: w.floats, ldb: inFeatures,
                       transposeB: true, c: out, ldc: outFeatures)
        case let .bf16(w):
            if m <= Self.gemvMaxRows {
                try? GEMV.apply(weight: w, input: x, rows: m, output: out, bias: b)
                return
            }
            widenedGEMM(x, rows: m, into: out) { first, count, scratch in
                HalfPrecision.bf16ToFloat(w.halfBits + first * inFeatures, scratch, count: count * inFeatures)
            }
        case let .packedBF16(p):
            if m <= Self.gemvMaxRows {
                GEMV.apply(weight: p, input: x, rows: m, output: out, bias: b)
                return
            }
            widenedGEMM(x, rows: m, into: out) { first, count, scratch in
                p.widenRows(first..<(first + count), into: scratch)
            }
        }
        if let b { addBias(b, rows: m, into: out) }
    }

    private func widenedGEMM(_ x: UnsafePointer<Float>, rows m: Int, into out: UnsafeMutablePointer<Float>,
                             widen: (Int, Int, UnsafeMutablePointer<Float>) -> Void) {
        let block = min(Self.widenBlockRows, outFeatures)
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: block * inFeatures)
        defer { scratch.deallocate() }
        var first = 0
        while first < outFeatures {
            let count = min(block, outFeatures - first)
            widen(first, count, scratch)
            BLAS.sgemm(m: m, n: count, k: inFeatures, a: x, lda: inFeatures, b: scratch, ldb: inFeatures,
                       transposeB: true, c: out + first, ldc: outFeatures)
            first += count
        }
    }

    private func addBias(_ b: UnsafePointer<Float>, rows m: Int, into out: UnsafeMutablePointer<Float>) {
        for r in 0..<m { Elementwise.add(b, into: out + r * outFeatures, count: outFeatures) }
    }

    /// Bytes the weights occupy.
    public var weightBytes: Int {
        switch storage {
        case let .f32(t), let .bf16(t): return t.byteCount
        case let .packedBF16(p): return p.rows * p.columns * 2
        }
    }
}
