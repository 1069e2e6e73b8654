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
        encodeDetailed(text, addSpecialTokens: addSpecialTokens).map(\.id)
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
                var normalized = String(String.UnicodeScalarView(scalars))
                if let normalizer { normalized = normalizer.apply(normalized) }
                let normalizedScalars = Array(normalized.unicodeScalars)
                var utf8Offsets: [Int] = [0]  // scalar index -> byte offset within this segment
                for scalar in normalizedScalars { utf8Offsets.append(utf8Offsets[utf8Offsets.count - 1] + String(scalar).utf8.count) }
                let pieces = preTokenizer?.apply([Piece(scalars: normalizedScalars, offset: 0)])
                    ?? [Piece(scalars: normalizedScalars, offset: 0)]
                for piece in pieces {
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
