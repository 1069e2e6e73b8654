/// The Unicode classes the pre-tokenizer patterns use, as Oniguruma (HF tokenizers' regex engine) defines them.
/// ASCII goes through a table (the Unicode property lookups dominated encoding time, measured with perf).
extension Unicode.Scalar {
    private static let asciiLetter: UInt8 = 1, asciiNumber: UInt8 = 2, asciiSpace: UInt8 = 4

    private static let asciiClasses: [UInt8] = (0..<128).map { v -> UInt8 in
        switch v {
        case 65...90, 97...122: return asciiLetter
        case 48...57: return asciiNumber
        case 9...13, 32: return asciiSpace
        default: return 0
        }
    }

    /// \p{L}: general category Lu, Ll, Lt, Lm or Lo.
    var isLetter: Bool {
        if value < 128 { return Self.asciiClasses[Int(value)] == Self.asciiLetter }
        switch properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return true
        default: return false
        }
    }

    /// \p{N}: general category Nd, Nl or No.
    var isNumber: Bool {
        if value < 128 { return Self.asciiClasses[Int(value)] == Self.asciiNumber }
        switch properties.generalCategory {
        case .decimalNumber, .letterNumber, .otherNumber: return true
        default: return false
        }
    }

    /// \s: the White_Space property (includes U+000B and U+0085, which ICU's \s leaves out).
    var isSpace: Bool {
        if value < 128 { return Self.asciiClasses[Int(value)] == Self.asciiSpace }
        return properties.isWhitespace
    }

    var isLineBreak: Bool { value == 0x0A || value == 0x0D }
}
