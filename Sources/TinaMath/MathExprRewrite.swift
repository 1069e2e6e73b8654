/// Structural rewrites of `MathExpr`: one-level child mapping, substitution of a variable, and latex2sympy's
/// reading of user-function calls as symbols (math-verify's `unwrap_fcs`: f(x) becomes the symbol f_x).
extension MathExpr {
    /// The same node with `transform` applied to each direct child.
    func mapChildren(_ transform: (MathExpr) -> MathExpr) -> MathExpr {
        switch self {
        case .number, .symbol, .constant: return self
        case let .add(items): return .add(items.map(transform))
        case let .mul(items): return .mul(items.map(transform))
        case let .power(a, b): return .power(transform(a), transform(b))
        case let .function(name, args): return .function(name, args.map(transform))
        case let .percent(a): return .percent(transform(a))
        case let .set(items): return .set(items.map(transform))
        case let .tuple(items): return .tuple(items.map(transform))
        case let .interval(a, b, lo, ro): return .interval(transform(a), transform(b), leftOpen: lo, rightOpen: ro)
        case let .union(items): return .union(items.map(transform))
        case let .relation(op, a, b): return .relation(op, transform(a), transform(b))
        case let .and(items): return .and(items.map(transform))
        case let .matrix(rows): return .matrix(rows.map { $0.map(transform) })
        case let .bigOperator(op, body, index, lower, upper):
            return .bigOperator(op, transform(body), index: index, lower: transform(lower), upper: transform(upper))
        }
    }

    /// `self` with every free occurrence of the variable `name` replaced by `value` (a sum's own index shadows it).
    func substituting(_ name: String, with value: MathExpr) -> MathExpr {
        switch self {
        case .symbol(name): return value
        case let .bigOperator(op, body, index, lower, upper) where index == name:
            return .bigOperator(op, body, index: index, lower: lower.substituting(name, with: value),
                                upper: upper.substituting(name, with: value))
        default: return mapChildren { $0.substituting(name, with: value) }
        }
    }

    /// Names the evaluator knows; any other function is a user function such as f(x).
    static let builtinFunctions: Set<String> = ["sin", "cos", "tan", "cot", "sec", "csc", "arcsin", "arccos", "arctan",
        "arccot", "arcsec", "arccsc", "sinh", "cosh", "tanh", "exp", "log", "abs", "floor", "ceil", "factorial",
        "binomial", "det", "gcd", "lcm", "max", "min"]

    /// User-function calls read as symbols, f(x) -> f_x, so that 0 < f(x) < 1 is a relation in one variable.
    var unwrappingCalls: MathExpr {
        let inner = mapChildren { $0.unwrappingCalls }
        if case let .function(name, args) = inner, !Self.builtinFunctions.contains(name) {
            return .symbol(name + "_" + args.map(\.symbolText).joined(separator: "_"))
        }
        return inner
    }

    /// A short spelling of an argument for `unwrappingCalls` (symbols and numbers as written).
    var symbolText: String {
        switch self {
        case let .symbol(s): return s
        case let .number(n): return "\(n)"
        default: return String(describing: self)
        }
    }
}

extension MathExpr {
    /// sympy's automatic canonical form, structurally: nested sums and products flattened, and the operands of
    /// +, * and sets in a fixed order, so F_k F_{n-k-1} and F_{n-k-1} F_k are the same expression even where
    /// no numeric value can tell (a sum over a symbolic range).
    var canonical: MathExpr {
        let inner = mapChildren { $0.canonical }
        func flattened(_ items: [MathExpr], _ isSame: (MathExpr) -> [MathExpr]?) -> [MathExpr] {
            items.flatMap { isSame($0) ?? [$0] }.sorted { String(describing: $0) < String(describing: $1) }
        }
        switch inner {
        case let .add(items): return .add(flattened(items) { if case let .add(x) = $0 { return x }; return nil })
        case let .mul(items): return .mul(flattened(items) { if case let .mul(x) = $0 { return x }; return nil })
        case let .set(items): return .set(flattened(items) { _ in nil })
        default: return inner
        }
    }
}
