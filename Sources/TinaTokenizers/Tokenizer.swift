import Foundation
import TinaCore

/// One encoded token: its id, its string in the vocabulary, and the UTF-8 byte range of the normalized text
/// it covers (added tokens: the bytes of their content).
public struct EncodedToken: Sendable, Equatable, Codable {
    public var id: Int
    public var token: String
    public var start: Int
    public var end: Int
}

/// A Hugging Face fast tokenizer (byte-level BPE family): added tokens, normalizer, pre-tokenizer, BPE model,
/// post-processor and decoder, loaded from `tokenizer.json` (+ `tokenizer_config.json`) or GGUF metadata.
public final class Tokenizer: @unchecked Sendable {
    public let model: BPE
    public let addedTokens: [AddedToken]
    public let normalizer: Normalizer?
    public let preTokenizer: PreTokenizer?
    public let postProcessor: PostProcessor
    public let decoder: TokenDecoder?
    public let bosToken: String?
    public let eosToken: String?
    /// The chat template from tokenizer_config.json or GGUF metadata, if any.
    public let chatTemplate: String?
    let matcher: AddedTokenMatcher
    let addedByID: [Int: AddedToken]

    init(model: BPE, addedTokens: [AddedToken], normalizer: Normalizer?, preTokenizer: PreTokenizer?,
         postProcessor: PostProcessor, decoder: TokenDecoder?, bosToken: String?, eosToken: String?, chatTemplate: String?) {
        self.model = model
        self.addedTokens = addedTokens
        self.normalizer = normalizer
        self.preTokenizer = preTokenizer
        self.postProcessor = postProcessor
        self.decoder = decoder
        self.bosToken = bosToken
        self.eosToken = eosToken
        self.chatTemplate = chatTemplate
        matcher = AddedTokenMatcher(addedTokens)
        var byID: [Int: AddedToken] = [:]
        for t in addedTokens { byID[t.id] = t }
        addedByID = byID
    }

    /// Largest id + 1 over the vocabulary and the added tokens.
    public var vocabularySize: Int { max(model.tokens.count, (addedTokens.map(\.id).max() ?? -1) + 1) }

    public func id(of token: String) -> Int? {
        addedTokens.first { $0.content == token }?.id ?? model.vocab[token]
    }

    public func token(of id: Int) -> String? {
        if let added = addedByID[id] { return added.content }
        guard id >= 0, id < model.tokens.count, !model.tokens[id].isEmpty else { return nil }
        return model.tokens[id]
    }

    public var bosTokenID: Int? { bosToken.flatMap { id(of: $0) } }
    public var eosTokenID: Int? { eosToken.flatMap { id(of: $0) } }

    public func encode(_ text: String, addSpecialTokens: Bool = true) -> [Int] {
        var ids: [Int] = addSpecialTokens ? postProcessor.prefix : []
        let segments: [AddedTokenMatcher.Segment] = matcher.isEmpty ? [.text(Array(text.unicodeScalars))] : matcher.split(text)
        for segment in segments {
            switch segment {
            case let .token(t): ids.append(t.id)
            case let .text(scalars):
                for piece in pieces(of: scalars) {
                    ids += model.encode(word: String(String.UnicodeScalarView(piece.scalars)))
                }
            }
        }
        if addSpecialTokens { ids += postProcessor.suffix }
        return ids
    }

    /// Normalized, pre-tokenized pieces of a stretch of text between added tokens.
    private func pieces(of scalars: [Unicode.Scalar]) -> [Piece] {
        var normalizedScalars = scalars
        if let normalizer {
            normalizedScalars = Array(normalizer.apply(String(String.UnicodeScalarView(scalars))).unicodeScalars)
        }
        let whole = Piece(scalars: normalizedScalars, offset: 0)
        return preTokenizer?.apply([whole]) ?? [whole]
    }

    public func encodeDetailed(_ text: String, addSpecialTokens: Bool = true) -> [EncodedToken] {
        var out: [EncodedToken] = []
        if addSpecialTokens { out += postProcessor.prefix.map { special($0) } }
        var byteOffset = 0
        let segments: [AddedTokenMatcher.Segment] = matcher.isEmpty ? [.text(Array(text.unicodeScalars))] : matcher.split(text)
        for segment in segments {
            switch segment {
            case let .token(t):
                let length = t.content.utf8.count
                out.append(EncodedToken(id: t.id, token: t.content, start: byteOffset, end: byteOffset + length))
                byteOffset += length
            case let .text(scalars):
                let normalizedScalars = normalizer.map { Array($0.apply(String(String.UnicodeScalarView(scalars))).unicodeScalars) } ?? scalars
                var utf8Offsets: [Int] = [0]  // scalar index -> byte offset within this segment
                for scalar in normalizedScalars { utf8Offsets.append(utf8Offsets[utf8Offsets.count - 1] + String(scalar).utf8.count) }
                for piece in pieces(of: scalars) {
                    let word = String(String.UnicodeScalarView(piece.scalars))
                    var pieceByte = byteOffset + utf8Offsets[min(piece.offset, normalizedScalars.count)]
                    for id in model.encode(word: word) {
                        let tokenString = model.tokens[id]
                        let length = ByteLevel.decode(tokenString).count
                        out.append(EncodedToken(id: id, token: tokenString, start: pieceByte, end: pieceByte + length))
                        pieceByte += length
                    }
                }
                byteOffset += utf8Offsets[utf8Offsets.count - 1]
            }
        }
        if addSpecialTokens { out += postProcessor.suffix.map { special($0) } }
        return out
    }

    private func special(_ id: Int) -> EncodedToken {
        EncodedToken(id: id, token: token(of: id) ?? "", start: 0, end: 0)
    }

    /// Text of `ids`. Unknown ids are skipped; `skipSpecialTokens` drops added tokens marked special.
    public func decode(_ ids: [Int], skipSpecialTokens: Bool = false) -> String {
        let tokens = ids.compactMap { id -> String? in
            if skipSpecialTokens, addedByID[id]?.special == true { return nil }
            return token(of: id)
        }
        return decoder?.decode(tokens) ?? tokens.joined(separator: " ")
    }
}

extension Tokenizer {
    /// The same tokenizer with its hand-written split scanners replaced by the general regex engine running
    /// the same patterns (nil when it has none): for measuring the scanners against the regex route.
    public func withRegexSplit() throws -> Tokenizer? {
        func swap(_ p: PreTokenizer?) throws -> (PreTokenizer?, Bool) {
            switch p {
            case let .split(.qwen2, behavior, invert)?:
                return (.split(try SplitPattern.onigurumaRegex(SplitPatterns.qwen2), behavior: behavior, invert: invert), true)
            case let .split(.gpt2, behavior, invert)?:
                return (.split(try SplitPattern.onigurumaRegex(SplitPatterns.gpt2), behavior: behavior, invert: invert), true)
            case let .sequence(list)?:
                var changed = false
                let swapped = try list.map { item -> PreTokenizer in
                    let (s, c) = try swap(item)
                    changed = changed || c
                    return s ?? item
                }
                return (.sequence(swapped), changed)
            default: return (p, false)
            }
        }
        let (pre, changed) = try swap(preTokenizer)
        guard changed else { return nil }
        return Tokenizer(model: model, addedTokens: addedTokens, normalizer: normalizer, preTokenizer: pre,
                         postProcessor: postProcessor, decoder: decoder, bosToken: bosToken, eosToken: eosToken,
                         chatTemplate: chatTemplate)
    }
}
