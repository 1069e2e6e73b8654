import TinaCore

/// One tensor of a GGUF file. `dimensions` are in GGUF order (innermost first, ggml's `ne`);
/// `shape` is the row-major order that PyTorch and safetensors use (reversed).
public struct GGUFTensorInfo: Sendable, Equatable {
    public let name: String
    public let dimensions: [Int]
    public let type: GGMLType
    /// Offset from the start of the data section.
    public let offset: Int
    public let elementCount: Int
    public let byteCount: Int

    public var shape: [Int] { dimensions.reversed() }
}

/// A parsed GGUF v2/v3 file (https://github.com/ggml-org/ggml/blob/master/docs/gguf.md): header, metadata,
/// tensor infos, then the aligned data section. Parsing validates every count, string, type, dimension and
/// offset against the bytes present; tensor data is read lazily from the memory mapping.
public final class GGUFFile: @unchecked Sendable {
    public let source: String
    public let version: UInt32
    /// Metadata in file order.
    public let metadata: [(key: String, value: GGUFValue)]
    public let tensors: [GGUFTensorInfo]
    public let alignment: Int
    public let dataStart: Int
    private let keyIndex: [String: Int]
    private let tensorIndex: [String: Int]
    private let bytes: UnsafeRawBufferPointer
    private let owner: AnyObject?

    static let magic: UInt32 = 0x4655_4747  // "GGUF" read little-endian
    static let maxDimensions = 4
    static let maxArrayDepth = 8

    /// Maps and parses the file at `path`.
    public convenience init(path: String) throws {
        let file = try MappedFile(path: path)
        try self.init(bytes: file.bytes, source: path, owner: file)
    }

    /// Parses bytes kept alive by `owner` (nil when the caller keeps them alive, as tests do).
    public init(bytes: UnsafeRawBufferPointer, source: String, owner: AnyObject?) throws {
        self.source = source
        self.bytes = bytes
        self.owner = owner
        var reader = ByteReader(bytes, source: source)
        guard try reader.read(UInt32.self, what: "magic") == Self.magic else {
            throw TinaError.malformed(source: source, reason: "not a GGUF file (magic bytes are not 'GGUF')")
        }
        version = try reader.read(UInt32.self, what: "version")
        guard version == 2 || version == 3 else {
            throw TinaError.unsupported(source: source, reason: "GGUF version \(version) (only 2 and 3 are read)")
        }
        let tensorCount = try reader.readCount(what: "tensor count", minItemBytes: 24)
        let kvCount = try reader.readCount(what: "metadata count", minItemBytes: 12)
        var metadata: [(key: String, value: GGUFValue)] = []
        var keyIndex: [String: Int] = [:]
        for _ in 0..<kvCount {
            let key = try reader.readString(what: "metadata key")
            let type = try reader.read(UInt32.self, what: "type of '\(key)'")
            let value = try Self.readValue(type: type, reader: &reader, key: key, depth: 0)
            guard keyIndex[key] == nil else {
                throw TinaError.malformed(source: source, reason: "metadata key '\(key)' appears twice")
            }
            keyIndex[key] = metadata.count
            metadata.append((key, value))
        }
        var alignment = 32
        if let index = keyIndex["general.alignment"] {
            guard case let .uint32(value) = metadata[index].value, value > 0, value.nonzeroBitCount == 1 else {
                throw TinaError.malformed(source: source, reason: "general.alignment must be a u32 power of two")
            }
            alignment = Int(value)
        }
        var tensors: [GGUFTensorInfo] = []
        var tensorIndex: [String: Int] = [:]
        for _ in 0..<tensorCount {
            let info = try Self.readTensorInfo(reader: &reader, source: source)
            guard tensorIndex[info.name] == nil else {
                throw TinaError.malformed(source: source, reason: "tensor '\(info.name)' appears twice")
            }
            guard info.offset % alignment == 0 else {
                throw TinaError.malformed(source: source, reason: "tensor '\(info.name)' offset \(info.offset) is not a multiple of the alignment \(alignment)")
            }
            tensorIndex[info.name] = tensors.count
            tensors.append(info)
        }
        let (padded, overflow) = reader.offset.addingReportingOverflow(alignment - 1)
        let dataStart = overflow ? Int.max : padded / alignment * alignment
        let dataLength = bytes.count - dataStart
        if !tensors.isEmpty {
            guard dataLength >= 0 else {
                throw TinaError.malformed(source: source, reason: "file ends before its data section (byte \(dataStart))")
            }
            var previousEnd = 0
            var previousName = ""
            for info in tensors.sorted(by: { $0.offset < $1.offset }) {
                guard info.offset >= previousEnd else {
                    throw TinaError.malformed(source: source, reason: "tensor '\(info.name)' (offset \(info.offset)) overlaps '\(previousName)' (ends at \(previousEnd))")
                }
                guard info.byteCount <= dataLength - info.offset else {
                    throw TinaError.malformed(source: source, reason: "tensor '\(info.name)' bytes \(info.offset)..<\(info.offset + info.byteCount) run past the data section (\(dataLength) bytes)")
                }
                previousEnd = info.offset + info.byteCount
                previousName = info.name
            }
        }
        self.metadata = metadata
        self.keyIndex = keyIndex
        self.tensors = tensors
        self.tensorIndex = tensorIndex
        self.alignment = alignment
        self.dataStart = dataStart
    }

