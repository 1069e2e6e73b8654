import Foundation

/// What to look for in a text, with math-verify's options (`LatexExtractionConfig` / `ExprExtractionConfig`).
public enum ExtractionTarget: Sendable, Equatable {
    case latex(tryWithoutAnchor: Bool = true, boxedPriority: Int = 50, normalization: NormalizationConfig = .latexDefault)
    case expression(tryWithoutAnchor: Bool = true)
}

extension NormalizationConfig {
    /// math-verify's default for LaTeX targets.
    public static let latexDefault = NormalizationConfig(basicLatex: true, units: true, malformedOperators: true, nits: true,
                                                         boxed: .all, equations: false)
}

/// One extracted answer: a parsed expression, or the raw matched text when parsing failed (math-verify's
/// `fallback_mode="first_match"` string).
public enum ExtractedAnswer: Sendable, Equatable {
    case expression(MathExpr, text: String)
    case text(String)

    public var text: String {
        switch self {
        case let .expression(_, t), let .text(t): return t
        }
    }
}

/// Regex patterns tried by priority (lower first); within a priority, the match ending rightmost wins.
struct ExtractionPattern {
    let regex: NSRegularExpression
    let priority: Int
    let target: ExtractionTarget
}

enum ExtractionPatterns {
    static func env(_ prefix: String, boxed: Bool) -> String {
        let percent = "(?<\(prefix)percent>(?:\\\\?%|[Pp]ercent|[Pp]ercentage|[Pp]ct))"
        var dd = #"(?:[^$]|\$(?!\$))"#, db = #"(?:[^\\]|\\(?!\]))"#, id = #"(?:\\[$]|[^\n$])"#
        var ip = #"(?:[^\\\n]|\\(?!\)))"#, ib = #"[^\n\]\[]"#
        if boxed {
            dd = "\(dd)*?\\\\boxed\\{\(dd)+?\\}\(dd)*?"
            db = "\(db)*?\\\\boxed\\{\(db)+?\\}\(db)*?"
            id = "\(id)*?\\\\boxed\\{\(id)+?\\}\(id)*?"
            ip = "\(ip)*?\\\\boxed\\{\(ip)+?\\}\(ip)*?"
            ib = "\(ib)*?\\\\boxed\\{\(ib)+?\\}\(ib)*?"
        } else {
            dd += "+?"; db += "+?"; id += "+?"; ip += "+?"; ib += "+?"
        }
        var patterns = [
            "(?<!\\\\)\\$\\$(?<\(prefix)latexDisplayDollar>\(dd))(?<!\\\\)\\$\\$",
            "(?<!\\\\)\\\\\\[(?<\(prefix)latexDisplayBracket>\(db))(?<!\\\\)\\\\\\]",
            "(?<!\\\\|\\d)\\$(?<\(prefix)latexInlineDollar>\(id))(?<!\\\\)\\$",
            "(?<!\\\\)\\\\\\((?<\(prefix)latexInlineParenthesis>\(ip))(?<!\\\\)\\\\\\)",
            "\\s\\[(?<\(prefix)latexInlineBracket>\(ib))\\]\\s",
        ]
        if !boxed {
            let simple = #"-?\d+(?:[.,]\d+)?"#
            patterns.append("(?<\(prefix)latexFraction>-?\\\\frac\\{\(simple)\\}\\{\(simple)\\})")
        }
        return "(?:(?:" + patterns.joined(separator: "|") + ")\\s*" + percent + "?)"
    }

