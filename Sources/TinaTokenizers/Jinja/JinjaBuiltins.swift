import Foundation

/// Operators, filters, tests, methods and globals of the Jinja subset chat templates use, with Python's
/// behaviour (str.split/strip, list slicing, json.dumps as transformers' `tojson`).
enum JinjaBuiltins {
    static func binary(_ op: String, _ a: JinjaValue, _ b: JinjaValue) throws -> JinjaValue {
        switch op {
        case "==": return .bool(a == b)
        case "!=": return .bool(a != b)
        case "in": return .bool(try contains(b, a))
        case "~": return .string(a.printed + b.printed)
        case "<", ">", "<=", ">=":
            let result: Bool
            if case let .string(x) = a, case let .string(y) = b {
                result = op == "<" ? x < y : op == ">" ? x > y : op == "<=" ? x <= y : x >= y
            } else if let x = a.number, let y = b.number {
                result = op == "<" ? x < y : op == ">" ? x > y : op == "<=" ? x <= y : x >= y
            } else {
                throw JinjaError(message: "cannot compare \(a.pythonRepr) and \(b.pythonRepr)")
            }
            return .bool(result)
        case "+":
            switch (a, b) {
            case let (.string(x), .string(y)): return .string(x + y)
            case let (.array(x), .array(y)): return .array(x + y)
            default: break
            }
        default: break
        }
        if op == "*", case let .string(text) = a, b.number != nil {
            let count = max(0, try integer(b, "string repetition"))
            guard count == 0 || text.utf8.count <= JinjaLimits.maxOutputBytes / count else {
                throw JinjaLimits.exceeded("size in bytes of a string built by the template", JinjaLimits.maxOutputBytes)
            }
            return .string(String(repeating: text, count: count))
        }
        guard let x = a.number, let y = b.number else {
            throw JinjaError(message: "unsupported operand types for \(op): \(a.pythonRepr) and \(b.pythonRepr)")
        }
        if let i = exactInteger(a), let j = exactInteger(b), op != "/" {
            return .int(try integerArithmetic(op, i, j))
        }
        switch op {
        case "+": return .double(x + y)
        case "-": return .double(x - y)
        case "*": return .double(x * y)
        case "/": guard y != 0 else { throw JinjaError(message: "division by zero") }; return .double(x / y)
        case "//":
            guard y != 0 else { throw JinjaError(message: "division by zero") }
            return .double((x / y).rounded(.down))
        case "%":
            guard y != 0 else { throw JinjaError(message: "modulo by zero") }
            return .double(x - y * (x / y).rounded(.down))
        case "**": return .double(pow(x, y))
        default: throw JinjaError(message: "unknown operator \(op)")
        }
    }

    /// An int or a bool (Python's bool is an int).
    static func exactInteger(_ v: JinjaValue) -> Int? {
        switch v {
        case let .int(i): return i
        case let .bool(b): return b ? 1 : 0
        default: return nil
        }
    }

    /// Integer arithmetic with Python's floor division and modulo; overflow is an error, not a trap.
    static func integerArithmetic(_ op: String, _ i: Int, _ j: Int) throws -> Int {
        func checked(_ result: (partialValue: Int, overflow: Bool)) throws -> Int {
            guard !result.overflow else { throw JinjaError(message: "integer overflow in \(i) \(op) \(j)") }
            return result.partialValue
        }
        switch op {
        case "+": return try checked(i.addingReportingOverflow(j))
        case "-": return try checked(i.subtractingReportingOverflow(j))
        case "*": return try checked(i.multipliedReportingOverflow(by: j))
        case "//", "%":
            guard j != 0 else { throw JinjaError(message: op == "%" ? "modulo by zero" : "division by zero") }
            var q = try checked(i.dividedReportingOverflow(by: j))
            var r = i.remainderReportingOverflow(dividingBy: j).partialValue
            if r != 0 && (r < 0) != (j < 0) { q -= 1; r += j }
            return op == "//" ? q : r
        case "**":
            guard j >= 0 else { throw JinjaError(message: "negative integer exponent in \(i) ** \(j)") }
            var result = 1, base = i, e = j
            while e > 0 {
                if e & 1 == 1 { result = try checked(result.multipliedReportingOverflow(by: base)) }
                e >>= 1
                if e > 0 { base = try checked(base.multipliedReportingOverflow(by: base)) }
            }
            return result
        default: throw JinjaError(message: "unknown operator \(op)")
        }
    }

