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

/// Builds the node tree from lexer chunks.
struct JinjaParser {
    let chunks: [JinjaChunk]
    var index = 0
    /// Blocks open around the current chunk (bounded by `JinjaLimits.maxBlockDepth`).
    var blockDepth = 0

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

    static let blockKeywords: Set<String> = ["if", "for", "set", "macro", "generation"]

    mutating func statement(keyword: String, body: String) throws -> JinjaNode {
        let rest = Self.rest(body, after: keyword)
        if Self.blockKeywords.contains(keyword) {
            blockDepth += 1
            guard blockDepth <= JinjaLimits.maxBlockDepth else {
                throw JinjaLimits.exceeded("block nesting depth ({% if %}, {% for %}, ...)", JinjaLimits.maxBlockDepth)
            }
        }
        defer { if Self.blockKeywords.contains(keyword) { blockDepth -= 1 } }
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
                let parts = target.split(separator: ".", omittingEmptySubsequences: false)
                guard let name = parts.first, !name.isEmpty, parts.count <= 2, parts.allSatisfy({ !$0.isEmpty }) else {
                    throw TinaError.malformed(source: "chat template", reason: "bad {% set %} target '\(target)'")
                }
                return .set(name: String(name), attribute: parts.count > 1 ? String(parts[1]) : nil, value)
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
