import TinaCore

indirect enum JinjaExpr {
    case literal(JinjaValue)
    case name(String)
    case list([JinjaExpr])
    case dict([(JinjaExpr, JinjaExpr)])
    case attribute(JinjaExpr, String)
    case index(JinjaExpr, JinjaExpr)
    case slice(JinjaExpr, JinjaExpr?, JinjaExpr?, JinjaExpr?)
    case call(JinjaExpr, [JinjaExpr], [(String, JinjaExpr)])
    case filter(JinjaExpr, String, [JinjaExpr], [(String, JinjaExpr)])
    case test(JinjaExpr, String, [JinjaExpr], negated: Bool)
    case unary(String, JinjaExpr)
    case binary(String, JinjaExpr, JinjaExpr)
    case conditional(JinjaExpr, condition: JinjaExpr, otherwise: JinjaExpr?)
}

indirect enum JinjaNode {
    case text(String)
    case output(JinjaExpr)
    case ifBlock([(JinjaExpr, [JinjaNode])], otherwise: [JinjaNode]?)
    case forBlock(targets: [String], iterable: JinjaExpr, condition: JinjaExpr?, body: [JinjaNode], otherwise: [JinjaNode]?)
    /// `{% set name = e %}` or `{% set ns.attr = e %}`.
    case set(name: String, attribute: String?, JinjaExpr)
    case setBlock(name: String, body: [JinjaNode])
    case macro(name: String, parameters: [(String, JinjaExpr?)], body: [JinjaNode])
    case breakLoop, continueLoop
}

/// Tokens of one expression or statement.
enum JinjaToken: Equatable {
    case name(String), string(String), int(Int), double(Double), op(String)
}

enum JinjaExpressionLexer {
    static let operators = ["**", "//", "==", "!=", "<=", ">=", "(", ")", "[", "]", "{", "}", ",", ":", ".", "|", "~",
                            "+", "-", "*", "/", "%", "<", ">", "="]

    static func tokens(_ text: String) throws -> [JinjaToken] {
        let s = Array(text.unicodeScalars)
        var out: [JinjaToken] = []
        var i = 0
        while i < s.count {
            let c = s[i]
            if c.properties.isWhitespace { i += 1; continue }
            if c == "'" || c == "\"" {
                var value = ""
                var j = i + 1
                while j < s.count && s[j] != c {
                    if s[j] == "\\", j + 1 < s.count {
                        j += 1
                        switch s[j] {
                        case "n": value += "\n"
                        case "t": value += "\t"
                        case "r": value += "\r"
                        default: value.unicodeScalars.append(s[j])
                        }
                    } else {
                        value.unicodeScalars.append(s[j])
                    }
                    j += 1
                }
                guard j < s.count else { throw TinaError.malformed(source: "chat template", reason: "unterminated string in '\(text)'") }
                out.append(.string(value))
                i = j + 1
                continue
            }
            if c.properties.numericType == .decimal && c.value < 128 {
                var j = i
                while j < s.count && s[j].value < 128 && (s[j].properties.numericType == .decimal || s[j] == "_") { j += 1 }
                if j + 1 < s.count && s[j] == "." && s[j + 1].value < 128 && s[j + 1].properties.numericType == .decimal {
                    j += 1
                    while j < s.count && s[j].value < 128 && s[j].properties.numericType == .decimal { j += 1 }
                    out.append(.double(Double(String(String.UnicodeScalarView(s[i..<j]))) ?? 0))
                } else {
                    out.append(.int(Int(String(String.UnicodeScalarView(s[i..<j])).replacingOccurrences(of: "_", with: "")) ?? 0))
                }
                i = j
                continue
            }
            if c == "_" || c.properties.isAlphabetic {
                var j = i
                while j < s.count && (s[j] == "_" || s[j].properties.isAlphabetic || s[j].properties.numericType == .decimal) { j += 1 }
                out.append(.name(String(String.UnicodeScalarView(s[i..<j]))))
                i = j
                continue
            }
            let rest = String(String.UnicodeScalarView(s[i..<min(s.count, i + 2)]))
            guard let op = operators.first(where: { rest.hasPrefix($0) }) else {
                throw TinaError.malformed(source: "chat template", reason: "unexpected character '\(c)' in '\(text)'")
            }
            out.append(.op(op))
            i += op.unicodeScalars.count
        }
        return out
    }
}

