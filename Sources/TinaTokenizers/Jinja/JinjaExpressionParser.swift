import TinaCore

/// Recursive-descent parser for Jinja expressions with Jinja2's precedence:
/// conditional < or < and < not < comparison/in/is < ~ < + - < * / // % < ** < unary - < postfix (. [] () |).
///
/// Both the parser's recursion and the depth of the tree it builds are bounded by
/// `JinjaLimits.maxExpressionDepth`: `((((1))))` recurses without deepening the tree, `1+1+1+...` deepens the
/// tree without recursing, and either would otherwise overflow the stack (parsing, evaluating or freeing it).
struct JinjaExpressionParser {
    var tokens: [JinjaToken]
    var position = 0
    let source: String
    /// Current recursion depth of the parser.
    private var level = 0
    /// Depth of the tree the last parsing function returned (a leaf is 1).
    private(set) var lastDepth = 0

    init(_ text: String) throws {
        tokens = try JinjaExpressionLexer.tokens(text)
        source = text
    }

    func fail(_ reason: String) -> TinaError {
        let excerpt = source.count > 80 ? String(source.prefix(77)) + "..." : source
        return TinaError.malformed(source: "chat template", reason: "\(reason) in '\(excerpt)'")
    }

    private func tooDeep() -> TinaError {
        fail("expression nesting depth exceeds the limit of \(JinjaLimits.maxExpressionDepth)")
    }

    private mutating func enter() throws {
        level += 1
        guard level <= JinjaLimits.maxExpressionDepth else { throw tooDeep() }
    }

    /// Records `e` as one node above children of depth `childDepth`.
    private mutating func made(_ e: JinjaExpr, over childDepth: Int) throws -> JinjaExpr {
        lastDepth = childDepth + 1
        guard lastDepth <= JinjaLimits.maxExpressionDepth else { throw tooDeep() }
        return e
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
        try enter()
        defer { level -= 1 }
        let value = try or()
        var d = lastDepth
        if allowConditional, acceptName("if") {
            let condition = try or()
            d = max(d, lastDepth)
            var otherwise: JinjaExpr?
            if acceptName("else") {
                otherwise = try expression()
                d = max(d, lastDepth)
            }
            return try made(.conditional(value, condition: condition, otherwise: otherwise), over: d)
        }
        return value
    }

    /// A left-associative chain `operand (op operand)*`; `next` returns the operator it consumed, if any.
    private mutating func chain(_ operand: (inout Self) throws -> JinjaExpr,
                                _ next: (inout Self) -> String?) throws -> JinjaExpr {
        var left = try operand(&self)
        var d = lastDepth
        while let op = next(&self) {
            let right = try operand(&self)
            left = try made(.binary(op, left, right), over: max(d, lastDepth))
            d = lastDepth
        }
        lastDepth = d
        return left
    }

    mutating func or() throws -> JinjaExpr {
        try chain({ try $0.and() }, { $0.acceptName("or") ? "or" : nil })
    }

    mutating func and() throws -> JinjaExpr {
        try chain({ try $0.not() }, { $0.acceptName("and") ? "and" : nil })
    }

    mutating func not() throws -> JinjaExpr {
        if acceptName("not") {
            try enter()
            defer { level -= 1 }
            let operand = try not()
            return try made(.unary("not", operand), over: lastDepth)
        }
        return try comparison()
    }

    mutating func comparison() throws -> JinjaExpr {
        var left = try concat()
        var d = lastDepth
        while true {
            if case let .op(op)? = peek(), ["==", "!=", "<", ">", "<=", ">="].contains(op) {
                position += 1
                let right = try concat()
                left = try made(.binary(op, left, right), over: max(d, lastDepth))
            } else if acceptName("in") {
                let right = try concat()
                left = try made(.binary("in", left, right), over: max(d, lastDepth))
            } else if peek() == .name("not"), peek(1) == .name("in") {
                position += 2
                let right = try concat()
                left = try made(.unary("not", .binary("in", left, right)), over: max(d, lastDepth) + 1)
            } else if acceptName("is") {
                let negated = acceptName("not")
                let name = try identifier()
                var args: [JinjaExpr] = []
                var argDepth = 0
                if accept("(") {
                    while !accept(")") {
                        guard !atEnd else { throw fail("unclosed test arguments") }
                        args.append(try expression())
                        argDepth = max(argDepth, lastDepth)
                        _ = accept(",")
                    }
                } else if let next = peek(), case .name = next, !["and", "or", "if", "else", "in", "is", "not"].contains(where: { next == .name($0) }) {
                    args.append(try primary())
                    argDepth = lastDepth
                } else if let next = peek(), case .string = next {
                    args.append(try primary())
                    argDepth = lastDepth
                } else if let next = peek(), case .int = next {
                    args.append(try primary())
                    argDepth = lastDepth
                }
                left = try made(.test(left, name, args, negated: negated), over: max(d, argDepth))
            } else {
                lastDepth = d
                return left
            }
            d = lastDepth
        }
    }

