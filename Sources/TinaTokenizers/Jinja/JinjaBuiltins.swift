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
        guard let x = a.number, let y = b.number else {
            throw JinjaError(message: "unsupported operand types for \(op): \(a.pythonRepr) and \(b.pythonRepr)")
        }
        let integers: Bool = { if case .double = a { return false }; if case .double = b { return false }; return true }()
        switch op {
        case "+": return integers ? .int(Int(x) + Int(y)) : .double(x + y)
        case "-": return integers ? .int(Int(x) - Int(y)) : .double(x - y)
        case "*":
            if case let .string(s) = a, let n = b.number { return .string(String(repeating: s, count: max(0, Int(n)))) }
            return integers ? .int(Int(x) * Int(y)) : .double(x * y)
        case "/": guard y != 0 else { throw JinjaError(message: "division by zero") }; return .double(x / y)
        case "//":
            guard y != 0 else { throw JinjaError(message: "division by zero") }
            return integers ? .int(Int((x / y).rounded(.down))) : .double((x / y).rounded(.down))
        case "%":
            guard y != 0 else { throw JinjaError(message: "modulo by zero") }
            let r = x - y * (x / y).rounded(.down)
            return integers ? .int(Int(r)) : .double(r)
        case "**": return integers && y >= 0 ? .int(Int(pow(x, y))) : .double(pow(x, y))
        default: throw JinjaError(message: "unknown operator \(op)")
        }
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
        func take<T>(_ items: [T]) -> [T] {
            let n = items.count
            let s = step?.number.map(Int.init) ?? 1
            guard s != 0 else { return [] }
            func clamp(_ value: JinjaValue?, _ defaultValue: Int) -> Int {
                guard let raw = value?.number.map(Int.init) else { return defaultValue }
                let i = raw < 0 ? raw + n : raw
                return s > 0 ? min(max(i, 0), n) : min(max(i, -1), n - 1)
            }
            var out: [T] = []
            var i = clamp(start, s > 0 ? 0 : n - 1)
            let end = clamp(stop, s > 0 ? n : -1)
            while s > 0 ? i < end : i > end { out.append(items[i]); i += s }
            return out
        }
        switch v {
        case let .array(a): return .array(take(a))
        case let .string(s): return .string(String(take(Array(s))))
        default: throw JinjaError(message: "cannot slice \(v.pythonRepr)")
        }
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
            let limit = (args.count > 1 ? args[1] : kwargs.first { $0.0 == "maxsplit" }?.1)?.number.map(Int.init) ?? -1
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
            return .string(s.replacingOccurrences(of: args[0].printed, with: args[1].printed))
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
        case let (.object, "get"):
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
        case "int": return .int(v.number.map { Int($0) } ?? Int(v.printed.trimmingWhitespace()) ?? 0)
        case "float": return .double(v.number ?? Double(v.printed.trimmingWhitespace()) ?? 0)
        case "abs": return v.number.map { n in if case .int = v { return .int(Int(abs(n))) }; return .double(abs(n)) } ?? v
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
            return .string(v.printed.replacingOccurrences(of: args[0].printed, with: args[1].printed))
        case "list":
            switch v {
            case .array: return v
            case let .string(s): return .array(s.map { .string(String($0)) })
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
            let indent = (kwargs.first { $0.0 == "indent" }?.1 ?? args.first)?.number.map(Int.init)
            return .string(v.json(indent: indent))
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
            let width = args.first?.number.map(Int.init) ?? 4
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
        case "even": return (v.number.map { Int($0) % 2 == 0 }) ?? false
        case "odd": return (v.number.map { Int($0) % 2 != 0 }) ?? false
        case "divisibleby": return (v.number.map { n in args.first?.number.map { Int(n) % Int($0) == 0 } ?? false }) ?? false
        case "eq", "equalto", "==": return v == (args.first ?? .undefined)
        case "ne", "!=": return v != (args.first ?? .undefined)
        case "in": return try contains(args.first ?? .undefined, v)
        default: throw JinjaError(message: "unknown test '\(name)'")
        }
    }

    static func global(_ name: String, args: [JinjaValue], kwargs: [(String, JinjaValue)]) throws -> JinjaValue {
        switch name {
        case "raise_exception": throw JinjaError(message: args.first?.printed ?? "raise_exception called")
        case "namespace": return .namespace(JinjaNamespace(kwargs))
        case "range":
            let numbers = args.compactMap { $0.number.map(Int.init) }
            let (start, stop, step) = numbers.count == 1 ? (0, numbers[0], 1) : (numbers[0], numbers.count > 1 ? numbers[1] : 0, numbers.count > 2 ? numbers[2] : 1)
            guard step != 0 else { throw JinjaError(message: "range() step must not be zero") }
            return .array(Array(stride(from: start, to: stop, by: step)).map { .int($0) })
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
