import Foundation

/// Answer extraction and equivalence with math-verify's semantics (`parse` + `verify`), in Swift.
public enum MathVerifier {
    public enum ExtractionMode: Sendable { case firstMatch, anyMatch }

    public static let defaultTargets: [ExtractionTarget] = [.latex(), .expression()]

    /// Extracts answers from `text`: patterns by priority, rightmost match first; the parsed expression (if
    /// any) and, with `fallback`, the first matched string.
    ///
    /// An answer past a `MathLimits` bound extracts nothing (never a fragment of it); `parseChecked` says why.
    public static func parse(_ text: String, targets: [ExtractionTarget] = defaultTargets,
                             mode: ExtractionMode = .anyMatch, fallback: Bool = true) -> [ExtractedAnswer] {
        (try? parseChecked(text, targets: targets, mode: mode, fallback: fallback)) ?? []
    }

    /// `parse`, throwing `MathLimitError` when the text or one of its answers exceeds a `MathLimits` bound.
    public static func parseChecked(_ text: String, targets: [ExtractionTarget] = defaultTargets,
                                    mode: ExtractionMode = .anyMatch, fallback: Bool = true) throws -> [ExtractedAnswer] {
        let length = (text as NSString).length
        guard length <= MathLimits.maxTextLength else {
            throw MathLimitError(reason: "text of \(length) UTF-16 units exceeds the limit of \(MathLimits.maxTextLength)")
        }
        let patterns = targets.flatMap { ExtractionPatterns.patterns(for: $0) }
        let priorities = Set(patterns.map(\.priority)).sorted()
        let ns = text as NSString
        var extracted: [ExtractedAnswer] = []
        var fallbacks: [String] = []
        var matchFound = false
        for priority in priorities {
            var matches: [(NSTextCheckingResult, ExtractionPattern)] = []
            for pattern in patterns where pattern.priority == priority {
                for m in pattern.regex.matches(in: text, range: NSRange(location: 0, length: ns.length)) { matches.append((m, pattern)) }
            }
            matches.sort {
                let (a, b) = ($0.0.range, $1.0.range)
                if a.location + a.length != b.location + b.length { return a.location + a.length > b.location + b.length }
                return a.location < b.location
            }
            for (match, pattern) in matches {
                let (expression, raw) = try extract(match, in: ns, pattern: pattern)
                matchFound = true
                if !raw.isEmpty { fallbacks.append(raw) }
                if let expression {
                    extracted.append(.expression(expression, text: raw))
                    break
                }
                if mode == .firstMatch { break }
            }
            if !extracted.isEmpty || (matchFound && mode == .firstMatch) { break }
        }
        if fallback, let first = fallbacks.first { extracted.append(.text(first)) }
        return extracted
    }

    static func group(_ m: NSTextCheckingResult, _ name: String, _ ns: NSString) -> String? {
        let r = m.range(withName: name)
        return r.location == NSNotFound ? nil : ns.substring(with: r)
    }

    static let latexGroups = ["latexDisplayDollar", "latexDisplayBracket", "latexInlineDollar", "latexInlineParenthesis",
                              "latexInlineBracket", "latexFraction", "latexBoxed"]

