/// A token matched in the raw text before normalization and BPE (tokenizer.json `added_tokens`).
public struct AddedToken: Sendable, Equatable {
    public var id: Int
    public var content: String
    public var special: Bool
    public var lstrip = false
    public var rstrip = false
    public var singleWord = false
    public var normalized = false

    public init(id: Int, content: String, special: Bool, lstrip: Bool = false, rstrip: Bool = false,
                singleWord: Bool = false, normalized: Bool = false) {
        self.id = id
        self.content = content
        self.special = special
        self.lstrip = lstrip
        self.rstrip = rstrip
        self.singleWord = singleWord
        self.normalized = normalized
    }
}

/// Splits text into added tokens and the stretches between them, longest match first at each position
/// (HF uses a leftmost-longest Aho-Corasick automaton). lstrip/rstrip swallow the whitespace beside a
/// token; single_word tokens only match when not inside a word.
struct AddedTokenMatcher {
    enum Segment { case text([Unicode.Scalar]), token(AddedToken) }

    private let byFirstScalar: [Unicode.Scalar: [(scalars: [Unicode.Scalar], token: AddedToken)]]

    init(_ tokens: [AddedToken]) {
        var table: [Unicode.Scalar: [(scalars: [Unicode.Scalar], token: AddedToken)]] = [:]
        for t in tokens where !t.content.isEmpty {
            let scalars = Array(t.content.unicodeScalars)
            table[scalars[0], default: []].append((scalars, t))
        }
        for key in table.keys { table[key]?.sort { $0.scalars.count > $1.scalars.count } }
        byFirstScalar = table
    }

    var isEmpty: Bool { byFirstScalar.isEmpty }

    func split(_ text: String) -> [Segment] {
        let s = Array(text.unicodeScalars)
        var segments: [Segment] = []
        var pending: [Unicode.Scalar] = []
        var i = 0
        func isWordScalar(_ c: Unicode.Scalar) -> Bool { c.properties.isAlphabetic || c.properties.numericType != nil || c == "_" }
        while i < s.count {
            var matched: (Int, AddedToken)?
            for candidate in byFirstScalar[s[i]] ?? [] {
                let n = candidate.scalars.count
                guard i + n <= s.count, Array(s[i..<(i + n)]) == candidate.scalars else { continue }
                if candidate.token.singleWord {
                    if i > 0 && isWordScalar(s[i - 1]) { continue }
                    if i + n < s.count && isWordScalar(s[i + n]) { continue }
                }
                matched = (n, candidate.token)
                break
            }
            guard let (length, token) = matched else {
                pending.append(s[i])
                i += 1
                continue
            }
            if token.lstrip { while let last = pending.last, last.properties.isWhitespace { pending.removeLast() } }
            if !pending.isEmpty { segments.append(.text(pending)); pending = [] }
            segments.append(.token(token))
            i += length
            if token.rstrip { while i < s.count && s[i].properties.isWhitespace { i += 1 } }
        }
        if !pending.isEmpty { segments.append(.text(pending)) }
        return segments
    }
}
