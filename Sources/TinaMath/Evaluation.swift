import Foundation

/// A complex value for numeric evaluation of answers.
struct Complex: Equatable {
    var re: Double
    var im: Double

    init(_ re: Double, _ im: Double = 0) { self.re = re; self.im = im }

    var isFinite: Bool { re.isFinite && im.isFinite }
    /// hypot, not sqrt(re² + im²): squaring overflows for values near 1e300 (2^1009 made everything "equal").
    var magnitude: Double { Foundation.hypot(re, im) }
    var isReal: Bool { abs(im) <= 1e-12 * max(1, abs(re)) }

    static func + (a: Complex, b: Complex) -> Complex { Complex(a.re + b.re, a.im + b.im) }
    static func - (a: Complex, b: Complex) -> Complex { Complex(a.re - b.re, a.im - b.im) }
    static func * (a: Complex, b: Complex) -> Complex { Complex(a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re) }
    static func / (a: Complex, b: Complex) -> Complex {
        let d = b.re * b.re + b.im * b.im
        return Complex((a.re * b.re + a.im * b.im) / d, (a.im * b.re - a.re * b.im) / d)
    }

    static func exp(_ z: Complex) -> Complex {
        let m = Foundation.exp(z.re)
        return z.im == 0 ? Complex(m) : Complex(m * Foundation.cos(z.im), m * Foundation.sin(z.im))
    }

    static func log(_ z: Complex) -> Complex {
        Complex(Foundation.log(z.magnitude), Foundation.atan2(z.im, z.re))
    }

    static func pow(_ a: Complex, _ b: Complex) -> Complex {
        if a.im == 0 && b.im == 0 {
            if a.re >= 0 { return Complex(Foundation.pow(a.re, b.re)) }
            if b.re == b.re.rounded() { return Complex(Foundation.pow(a.re, b.re)) }
            // Odd roots of negatives: real cube root (what people mean by \sqrt[3]{-8}).
            let inverse = 1 / b.re
            if inverse == inverse.rounded(), Int(inverse) % 2 != 0 { return Complex(-Foundation.pow(-a.re, b.re)) }
        }
        if a.re == 0 && a.im == 0 { return Complex(b.re > 0 ? 0 : .infinity) }
        return exp(b * log(a))
    }
}

/// Numeric evaluation of expressions with values for their symbols. Returns nil when the expression has no
/// numeric value (sets, relations, domain errors, overflow) so comparisons can give up safely.
enum Evaluator {
    static func value(_ e: MathExpr, _ env: [String: Complex]) -> Complex? {
        switch e {
        case let .number(n): return Complex(n.doubleValue)
        case let .symbol(s): return env[s]
        case let .constant(c):
            switch c {
            case .pi: return Complex(Double.pi)
            case .e: return Complex(M_E)
            case .i: return Complex(0, 1)
            case .infinity: return Complex(.infinity)
            }
        case let .add(items):
            var total = Complex(0)
            for item in items { guard let v = value(item, env) else { return nil }; total = total + v }
            return total
        case let .mul(items):
            var total = Complex(1)
            for item in items { guard let v = value(item, env) else { return nil }; total = total * v }
            return total
        case let .power(b, x):
            guard let base = value(b, env), let exponent = value(x, env) else { return nil }
            let r = Complex.pow(base, exponent)
            return r.isFinite || !base.isFinite ? r : nil
        case let .percent(inner):
            return value(inner, env).map { $0 / Complex(100) }
        case let .function(name, args):
            let values = args.compactMap { value($0, env) }
            guard values.count == args.count, let x = values.first else { return nil }
            return function(name, x, values.count > 1 ? values[1] : nil)
        case let .bigOperator(op, body, index, lower, upper):
            return BigOperators.value(op, body, index: index, lower: lower, upper: upper, env)
        default:
            return nil
        }
    }

    static func function(_ name: String, _ x: Complex, _ y: Complex?) -> Complex? {
        func real(_ f: (Double) -> Double) -> Complex? {
            guard x.isReal else { return nil }
            let v = f(x.re)
            return v.isNaN ? nil : Complex(v)
        }
        switch name {
        case "sin": return x.isReal ? Complex(Foundation.sin(x.re)) : nil
        case "cos": return x.isReal ? Complex(Foundation.cos(x.re)) : nil
        case "tan": return real(Foundation.tan)
        case "cot": return real { 1 / Foundation.tan($0) }
        case "sec": return real { 1 / Foundation.cos($0) }
        case "csc": return real { 1 / Foundation.sin($0) }
        case "arcsin": return real(Foundation.asin)
        case "arccos": return real(Foundation.acos)
        case "arctan": return real(Foundation.atan)
        case "arccot": return real { Foundation.atan(1 / $0) }
        case "sinh": return real(Foundation.sinh)
        case "cosh": return real(Foundation.cosh)
        case "tanh": return real(Foundation.tanh)
        case "exp": return Complex.exp(x)
        case "log":
            guard x.magnitude > 0 else { return nil }
            if let base = y { return Complex.log(x) / Complex.log(base) }
            return Complex.log(x)
        case "abs": return Complex(x.magnitude)
        case "floor": return real(Foundation.floor)
        case "ceil": return real(Foundation.ceil)
        case "factorial":
            // Gamma(n + 1); capped so huge factorials give up instead of taking time.
            guard x.isReal, x.re >= 0, x.re <= 170 else { return nil }
            return Complex(Foundation.tgamma(x.re + 1))
        case "binomial":
            guard let k = y, x.isReal, k.isReal, x.re <= 1000, k.re >= 0 else { return nil }
            let v = Foundation.exp(Foundation.lgamma(x.re + 1) - Foundation.lgamma(k.re + 1) - Foundation.lgamma(x.re - k.re + 1))
            return Complex(v.rounded() == v.rounded(.toNearestOrEven) && x.re == x.re.rounded() ? v.rounded() : v)
        default:
            return nil
        }
    }
}