    static func extract(_ m: NSTextCheckingResult, in ns: NSString, pattern: ExtractionPattern) throws -> (MathExpr?, String) {
        switch pattern.target {
        case let .latex(_, _, normalization):
            var expressions: [MathExpr?] = []
            var strings: [String] = []
            for prefix in ["first", "next1", "next2", "next3", "next4", "next5"] {
                guard let (latex, name) = latexGroups.lazy.compactMap({ g in group(m, prefix + g, ns).map { ($0, g) } }).first else { continue }
                // Normalization is not linear; an answer far past the length limit (which normalization could
                // not bring under it) is refused before it is normalized. A boxed match is exempt: normalizing it
                // keeps only its last box (linear), so many boxes grade by the last one.
                let rawLength = (latex as NSString).length
                guard name == "latexBoxed" || rawLength <= 2 * MathLimits.maxAnswerLength else {
                    throw MathLimitError(reason: "answer of \(rawLength) characters exceeds the limit of \(MathLimits.maxAnswerLength)")
                }
                var config = normalization
                if name == "latexBoxed" { config.boxed = .last }
                let normalized = Normalizer.normalize(latex, config)
                strings.append(normalized)
                var parsed = try parseLatex(normalized)
                if parsed != nil, group(m, prefix + "percent", ns) != nil, let p = parsed { parsed = .percent(p) }
                expressions.append(parsed)
            }
            guard !expressions.isEmpty else { return (nil, "") }
            if expressions.count > 1, expressions.allSatisfy({ $0 != nil }) {
                var elements: [MathExpr] = []
                for e in expressions.compactMap({ $0 }) {
                    if case let .set(items) = e { elements += items } else { elements.append(e) }
                }
                return (.set(elements), strings.joined(separator: " and "))
            }
            return (expressions[0], strings[0])
        case .expression:
            let integer = ["integer1", "integer2", "integer3"].lazy.compactMap { group(m, $0, ns) }.first(where: { !$0.isEmpty }) ?? ""
            let decimal = ["decimal1", "decimal2", "decimal3"].lazy.compactMap { group(m, $0, ns) }.first(where: { !$0.isEmpty }) ?? ""
            if !integer.isEmpty || !decimal.isEmpty {
                var digits = integer.filter { $0 != "," && $0 != " " }
                let negative = digits.hasPrefix("-")
                if negative { digits.removeFirst() }
                digits = String(digits.drop { $0 == "0" })
                if digits.isEmpty { digits = "0" }
                if negative { digits = "-" + digits }
                let text = digits + decimal.replacingOccurrences(of: ",", with: ".")
                guard let n = MathNumber.parse(text, asFloat: text.contains(".")) else { return (nil, text) }
                let value = MathExpr.number(n)
                return (group(m, "percent", ns) != nil ? .percent(value) : value, text)
            }
            if let expr = group(m, "expr", ns), !expr.isEmpty {
                let cleaned = expr.replacingOccurrences(of: "\n", with: " ")
                return (try parseOrLimit { try LatexParser.parse(cleaned) }, expr)
            }
            return (nil, "")
        }
    }

    static let complexPattern = Normalizer.regex(#"\\mathbb\{C\}|\\i\b|\bi\b|\\text\{i\}|\\mathrm\{i\}|\\imath\b|\\det|\\operatorname\{tr\}|\\operatorname\{rank\}|\\text\{rank\}|\\arg\{|\\Re\{|\\Im\{|\\operatorname\{Re\}|\\operatorname\{Im\}|\\text\{Re\}|\\text\{Im\}"#)

    /// latex2sympy on normalized LaTeX, retried on the last equation of a chain a = b = c.
    /// Throws `MathLimitError` past a limit, so that no shorter reading (the last equation, another match)
    /// stands in for an answer that could not be read.
    static func parseLatex(_ latex: String) throws -> MathExpr? {
        let complex = complexPattern.firstMatch(in: latex, range: NSRange(latex.startIndex..., in: latex)) != nil
        if let e = try parseOrLimit({ try LatexParser.parse(latex, complexMode: complex) }) { return e }
        if !latex.contains(","), !latex.contains(";") {
            let parts = Normalizer.split(latex, Normalizer.equationSplit)
            if parts.count > 2, let last = parts.last { return try parseOrLimit { try LatexParser.parse(last, complexMode: complex) } }
        }
        return nil
    }

    /// The parsed expression, nil when it does not parse, `MathLimitError` when it exceeds a limit.
    static func parseOrLimit(_ body: () throws -> MathExpr) throws -> MathExpr? {
        do {
            return try body()
        } catch let error as LatexParseError {
            if let limit = error.limit { throw limit }
            return nil
        }
    }

    /// True if any (gold, prediction) pair matches: both expressions and equivalent, or both raw strings and equal.
    public static func verify(gold: [ExtractedAnswer], prediction: [ExtractedAnswer], floatRounding: Int = 6) -> Bool {
        let equivalence = Equivalence(floatRounding: floatRounding)
        for g in gold {
            for p in prediction {
                switch (g, p) {
                case let (.expression(a, _), .expression(b, _)):
                    if equivalence.equal(a, b) { return true }
                case let (.text(a), .text(b)):
                    let x = a.trimmingWhitespace(), y = b.trimmingWhitespace()
                    if !x.isEmpty && x == y { return true }
                default: continue
                }
            }
        }
        return false
    }
}
