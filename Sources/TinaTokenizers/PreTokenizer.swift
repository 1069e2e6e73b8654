import Foundation
import TinaCore

/// A piece of normalized text on its way to the model: its scalars and where it starts in the text.
struct Piece {
    var scalars: [Unicode.Scalar]
    var offset: Int
}

/// How a Split pre-tokenizer treats the pattern's matches (HF `SplitDelimiterBehavior`).
public enum SplitBehavior: String, Sendable {
    case removed = "Removed", isolated = "Isolated", mergedWithPrevious = "MergedWithPrevious"
    case mergedWithNext = "MergedWithNext", contiguous = "Contiguous"
}

/// The pattern of a Split pre-tokenizer: one of the hand-written scanners, a general regex, or a literal.
public enum SplitPattern: @unchecked Sendable {
    /// The hand-written scanners of `SplitPatterns` (exact, and faster than the regex engine: BENCHMARKS.md).
    case qwen2, gpt2
    case regex(NSRegularExpression)
    case literal(String)

    /// A general regex in Oniguruma's dialect (what HF tokenizers compiles), run by Foundation's ICU engine.
    /// ICU's `\s` lacks U+000B and U+0085, which Oniguruma's (White_Space) has: `\s` is spelled out.
    public static func onigurumaRegex(_ pattern: String) throws -> SplitPattern {
        let whiteSpace = #"\t\n\x{0B}\f\r\x{85}\p{Z}"#
        var out = ""
        var inClass = false
        var escaped = false
        for c in pattern {
            if escaped {
                escaped = false
                if c == "s" { out += inClass ? whiteSpace : "[\(whiteSpace)]"; continue }
                if c == "S" && !inClass { out += "[^\(whiteSpace)]"; continue }
                out += "\\" + String(c)
                continue
            }
            if c == "\\" { escaped = true; continue }
            if c == "[" { inClass = true } else if c == "]" { inClass = false }
            out.append(c)
        }
        return .regex(try NSRegularExpression(pattern: out))
    }

    /// The pieces of `text` this pattern cuts (matches and the stretches between them, in order).
    public func split(_ text: String) -> [String] {
        let s = Array(text.unicodeScalars)
        return PreTokenizer.split(Piece(scalars: s, offset: 0), matches: matches(s), behavior: .isolated, invert: false)
            .map { String(String.UnicodeScalarView($0.scalars)) }
    }

    /// Match ranges (scalar indices) in `s`.
    func matches(_ s: [Unicode.Scalar]) -> [Range<Int>] {
        switch self {
        case .qwen2: return SplitPatterns.qwen2Pieces(s)
        case .gpt2: return SplitPatterns.gpt2Pieces(s)
        case let .literal(text):
            let needle = Array(text.unicodeScalars)
            guard !needle.isEmpty, needle.count <= s.count else { return [] }
            var out: [Range<Int>] = []
            var i = 0
            while i + needle.count <= s.count {
                if Array(s[i..<(i + needle.count)]) == needle { out.append(i..<(i + needle.count)); i += needle.count } else { i += 1 }
            }
            return out
        case let .regex(regex):
            // NSRegularExpression works in UTF-16 units: map them back to scalar indices.
            let text = String(String.UnicodeScalarView(s))
            var scalarAt: [Int] = []  // utf16 offset -> scalar index
            for (i, scalar) in s.enumerated() { scalarAt.append(contentsOf: repeatElement(i, count: scalar.utf16.count)) }
            scalarAt.append(s.count)
            let ns = text as NSString
            return regex.matches(in: text, range: NSRange(location: 0, length: ns.length)).compactMap { m in
                m.range.length == 0 ? nil : scalarAt[m.range.location]..<scalarAt[m.range.location + m.range.length]
            }
        }
    }
}