    /// An integer argument: ints as they are, floats truncated as Python's int() does. NaN, infinities and
    /// values outside Int's range are errors, never traps.
    static func integer(_ v: JinjaValue, _ what: String) throws -> Int {
        if let i = exactInteger(v) { return i }
        guard case let .double(d) = v else { throw JinjaError(message: "\(what): \(v.pythonRepr) is not a number") }
        guard let i = Int(exactly: d.rounded(.towardZero)) else {
            throw JinjaError(message: "\(what): \(JinjaValue.pythonFloat(d)) is not a representable integer")
        }
        return i
    }

    /// `integer(v)` when `v` is a number, nil when it is absent or not a number.
    static func optionalInteger(_ v: JinjaValue?, _ what: String) throws -> Int? {
        guard let v, v.number != nil else { return nil }
        return try integer(v, what)
    }

    static func contains(_ container: JinjaValue, _ item: JinjaValue) throws -> Bool {
        switch container {
        case let .string(s):
            guard case let .string(sub) = item else { throw JinjaError(message: "'in <string>' needs a string") }
            return sub.isEmpty || s.contains(sub)
        case let .array(a): return a.contains(item)
        case let .object(o): return o.contains { .string($0.0) == item }
        case let .namespace(n): return n.values.contains { .string($0.0) == item }
        case .undefined, .none: return false
        default: throw JinjaError(message: "argument of type \(container.pythonRepr) is not iterable")
        }
    }

    static func slice(_ v: JinjaValue, start: JinjaValue?, stop: JinjaValue?, step: JinjaValue?) throws -> JinjaValue {
        let s = try optionalInteger(step, "slice step") ?? 1
        let startIndex = try optionalInteger(start, "slice start"), stopIndex = try optionalInteger(stop, "slice stop")
        func take<T>(_ items: [T]) -> [T] {
            let n = items.count
            guard s != 0 else { return [] }
            func clamp(_ raw: Int?, _ defaultValue: Int) -> Int {
                guard let raw else { return defaultValue }
                let i = raw < 0 ? (raw < -n ? -n - 1 : raw + n) : raw
                return s > 0 ? min(max(i, 0), n) : min(max(i, -1), n - 1)
            }
            var out: [T] = []
            var i = clamp(startIndex, s > 0 ? 0 : n - 1)
            let end = clamp(stopIndex, s > 0 ? n : -1)
            while s > 0 ? i < end : i > end {
                out.append(items[i])
                let (next, overflow) = i.addingReportingOverflow(s)
                if overflow { break }
                i = next
            }
            return out
        }
        switch v {
        case let .array(a): return .array(take(a))
        case let .string(s): return .string(String(take(Array(s))))
        default: throw JinjaError(message: "cannot slice \(v.pythonRepr)")
        }
    }

    /// str.replace, refused before it can build a string over `JinjaLimits.maxOutputBytes`.
    static func replace(_ s: String, _ target: String, _ replacement: String) throws -> String {
        if replacement.utf8.count > target.utf8.count {
            let occurrences = target.isEmpty ? s.count + 1 : s.utf8.count / target.utf8.count
            let growth = Double(occurrences) * Double(replacement.utf8.count - target.utf8.count)
            guard Double(s.utf8.count) + growth <= Double(JinjaLimits.maxOutputBytes) else {
                throw JinjaLimits.exceeded("size in bytes of a string built by the template", JinjaLimits.maxOutputBytes)
            }
        }
        return s.replacingOccurrences(of: target, with: replacement)
    }

    static func length(_ v: JinjaValue) -> Int {
        switch v {
        case let .string(s): return s.count
        case let .array(a): return a.count
        case let .object(o): return o.count
        case let .namespace(n): return n.values.count
        default: return 0
        }
    }