/// Recursive-descent parser for Jinja expressions with Jinja2's precedence:
/// conditional < or < and < not < comparison/in/is < ~ < + - < * / // % < ** < unary - < postfix (. [] () |).
struct JinjaExpressionParser {
    var tokens: [JinjaToken]
    var position = 0
    let source: String

    init(_ text: String) throws {
        tokens = try JinjaExpressionLexer.tokens(text)
        source = text
    }

    func fail(_ reason: String) -> TinaError {
        TinaError.malformed(source: "chat template", reason: "\(reason) in '\(source)'")
    }

    var atEnd: Bool { position >= tokens.count }
    func peek(_ offset: Int = 0) -> JinjaToken? { position + offset < tokens.count ? tokens[position + offset] : nil }

    mutating func accept(_ op: String) -> Bool {
        if peek() == .op(op) { position += 1; return true }
        return false
    }

    mutating func acceptName(_ name: String) -> Bool {
        if peek() == .name(name) { position += 1; return true }
        return false
    }

    mutating func expect(_ op: String) throws {
        guard accept(op) else { throw fail("expected '\(op)'") }
    }

    mutating func identifier() throws -> String {
        guard case let .name(n)? = peek() else { throw fail("expected a name") }
        position += 1
        return n
    }

    mutating func expression(allowConditional: Bool = true) throws -> JinjaExpr {
        let value = try or()
        if allowConditional, acceptName("if") {
            let condition = try or()
            let otherwise = acceptName("else") ? try expression() : nil
            return .conditional(value, condition: condition, otherwise: otherwise)
        }
        return value
    }

    mutating func or() throws -> JinjaExpr {
        var left = try and()
        while acceptName("or") { left = .binary("or", left, try and()) }
        return left
    }

    mutating func and() throws -> JinjaExpr {
        var left = try not()
        while acceptName("and") { left = .binary("and", left, try not()) }
        return left
    }

    mutating func not() throws -> JinjaExpr {
        if acceptName("not") { return .unary("not", try not()) }
        return try comparison()
    }

    mutating func comparison() throws -> JinjaExpr {
        var left = try concat()
        while true {
            if case let .op(op)? = peek(), ["==", "!=", "<", ">", "<=", ">="].contains(op) {
                position += 1
                left = .binary(op, left, try concat())
            } else if acceptName("in") {
                left = .binary("in", left, try concat())
            } else if peek() == .name("not"), peek(1) == .name("in") {
                position += 2
                left = .unary("not", .binary("in", left, try concat()))
            } else if acceptName("is") {
                let negated = acceptName("not")
                let name = try identifier()
                var args: [JinjaExpr] = []
                if accept("(") {
                    while !accept(")") { args.append(try expression()); _ = accept(",") }
                } else if let next = peek(), case .name = next, !["and", "or", "if", "else", "in", "is", "not"].contains(where: { next == .name($0) }) {
                    args.append(try primary())
                } else if let next = peek(), case .string = next {
                    args.append(try primary())
                } else if let next = peek(), case .int = next {
                    args.append(try primary())
                }
                left = .test(left, name, args, negated: negated)
            } else {
                return left
            }
        }
    }

    mutating func concat() throws -> JinjaExpr {
        var left = try additive()
        while accept("~") { left = .binary("~", left, try additive()) }
        return left
    }

    mutating func additive() throws -> JinjaExpr {
        var left = try multiplicative()
        while true {
            if accept("+") { left = .binary("+", left, try multiplicative()) } else if accept("-") { left = .binary("-", left, try multiplicative()) } else { return left }
        }
    }

    mutating func multiplicative() throws -> JinjaExpr {
        var left = try power()
        while true {
            if case let .op(op)? = peek(), ["*", "/", "//", "%"].contains(op) {
                position += 1
                left = .binary(op, left, try power())
            } else {
                return left
            }
        }
    }

