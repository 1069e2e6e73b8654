import Foundation

/// LaTeX clean-up before parsing, following latex2sympy2_extended's `normalize_latex` (the behaviour is the
/// reference; the code is Tina's): boxed extraction, \left/\right and style commands, text units, malformed
/// operators (\frac12, \sqrt2) and small nits.
public struct NormalizationConfig: Sendable, Equatable {
    public enum Boxed: Sendable { case all, last, none }
    public var basicLatex = true
    public var units = false
    public var malformedOperators = false
    public var nits = false
    public var boxed = Boxed.all
    public var equations = false

    public init(basicLatex: Bool = true, units: Bool = false, malformedOperators: Bool = false, nits: Bool = false,
                boxed: Boxed = .all, equations: Bool = false) {
        self.basicLatex = basicLatex
        self.units = units
        self.malformedOperators = malformedOperators
        self.nits = nits
        self.boxed = boxed
        self.equations = equations
    }
}

enum Normalizer {
    /// Compiles one of this module's constant patterns (never user input): a bad one is a programming error,
    /// caught by the normalization tests.
    static func regex(_ pattern: String, options: NSRegularExpression.Options = []) -> NSRegularExpression {
        guard let re = try? NSRegularExpression(pattern: pattern, options: options) else {
            preconditionFailure("invalid built-in pattern \(pattern)")
        }
        return re
    }

    static func replace(_ text: String, _ re: NSRegularExpression, _ template: String) -> String {
        re.stringByReplacingMatches(in: text, range: NSRange(text.startIndex..., in: text), withTemplate: template)
    }

