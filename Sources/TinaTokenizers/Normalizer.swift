import Foundation
import TinaCore

/// tokenizer.json normalizers (HF tokenizers `normalizers`), applied to text between added tokens.
public indirect enum Normalizer: Sendable {
    case nfc, nfd, nfkc, nfkd, lowercase
    case replace(pattern: String, content: String)
    case prepend(String)
    case strip(left: Bool, right: Bool)
    case sequence([Normalizer])

    public func apply(_ text: String) -> String {
        switch self {
        case .nfc:
            // Below U+0300 there are no combining marks and every character is already composed.
            if text.unicodeScalars.allSatisfy({ $0.value < 0x300 }) { return text }
            return text.precomposedStringWithCanonicalMapping
        case .nfd: return text.decomposedStringWithCanonicalMapping
        case .nfkc: return text.precomposedStringWithCompatibilityMapping
        case .nfkd: return text.decomposedStringWithCompatibilityMapping
        case .lowercase: return text.lowercased()
        case let .replace(pattern, content): return text.replacingOccurrences(of: pattern, with: content)
        case let .prepend(prefix): return text.isEmpty ? text : prefix + text
        case let .strip(left, right):
            var scalars = Substring(text).unicodeScalars[...]
            while left, let first = scalars.first, first.properties.isWhitespace { scalars.removeFirst() }
            while right, let last = scalars.last, last.properties.isWhitespace { scalars.removeLast() }
            return String(String.UnicodeScalarView(scalars))
        case let .sequence(list): return list.reduce(text) { $1.apply($0) }
        }
    }

    static func parse(_ json: Any?, source: String) throws -> Normalizer? {
        guard let (object, type) = try typedComponent(json, kind: "normalizer", source: source) else { return nil }
        switch type {
        case "NFC": return .nfc
        case "NFD": return .nfd
        case "NFKC": return .nfkc
        case "NFKD": return .nfkd
        case "Lowercase": return .lowercase
        case "Prepend":
            guard let prefix = object["prepend"] as? String else { throw TinaError.malformed(source: source, reason: "Prepend normalizer has no 'prepend'") }
            return .prepend(prefix)
        case "Replace":
            guard let pattern = (object["pattern"] as? [String: Any])?["String"] as? String, let content = object["content"] as? String else {
                throw TinaError.unsupported(source: source, reason: "Replace normalizer without a plain String pattern")
            }
            return .replace(pattern: pattern, content: content)
        case "Strip":
            return .strip(left: object["strip_left"] as? Bool ?? true, right: object["strip_right"] as? Bool ?? true)
        case "Sequence":
            guard let list = object["normalizers"] as? [Any] else { throw TinaError.malformed(source: source, reason: "Sequence normalizer has no list") }
            return .sequence(try list.compactMap { try parse($0, source: source) })
        default:
            throw TinaError.unsupported(source: source, reason: "normalizer type '\(type)'")
        }
    }
}
