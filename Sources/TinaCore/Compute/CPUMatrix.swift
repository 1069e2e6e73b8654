/// A weight matrix [out, in] held for the CPU backend: f32, bf16 rows, or bf16 in K panels (long rows decode
/// faster from panels: BENCHMARKS.md, down_proj). Matrices for bf16 products are always held in bf16.
public final class CPUMatrix: BackendMatrix, @unchecked Sendable {
    public enum Layout: Sendable {
        case f32(Tensor)
        case bf16(Tensor)
        case packedBF16(PackedBF16Matrix)
    }

    public let layout: Layout
    public let rows: Int
    public let columns: Int
    public let precision: ComputePrecision
    public var device: Device { .cpu }

    /// Rows of K above which bf16 weights are stored in K panels.
    static let panelThreshold = 2 * 2048

    init(_ weight: Tensor, precision: ComputePrecision) throws {
        guard weight.rank == 2 else { throw TinaError.invalidArgument("a weight matrix must be 2-D, got \(weight.shape)") }
        guard weight.device == .cpu else { throw TinaError.invalidArgument("CPU backend given a \(weight.device) weight") }
        rows = weight.shape[0]
        columns = weight.shape[1]
        self.precision = precision
        let stored: Tensor
        switch (weight.dtype, precision) {
        case (.f32, .f32), (.bf16, _): stored = weight
        case (_, .bf16): stored = try weight.converted(to: .bf16)
        default: stored = try weight.asFloat32()
        }
        if stored.dtype == .bf16 {
            layout = columns > Self.panelThreshold ? .packedBF16(try PackedBF16Matrix(stored)) : .bf16(stored)
        } else {
            layout = .f32(stored)
        }
    }

    public var trainableTensor: Tensor? { if case let .f32(t) = layout, precision == .f32 { return t } else { return nil } }

    var isBF16Layout: Bool { if case .f32 = layout { return false } else { return true } }

    public var byteCount: Int {
        switch layout {
        case let .f32(t), let .bf16(t): return t.byteCount
        case let .packedBF16(p): return p.rows * p.columns * 2
        }
    }

    /// Contiguous bf16 blocks of columns: (first column, width, [rows, width] row-major bits). One block for
    /// plain bf16 storage, one per panel for packed storage.
    var bf16Blocks: [(start: Int, width: Int, bits: UnsafePointer<UInt16>)] {
        switch layout {
        case .f32: return []
        case let .bf16(t): return [(0, columns, UnsafePointer(t.halfBits))]
        case let .packedBF16(p):
            return p.panelPointers.enumerated().map { i, pointer in
                (i * p.panelWidth, min(p.panelWidth, columns - i * p.panelWidth), pointer)
            }
        }
    }
}
