import BigInt

/// Exact rational evaluation of expressions made of numbers, + - * / and integer powers, with arbitrary
/// precision: 2^{1009} and 2^{1009} + 1 must differ, as they do for sympy. Sizes are capped (a result over
/// `maxBits` gives up) so huge exponents cannot take unbounded time.
struct ExactRational: Equatable {
    var numerator: BigInt
    var denominator: BigInt  // > 0

    static let maxBits = 20_000

    init?(_ n: BigInt, _ d: BigInt) {
        guard d != 0 else { return nil }
        let g = n.greatestCommonDivisor(with: d)
        var (a, b) = g == 0 ? (n, d) : (n / g, d / g)
        if b < 0 { a = -a; b = -b }
        guard a.bitWidth <= Self.maxBits, b.bitWidth <= Self.maxBits else { return nil }
        numerator = a
        denominator = b
    }

    static func value(_ e: MathExpr) -> ExactRational? {
        switch e {
        case let .number(.rational(n, d)): return ExactRational(BigInt(n), BigInt(d))
        case let .add(items):
            var total = ExactRational(0, 1)
            for item in items {
                guard let t = total, let v = value(item) else { return nil }
                total = ExactRational(t.numerator * v.denominator + v.numerator * t.denominator, t.denominator * v.denominator)
            }
            return total
        case let .mul(items):
            var total = ExactRational(1, 1)
            for item in items {
                guard let t = total, let v = value(item) else { return nil }
                total = ExactRational(t.numerator * v.numerator, t.denominator * v.denominator)
            }
            return total
        case let .power(base, exponent):
            guard let b = value(base), let x = value(exponent), x.denominator == 1, let k = Int(exactly: x.numerator),
                  abs(k) <= 100_000, b.numerator.bitWidth * abs(k) <= maxBits * 2 else { return nil }
            let n = b.numerator.power(abs(k)), d = b.denominator.power(abs(k))
            return k >= 0 ? ExactRational(n, d) : ExactRational(d, n)
        case let .bigOperator(op, body, index, lower, upper):
            return BigOperators.exactValue(op, body, index: index, lower: lower, upper: upper)
        default:
            return nil
        }
    }
}