    mutating func power() throws -> JinjaExpr {
        let base = try unary()
        if accept("**") { return .binary("**", base, try unary()) }
        return base
    }

    mutating func unary() throws -> JinjaExpr {
        if accept("-") { return .unary("-", try unary()) }
        if accept("+") { return try unary() }
        return try postfix(try primary())
    }

    mutating func arguments() throws -> ([JinjaExpr], [(String, JinjaExpr)]) {
        var args: [JinjaExpr] = [], kwargs: [(String, JinjaExpr)] = []
        while !accept(")") {
            if case let .name(n)? = peek(), peek(1) == .op("=") {
                position += 2
                kwargs.append((n, try expression()))
            } else {
                args.append(try expression())
            }
            if !accept(",") { try expect(")"); break }
        }
        return (args, kwargs)
    }

    mutating func postfix(_ base: JinjaExpr) throws -> JinjaExpr {
        var e = base
        while true {
            if accept(".") {
                e = .attribute(e, try identifier())
            } else if accept("[") {
                var parts: [JinjaExpr?] = [nil]
                var isSlice = false
                while !accept("]") {
                    if accept(":") { isSlice = true; parts.append(nil); continue }
                    parts[parts.count - 1] = try expression()
                }
                if isSlice {
                    while parts.count < 3 { parts.append(nil) }
                    e = .slice(e, parts[0], parts[1], parts[2])
                } else {
                    guard let index = parts[0] else { throw fail("empty subscript") }
                    e = .index(e, index)
                }
            } else if accept("(") {
                let (args, kwargs) = try arguments()
                e = .call(e, args, kwargs)
            } else if accept("|") {
                let name = try identifier()
                var args: [JinjaExpr] = [], kwargs: [(String, JinjaExpr)] = []
                if accept("(") { (args, kwargs) = try arguments() }
                e = .filter(e, name, args, kwargs)
            } else {
                return e
            }
        }
    }

    mutating func primary() throws -> JinjaExpr {
        guard let token = peek() else { throw fail("unexpected end of expression") }
        position += 1
        switch token {
        case let .string(s):
            var value = s
            while case let .string(more)? = peek() { value += more; position += 1 }  // adjacent literals concatenate
            return .literal(.string(value))
        case let .int(i): return .literal(.int(i))
        case let .double(d): return .literal(.double(d))
        case let .name(n):
            switch n {
            case "true", "True": return .literal(.bool(true))
            case "false", "False": return .literal(.bool(false))
            case "none", "None": return .literal(.none)
            default: return .name(n)
            }
        case .op("("):
            let first = try expression()
            if accept(",") {
                var items = [first]
                while !accept(")") { items.append(try expression()); _ = accept(",") }
                return .list(items)
            }
            try expect(")")
            return first
        case .op("["):
            var items: [JinjaExpr] = []
            while !accept("]") { items.append(try expression()); if !accept(",") { try expect("]"); break } }
            return .list(items)
        case .op("{"):
            var pairs: [(JinjaExpr, JinjaExpr)] = []
            while !accept("}") {
                let key = try expression()
                try expect(":")
                pairs.append((key, try expression()))
                if !accept(",") { try expect("}"); break }
            }
            return .dict(pairs)
        default:
            throw fail("unexpected '\(token)'")
        }
    }
}

/// Builds the node tree from lexer chunks.
struct JinjaParser {
    let chunks: [JinjaChunk]
    var index = 0

    static func parse(_ template: String) throws -> [JinjaNode] {
        var parser = JinjaParser(chunks: try JinjaLexer.chunks(template))
        let (nodes, end) = try parser.block(until: [])
        if let end { throw TinaError.malformed(source: "chat template", reason: "unexpected '{% \(end) %}'") }
        return nodes
    }