    private static func readValue(type: UInt32, reader: inout ByteReader, key: String, depth: Int) throws -> GGUFValue {
        let what = "value of '\(key)'"
        switch type {
        case 0: return .uint8(try reader.read(UInt8.self, what: what))
        case 1: return .int8(try reader.read(Int8.self, what: what))
        case 2: return .uint16(try reader.read(UInt16.self, what: what))
        case 3: return .int16(try reader.read(Int16.self, what: what))
        case 4: return .uint32(try reader.read(UInt32.self, what: what))
        case 5: return .int32(try reader.read(Int32.self, what: what))
        case 6: return .float32(try reader.readFloat(what: what))
        case 7:
            let byte = try reader.read(UInt8.self, what: what)
            guard byte <= 1 else {
                throw TinaError.malformed(source: reader.source, reason: "bool \(what) is \(byte), not 0 or 1")
            }
            return .bool(byte == 1)
        case 8: return .string(try reader.readString(what: what))
        case 9:
            guard depth < maxArrayDepth else {
                throw TinaError.malformed(source: reader.source, reason: "arrays nested deeper than \(maxArrayDepth) in '\(key)'")
            }
            let elementType = try reader.read(UInt32.self, what: "array type of '\(key)'")
            guard let size = minimumSize(of: elementType) else {
                throw TinaError.malformed(source: reader.source, reason: "array '\(key)' has unknown element type \(elementType)")
            }
            let count = try reader.readCount(what: "array length of '\(key)'", minItemBytes: size)
            var items: [GGUFValue] = []
            items.reserveCapacity(count)
            for _ in 0..<count {
                items.append(try readValue(type: elementType, reader: &reader, key: key, depth: depth + 1))
            }
            return .array(elementType, items)
        case 10: return .uint64(try reader.read(UInt64.self, what: what))
        case 11: return .int64(try reader.read(Int64.self, what: what))
        case 12: return .float64(try reader.readDouble(what: what))
        default:
            throw TinaError.malformed(source: reader.source, reason: "metadata '\(key)' has unknown value type \(type)")
        }
    }

    /// Fewest bytes one value of a type occupies (strings and arrays: their u64 length; arrays also their type).
    private static func minimumSize(of type: UInt32) -> Int? {
        switch type {
        case 0, 1, 7: return 1
        case 2, 3: return 2
        case 4, 5, 6: return 4
        case 8, 10, 11, 12: return 8
        case 9: return 12
        default: return nil
        }
    }

    private static func readTensorInfo(reader: inout ByteReader, source: String) throws -> GGUFTensorInfo {
        let name = try reader.readString(what: "tensor name")
        let rank = try reader.read(UInt32.self, what: "dimension count of '\(name)'")
        guard rank >= 1, rank <= maxDimensions else {
            throw TinaError.malformed(source: source, reason: "tensor '\(name)' has \(rank) dimensions (1...\(maxDimensions) allowed)")
        }
        var dimensions: [Int] = []
        for _ in 0..<rank {
            let dim = try reader.read(UInt64.self, what: "dimension of '\(name)'")
            guard dim <= UInt64(Int32.max) else {
                throw TinaError.malformed(source: source, reason: "tensor '\(name)' dimension \(dim) is too large")
            }
            dimensions.append(Int(dim))
        }
        let type = GGMLType(rawValue: try reader.read(UInt32.self, what: "type of '\(name)'"))
        let rawOffset = try reader.read(UInt64.self, what: "offset of '\(name)'")
        guard type.isKnown else {
            throw TinaError.unsupported(source: source, reason: "tensor '\(name)' has unknown ggml type \(type.rawValue)")
        }
        guard let count = elementCount(dimensions), dimensions[0] % type.blockElements == 0 else {
            throw TinaError.malformed(source: source, reason: "tensor '\(name)' dimensions \(dimensions) do not fit \(type.name) blocks of \(type.blockElements)")
        }
        let (byteCount, overflow) = (count / type.blockElements).multipliedReportingOverflow(by: type.blockBytes)
        guard !overflow, rawOffset <= UInt64(Int.max / 2) else {
            throw TinaError.malformed(source: source, reason: "tensor '\(name)' size or offset is out of range")
        }
        return GGUFTensorInfo(name: name, dimensions: dimensions, type: type, offset: Int(rawOffset),
                              elementCount: count, byteCount: byteCount)
    }

    public func value(_ key: String) -> GGUFValue? {
        keyIndex[key].map { metadata[$0].value }
    }

    public func tensorInfo(_ name: String) -> GGUFTensorInfo? {
        tensorIndex[name].map { tensors[$0] }
    }

    /// The raw stored bytes of a tensor (valid while this file object lives).
    public func rawBytes(of info: GGUFTensorInfo) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: bytes[(dataStart + info.offset)..<(dataStart + info.offset + info.byteCount)])
    }

    /// The tensor widened to f32, shaped row-major (`info.shape`).
    public func dequantized(_ name: String) throws -> Tensor {
        guard let info = tensorInfo(name) else {
            throw TinaError.missing(source: source, what: "tensor '\(name)'")
        }
        let result = try Tensor(zeros: info.shape, dtype: .f32)
        try GGUFDequantize.toFloat(rawBytes(of: info), type: info.type, count: info.elementCount,
                                   into: result.floats, what: "\(source): tensor '\(name)'")
        return result
    }
}