    mutating func concat() throws -> JinjaExpr {
        try chain({ try $0.additive() }, { $0.accept("~") ? "~" : nil })
    }

    mutating func additive() throws -> JinjaExpr {
        try chain({ try $0.multiplicative() }, { p in p.accept("+") ? "+" : p.accept("-") ? "-" : nil })
    }

    mutating func multiplicative() throws -> JinjaExpr {
        try chain({ try $0.power() }, { p in
            guard case let .op(op)? = p.peek(), ["*", "/", "//", "%"].contains(op) else { return nil }
            p.position += 1
            return op
        })
    }

    mutating func power() throws -> JinjaExpr {
        let base = try unary()
        let d = lastDepth
        if accept("**") {
            let exponent = try unary()
            return try made(.binary("**", base, exponent), over: max(d, lastDepth))
        }
        return base
    }

    mutating func unary() throws -> JinjaExpr {
        if accept("-") {
            try enter()
            defer { level -= 1 }
            let operand = try unary()
            return try made(.unary("-", operand), over: lastDepth)
        }
        if accept("+") {
            try enter()
            defer { level -= 1 }
            return try unary()
        }
        return try postfix(try primary())
    }

    /// Call or filter arguments up to ")"; `lastDepth` becomes the deepest argument's depth (0 for none).
    mutating func arguments() throws -> ([JinjaExpr], [(String, JinjaExpr)]) {
        var args: [JinjaExpr] = [], kwargs: [(String, JinjaExpr)] = []
        var d = 0
        while !accept(")") {
            if case let .name(n)? = peek(), peek(1) == .op("=") {
                position += 2
                kwargs.append((n, try expression()))
            } else {
                args.append(try expression())
            }
            d = max(d, lastDepth)
            if !accept(",") { try expect(")"); break }
        }
        lastDepth = d
        return (args, kwargs)
    }

    /// Postfix operators after `base`, whose depth is `lastDepth`.
    mutating func postfix(_ base: JinjaExpr) throws -> JinjaExpr {
        var e = base
        var d = lastDepth
        while true {
            if accept(".") {
                e = try made(.attribute(e, try identifier()), over: d)
            } else if accept("[") {
                var parts: [JinjaExpr?] = [nil]
                var isSlice = false
                var partDepth = 0
                while !accept("]") {
                    guard !atEnd else { throw fail("unclosed subscript") }
                    if accept(":") { isSlice = true; parts.append(nil); continue }
                    parts[parts.count - 1] = try expression()
                    partDepth = max(partDepth, lastDepth)
                }
                if isSlice {
                    while parts.count < 3 { parts.append(nil) }
                    e = try made(.slice(e, parts[0], parts[1], parts[2]), over: max(d, partDepth))
                } else {
                    guard let index = parts[0] else { throw fail("empty subscript") }
                    e = try made(.index(e, index), over: max(d, partDepth))
                }
            } else if accept("(") {
                let (args, kwargs) = try arguments()
                e = try made(.call(e, args, kwargs), over: max(d, lastDepth))
            } else if accept("|") {
                let name = try identifier()
                var args: [JinjaExpr] = [], kwargs: [(String, JinjaExpr)] = []
                var argDepth = 0
                if accept("(") { (args, kwargs) = try arguments(); argDepth = lastDepth }
                e = try made(.filter(e, name, args, kwargs), over: max(d, argDepth))
            } else {
                lastDepth = d
                return e
            }
            d = lastDepth
        }
    }

    mutating func primary() throws -> JinjaExpr {
        guard let token = peek() else { throw fail("unexpected end of expression") }
        position += 1
        lastDepth = 1
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
                var d = lastDepth
                while !accept(")") {
                    guard !atEnd else { throw fail("unclosed tuple") }
                    items.append(try expression())
                    d = max(d, lastDepth)
                    _ = accept(",")
                }
                return try made(.list(items), over: d)
            }
            try expect(")")
            return first
        case .op("["):
            var items: [JinjaExpr] = []
            var d = 0
            while !accept("]") {
                items.append(try expression())
                d = max(d, lastDepth)
                if !accept(",") { try expect("]"); break }
            }
            return try made(.list(items), over: d)
        case .op("{"):
            var pairs: [(JinjaExpr, JinjaExpr)] = []
            var d = 0
            while !accept("}") {
                let key = try expression()
                d = max(d, lastDepth)
                try expect(":")
                pairs.append((key, try expression()))
                d = max(d, lastDepth)
                if !accept(",") { try expect("}"); break }
            }
            return try made(.dict(pairs), over: d)
        default:
            throw fail("unexpected '\(token)'")
        }
    }
}
