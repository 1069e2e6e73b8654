import Foundation

/// A number as the grader sees it: an exact rational (reduced, positive denominator) or a float. Whether a
/// value came in as a float matters: like math-verify, floats are compared after rounding to 6 decimals,
/// exact values exactly. Rational arithmetic that would overflow falls back to floats.
public enum MathNumber: Sendable, Hashable, CustomStringConvertible {
    case rational(Int, Int)
    case float(Double)

    public static func integer(_ n: Int) -> MathNumber { .rational(n, 1) }

    /// A reduced rational, or nil for a zero denominator.
    public static func fraction(_ n: Int, _ d: Int) -> MathNumber? {
        guard d != 0 else { return nil }
        guard n != Int.min, d != Int.min else { return .float(Double(n) / Double(d)) }
        let g = gcd(abs(n), abs(d))
        let sign = d < 0 ? -1 : 1
        return .rational(sign * n / g, sign * d / g)
    }

    /// Parses "123", "-4.50", ".5" exactly (decimals become rationals when they fit) or as floats.
    public static func parse(_ text: String, asFloat: Bool) -> MathNumber? {
        guard let value = Double(text) else { return nil }
        if asFloat { return .float(value) }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        if parts.count == 1, let n = Int(text) { return .integer(n) }
        if parts.count == 2, parts[1].count <= 15, let whole = Int(parts[0].isEmpty || parts[0] == "-" ? parts[0] + "0" : String(parts[0])),
           let digits = Int(parts[1].isEmpty ? "0" : String(parts[1])) {
            var scale = 1
            for _ in 0..<parts[1].count { scale *= 10 }
            let negative = text.hasPrefix("-")
            let (scaled, overflow) = abs(whole).multipliedReportingOverflow(by: scale)
            guard !overflow else { return .float(value) }
            return MathNumber.fraction(negative ? -(scaled + digits) : scaled + digits, scale)
        }
        return .float(value)
    }

    public var doubleValue: Double {
        switch self {
        case let .rational(n, d): return Double(n) / Double(d)
        case let .float(v): return v
        }
    }

    public var isFloat: Bool { if case .float = self { return true }; return false }
    public var isInteger: Bool { if case let .rational(_, d) = self { return d == 1 }; return false }
    public var isZero: Bool { doubleValue == 0 }

    public var description: String {
        switch self {
        case let .rational(n, 1): return String(n)
        case let .rational(n, d): return "\(n)/\(d)"
        case let .float(v): return String(v)
        }
    }

    static func gcd(_ a: Int, _ b: Int) -> Int {
        var (a, b) = (a, b)
        while b != 0 { (a, b) = (b, a % b) }
        return max(a, 1)
    }

    public static func + (a: MathNumber, b: MathNumber) -> MathNumber {
        if case let .rational(n1, d1) = a, case let .rational(n2, d2) = b {
            let (x, o1) = n1.multipliedReportingOverflow(by: d2)
            let (y, o2) = n2.multipliedReportingOverflow(by: d1)
            let (d, o3) = d1.multipliedReportingOverflow(by: d2)
            let (n, o4) = x.addingReportingOverflow(y)
            if !(o1 || o2 || o3 || o4), let r = fraction(n, d) { return r }
        }
        return .float(a.doubleValue + b.doubleValue)
    }

    public static prefix func - (a: MathNumber) -> MathNumber {
        switch a {
        case let .rational(n, d) where n != Int.min: return .rational(-n, d)
        default: return .float(-a.doubleValue)
        }
    }

    public static func * (a: MathNumber, b: MathNumber) -> MathNumber {
        if case let .rational(n1, d1) = a, case let .rational(n2, d2) = b {
            let (n, o1) = n1.multipliedReportingOverflow(by: n2)
            let (d, o2) = d1.multipliedReportingOverflow(by: d2)
            if !(o1 || o2), let r = fraction(n, d) { return r }
        }
        return .float(a.doubleValue * b.doubleValue)
    }

    /// nil for division by an exact zero.
    public static func / (a: MathNumber, b: MathNumber) -> MathNumber? {
        if case let .rational(n2, d2) = b {
            guard n2 != 0 else { return nil }
            return a * (fraction(d2, n2) ?? .float(Double(d2) / Double(n2)))
        }
        return .float(a.doubleValue / b.doubleValue)
    }

    /// Exact for small integer exponents of rationals, else a float (nil when undefined, e.g. 0^-1).
    public func power(_ e: MathNumber) -> MathNumber? {
        if case .rational = self, case let .rational(k, 1) = e, abs(k) <= 64 {
            var result = MathNumber.integer(1)
            for _ in 0..<abs(k) { result = result * self }
            return k < 0 ? MathNumber.integer(1) / result : result
        }
        let v = Foundation.pow(doubleValue, e.doubleValue)
        return v.isNaN ? nil : .float(v)
    }
}