    /// Parses nodes until a statement whose first word is in `terminators`; returns it (nil at the end).
    mutating func block(until terminators: Set<String>) throws -> ([JinjaNode], String?) {
        var nodes: [JinjaNode] = []
        while index < chunks.count {
            let chunk = chunks[index]
            index += 1
            switch chunk {
            case let .text(t): nodes.append(.text(t))
            case let .output(e): nodes.append(.output(try parseExpression(e)))
            case let .statement(body):
                let keyword = body.split(separator: " ", maxSplits: 1).first.map(String.init) ?? ""
                if terminators.contains(keyword) { return (nodes, body) }
                nodes.append(try statement(keyword: keyword, body: body))
            }
        }
        if !terminators.isEmpty {
            throw TinaError.malformed(source: "chat template", reason: "missing {% \(terminators.sorted().joined(separator: " / ")) %}")
        }
        return (nodes, nil)
    }

    func parseExpression(_ text: String) throws -> JinjaExpr {
        var p = try JinjaExpressionParser(text)
        let e = try p.expression()
        guard p.atEnd else { throw p.fail("unexpected trailing tokens") }
        return e
    }

    static func rest(_ body: String, after keyword: String) -> String {
        String(body.dropFirst(keyword.count)).trimmingWhitespace()
    }

    mutating func statement(keyword: String, body: String) throws -> JinjaNode {
        let rest = Self.rest(body, after: keyword)
        switch keyword {
        case "if":
            var branches: [(JinjaExpr, [JinjaNode])] = []
            var condition = try parseExpression(rest)
            while true {
                let (nodes, end) = try block(until: ["elif", "else", "endif"])
                branches.append((condition, nodes))
                guard let end else { break }
                if end.hasPrefix("elif") { condition = try parseExpression(Self.rest(end, after: "elif")); continue }
                if end == "else" {
                    let (otherwise, _) = try block(until: ["endif"])
                    return .ifBlock(branches, otherwise: otherwise)
                }
                break
            }
            return .ifBlock(branches, otherwise: nil)
        case "for":
            var p = try JinjaExpressionParser(rest)
            var targets = [try p.identifier()]
            while p.accept(",") { targets.append(try p.identifier()) }
            guard p.acceptName("in") else { throw p.fail("expected 'in'") }
            let iterable = try p.expression(allowConditional: false)
            let condition = p.acceptName("if") ? try p.expression(allowConditional: false) : nil
            _ = p.acceptName("recursive")
            guard p.atEnd else { throw p.fail("unexpected tokens in for") }
            let (body, end) = try block(until: ["else", "endfor"])
            var otherwise: [JinjaNode]?
            if end == "else" { otherwise = try block(until: ["endfor"]).0 }
            return .forBlock(targets: targets, iterable: iterable, condition: condition, body: body, otherwise: otherwise)
        case "set":
            if let eq = rest.firstIndex(of: "=") , !rest[rest.index(after: eq)...].hasPrefix("=") {
                let target = rest[..<eq].trimmingCharacters(in: .whitespaces)
                let value = try parseExpression(String(rest[rest.index(after: eq)...]))
                let parts = target.split(separator: ".")
                return .set(name: String(parts[0]), attribute: parts.count > 1 ? String(parts[1]) : nil, value)
            }
            let (body, _) = try block(until: ["endset"])
            return .setBlock(name: rest, body: body)
        case "macro":
            var p = try JinjaExpressionParser(rest)
            let name = try p.identifier()
            try p.expect("(")
            var parameters: [(String, JinjaExpr?)] = []
            while !p.accept(")") {
                let param = try p.identifier()
                parameters.append((param, p.accept("=") ? try p.expression() : nil))
                _ = p.accept(",")
            }
            let (body, _) = try block(until: ["endmacro"])
            return .macro(name: name, parameters: parameters, body: body)
        case "generation":
            // transformers' assistant-mask marker: renders its body unchanged.
            let (body, _) = try block(until: ["endgeneration"])
            return .ifBlock([(.literal(.bool(true)), body)], otherwise: nil)
        case "break": return .breakLoop
        case "continue": return .continueLoop
        default:
            throw TinaError.unsupported(source: "chat template", reason: "statement '{% \(keyword) %}'")
        }
    }
}
