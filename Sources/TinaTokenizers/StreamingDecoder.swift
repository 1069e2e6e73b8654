/// Turns a stream of token ids into text pieces whose concatenation equals the one-shot decode: text is held
/// back while the newest tokens end inside a UTF-8 sequence (decoding shows U+FFFD there). Decodes a short
/// window of recent tokens each step, as HF tokenizers' `DecodeStream` does.
public struct StreamingDecoder {
    public let tokenizer: Tokenizer
    public let skipSpecialTokens: Bool
    private var ids: [Int] = []
    private var prefixIndex = 0
    private var readIndex = 0

    public init(tokenizer: Tokenizer, skipSpecialTokens: Bool = false) {
        self.tokenizer = tokenizer
        self.skipSpecialTokens = skipSpecialTokens
    }

    /// Adds a token; returns the text it completes (nil while a character is still incomplete).
    public mutating func add(_ id: Int) -> String? {
        ids.append(id)
        let prefix = tokenizer.decode(Array(ids[prefixIndex..<readIndex]), skipSpecialTokens: skipSpecialTokens)
        let full = tokenizer.decode(Array(ids[prefixIndex...]), skipSpecialTokens: skipSpecialTokens)
        guard full.unicodeScalars.count > prefix.unicodeScalars.count, full.unicodeScalars.last != "\u{FFFD}" else { return nil }
        let delta = String(String.UnicodeScalarView(full.unicodeScalars.dropFirst(prefix.unicodeScalars.count)))
        prefixIndex = readIndex
        readIndex = ids.count
        return delta
    }

    /// Whatever is still held back (incomplete bytes decode as U+FFFD, as the one-shot decode shows them).
    public mutating func finish() -> String {
        let prefix = tokenizer.decode(Array(ids[prefixIndex..<readIndex]), skipSpecialTokens: skipSpecialTokens)
        let full = tokenizer.decode(Array(ids[prefixIndex...]), skipSpecialTokens: skipSpecialTokens)
        prefixIndex = ids.count
        readIndex = ids.count
        guard full.unicodeScalars.count > prefix.unicodeScalars.count else { return "" }
        return String(String.UnicodeScalarView(full.unicodeScalars.dropFirst(prefix.unicodeScalars.count)))
    }
}