    static let left = regex(#"\\m?left(\\\{|\{|\\\||\||\[|\(|\\rbracl|\\lgroup|\\lbrace|\\lbrack|\\vert|\\lvert|\\lceil|\\lfloor|\\langle|\\llcorner|\\ulcorner|\.)"#)
    static let right = regex(#"\\m?right(\\\}|\}|\\\||\||\]|\)|\\rbrack|\\rgroup|\\rbrace|\\vert|\\rvert|\\rceil|\\rfloor|\\rangle|\\lrcorner|\\urcorner|\.)"#)
    static let permutation = regex(#"\(([a-zA-Z0-9+\-*/\\ ]+?)\)_\{([a-zA-Z0-9+\-*/\\ ]+?)\}"#)
    static let toRemove = regex(#"\\mathrm\{th\}|\\!\s*|\\text\s*\{\s*\}|\\\$|\$|(?<!\\)["']|\\displaystyle"#)
    static let commandSlash = regex(#"\\\\(?=[a-zA-Z])"#)
    static let unitSuperscript = regex(#"(\\(?:text|mbox)\{.*?\})(\^\d|\{\^\d\})?$"#)
    static let equationSplit = regex(#"(?<!\\|<|!|>)="#)

    /// (pattern, replacement) applied as one alternation, leftmost match first, like the reference's combined regex.
    static let replacements: [(String, String)] = [
        (#"\\math(?:rm|it|bf)"#, #"\\text"#),
        (#"\\text(?:normal|bf|it|rm)"#, #"\\text"#),
        (#"\\(?:d|t|c)frac"#, #"\\frac"#),
        (#"\s\."#, " 0."),
        (#"\{\."#, "{0."),
        (#"~="#, #"\\approx"#),
        (#"\s*\{\s*,\s*\}"#, ","),
        (#"(?<![a-zA-Z])(,?\s*(?:and|or))(?![a-zA-Z])"#, ","),
        (#"(,?\s*\\text\{\s*(?:and|or)\s*\})"#, ","),
        (#"(?<!\\)\\\s"#, " "),
        ("infinity", #"\\infty"#),
        (#",?(\\ldots)"#, " "),
        (#"\s*\bpercentage\b"#, #"\\%"#),
        (#"\\text\{percentage\}"#, "%"),
        (#"\s*\bpercent\b"#, #"\\%"#),
        (#"\\text\{percent\}"#, "%"),
        (#"\s*\bpct\b"#, #"\\%"#),
        (#"\\text\{pct\}"#, "%"),
        (#"((?<!\\)inf(?!inity))"#, #"\\infty"#),
        (" sqrt", #"\\sqrt"#),
    ]
    static let replacementRegex = regex(replacements.map { "(\($0.0))" }.joined(separator: "|"))
    static let replacementGroupIndex: [Int] = {
        // Group number of each alternative (alternatives contain their own groups).
        var indices: [Int] = []
        var group = 1
        for (pattern, _) in replacements {
            indices.append(group)
            group += 1 + (regex(pattern).numberOfCaptureGroups)
        }
        return indices
    }()

    static func replaceInLatex(_ text: String) -> String {
        let ns = text as NSString
        var out = ""
        var cursor = 0
        for m in replacementRegex.matches(in: text, range: NSRange(location: 0, length: ns.length)) {
            out += ns.substring(with: NSRange(location: cursor, length: m.range.location - cursor))
            if let k = replacementGroupIndex.firstIndex(where: { m.range(at: $0).location != NSNotFound }) {
                out += replacements[k].1.replacingOccurrences(of: "\\\\", with: "\\")
            }
            cursor = m.range.location + m.range.length
        }
        out += ns.substring(from: cursor)
        return out
    }

    static let units = ["integer" + "point", "feet", "sue", "digit", "pound", "meal", "edge", "student", "children ticket",
        "multiple", "east", "degree", "mph", "kmph", "ft", "m square", " m east", "sq m", "deg", "mile", "q .", "monkey",
        "prime", "ratio", "profit of rs", "rd", "o", "gm", "p . m", "lb", "tile", "per", "dm", "lt", "gain", "ab", "way",
        "west", "a .", "b .", "c .", "d .", "e .", "f .", "g .", "h .", "t", "h", "no change", "men", "soldier", "pie", "bc",
        "excess", "st", "inches", "noon", "cent", "by", "gal", "kmh", "c", "acre", "rise", "a . m", "th", "π r 2", "sq",
        "mark", "l", "toy", "coin", "sq . m", "gallon", "° f", "profit", "minw", "yr", "women", "am", "pm", "hr", "cu cm",
        "square", "v â € ™", "are", "rupee", "rounds", "cubic", "cc", "mtr", "s", "ohm", "number", "kmph", "day", "hour",
        "minute", "min", "second", "man", "woman", "sec", "cube", "mt", "sq inch", "mp", "∏ cm ³", "hectare", "more", "sec",
        "unit", "cu . m", "cm 2", "rs .", "rs", "kg", "g", "month", "km", "m", "cm", "mm", "apple", "liter", "loss", "yard",
        "pure", "year", "increase", "decrease", "d", "less", "Surface", "litre", "pi sq m", "s .", "metre", "meter", "inch"]
    static let unitsRegex = regex("(\\d|\\}|\\s)\\s*(?:(?:" + units.map { NSRegularExpression.escapedPattern(for: $0) }.joined(separator: "|") + ")(?:s|es)?)\\s*$")

    static let malformed: [(NSRegularExpression, String)] = [
        (regex(#"\^\s?\((.*?)\)"#), "^{$1}"),
        (regex(#"sqrt\s?\((.*?)\)"#), #"\\sqrt{$1}"#),
        (regex(#"\\frac\s?(\d)\s?(\d+)"#), #"\\frac{$1}{$2}"#),
        (regex(#"\\log_\s?(\d)\s?(\d+)"#), #"\\log_{$1}{$2}"#),
        (regex(#"\\frac\s?\{(.*?)\}\s?(\d)"#), #"\\frac{$1}{$2}"#),
        (regex(#"\\frac\s?(\d)\s?\{(.*?)\}"#), #"\\frac{$1}{$2}"#),
        (regex(#"\\sqrt\s?(\d)"#), #"\\sqrt{$1}"#),
    ]

    static func normalize(_ input: String, _ config: NormalizationConfig) -> String {
        var text = input
        switch config.boxed {
        case .all: text = Boxed.extract(text, mode: .all)
        case .last: text = Boxed.extract(text, mode: .last)
        case .none: break
        }
        if config.basicLatex {
            text = text.replacingOccurrences(of: #"\mathrm{T}"#, with: "T")
                .replacingOccurrences(of: #"\mathrm{d}"#, with: "d").replacingOccurrences(of: #"{\rm d}"#, with: "d")
                .replacingOccurrences(of: #"\left[\begin{matrix}"#, with: #"\begin{bmatrix}"#)
                .replacingOccurrences(of: #"\end{matrix}\right]"#, with: #"\end{bmatrix}"#)
            text = replace(text, left, "$1")
            text = replace(text, right, "$1")
            text = replace(text, permutation, #"\\frac{($1)!}{(($1)-($2))!}"#)
            text = replace(text, toRemove, "")
            text = replaceInLatex(text)
            text = text.replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "\t", with: " ")
            if !text.contains("matrix") { text = replace(text, commandSlash, #"\\"#) }
        }
        if config.equations, !text.contains(","), !text.contains(";") {
            let parts = split(text, equationSplit)
            if parts.count > 2, let last = parts.last { text = last }
        }
        if config.units {
            let stripped = replace(text, unitSuperscript, "").trimmingCharacters(in: .whitespaces)
            if !stripped.isEmpty && stripped != text { text = stripped }
            for _ in 0..<2 {
                let next = replace(text, unitsRegex, "$1")
                if !next.isEmpty && next != text { text = next }
            }
        }
        if config.nits {
            if text.hasPrefix(".") { text = "0" + text }
            if text == "0.5" { text = #"\frac{1}{2}"# }
        }
        if config.malformedOperators {
            for (re, template) in malformed { text = replace(text, re, template) }
            text = text.replacingOccurrences(of: " sqrt", with: #"\sqrt"#)
            text = fixSqrt(text)
            text = fixFracs(text)
            text = fixSlash(text)
        }
        return text
    }

    static func split(_ text: String, _ re: NSRegularExpression) -> [String] {
        let ns = text as NSString
        var parts: [String] = []
        var cursor = 0
        for m in re.matches(in: text, range: NSRange(location: 0, length: ns.length)) {
            parts.append(ns.substring(with: NSRange(location: cursor, length: m.range.location - cursor)))
            cursor = m.range.location + m.range.length
        }
        parts.append(ns.substring(from: cursor))
        return parts
    }

    /// \sqrt3 -> \sqrt{3}
    static func fixSqrt(_ text: String) -> String {
        let parts = text.components(separatedBy: #"\sqrt"#)
        guard parts.count > 1 else { return text }
        var out = parts[0]
        for part in parts.dropFirst() {
            let p = part.drop { $0 == " " }
            if let first = p.first, first != "{", first != "[" {
                out += #"\sqrt{"# + String(first) + "}" + p.dropFirst()
            } else {
                out += #"\sqrt"# + p
            }
        }
        return out
    }

    /// \frac12 -> \frac{1}{2}, \frac1{2} -> \frac{1}{2}
    static func fixFracs(_ text: String) -> String {
        let parts = text.components(separatedBy: #"\frac"#)
        guard parts.count > 1 else { return text }
        var out = parts[0]
        for part in parts.dropFirst() {
            let p = Array(part.drop { $0 == " " })
            out += #"\frac"#
            if p.first == "{" { out += String(p); continue }
            guard p.count >= 2 else { return text }
            if p[1] != "{" {
                out += "{\(p[0])}{\(p[1])}" + String(p.dropFirst(2))
            } else {
                out += "{\(p[0])}" + String(p.dropFirst(1))
            }
        }
        return out
    }

    /// "2/3" -> \frac{2}{3} (only a whole string of two integers)
    static func fixSlash(_ text: String) -> String {
        let parts = text.components(separatedBy: "/")
        guard parts.count == 2, let a = Int(parts[0]), let b = Int(parts[1]), text == "\(a)/\(b)" else { return text }
        return #"\frac{"# + String(a) + "}{" + String(b) + "}"
    }
}