/// tokenizer.json pre-tokenizers.
public indirect enum PreTokenizer: Sendable {
    case split(SplitPattern, behavior: SplitBehavior, invert: Bool)
    case byteLevel(addPrefixSpace: Bool, useRegex: Bool)
    case digits(individual: Bool)
    case sequence([PreTokenizer])

    /// Splits pieces further. ByteLevel also maps each piece's UTF-8 bytes to GPT-2's byte alphabet.
    func apply(_ pieces: [Piece]) -> [Piece] {
        switch self {
        case let .sequence(list):
            return list.reduce(pieces) { $1.apply($0) }
        case let .split(pattern, behavior, invert):
            return pieces.flatMap { Self.split($0, matches: pattern.matches($0.scalars), behavior: behavior, invert: invert) }
        case let .digits(individual):
            return pieces.flatMap { piece -> [Piece] in
                var ranges: [Range<Int>] = []
                var i = 0
                while i < piece.scalars.count {
                    guard piece.scalars[i].properties.numericType == .decimal else { i += 1; continue }
                    var end = i + 1
                    while !individual && end < piece.scalars.count && piece.scalars[end].properties.numericType == .decimal { end += 1 }
                    ranges.append(i..<end)
                    i = end
                }
                return Self.split(piece, matches: ranges, behavior: .isolated, invert: false)
            }
        case let .byteLevel(addPrefixSpace, useRegex):
            return pieces.flatMap { original -> [Piece] in
                var piece = original
                if addPrefixSpace && piece.scalars.first != " " { piece.scalars.insert(" ", at: 0) }
                let parts = useRegex ? Self.split(piece, matches: SplitPatterns.gpt2Pieces(piece.scalars), behavior: .isolated, invert: false) : [piece]
                return parts.map { part in
                    var mapped: [Unicode.Scalar] = []
                    mapped.reserveCapacity(part.scalars.count)
                    for scalar in part.scalars {
                        if scalar.value < 128 {
                            mapped.append(ByteLevel.byteToScalar[Int(scalar.value)])
                        } else {
                            for b in String(scalar).utf8 { mapped.append(ByteLevel.byteToScalar[Int(b)]) }
                        }
                    }
                    return Piece(scalars: mapped, offset: part.offset)
                }
            }
        }
    }

    /// HF `NormalizedString::split`: matched and unmatched stretches, combined by `behavior`.
    static func split(_ piece: Piece, matches: [Range<Int>], behavior: SplitBehavior, invert: Bool) -> [Piece] {
        var segments: [(Range<Int>, Bool)] = []  // (range, is a match)
        var cursor = 0
        for m in matches {
            if m.lowerBound > cursor { segments.append((cursor..<m.lowerBound, invert)) }
            segments.append((m, !invert))
            cursor = m.upperBound
        }
        if cursor < piece.scalars.count { segments.append((cursor..<piece.scalars.count, invert)) }
        var ranges: [Range<Int>] = []
        switch behavior {
        case .isolated: ranges = segments.map(\.0)
        case .removed: ranges = segments.filter { !$0.1 }.map(\.0)
        case .mergedWithPrevious:
            for (r, isMatch) in segments {
                if isMatch, let last = ranges.last { ranges[ranges.count - 1] = last.lowerBound..<r.upperBound } else { ranges.append(r) }
            }
        case .mergedWithNext:
            var pending: Range<Int>?
            for (r, isMatch) in segments {
                let start = pending?.lowerBound ?? r.lowerBound
                if isMatch { pending = start..<r.upperBound } else { ranges.append(start..<r.upperBound); pending = nil }
            }
            if let pending { ranges.append(pending) }
        case .contiguous:
            var previousMatch = false
            for (r, isMatch) in segments {
                if isMatch && previousMatch, let last = ranges.last { ranges[ranges.count - 1] = last.lowerBound..<r.upperBound } else { ranges.append(r) }
                previousMatch = isMatch
            }
        }
        return ranges.filter { !$0.isEmpty }.map { Piece(scalars: Array(piece.scalars[$0]), offset: piece.offset + $0.lowerBound) }
    }

    static func parse(_ json: Any?, source: String) throws -> PreTokenizer? {
        guard let (object, type) = try typedComponent(json, kind: "pre_tokenizer", source: source) else { return nil }
        switch type {
        case "Sequence":
            guard let list = object["pretokenizers"] as? [Any] else { throw TinaError.malformed(source: source, reason: "Sequence pre_tokenizer has no list") }
            return .sequence(try list.compactMap { try parse($0, source: source) })
        case "ByteLevel":
            return .byteLevel(addPrefixSpace: object["add_prefix_space"] as? Bool ?? true, useRegex: object["use_regex"] as? Bool ?? true)
        case "Digits":
            return .digits(individual: object["individual_digits"] as? Bool ?? false)
        case "Split":
            let behaviorName = object["behavior"] as? String ?? "Isolated"
            guard let behavior = SplitBehavior(rawValue: behaviorName) else {
                throw TinaError.unsupported(source: source, reason: "Split behavior '\(behaviorName)'")
            }
            let patternObject = object["pattern"] as? [String: Any] ?? [:]
            let pattern: SplitPattern
            if let regex = patternObject["Regex"] as? String {
                if regex == SplitPatterns.qwen2 {
                    pattern = .qwen2
                } else if regex == SplitPatterns.gpt2 {
                    pattern = .gpt2
                } else {
                    do { pattern = try SplitPattern.onigurumaRegex(regex) } catch {
                        throw TinaError.malformed(source: source, reason: "Split regex does not compile: \(regex)")
                    }
                }
            } else if let literal = patternObject["String"] as? String {
                pattern = .literal(literal)
            } else {
                throw TinaError.malformed(source: source, reason: "Split pre_tokenizer has no String or Regex pattern")
            }
            return .split(pattern, behavior: behavior, invert: object["invert"] as? Bool ?? false)
        default:
            throw TinaError.unsupported(source: source, reason: "pre_tokenizer type '\(type)'")
        }
    }
}