    /// Python's str.strip/lstrip/rstrip (whitespace, or the given characters).
    static func strip(_ s: String, _ chars: JinjaValue?, left: Bool, right: Bool) -> String {
        let set: Set<Character>? = { if case let .string(c)? = chars { return Set(c) }; return nil }()
        func strippable(_ c: Character) -> Bool { set?.contains(c) ?? c.isWhitespace }
        var chars = Substring(s)
        while left, let f = chars.first, strippable(f) { chars.removeFirst() }
        while right, let l = chars.last, strippable(l) { chars.removeLast() }
        return String(chars)
    }

    /// Python's str.split(sep=None, maxsplit=-1).
    static func split(_ s: String, _ separator: JinjaValue?, maxSplit: Int) -> [String] {
        if case let .string(sep)? = separator, !sep.isEmpty {
            var parts: [String] = []
            var rest = Substring(s)
            while maxSplit < 0 || parts.count < maxSplit, let r = rest.range(of: sep) {
                parts.append(String(rest[..<r.lowerBound]))
                rest = rest[r.upperBound...]
            }
            parts.append(String(rest))
            return parts
        }
        var parts: [String] = []
        var current = ""
        var rest = Substring(s)
        while let c = rest.first {
            rest.removeFirst()
            if c.isWhitespace {
                if !current.isEmpty {
                    parts.append(current); current = ""
                    if maxSplit >= 0 && parts.count == maxSplit {
                        let tail = strip(String(rest), nil, left: true, right: false)
                        if !tail.isEmpty { parts.append(tail) }
                        return parts
                    }
                }
            } else {
                current.append(c)
            }
        }
        if !current.isEmpty { parts.append(current) }
        return parts
    }

    static func method(_ name: String, on v: JinjaValue, args: [JinjaValue], kwargs: [(String, JinjaValue)]) throws -> JinjaValue {
        switch (v, name) {
        case let (.string(s), "strip"): return .string(strip(s, args.first, left: true, right: true))
        case let (.string(s), "lstrip"): return .string(strip(s, args.first, left: true, right: false))
        case let (.string(s), "rstrip"): return .string(strip(s, args.first, left: false, right: true))
        case let (.string(s), "split"):
            let limit = try optionalInteger(args.count > 1 ? args[1] : kwargs.first { $0.0 == "maxsplit" }?.1, "split maxsplit") ?? -1
            return .array(split(s, args.first, maxSplit: limit).map { .string($0) })
        case let (.string(s), "startswith"):
            if case let .array(options)? = args.first { return .bool(options.contains { s.hasPrefix($0.printed) }) }
            return .bool(s.hasPrefix(args.first?.printed ?? ""))
        case let (.string(s), "endswith"):
            if case let .array(options)? = args.first { return .bool(options.contains { s.hasSuffix($0.printed) }) }
            return .bool(s.hasSuffix(args.first?.printed ?? ""))
        case let (.string(s), "upper"): return .string(s.uppercased())
        case let (.string(s), "lower"): return .string(s.lowercased())
        case let (.string(s), "title"): return .string(s.capitalized)
        case let (.string(s), "capitalize"): return .string(s.prefix(1).uppercased() + s.dropFirst().lowercased())
        case let (.string(s), "replace"):
            guard args.count >= 2 else { throw JinjaError(message: "replace needs two arguments") }
            return .string(try replace(s, args[0].printed, args[1].printed))
        case let (.string(s), "find"):
            guard let r = s.range(of: args.first?.printed ?? "") else { return .int(-1) }
            return .int(s.distance(from: s.startIndex, to: r.lowerBound))
        case let (.string(s), "count"): return .int(s.components(separatedBy: args.first?.printed ?? "").count - 1)
        case let (.string(s), "join"):
            guard case let .array(items)? = args.first else { throw JinjaError(message: "join needs a list") }
            return .string(items.map(\.printed).joined(separator: s))
        case let (.object(o), "items"): return .array(o.map { .array([.string($0.0), $0.1]) })
        case let (.object(o), "keys"): return .array(o.map { .string($0.0) })
        case let (.object(o), "values"): return .array(o.map(\.1))
        case (.object, "get"):
            let value = v.attribute(args.first?.printed ?? "")
            if case .undefined = value { return args.count > 1 ? args[1] : .none }
            return value
        default:
            throw JinjaError(message: "unknown method '\(name)' on \(v.pythonRepr)")
        }
    }

