import Foundation

/// Sums and products over an integer index (`\sum_{k=1}^{10} k`, `\prod_{i=1}^{4} i`), evaluated term by term
/// as sympy's `Sum(...).doit()` does for numeric bounds. Bounds that are not integers (a symbolic `n` at a
/// random point) give no value, so a closed form is never "equal" to a sum over a symbolic range, as in
/// math-verify.
enum BigOperators {
    /// The most terms a sum or product is evaluated over, all nesting levels together (a sum of sums may have
    /// maxTerms^(1/2) terms per level); a longer range has no value, so hostile input cannot take long.
    static let maxTerms = 10_000

    /// How many sums and products are nested inside `e` (0 for none).
    static func nesting(_ e: MathExpr) -> Int {
        var deepest = 0
        _ = e.mapChildren { child in deepest = max(deepest, nesting(child)); return child }
        if case .bigOperator = e { return deepest + 1 }
        return deepest
    }

    /// Terms allowed at one level whose body nests `inner` more sums or products.
    static func termsAllowed(inner: Int) -> Int {
        Int(Foundation.pow(Double(maxTerms), 1 / Double(inner + 1)).rounded(.down))
    }

    static func value(_ op: MathExpr.BigOperator, _ body: MathExpr, index: String, lower: MathExpr, upper: MathExpr,
                      _ env: [String: Complex]) -> Complex? {
        guard let l = Evaluator.value(lower, env), let u = Evaluator.value(upper, env) else { return nil }
        guard let bounds = integerBounds(l, u), bounds.upper - bounds.lower < termsAllowed(inner: nesting(body)) else { return nil }
        var total = Complex(op == .sum ? 0 : 1)
        guard bounds.upper >= bounds.lower else { return total }
        var inner = env
        for k in bounds.lower...bounds.upper {
            inner[index] = Complex(Double(k))
            guard let v = Evaluator.value(body, inner) else { return nil }
            total = op == .sum ? total + v : total * v
        }
        return total
    }

    static func exactValue(_ op: MathExpr.BigOperator, _ body: MathExpr, index: String, lower: MathExpr,
                           upper: MathExpr) -> ExactRational? {
        guard let l = ExactRational.value(lower), let u = ExactRational.value(upper), l.denominator == 1, u.denominator == 1,
              let lo = Int(exactly: l.numerator), let hi = Int(exactly: u.numerator) else { return nil }
        guard hi >= lo else { return ExactRational(op == .sum ? 0 : 1, 1) }
        guard hi - lo < termsAllowed(inner: nesting(body)) else { return nil }
        var total = ExactRational(op == .sum ? 0 : 1, 1)
        for k in lo...hi {
            guard let t = total, let v = ExactRational.value(body.substituting(index, with: .number(.integer(k)))) else { return nil }
            total = op == .sum
                ? ExactRational(t.numerator * v.denominator + v.numerator * t.denominator, t.denominator * v.denominator)
                : ExactRational(t.numerator * v.numerator, t.denominator * v.denominator)
        }
        return total
    }

    /// Integer bounds from their values (within 1e-9 of integers), nil otherwise or past `maxTerms`.
    static func integerBounds(_ lower: Complex, _ upper: Complex) -> (lower: Int, upper: Int)? {
        guard lower.isReal, upper.isReal, lower.re.isFinite, upper.re.isFinite,
              abs(lower.re) < 1e15, abs(upper.re) < 1e15 else { return nil }
        let lo = lower.re.rounded(), hi = upper.re.rounded()
        guard abs(lower.re - lo) <= 1e-9, abs(upper.re - hi) <= 1e-9, hi - lo < Double(maxTerms) else { return nil }
        return (Int(lo), Int(hi))
    }
}
