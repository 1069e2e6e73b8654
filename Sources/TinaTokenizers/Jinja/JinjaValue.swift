import Foundation
import TinaFormats

/// A value inside the Jinja interpreter, with Python's semantics for truthiness, equality and printing.
public indirect enum JinjaValue: Sendable {
    case undefined
    case none
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JinjaValue])
    /// A dict, keys in insertion order (as Python keeps them, so tojson prints them in order).
    case object([(String, JinjaValue)])
    /// `namespace(...)`: a mutable object shared by reference.
    case namespace(JinjaNamespace)

    public var isTruthy: Bool {
        switch self {
        case .undefined, .none: return false
        case let .bool(b): return b
        case let .int(i): return i != 0
        case let .double(d): return d != 0
        case let .string(s): return !s.isEmpty
        case let .array(a): return !a.isEmpty
        case let .object(o): return !o.isEmpty
        case .namespace: return true
        }
    }

    /// What `{{ value }}` prints (Python's str()).
    public var printed: String {
        switch self {
        case .undefined: return ""
        case .none: return "None"
        case let .bool(b): return b ? "True" : "False"
        case let .int(i): return String(i)
        case let .double(d): return JinjaValue.pythonFloat(d)
        case let .string(s): return s
        case .array, .object, .namespace: return pythonRepr
        }
    }

    /// Python's repr(), used when containers are printed.
    var pythonRepr: String {
        switch self {
        case let .string(s):
            let quote: Character = s.contains("'") && !s.contains("\"") ? "\"" : "'"
            var out = String(quote)
            for c in s {
                switch c {
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                case "\t": out += "\\t"
                case "\r": out += "\\r"
                default: if c == quote { out += "\\\(c)" } else { out.append(c) }
                }
            }
            return out + String(quote)
        case let .array(a): return "[" + a.map(\.pythonRepr).joined(separator: ", ") + "]"
        case let .object(o): return "{" + o.map { "'\($0.0)': \($0.1.pythonRepr)" }.joined(separator: ", ") + "}"
        case .namespace: return "<Namespace>"
        default: return printed
        }
    }

    static func pythonFloat(_ d: Double) -> String {
        if d.isNaN { return "nan" }
        if d.isInfinite { return d > 0 ? "inf" : "-inf" }
        if d == d.rounded() && abs(d) < 1e16 { return String(format: "%.1f", d) }
        return "\(d)"
    }

    /// Python's json.dumps(ensure_ascii=False), as transformers' `tojson` filter calls it.
    func json(indent: Int?, level: Int = 0) throws -> String {
        guard level <= JinjaLimits.maxValueDepth else {
            throw JinjaLimits.exceeded("nesting depth of a value given to tojson", JinjaLimits.maxValueDepth)
        }
        let newline = indent.map { "\n" + String(repeating: " ", count: $0 * (level + 1)) }
        let closing = indent.map { "\n" + String(repeating: " ", count: $0 * level) } ?? ""
        let separator = indent == nil ? ", " : ","
        switch self {
        case .undefined, .none: return "null"
        case let .bool(b): return b ? "true" : "false"
        case let .int(i): return String(i)
        case let .double(d): return d.isFinite ? JinjaValue.pythonFloat(d) : (d.isNaN ? "NaN" : (d > 0 ? "Infinity" : "-Infinity"))
        case let .string(s): return jsonString(s)
        case let .array(a):
            if a.isEmpty { return "[]" }
            return "[" + (try a.map { (newline ?? "") + (try $0.json(indent: indent, level: level + 1)) }).joined(separator: separator) + closing + "]"
        case let .object(o):
            if o.isEmpty { return "{}" }
            return "{" + (try o.map { (newline ?? "") + jsonString($0.0) + ": " + (try $0.1.json(indent: indent, level: level + 1)) })
                .joined(separator: separator) + closing + "}"
        case let .namespace(n): return try JinjaValue.object(n.values).json(indent: indent, level: level + 1)
        }
    }

    /// Builds a value from JSON-like Swift data (messages, tools, extra context).
    public init(_ any: Any?) {
        guard let any else { self = .none; return }
        switch any {
        case is NSNull: self = .none
        case let v as JinjaValue: self = v
        case let s as String: self = .string(s)
        case let n as NSNumber:
            if String(cString: n.objCType) == "c" { self = .bool(n.boolValue) }
            else if n.doubleValue == n.doubleValue.rounded() && !"fd".contains(String(cString: n.objCType)) { self = .int(n.intValue) }
            else { self = .double(n.doubleValue) }
        case let b as Bool: self = .bool(b)
        case let i as Int: self = .int(i)
        case let d as Double: self = .double(d)
        case let a as [Any]: self = .array(a.map { JinjaValue($0) })
        case let pairs as [(String, Any)]: self = .object(pairs.map { ($0.0, JinjaValue($0.1)) })
        case let d as [String: Any]: self = .object(d.keys.sorted().map { ($0, JinjaValue(d[$0])) })
        default: self = .string("\(any)")
        }
    }

    /// Nesting depth of lists and objects (a scalar is 0), counted no further than `limit + 1`. A namespace
    /// counts as a leaf: it is shared by reference and may contain itself.
    func nestingDepth(limit: Int) -> Int {
        guard limit >= 0 else { return 1 }
        switch self {
        case let .array(a): return 1 + (a.lazy.map { $0.nestingDepth(limit: limit - 1) }.max() ?? 0)
        case let .object(o): return 1 + (o.lazy.map { $0.1.nestingDepth(limit: limit - 1) }.max() ?? 0)
        default: return 0
        }
    }

    func attribute(_ name: String) -> JinjaValue {
        switch self {
        case let .object(o): return o.first { $0.0 == name }?.1 ?? .undefined
        case let .namespace(n): return n.values.first { $0.0 == name }?.1 ?? .undefined
        default: return .undefined
        }
    }
}

/// The mutable store behind `namespace()`.
public final class JinjaNamespace: @unchecked Sendable {
    var values: [(String, JinjaValue)]
    init(_ values: [(String, JinjaValue)]) { self.values = values }

    func set(_ name: String, _ value: JinjaValue) {
        if let i = values.firstIndex(where: { $0.0 == name }) { values[i].1 = value } else { values.append((name, value)) }
    }
}

extension JinjaValue: Equatable {
    public static func == (a: JinjaValue, b: JinjaValue) -> Bool {
        switch (a, b) {
        case (.undefined, .undefined), (.none, .none): return true
        case let (.bool(x), .bool(y)): return x == y
        case let (.string(x), .string(y)): return x == y
        case let (.array(x), .array(y)): return x == y
        case let (.object(x), .object(y)):
            return x.count == y.count && x.allSatisfy { pair in y.contains { $0.0 == pair.0 && $0.1 == pair.1 } }
        case let (.namespace(x), .namespace(y)): return x === y
        default:
            if let x = a.number, let y = b.number { return x == y }
            return false
        }
    }

    /// Numeric value (booleans count as 0/1, as in Python).
    var number: Double? {
        switch self {
        case let .int(i): return Double(i)
        case let .double(d): return d
        case let .bool(b): return b ? 1 : 0
        default: return nil
        }
    }
}