    static func filter(_ name: String, _ v: JinjaValue, args: [JinjaValue], kwargs: [(String, JinjaValue)]) throws -> JinjaValue {
        switch name {
        case "length", "count": return .int(length(v))
        case "trim": return .string(strip(v.printed, args.first, left: true, right: true))
        case "upper": return .string(v.printed.uppercased())
        case "lower": return .string(v.printed.lowercased())
        case "title": return .string(v.printed.capitalized)
        case "capitalize": return .string(v.printed.prefix(1).uppercased() + v.printed.dropFirst().lowercased())
        case "string": return .string(v.printed)
        case "safe", "e", "escape": return v
        case "int":
            if v.number != nil { return .int(try integer(v, "int")) }
            return .int(Int(v.printed.trimmingWhitespace()) ?? 0)
        case "float": return .double(v.number ?? Double(v.printed.trimmingWhitespace()) ?? 0)
        case "abs":
            if case let .int(i) = v {
                guard i != .min else { throw JinjaError(message: "integer overflow in abs(\(i))") }
                return .int(abs(i))
            }
            return v.number.map { .double(abs($0)) } ?? v
        case "default", "d":
            let fallback = args.first ?? .string("")
            let boolean = args.count > 1 ? args[1].isTruthy : false
            if case .undefined = v { return fallback }
            return boolean && !v.isTruthy ? fallback : v
        case "first":
            if case let .array(a) = v { return a.first ?? .undefined }
            if case let .string(s) = v { return s.first.map { .string(String($0)) } ?? .undefined }
            return .undefined
        case "last":
            if case let .array(a) = v { return a.last ?? .undefined }
            if case let .string(s) = v { return s.last.map { .string(String($0)) } ?? .undefined }
            return .undefined
        case "join":
            guard case let .array(a) = v else { return .string(v.printed) }
            return .string(a.map(\.printed).joined(separator: args.first?.printed ?? ""))
        case "replace":
            guard args.count >= 2 else { throw JinjaError(message: "replace needs two arguments") }
            return .string(try replace(v.printed, args[0].printed, args[1].printed))
        case "list":
            switch v {
            case .array: return v
            case let .string(s):
                guard s.utf8.count <= JinjaLimits.maxListLength else {
                    throw JinjaLimits.exceeded("length of a list built by the template", JinjaLimits.maxListLength)
                }
                return .array(s.map { .string(String($0)) })
            case let .object(o): return .array(o.map { .string($0.0) })
            default: return .array([])
            }
        case "reverse":
            if case let .array(a) = v { return .array(a.reversed()) }
            return .string(String(v.printed.reversed()))
        case "items":
            guard case let .object(o) = v else { return .array([]) }
            return .array(o.map { .array([.string($0.0), $0.1]) })
        case "tojson":
            let indent = try optionalInteger(kwargs.first { $0.0 == "indent" }?.1 ?? args.first, "tojson indent").map { max(0, $0) }
            guard (indent ?? 0) <= 64 else { throw JinjaError(message: "tojson indent \(indent ?? 0) is larger than 64") }
            return .string(try v.json(indent: indent))
        case "map":
            guard case let .array(a) = v else { return .array([]) }
            if let attribute = kwargs.first(where: { $0.0 == "attribute" })?.1.printed { return .array(a.map { $0.attribute(attribute) }) }
            guard let filterName = args.first?.printed else { return v }
            return .array(try a.map { try filter(filterName, $0, args: Array(args.dropFirst()), kwargs: []) })
        case "selectattr", "rejectattr":
            guard case let .array(a) = v, let attribute = args.first?.printed else { return .array([]) }
            let keep = try a.filter { item in
                let value = item.attribute(attribute)
                let passed = args.count > 1 ? try test(args[1].printed, value, args: Array(args.dropFirst(2))) : value.isTruthy
                return passed == (name == "selectattr")
            }
            return .array(keep)
        case "indent":
            let width = max(0, try optionalInteger(args.first, "indent width") ?? 4)
            guard width <= 1024 else { throw JinjaError(message: "indent width \(width) is larger than 1024") }
            let pad = String(repeating: " ", count: width)
            return .string(v.printed.components(separatedBy: "\n").enumerated().map { $0.offset == 0 || $0.element.isEmpty ? $0.element : pad + $0.element }.joined(separator: "\n"))
        default:
            throw JinjaError(message: "unknown filter '\(name)'")
        }
    }

