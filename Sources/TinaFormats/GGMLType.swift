/// GGML tensor types as numbered in GGUF files (ggml.h `enum ggml_type`), with their block geometry
/// (elements per block, bytes per block) as gguf-py's GGML_QUANT_SIZES lists them.
public struct GGMLType: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let f32 = GGMLType(rawValue: 0), f16 = GGMLType(rawValue: 1)
    public static let q4_0 = GGMLType(rawValue: 2), q4_1 = GGMLType(rawValue: 3)
    public static let q5_0 = GGMLType(rawValue: 6), q5_1 = GGMLType(rawValue: 7)
    public static let q8_0 = GGMLType(rawValue: 8), q8_1 = GGMLType(rawValue: 9)
    public static let q2_K = GGMLType(rawValue: 10), q3_K = GGMLType(rawValue: 11)
    public static let q4_K = GGMLType(rawValue: 12), q5_K = GGMLType(rawValue: 13)
    public static let q6_K = GGMLType(rawValue: 14), q8_K = GGMLType(rawValue: 15)
    public static let i8 = GGMLType(rawValue: 24), i16 = GGMLType(rawValue: 25)
    public static let i32 = GGMLType(rawValue: 26), i64 = GGMLType(rawValue: 27)
    public static let f64 = GGMLType(rawValue: 28), bf16 = GGMLType(rawValue: 30)

    private static let table: [UInt32: (name: String, blockElements: Int, blockBytes: Int)] = [
        0: ("F32", 1, 4), 1: ("F16", 1, 2), 2: ("Q4_0", 32, 18), 3: ("Q4_1", 32, 20),
        6: ("Q5_0", 32, 22), 7: ("Q5_1", 32, 24), 8: ("Q8_0", 32, 34), 9: ("Q8_1", 32, 40),
        10: ("Q2_K", 256, 84), 11: ("Q3_K", 256, 110), 12: ("Q4_K", 256, 144), 13: ("Q5_K", 256, 176),
        14: ("Q6_K", 256, 210), 15: ("Q8_K", 256, 292), 16: ("IQ2_XXS", 256, 66), 17: ("IQ2_XS", 256, 74),
        18: ("IQ3_XXS", 256, 98), 19: ("IQ1_S", 256, 50), 20: ("IQ4_NL", 32, 18), 21: ("IQ3_S", 256, 110),
        22: ("IQ2_S", 256, 82), 23: ("IQ4_XS", 256, 136), 24: ("I8", 1, 1), 25: ("I16", 1, 2),
        26: ("I32", 1, 4), 27: ("I64", 1, 8), 28: ("F64", 1, 8), 29: ("IQ1_M", 256, 56), 30: ("BF16", 1, 2),
        34: ("TQ1_0", 256, 54), 35: ("TQ2_0", 256, 66), 39: ("MXFP4", 32, 17),
    ]

    /// False for type numbers this table does not know; such tensors cannot even be sized.
    public var isKnown: Bool { Self.table[rawValue] != nil }
    public var name: String { Self.table[rawValue]?.name ?? "type#\(rawValue)" }
    public var blockElements: Int { Self.table[rawValue]?.blockElements ?? 0 }
    public var blockBytes: Int { Self.table[rawValue]?.blockBytes ?? 0 }
    public var description: String { name }

    /// Whether `GGUFDequantize` can widen this type to f32.
    public var canDequantize: Bool {
        [GGMLType.f32, .f16, .bf16, .f64, .i8, .i16, .i32, .q4_0, .q4_1, .q5_0, .q5_1, .q8_0, .q4_K, .q5_K, .q6_K].contains(self)
    }
}
