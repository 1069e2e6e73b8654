import Foundation

/// How a gold answer is written.
public enum GoldFormat: String, Sendable, CaseIterable {
    /// A text read exactly as math-verify's `parse` reads it (a solution, `$...$` spans, a boxed answer).
    case text
    /// A dataset's answer column: bare LaTeX such as `\left( 3, \frac{\pi}{2} \right)` is one answer, read as
    /// if written `$...$` (what lighteval sees for Tina: OlympiadBench's `$`-wrapped answers, MATH-500's and
    /// Minerva's boxed solutions). A gold that already has `$`, `\(`, `\[` or `\boxed` is read as `.text`.
    case answer
}

/// Why a gold reading cannot be trusted: nothing was extracted, or only a fragment of a bare answer.
public enum GoldWarning: Sendable, Equatable, CustomStringConvertible {
    case empty
    /// `read` is what grading used; `whole` the whole answer's reading (nil when the whole does not parse).
    case partial(read: String, whole: String?)

    public var description: String {
        switch self {
        case .empty: return "gold extraction is empty: no answer was found in the gold"
        case let .partial(read, whole):
            let w = whole.map { " instead of the whole answer \($0.debugDescription)" } ?? " (the whole answer does not parse)"
            return "gold extraction is partial: graded by \(read.debugDescription)\(w)"
        }
    }
}

enum GoldReading {
    /// Whether `text` has a `$` that is not written `\$` (a dollar sign in an answer such as `\$18.90`).
    static func hasMathDollar(_ text: String) -> Bool {
        var previous: Character = " "
        for c in text {
            if c == "$" && previous != "\\" { return true }
            previous = c
        }
        return false
    }

    /// Whether `text` is a whole text with its own delimiters (boxed answers, `\(...\)`, `\[...\]`).
    static func hasStructure(_ text: String) -> Bool {
        text.contains("\\boxed") || text.contains("\\fbox") || text.contains("\\(") || text.contains("\\[")
    }

    /// The answer inside an answer-column gold: unescaped `$` removed (OlympiadBench writes `$69$,$84$`, Minerva
    /// has a stray `$ $`), nil when the gold is a structured text to be read as math-verify reads it.
    static func answerContent(_ gold: String) -> String? {
        guard !hasStructure(gold) else { return nil }
        var out = ""
        var previous: Character = " "
        for c in gold {
            if !(c == "$" && previous != "\\") { out.append(c) }
            previous = c
        }
        let content = out.trimmingWhitespace()
        return content.isEmpty ? nil : content
    }

    /// The text that is parsed for `gold` in `format`.
    static func prepared(_ gold: String, _ format: GoldFormat) -> String {
        guard format == .answer, let content = answerContent(gold) else { return gold }
        return "$" + content + "$"
    }

    /// Empty when nothing was extracted; partial when the answers are not the whole answer's reading (checked for
    /// bare golds, and for every answer-format gold).
    static func warning(gold: String, format: GoldFormat, answers: [ExtractedAnswer]) -> GoldWarning? {
        guard answers.contains(where: { if case .expression = $0 { return true }; return !$0.text.trimmingWhitespace().isEmpty }) else {
            return .empty
        }
        let trimmed = gold.trimmingWhitespace()
        let content: String
        if format == .answer, let c = answerContent(gold) {
            content = c
        } else if !hasMathDollar(trimmed) && !hasStructure(trimmed) {
            content = trimmed
        } else {
            return nil
        }
        let whole = MathVerifier.parse("$" + content + "$", targets: [.latex()], fallback: false).first
        guard case let .expression(read, readText)? = answers.first else {
            return whole.map { .partial(read: answers.first?.text ?? "", whole: $0.text) }
        }
        guard case let .expression(wholeExpr, wholeText)? = whole else {
            // The whole does not parse as LaTeX: what was read is a fragment unless it is all of it.
            let compact = { (s: String) in s.filter { !$0.isWhitespace && $0 != "," } }
            return compact(readText) == compact(content) ? nil : .partial(read: readText, whole: nil)
        }
        return read == wholeExpr || read.canonical == wholeExpr.canonical ? nil : .partial(read: readText, whole: wholeText)
    }
}