    static func latex(tryWithoutAnchor: Bool, boxedPriority: Int, target: ExtractionTarget) -> [ExtractionPattern] {
        let next = (1...5).map { "(?:\\s*(?:,?and|,?or|,)\\s*\(env("next\($0)", boxed: false)))?" }.joined()
        let envs = "(?:\(env("first", boxed: false))\(next))"
        var list: [(String, Int)] = [
            ("(?i:final answer is):?\\s*\(envs)\\.?\\s?I hope", 0),
            ("(?i:final answer.{0,100}?)\\s+is:?\\s*\(envs)", 50),
            ("(?i:answer):.{0,50}?\(envs)", 100),
            ("(?i:answer).{0,50}?\(envs)", 200),
        ]
        if tryWithoutAnchor { list.append((envs, 300)) }
        if boxedPriority >= 0 {
            let boxedNext = (1...5).map { "\\s*(?:\\s*(?:,?and|,?or|,)\\s*\(env("next\($0)", boxed: true)))?" }.joined()
            list.append((env("first", boxed: true) + boxedNext, boxedPriority))
            list.append(("(?<firstlatexBoxed>\\\\boxed\\{.+\\})", boxedPriority))
        }
        return list.map { ExtractionPattern(regex: Normalizer.regex($0.0, options: [.dotMatchesLineSeparators]), priority: $0.1, target: target) }
    }

    static func expression(tryWithoutAnchor: Bool, target: ExtractionTarget) -> [ExtractionPattern] {
        let number = "(?<!\\d)(?:" +
            "(?<integer1>-?[1-9]\\d{0,2}(?:[ ,]\\d{3})+)(?<decimal1>\\.\\d+)?|" +
            "(?<integer2>-?\\d+)(?<decimal2>[.,]\\d+)|" +
            "(?<decimal3>\\.\\d+)|" +
            "(?<integer3>-?\\d+)" +
            ")(?<percent>\\s*(?:%|[Pp]ercent|\\s*[Pp]ercentage|\\s*[Pp]ct))?"
        let operators = #"\+\-\*\×\/\^\(\)\÷"#
        let chars = "[\\d\\.\\s\(operators)]"
        let expr = "(?<expr>-?\\(?-?\\d\(chars)*[\(operators)]\(chars)+\\)?)"
        let currency = "\\$€£¥₹₽₪₩₫฿₡₢₣₤₥₦₧₨₩₪₫₭₮₯₰₱₲₳₴₵₶₷₸₹₺₻₼₽₾₿"
        let prefix = #"(?:^|\s|\=)(?:\*\*)?"#
        let suffix = #"(?:\*\*)?(?:\.|,|:|\s|\)|\$|$)"#
        let exprAnchored = "(?:\(prefix)\(expr)\(suffix))"
        let numberAnchored = "(?:\(prefix)[\(currency)]?\(number))"
        let either = "(?:\(exprAnchored)|\(numberAnchored))"
        var list: [(String, Int)] = [
            ("(?i:final answer is):?\\s*\(either)\\.?\\s?I hope", 0),
            ("(?i:final answer.{0,100}?)\\s+is:?\(either)", 50),
            ("(?i:answer):(?:.{0,100}=\\s*|.{0,50}?)\(either)(?!\\s*=)", 100),
            ("(?i:answer)(?:.{0,100}=\\s*|.{0,50}?)\(either)(?!\\s*=)", 200),
        ]
        if tryWithoutAnchor {
            list.append((exprAnchored, 300))
            list.append((numberAnchored, 300))
        }
        return list.map { ExtractionPattern(regex: Normalizer.regex($0.0), priority: $0.1, target: target) }
    }

    /// Compiled once per distinct target (the patterns are large).
    nonisolated(unsafe) private static var cache: [String: [ExtractionPattern]] = [:]
    private static let lock = NSLock()

    static func patterns(for target: ExtractionTarget) -> [ExtractionPattern] {
        let key = "\(target)"
        lock.lock()
        defer { lock.unlock() }
        if let hit = cache[key] { return hit }
        let built: [ExtractionPattern]
        switch target {
        case let .latex(tryWithoutAnchor, boxedPriority, _):
            built = latex(tryWithoutAnchor: tryWithoutAnchor, boxedPriority: boxedPriority, target: target)
        case let .expression(tryWithoutAnchor):
            built = expression(tryWithoutAnchor: tryWithoutAnchor, target: target)
        }
        cache[key] = built
        return built
    }
}
