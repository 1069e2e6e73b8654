/// A contiguous row-major tensor view: a dtype, a shape and an offset into shared `TensorStorage`.
/// Views share bytes like PyTorch tensors (reshape and row slices copy nothing); element math is done in f32.
public struct Tensor: Sendable {
    public let dtype: DType
    public let shape: [Int]
    public let count: Int
    public let storage: TensorStorage
    /// Offset of the first element, in bytes.
    public let byteOffset: Int

    /// A zero-filled tensor.
    public init(zeros shape: [Int], dtype: DType = .f32) throws {
        try self.init(shape, dtype: dtype, zeroed: true)
    }

    /// A tensor whose contents are unspecified, for the output of an operation that writes every element (no
    /// zero-fill pass over memory that is about to be overwritten). `TINA_POISON_UNINITIALIZED=1` fills it with
    /// NaN bytes instead, so a read of an unwritten element shows up in results (`make test` sets it).
    public init(uninitialized shape: [Int], dtype: DType = .f32) throws {
        try self.init(shape, dtype: dtype, zeroed: false)
    }

    private init(_ shape: [Int], dtype: DType, zeroed: Bool) throws {
        guard let count = elementCount(shape) else {
            throw TinaError.invalidArgument("tensor shape \(shape) has a negative dimension or is too large")
        }
        self.dtype = dtype
        self.shape = shape
        self.count = count
        storage = zeroed ? TensorStorage(zeroedByteCount: count * dtype.byteSize)
            : TensorStorage(uninitializedByteCount: count * dtype.byteSize)
        byteOffset = 0
    }

    /// An f32 tensor holding `values` (whose count must match the shape).
    public init(shape: [Int], values: [Float]) throws {
        try self.init(zeros: shape, dtype: .f32)
        guard values.count == count else {
            throw TinaError.shapeMismatch(what: "tensor values", expected: shape, actual: [values.count])
        }
        values.withUnsafeBufferPointer { source in
            if let base = source.baseAddress { floats.update(from: base, count: count) }
        }
    }

    /// A view over existing storage. Throws when the view would reach outside the storage.
    public init(storage: TensorStorage, byteOffset: Int = 0, dtype: DType, shape: [Int]) throws {
        guard let count = elementCount(shape) else {
            throw TinaError.invalidArgument("tensor shape \(shape) has a negative dimension or is too large")
        }
        let (end, overflow) = byteOffset.addingReportingOverflow(count * dtype.byteSize)
        guard byteOffset >= 0, !overflow, end <= storage.byteCount else {
            throw TinaError.invalidArgument("tensor view of \(count) \(dtype) elements at byte \(byteOffset) exceeds storage of \(storage.byteCount) bytes")
        }
        self.dtype = dtype
        self.shape = shape
        self.count = count
        self.storage = storage
        self.byteOffset = byteOffset
    }

    public var rank: Int { shape.count }
    public var device: Device { storage.device }
    public var byteCount: Int { count * dtype.byteSize }
    public var rawPointer: UnsafeMutableRawPointer { storage.bytes + byteOffset }

    /// The elements as f32. Only meaningful for `.f32` tensors; use `asFloat32()` to convert others.
    public var floats: UnsafeMutablePointer<Float> { rawPointer.assumingMemoryBound(to: Float.self) }
    /// The elements as raw 16-bit patterns (bf16 or f16 tensors).
    public var halfBits: UnsafeMutablePointer<UInt16> { rawPointer.assumingMemoryBound(to: UInt16.self) }

    /// Elements per row (product of all but the first dimension).
    public var rowLength: Int { shape.isEmpty ? 1 : shape.dropFirst().reduce(1, *) }

    /// The same bytes seen with another shape of equal element count.
    public func reshaped(_ newShape: [Int]) throws -> Tensor {
        guard elementCount(newShape) == count else {
            throw TinaError.shapeMismatch(what: "reshape", expected: shape, actual: newShape)
        }
        return try Tensor(storage: storage, byteOffset: byteOffset, dtype: dtype, shape: newShape)
    }

    /// Rows `range` of the first dimension, sharing storage.
    public func rows(_ range: Range<Int>) throws -> Tensor {
        guard let first = shape.first, range.lowerBound >= 0, range.upperBound <= first else {
            throw TinaError.invalidArgument("rows \(range) out of bounds for shape \(shape)")
        }
        var newShape = shape
        newShape[0] = range.count
        return try Tensor(storage: storage, byteOffset: byteOffset + range.lowerBound * rowLength * dtype.byteSize,
                          dtype: dtype, shape: newShape)
    }

    /// A copy converted to f32 (a copy even when already f32). Integer dtypes convert by value.
    public func asFloat32() throws -> Tensor {
        let result = try Tensor(zeros: shape, dtype: .f32)
        let out = result.floats
        let raw = UnsafeRawPointer(rawPointer)
        switch dtype {
        case .f32: out.update(from: floats, count: count)
        case .bf16: HalfPrecision.bf16ToFloat(halfBits, out, count: count)
        case .f16: HalfPrecision.f16ToFloat(halfBits, out, count: count)
        case .f64: for i in 0..<count { out[i] = Float(raw.loadUnaligned(fromByteOffset: i * 8, as: Double.self)) }
        case .i64: for i in 0..<count { out[i] = Float(raw.loadUnaligned(fromByteOffset: i * 8, as: Int64.self)) }
        case .i32: for i in 0..<count { out[i] = Float(raw.loadUnaligned(fromByteOffset: i * 4, as: Int32.self)) }
        case .i16: for i in 0..<count { out[i] = Float(raw.loadUnaligned(fromByteOffset: i * 2, as: Int16.self)) }
        case .i8: for i in 0..<count { out[i] = Float(raw.load(fromByteOffset: i, as: Int8.self)) }
        case .u64: for i in 0..<count { out[i] = Float(raw.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self)) }
        case .u32: for i in 0..<count { out[i] = Float(raw.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self)) }
        case .u16: for i in 0..<count { out[i] = Float(raw.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self)) }
        case .u8, .bool: for i in 0..<count { out[i] = Float(raw.load(fromByteOffset: i, as: UInt8.self)) }
        }
        return result
    }

    /// A copy stored as `target` (f32, bf16 or f16), rounding to nearest even.
    public func converted(to target: DType) throws -> Tensor {
        let wide = dtype == .f32 ? self : try asFloat32()
        switch target {
        case .f32: return dtype == .f32 ? try asFloat32() : wide
        case .bf16:
            let result = try Tensor(zeros: shape, dtype: .bf16)
            HalfPrecision.floatToBF16(wide.floats, result.halfBits, count: count)
            return result
        case .f16:
            let result = try Tensor(zeros: shape, dtype: .f16)
            HalfPrecision.floatToF16(wide.floats, result.halfBits, count: count)
            return result
        default:
            throw TinaError.unsupported(source: "tensor conversion", reason: "cannot convert to \(target.rawValue)")
        }
    }

    /// All elements as a Swift array of f32.
    public func toArray() throws -> [Float] {
        let wide = dtype == .f32 ? self : try asFloat32()
        return Array(UnsafeBufferPointer(start: wide.floats, count: count))
    }
}
