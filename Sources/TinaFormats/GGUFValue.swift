/// A GGUF metadata value (gguf.md "Standardized key-value pairs": value types 0-12, arrays of any of them).
public indirect enum GGUFValue: Sendable, Equatable {
    case uint8(UInt8), int8(Int8), uint16(UInt16), int16(Int16), uint32(UInt32), int32(Int32)
    case float32(Float), bool(Bool), string(String), uint64(UInt64), int64(Int64), float64(Double)
    /// Element type code and the elements.
    case array(UInt32, [GGUFValue])

    /// Any integer value as Int (nil for other kinds or values that do not fit).
    public var int: Int? {
        switch self {
        case let .uint8(v): return Int(v)
        case let .int8(v): return Int(v)
        case let .uint16(v): return Int(v)
        case let .int16(v): return Int(v)
        case let .uint32(v): return Int(v)
        case let .int32(v): return Int(v)
        case let .uint64(v): return Int(exactly: v)
        case let .int64(v): return Int(v)
        default: return nil
        }
    }

    /// Any numeric value as Double.
    public var double: Double? {
        switch self {
        // The shortest decimal that reads back as the same Float: 1e-05, not 9.999999747378752e-06.
        case let .float32(v): return Double(String(v)) ?? Double(v)
        case let .float64(v): return v
        default: return int.map(Double.init)
        }
    }

    public var string: String? { if case let .string(v) = self { return v } else { return nil } }
    public var bool: Bool? { if case let .bool(v) = self { return v } else { return nil } }
    public var array: [GGUFValue]? { if case let .array(_, v) = self { return v } else { return nil } }

    /// Short human-readable form; arrays show their length and first items.
    public var summary: String {
        switch self {
        case let .string(v): return v.count > 60 ? "\"\(v.prefix(57))...\" (\(v.count) chars)" : "\"\(v)\""
        case let .array(_, items):
            let head = items.prefix(3).map(\.summary).joined(separator: ", ")
            return "[\(head)\(items.count > 3 ? ", ..." : "")] (\(items.count) items)"
        case let .bool(v): return String(v)
        case let .float32(v): return String(v)
        case let .float64(v): return String(v)
        default: return int.map(String.init) ?? "?"
        }
    }
}
