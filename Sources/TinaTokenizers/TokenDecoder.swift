import Foundation
import TinaCore

/// tokenizer.json decoders: turn token strings back into text.
public indirect enum TokenDecoder: Sendable {
    /// GPT-2 bytes: each token's characters map back to bytes (a token with characters outside the map,
    /// such as an added token, contributes its own UTF-8), then the bytes are read as UTF-8.
    case byteLevel
    case replace(pattern: String, content: String)
    case strip(content: String, start: Int, stop: Int)
    case fuse
    case byteFallback
    case sequence([TokenDecoder])

    /// The text of a token sequence.
    func decode(_ tokens: [String]) -> String { decodeChain(tokens).joined() }

    /// The token-wise chain (HF `decode_chain`).
    func decodeChain(_ tokens: [String]) -> [String] {
        switch self {
        case .byteLevel:
            let bytes = tokens.flatMap { token -> [UInt8] in
                var out: [UInt8] = []
                for scalar in token.unicodeScalars {
                    guard let b = ByteLevel.scalarToByte[scalar.value] else { return Array(token.utf8) }
                    out.append(b)
                }
                return out
            }
            return [String(decoding: bytes, as: UTF8.self)]
        case let .replace(pattern, content):
            return tokens.map { $0.replacingOccurrences(of: pattern, with: content) }
        case let .strip(content, start, stop):
            return tokens.map { token in
                var scalars = Array(token.unicodeScalars)
                let c = content.unicodeScalars.first
                var dropped = 0
                while dropped < start, let first = scalars.first, first == c { scalars.removeFirst(); dropped += 1 }
                dropped = 0
                while dropped < stop, let last = scalars.last, last == c { scalars.removeLast(); dropped += 1 }
                return String(String.UnicodeScalarView(scalars))
            }
        case .fuse:
            return [tokens.joined()]
        case .byteFallback:
            var out: [String] = []
            var bytes: [UInt8] = []
            for token in tokens {
                if token.count == 6, token.hasPrefix("<0x"), token.hasSuffix(">"), let b = UInt8(token.dropFirst(3).dropLast(), radix: 16) {
                    bytes.append(b)
                    continue
                }
                if !bytes.isEmpty { out.append(String(decoding: bytes, as: UTF8.self)); bytes = [] }
                out.append(token)
            }
            if !bytes.isEmpty { out.append(String(decoding: bytes, as: UTF8.self)) }
            return out
        case let .sequence(list):
            return list.reduce(tokens) { $1.decodeChain($0) }
        }
    }

    static func parse(_ json: Any?, source: String) throws -> TokenDecoder? {
        guard let (object, type) = try typedComponent(json, kind: "decoder", source: source) else { return nil }
        switch type {
        case "ByteLevel": return .byteLevel
        case "Fuse": return .fuse
        case "ByteFallback": return .byteFallback
        case "Replace":
            guard let pattern = (object["pattern"] as? [String: Any])?["String"] as? String, let content = object["content"] as? String else {
                throw TinaError.unsupported(source: source, reason: "Replace decoder without a plain String pattern")
            }
            return .replace(pattern: pattern, content: content)
        case "Strip":
            return .strip(content: object["content"] as? String ?? " ", start: object["start"] as? Int ?? 0, stop: object["stop"] as? Int ?? 0)
        case "Sequence":
            guard let list = object["decoders"] as? [Any] else { throw TinaError.malformed(source: source, reason: "Sequence decoder has no list") }
            return .sequence(try list.compactMap { try parse($0, source: source) })
        default:
            throw TinaError.unsupported(source: source, reason: "decoder type '\(type)'")
        }
    }
}