    static func test(_ name: String, _ v: JinjaValue, args: [JinjaValue]) throws -> Bool {
        switch name {
        case "defined": if case .undefined = v { return false }; return true
        case "undefined": if case .undefined = v { return true }; return false
        case "none": if case .none = v { return true }; return false
        case "string": if case .string = v { return true }; return false
        case "number": switch v { case .int, .double: return true; default: return false }
        case "integer": if case .int = v { return true }; return false
        case "float": if case .double = v { return true }; return false
        case "boolean": if case .bool = v { return true }; return false
        case "true": return v == .bool(true)
        case "false": return v == .bool(false)
        case "mapping": switch v { case .object, .namespace: return true; default: return false }
        case "sequence", "iterable": switch v { case .array, .string, .object: return true; default: return false }
        case "even": return try optionalInteger(v, "even").map { $0 % 2 == 0 } ?? false
        case "odd": return try optionalInteger(v, "odd").map { $0 % 2 != 0 } ?? false
        case "divisibleby":
            guard let n = try optionalInteger(v, "divisibleby"), let d = try optionalInteger(args.first, "divisibleby") else { return false }
            guard d != 0 else { throw JinjaError(message: "divisibleby(0)") }
            return n.remainderReportingOverflow(dividingBy: d).partialValue == 0
        case "eq", "equalto", "==": return v == (args.first ?? .undefined)
        case "ne", "!=": return v != (args.first ?? .undefined)
        case "in": return try contains(args.first ?? .undefined, v)
        default: throw JinjaError(message: "unknown test '\(name)'")
        }
    }

    static func global(_ name: String, args: [JinjaValue], kwargs: [(String, JinjaValue)]) throws -> JinjaValue {
        switch name {
        case "raise_exception": throw JinjaError(message: args.first?.printed ?? "raise_exception called")
        case "namespace":
            for (_, value) in kwargs where value.nestingDepth(limit: JinjaLimits.maxValueDepth) > JinjaLimits.maxValueDepth {
                throw JinjaLimits.exceeded("nesting depth of lists and objects", JinjaLimits.maxValueDepth)
            }
            return .namespace(JinjaNamespace(kwargs))
        case "range":
            let numbers = try args.map { try integer($0, "range") }
            guard (1...3).contains(numbers.count) else { throw JinjaError(message: "range() takes 1 to 3 integers, got \(numbers.count)") }
            let (start, stop, step) = numbers.count == 1 ? (0, numbers[0], 1) : (numbers[0], numbers[1], numbers.count > 2 ? numbers[2] : 1)
            guard step != 0 else { throw JinjaError(message: "range() step must not be zero") }
            // Length computed in Double: Int arithmetic on hostile bounds could overflow.
            let length = max(0, ((Double(stop) - Double(start)) / Double(step)).rounded(.up))
            guard length <= Double(JinjaLimits.maxLoopIterations) else {
                throw JinjaLimits.exceeded("length of range()", JinjaLimits.maxLoopIterations)
            }
            return .array((0..<Int(length)).map { .int(start + $0 * step) })
        case "strftime_now":
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.dateFormat = (args.first?.printed ?? "%Y-%m-%d")
                .replacingOccurrences(of: "%d", with: "dd").replacingOccurrences(of: "%b", with: "MMM")
                .replacingOccurrences(of: "%B", with: "MMMM").replacingOccurrences(of: "%Y", with: "yyyy")
                .replacingOccurrences(of: "%m", with: "MM")
            return .string(formatter.string(from: Date()))
        default: throw JinjaError(message: "unknown function '\(name)'")
        }
    }
}
