/// The Unicode classes the pre-tokenizer patterns use, as Oniguruma (HF tokenizers' regex engine) defines them.
extension Unicode.Scalar {
    /// \p{L}: general category Lu, Ll, Lt, Lm or Lo.
    var isLetter: Bool {
        switch properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return true
        default: return false
        }
    }

    /// \p{N}: general category Nd, Nl or No.
    var isNumber: Bool {
        switch properties.generalCategory {
        case .decimalNumber, .letterNumber, .otherNumber: return true
        default: return false
        }
    }

    /// \s: the White_Space property (includes U+000B and U+0085, which ICU's \s leaves out).
    var isSpace: Bool { properties.isWhitespace }

    var isLineBreak: Bool { value == 0x0A || value == 0x0D }
}
