import Foundation

/// Why a LaTeX answer could not be turned into an expression.
struct LatexParseError: Error {
    let reason: String
    /// Set when a `MathLimits` bound was exceeded: the answer must not be graded by any other reading.
    var limit: MathLimitError?
}

/// Recursive-descent parser from normalized LaTeX (or plain text like `1/2`, `x^2+1`) to `MathExpr`, following
/// latex2sympy2's readings: top-level commas make a set, `(a, b)` is an open interval, `[a, b]` closed,
/// `x:y` is division, `\text{Word}` a lowercased symbol, `e` Euler's number, `i` the imaginary unit only
/// when the text looks complex.
struct LatexParser {
    var tokens: [LatexToken]
    var position = 0
    let complexMode: Bool
    /// Nesting now open (recursion plus postfix wraps), bounded by `MathLimits.maxLatexDepth`.
    var depth = 0

    init(_ text: String, complexMode: Bool) {
        tokens = LatexLexer.tokens(text)
        self.complexMode = complexMode
    }

    /// "1,000" or "-12,345.5" as a whole answer is one number (latex2sympy's comma_number_regex);
    /// anywhere else commas separate elements.
    static let commaNumber = Normalizer.regex(#"^\s*-?\d{1,3}(,\d{3})+(\.\d+)?\s*$"#)

    static func parse(_ text: String, complexMode: Bool = false) throws -> MathExpr {
        guard text.utf8.count <= MathLimits.maxAnswerLength else {
            throw LatexParseError(reason: "too long", limit: MathLimitError(
                reason: "answer of \(text.count) characters exceeds the limit of \(MathLimits.maxAnswerLength)"))
        }
        if commaNumber.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil {
            let digits = text.filter { $0 != "," && !$0.isWhitespace }
            if let n = MathNumber.parse(digits, asFloat: digits.contains(".")) { return .number(n) }
        }
        var p = LatexParser(text, complexMode: complexMode)
        guard !p.tokens.isEmpty else { throw LatexParseError(reason: "empty") }
        let e = try p.list()
        guard p.position == p.tokens.count else { throw LatexParseError(reason: "unexpected \(p.tokens[p.position])") }
        return e
    }

    /// One more level of nesting; callers restore `depth` when they return.
    mutating func enter() throws {
        depth += 1
        guard depth <= MathLimits.maxLatexDepth else {
            throw LatexParseError(reason: "nested too deeply", limit: MathLimitError(
                reason: "LaTeX nesting depth exceeds the limit of \(MathLimits.maxLatexDepth)"))
        }
    }

    var peek: LatexToken? { position < tokens.count ? tokens[position] : nil }

    mutating func take() -> LatexToken? {
        guard position < tokens.count else { return nil }
        defer { position += 1 }
        return tokens[position]
    }

    mutating func accept(_ t: LatexToken) -> Bool {
        if peek == t { position += 1; return true }
        return false
    }

    mutating func expect(_ t: LatexToken) throws {
        guard accept(t) else { throw LatexParseError(reason: "expected \(t)") }
    }

    mutating func skipSpacing() {
        while let t = peek, case let .command(c) = t, Self.spacing.contains(c) { position += 1 }
    }

    static let spacing: Set<String> = [",", ";", "!", " ", "quad", "qquad", "left", "right", "big", "Big", "bigl", "bigr",
                                       "Bigl", "Bigr", "displaystyle", "textstyle", ":", "limits", "mathrm"]

    // MARK: - Lists, relations, sums

    /// Commas make a set; semicolons separate groups, and groups written with commas are tuples, so
    /// `p=5,q=2;p=7,q=2` is the set of two solutions {(p=5, q=2), (p=7, q=2)} (latex2sympy's reading).
    mutating func list() throws -> MathExpr {
        var groups: [[MathExpr]] = [[try union()]]
        var semicolons = false
        while true {
            if accept(.symbol(",")) {
                if peek == nil { break }
                groups[groups.count - 1].append(try union())
            } else if accept(.symbol(";")) {
                if peek == nil { break }
                semicolons = true
                groups.append([try union()])
            } else {
                break
            }
        }
        if !semicolons, let items = groups.first { return items.count == 1 ? items[0] : .set(items) }
        if groups.allSatisfy({ $0.count == 1 }) { return .set(groups.compactMap(\.first)) }
        return .set(groups.map { .tuple($0) })
    }

    mutating func union() throws -> MathExpr {
        var items = [try relation()]
        while accept(.command("cup")) { items.append(try relation()) }
        return items.count == 1 ? items[0] : .union(items)
    }

    static let relationCommands: [String: MathExpr.Relation] = [
        "le": .lessEqual, "leq": .lessEqual, "leqslant": .lessEqual, "ge": .greaterEqual, "geq": .greaterEqual,
        "geqslant": .greaterEqual, "lt": .less, "gt": .greater, "ne": .notEqual, "neq": .notEqual,
        "in": .equal, "equiv": .equal,
    ]

    mutating func relationOperator() -> MathExpr.Relation? {
        switch peek {
        case .symbol("=")?: position += 1; return .equal
        case .symbol("!")? where position + 1 < tokens.count && tokens[position + 1] == .symbol("="):
            position += 2
            return .notEqual
        case .symbol("<")?:
            position += 1
            if accept(.symbol("=")) { return .lessEqual }
            return .less
        case .symbol(">")?:
            position += 1
            if accept(.symbol("=")) { return .greaterEqual }
            return .greater
        case let .command(c)? where Self.relationCommands[c] != nil:
            position += 1
            return Self.relationCommands[c]
        default: return nil
        }
    }

    mutating func relation() throws -> MathExpr {
        var first = try sum()
        var relations: [MathExpr] = []
        var left = first
        while true {
            // "x \approx 0.33" gives the symbol its value, 0.33; otherwise "a \approx b" keeps a: the
            // approximation is commentary (\frac{1}{3} \approx 0.33 and x = 1/3 \approx 0.33 keep 1/3), as latex2sympy.
            if accept(.command("approx")) {
                let right = try sum()
                if relations.isEmpty && first.isOnlySymbols { (first, left) = (right, right) }
                continue
            }
            // x \in S: S may be a union of intervals (latex2sympy gives Eq(x, S)).
            if accept(.command("in")) {
                let right = try union()
                relations.append(.relation(.equal, left, right))
                left = right
                continue
            }
            guard let op = relationOperator() else { break }
            let right = try sum()
            relations.append(.relation(op, left, right))
            left = right
        }
        if relations.isEmpty { return first }
        return relations.count == 1 ? relations[0] : .and(relations)
    }

    /// A sum; `a \pm b` (and a leading `\pm b`) becomes the set {a - b, a + b}, as latex2sympy reads it.
    mutating func sum() throws -> MathExpr {
        skipSpacing()
        var terms: [MathExpr] = []
        var plusMinus: MathExpr?
        if accept(.command("pm")) { plusMinus = try term() } else if accept(.symbol("-")) { terms.append(MathExpr.negate(try term())) } else {
            _ = accept(.symbol("+")); terms.append(try term())
        }
        while true {
            skipSpacing()
            if accept(.symbol("+")) { terms.append(try term()) } else if accept(.symbol("-")) { terms.append(MathExpr.negate(try term())) } else if accept(.command("pm")) {
                guard plusMinus == nil else { throw LatexParseError(reason: "more than one \\pm") }
                plusMinus = try term()
            } else { break }
        }
        func combine(_ items: [MathExpr]) -> MathExpr { items.count == 1 ? items[0] : .add(items) }
        if let pm = plusMinus {
            return .set([combine(terms + [MathExpr.negate(pm)]), combine(terms + [pm])])
        }
        return combine(terms)
    }

    mutating func term() throws -> MathExpr {
        var factors = [try unary()]
        while true {
            skipSpacing()
            if accept(.symbol("*")) || accept(.command("cdot")) || accept(.command("times")) || accept(.command("ast")) {
                factors.append(try unary())
            } else if accept(.symbol("/")) || accept(.command("div")) || accept(.symbol(":")) {
                factors.append(.power(try unary(), .number(.integer(-1))))
            } else if startsFactor() {
                factors.append(try postfix())
            } else {
                break
            }
        }
        return factors.count == 1 ? factors[0] : .mul(factors)
    }

    /// Whether the next token can begin an implicitly multiplied factor.
    func startsFactor() -> Bool {
        switch peek {
        case .number?, .letter?: return true
        case .symbol("(")?, .symbol("{")?, .command("(")?: return true
        case let .command(c)?:
            return !Self.relationCommands.keys.contains(c) && !["cdot", "times", "div", "pm", "cup", "right", "rfloor",
                "rceil", "end", "}", "%", ",", ";", "\\", "&", "rangle", "circ", "quad", "qquad", "!", "approx", ")", "]"].contains(c)
        default: return false
        }
    }

    mutating func unary() throws -> MathExpr {
        skipSpacing()
        let saved = depth
        defer { depth = saved }
        if accept(.symbol("-")) { try enter(); return MathExpr.negate(try unary()) }
        if accept(.symbol("+")) { try enter(); return try unary() }
        return try postfix()
    }

    // MARK: - Postfix and primaries

    /// Postfix operators wrap the base one level each (x^2^2^2..., x!!!...): each wrap counts as nesting,
    /// so the tree stays as shallow as the limit however long the chain.
    mutating func postfix() throws -> MathExpr {
        let saved = depth
        defer { depth = saved }
        try enter()
        var base = try primary()
        while true {
            if peek == .symbol("^") || peek == .symbol("!") || peek == .command("%") { try enter() }
            if accept(.symbol("^")) {
                if accept(.command("circ")) { continue }
                if peek == .symbol("{"), position + 2 < tokens.count, tokens[position + 1] == .command("circ"), tokens[position + 2] == .symbol("}") {
                    position += 3
                    continue
                }
                base = .power(base, try exponent())
            } else if peek == .symbol("!"), position + 1 >= tokens.count || tokens[position + 1] != .symbol("=") {
                position += 1
                base = .function("factorial", [base])
            } else if accept(.command("%")) {
                base = .percent(base)
            } else if accept(.symbol("'")) {
                continue  // y' reads as y (latex2sympy drops the prime)
            } else {
                return base
            }
        }
    }

    /// An exponent: a braced group, or a single token (x^2, x^-1 as written sloppily).
    mutating func exponent() throws -> MathExpr {
        let saved = depth
        defer { depth = saved }
        try enter()
        if peek == .symbol("{") { return try group() }
        if accept(.symbol("-")) { return MathExpr.negate(try exponent()) }
        guard let t = take() else { throw LatexParseError(reason: "missing exponent") }
        switch t {
        case let .number(n):
            // x^23 is x^{2}3 in LaTeX; keep the common reading x^{23} only for single digits.
            guard let first = n.first else { throw LatexParseError(reason: "bad exponent") }
            if n.count > 1 && !n.contains(".") { position -= 1; tokens[position] = .number(String(n.dropFirst())); return try number(String(first)) }
            return try number(n)
        case let .letter(c): return letter(c)
        case .command: position -= 1; return try primary()
        default: throw LatexParseError(reason: "bad exponent")
        }
    }

    mutating func group() throws -> MathExpr {
        try expect(.symbol("{"))
        if accept(.symbol("}")) { throw LatexParseError(reason: "empty group") }
        let e = try list()
        try expect(.symbol("}"))
        return e
    }

    mutating func number(_ text: String) throws -> MathExpr {
        guard let n = MathNumber.parse(text.hasPrefix(".") ? "0" + text : text, asFloat: text.contains(".")) else {
            throw LatexParseError(reason: "bad number \(text)")
        }
        return .number(n)
    }

    /// A letter: `e` is Euler's number, `i` the imaginary unit in complex mode; any other letter a symbol,
    /// lowercased as latex2sympy does (so E, \text{E} and e-as-a-name compare equal, and S_n is s_n).
    func letter(_ c: Character) -> MathExpr {
        if c == "e" { return .constant(.e) }
        if c == "i" && complexMode { return .constant(.i) }
        return .symbol(String(c).lowercased())
    }

    static let greek: Set<String> = ["alpha", "beta", "gamma", "delta", "epsilon", "varepsilon", "zeta", "eta", "theta",
        "vartheta", "iota", "kappa", "lambda", "mu", "nu", "xi", "rho", "sigma", "tau", "upsilon", "phi", "varphi", "chi",
        "psi", "omega", "Gamma", "Delta", "Theta", "Lambda", "Xi", "Sigma", "Upsilon", "Phi", "Psi", "Omega"]

    static let functions: Set<String> = ["sin", "cos", "tan", "cot", "sec", "csc", "arcsin", "arccos", "arctan", "sinh",
        "cosh", "tanh", "exp", "ln", "log", "lg", "det", "gcd", "lcm", "max", "min", "arccot", "arcsec", "arccsc"]

    mutating func subscriptText() throws -> String {
        if peek == .symbol("{") {
            var level = 0
            var text = ""
            repeat {
                guard let t = take() else { throw LatexParseError(reason: "unclosed subscript") }
                if t == .symbol("{") { level += 1; if level == 1 { continue } }
                if t == .symbol("}") { level -= 1; if level == 0 { break } }
                text += Self.spell(t)
            } while true
            return text
        }
        guard let t = take() else { throw LatexParseError(reason: "missing subscript") }
        return Self.spell(t)
    }

    static func spell(_ t: LatexToken) -> String {
        switch t {
        case let .number(n): return n
        case let .letter(c): return String(c)
        case let .command(c): return "\\" + c
        case let .symbol(c): return String(c)
        }
    }

    mutating func primary() throws -> MathExpr {
        skipSpacing()
        guard let t = take() else { throw LatexParseError(reason: "unexpected end") }
        switch t {
        case let .number(n):
            if let mixed = mixedNumber(whole: n) { return mixed }
            return try number(n)
        case let .letter(c):
            var e = letter(c)
            if accept(.symbol("_")) {
                e = .symbol((String(c) + "_" + (try subscriptText())).lowercased())
            }
            // f(x) is a call; so is any letter applied to a single atom, I(0) or a(b), as latex2sympy reads them
            // (x(y+1) stays a product).
            if peek == .symbol("("), ["f", "g", "h"].contains(c) || isSingleAtomCall() {
                position += 1
                let arg = try list()
                try expect(.symbol(")"))
                return .function(String(c), [arg])
            }
            return e
        case .symbol("("):
            return try bracketed(opening: "(")
        case .symbol("["):
            return try bracketed(opening: "[")
        case .symbol("{"):
            position -= 1
            return try group()
        case .symbol("|"):
            let inner = try sum()
            try expect(.symbol("|"))
            return .function("abs", [inner])
        case let .command(c):
            return try command(c)
        default:
            throw LatexParseError(reason: "unexpected \(t)")
        }
    }

    /// `3\frac{1}{2}` is the mixed number 3½ = 7/2, not 3 · ½ (the MATH convention; latex2sympy2_extended reads it so
    /// too): an integer literal (just taken) followed, with nothing but spacing between, by `\frac` (`\dfrac`, `\tfrac`)
    /// of two integer literals making a proper fraction, where the fraction ends the implicit product. A minus in front
    /// negates the whole (`-3\frac{1}{2}` is -7/2, as its unary minus wraps this primary). Products stay products:
    /// `x\frac{1}{2}`, `3 \cdot \frac{1}{2}`, `\frac{1}{2}3`, `3\frac{x}{2}`, `3.5\frac{1}{2}`, and a fraction carrying a
    /// postfix or followed by another factor (`3\frac{1}{2}^2`, `3\frac{1}{2}x`), as math-verify 0.9.0 reads them.
    /// Improper fractions (`3\frac{5}{2}`) stay products here, where math-verify reads 3 + 5/2.
    /// On a match, consumes the fraction and returns the number; otherwise leaves the position alone.
    mutating func mixedNumber(whole: String) -> MathExpr? {
        guard let a = Int(whole) else { return nil }
        var i = position
        func isSpacing(_ t: LatexToken) -> Bool {
            if case let .command(c) = t { return [",", ";", ":", " ", "!", "quad", "qquad"].contains(c) }
            return false
        }
        while i < tokens.count, isSpacing(tokens[i]) { i += 1 }
        guard i + 6 < tokens.count, case let .command(f) = tokens[i], ["frac", "dfrac", "tfrac"].contains(f),
              tokens[i + 1] == .symbol("{"), case let .number(top) = tokens[i + 2], tokens[i + 3] == .symbol("}"),
              tokens[i + 4] == .symbol("{"), case let .number(bottom) = tokens[i + 5], tokens[i + 6] == .symbol("}"),
              let b = Int(top), let c = Int(bottom), 0 < b, b < c else { return nil }
        i += 7
        // The fraction must end the implicit product and carry no postfix (degrees and a prime are dropped anyway).
        var after = self
        after.position = i
        after.skipSpacing()
        switch after.peek {
        case .symbol("^")?:
            let rest = after.tokens[(after.position + 1)...].prefix(3)
            guard rest.first == .command("circ") || Array(rest) == [.symbol("{"), .command("circ"), .symbol("}")] else { return nil }
        case .symbol("!")?:
            guard after.position + 1 < after.tokens.count, after.tokens[after.position + 1] == .symbol("=") else { return nil }
        case .symbol("_")?, .command("%")?: return nil
        default: if after.startsFactor() { return nil }
        }
        guard let value = MathNumber.fraction(b, c).map({ MathNumber.integer(a) + $0 }) else { return nil }
        position = i
        return .number(value)
    }

    /// "(" atom ")" right here: a number or a letter alone in parentheses.
    func isSingleAtomCall() -> Bool {
        guard position + 2 < tokens.count, tokens[position + 2] == .symbol(")") else { return false }
        switch tokens[position + 1] {
        case .number, .letter: return true
        default: return false
        }
    }

    /// (a) grouping, (a, b) open interval, (a, b] half-open, (a, b, c) tuple; [a, b] closed interval.
    /// `\(` and `\)` (left over from doubled backslashes) count as parentheses, as latex2sympy reads them.
    mutating func bracketed(opening: Character) throws -> MathExpr {
        var items = [try union()]
        while accept(.symbol(",")) { items.append(try union()) }
        let closing: Character
        if accept(.symbol(")")) || accept(.command(")")) { closing = ")" } else if accept(.symbol("]")) || accept(.command("]")) { closing = "]" } else {
            throw LatexParseError(reason: "unclosed bracket")
        }
        if items.count == 1 {
            guard opening == "(" && closing == ")" || opening == "[" && closing == "]" else { throw LatexParseError(reason: "mismatched brackets") }
            return items[0]
        }
        if items.count == 2 {
            // (2, 1) cannot be an interval: it is the pair (2, 1), as latex2sympy reads it.
            if let a = Evaluator.value(items[0], [:]), let b = Evaluator.value(items[1], [:]), a.isReal, b.isReal, a.re > b.re {
                return .tuple(items)
            }
            return .interval(items[0], items[1], leftOpen: opening == "(", rightOpen: closing == ")")
        }
        return .tuple(items)
    }

    mutating func command(_ c: String) throws -> MathExpr {
        switch c {
        case "frac", "dfrac", "tfrac", "cfrac":
            let a = try group(), b = try group()
            return .mul([a, .power(b, .number(.integer(-1)))])
        case "sqrt":
            if accept(.symbol("[")) {
                let n = try union()
                try expect(.symbol("]"))
                return .power(try group(), .power(n, .number(.integer(-1))))
            }
            // Braces are required, as in latex2sympy (\sqrt2 only parses after malformed-operator fixing).
            return .power(try group(), .number(.rational(1, 2)))
        case "sum": return try bigOperator(.sum)
        case "prod": return try bigOperator(.product)
        case "binom", "dbinom", "tbinom":
            return .function("binomial", [try group(), try group()])
        case "(": return try bracketed(opening: "(")
        case "[": return try bracketed(opening: "[")
        case "pi": return .constant(.pi)
        case "infty", "infinity": return .constant(.infinity)
        case "i", "imath": return .constant(.i)
        case "e": return .constant(.e)
        case "{":
            var items: [MathExpr] = []
            if accept(.command("}")) { return .set([]) }
            items.append(try union())
            while accept(.symbol(",")) || accept(.symbol(";")) { items.append(try union()) }
            try expect(.command("}"))
            return .set(items)
        case "lfloor":
            let inner = try sum()
            try expect(.command("rfloor"))
            return .function("floor", [inner])
        case "lceil":
            let inner = try sum()
            try expect(.command("rceil"))
            return .function("ceil", [inner])
        case "langle":
            var items = [try union()]
            while accept(.symbol(",")) { items.append(try union()) }
            try expect(.command("rangle"))
            return .tuple(items)
        case "|", "vert", "lvert":
            let inner = try sum()
            guard accept(.command("|")) || accept(.command("vert")) || accept(.command("rvert")) || accept(.symbol("|")) else {
                throw LatexParseError(reason: "unclosed absolute value")
            }
            return .function("abs", [inner])
        case "text", "textbf", "textit", "mbox", "operatorname", "mathbf", "mathit", "mathsf", "boldsymbol", "mathcal":
            var text = try rawGroup().trimmingCharacters(in: .whitespaces)
            if text.hasPrefix("("), text.hasSuffix(")"), text.count > 2 { text = String(text.dropFirst().dropLast()) }
            if let n = MathNumber.parse(text, asFloat: text.contains(".")) { return .number(n) }
            if c == "operatorname", Self.functions.contains(text) { return try function(text) }
            if c == "mathbf" || c == "boldsymbol" || c == "mathit" || c == "mathcal", text.count == 1 { return .symbol(text.lowercased()) }
            guard !text.isEmpty else { throw LatexParseError(reason: "empty text") }
            return .symbol(text.lowercased())
        case "mathbb":
            return .symbol("mathbb{" + (try rawGroup()) + "}")
        case "begin":
            return try matrix()
        case "prime": return .symbol("prime")
        case "angle": return .symbol("angle")
        case "circ", "degree":
            return .number(.integer(1))
        case "left", "right", "displaystyle", "!", ",", ";", " ", "quad", "qquad":
            try enter()  // restored by the postfix() or exponent() this primary belongs to
            return try primary()
        default:
            if Self.greek.contains(c) { return .symbol(c.lowercased()) }
            if Self.functions.contains(c) { return try function(c) }
            throw LatexParseError(reason: "unsupported command \\\(c)")
        }
    }

    /// `\sum_{k=a}^{b} body` (bounds in either order, `\limits` allowed); the body is one product term, as
    /// latex2sympy reads it (`\sum_{k=1}^{3} k + 1` is (1 + 2 + 3) + 1).
    mutating func bigOperator(_ op: MathExpr.BigOperator) throws -> MathExpr {
        var index: String?, lower: MathExpr?, upper: MathExpr?
        for _ in 0..<2 {
            skipSpacing()
            if accept(.symbol("_")) {
                try expect(.symbol("{"))
                guard case let .letter(c)? = take() else { throw LatexParseError(reason: "sum without an index") }
                var name = String(c).lowercased()
                if accept(.symbol("_")) { name = (name + "_" + (try subscriptText())).lowercased() }
                try expect(.symbol("="))
                lower = try sum()
                try expect(.symbol("}"))
                index = name
            } else if accept(.symbol("^")) {
                upper = try exponent()
            }
        }
        guard let index, let lower, let upper else { throw LatexParseError(reason: "sum without bounds") }
        skipSpacing()
        var body = try term()
        // The index is a variable even where `i` would read as the imaginary unit.
        if index == "i" { body = Self.replacingImaginaryUnit(body) }
        return .bigOperator(op, body, index: index, lower: lower, upper: upper)
    }

    static func replacingImaginaryUnit(_ e: MathExpr) -> MathExpr {
        if case .constant(.i) = e { return .symbol("i") }
        return e.mapChildren(replacingImaginaryUnit)
    }

    /// The raw text of a braced group (for \text and \mathbb).
    mutating func rawGroup() throws -> String {
        try expect(.symbol("{"))
        var level = 1
        var text = ""
        while let t = take() {
            if t == .symbol("{") { level += 1 }
            if t == .symbol("}") { level -= 1; if level == 0 { return text } }
            switch t {
            case let .letter(ch): text.append(ch)
            case let .number(n): text += n
            case let .symbol(s): text.append(s)
            case let .command(cmd): text += cmd == " " ? " " : "\\" + cmd
            }
        }
        throw LatexParseError(reason: "unclosed group")
    }

    /// A function argument: {group}, (parenthesized), or the next factor (\sin x).
    mutating func argument() throws -> MathExpr {
        skipSpacing()
        if peek == .symbol("{") { return try group() }
        if accept(.symbol("(")) {
            let e = try list()
            try expect(.symbol(")"))
            return e
        }
        return try postfix()
    }

    mutating func function(_ name: String) throws -> MathExpr {
        var power: MathExpr?
        var base: MathExpr?
        if accept(.symbol("^")) { power = try exponent() }
        if accept(.symbol("_")) { base = peek == .symbol("{") ? try group() : try primary() }
        if power == nil, accept(.symbol("^")) { power = try exponent() }
        let arg = try argument()
        var f: MathExpr
        switch name {
        case "ln": f = .function("log", [arg])
        case "lg": f = .function("log", [arg, .number(.integer(10))])
        case "log": f = .function("log", base.map { [arg, $0] } ?? [arg])
        default: f = .function(name, [arg])
        }
        if let power { f = .power(f, power) }
        return f
    }

    mutating func matrix() throws -> MathExpr {
        let environment = try rawGroup()
        guard environment.hasSuffix("matrix") || environment == "array" else {
            throw LatexParseError(reason: "unsupported environment \(environment)")
        }
        if environment == "array", peek == .symbol("{") { _ = try rawGroup() }
        var rows: [[MathExpr]] = [[]]
        while true {
            if accept(.command("end")) { _ = try rawGroup(); break }
            rows[rows.count - 1].append(try sum())
            if accept(.symbol("&")) { continue }
            if accept(.command("\\")) { rows.append([]); continue }
        }
        if rows.last?.isEmpty == true { rows.removeLast() }
        guard let width = rows.first?.count, rows.allSatisfy({ $0.count == width }) else {
            throw LatexParseError(reason: "ragged matrix")
        }
        return .matrix(rows)
    }
}
