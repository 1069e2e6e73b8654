/// A parsed answer: the small algebra math-verify's sympy objects cover for grading purposes.
public indirect enum MathExpr: Sendable, Hashable {
    case number(MathNumber)
    /// A variable (x, x_1, \alpha, or a \text{...} word, lowercased as latex2sympy does).
    case symbol(String)
    case constant(Constant)
    case add([MathExpr])
    case mul([MathExpr])
    case power(MathExpr, MathExpr)
    /// sin, cos, tan, cot, sec, csc, arcsin, ..., log (with base as second argument), exp, abs, factorial,
    /// binomial, or a user function like f(x).
    case function(String, [MathExpr])
    /// x%: the value x/100, remembered as a percentage for comparisons.
    case percent(MathExpr)
    /// Unordered, duplicates removed on comparison.
    case set([MathExpr])
    case tuple([MathExpr])
    case interval(MathExpr, MathExpr, leftOpen: Bool, rightOpen: Bool)
    case union([MathExpr])
    /// A chain a < b <= c becomes several relations joined (And).
    case relation(Relation, MathExpr, MathExpr)
    case and([MathExpr])
    case matrix([[MathExpr]])
    /// `\sum_{k=lower}^{upper} body` or `\prod`: `index` is bound (not a free variable of the whole).
    case bigOperator(BigOperator, MathExpr, index: String, lower: MathExpr, upper: MathExpr)

    public enum BigOperator: String, Sendable, Hashable { case sum, product }

    public enum Constant: String, Sendable, Hashable { case pi, e, i, infinity }

    public enum Relation: String, Sendable, Hashable {
        case equal = "=", notEqual = "!=", less = "<", lessEqual = "<=", greater = ">", greaterEqual = ">="

        var flipped: Relation {
            switch self {
            case .less: return .greater
            case .greater: return .less
            case .lessEqual: return .greaterEqual
            case .greaterEqual: return .lessEqual
            default: return self
            }
        }
    }

    static func negate(_ e: MathExpr) -> MathExpr {
        if case let .number(n) = e { return .number(-n) }
        return .mul([.number(.integer(-1)), e])
    }

    /// Free variables.
    var symbols: Set<String> {
        switch self {
        case let .symbol(s): return [s]
        case .number, .constant: return []
        case let .add(items), let .mul(items), let .set(items), let .tuple(items), let .union(items), let .and(items):
            return items.reduce(into: Set<String>()) { $0.formUnion($1.symbols) }
        case let .function(_, args): return args.reduce(into: Set<String>()) { $0.formUnion($1.symbols) }
        case let .power(a, b), let .relation(_, a, b), let .interval(a, b, _, _): return a.symbols.union(b.symbols)
        case let .percent(a): return a.symbols
        case let .matrix(rows): return rows.flatMap { $0 }.reduce(into: Set<String>()) { $0.formUnion($1.symbols) }
        case let .bigOperator(_, body, index, lower, upper):
            return body.symbols.subtracting([index]).union(lower.symbols).union(upper.symbols)
        }
    }

    var isRelation: Bool {
        switch self {
        case .relation: return true
        case let .and(items): return !items.isEmpty && items.allSatisfy { if case .relation = $0 { return true }; return false }
        default: return false
        }
    }

    var isEquation: Bool {
        switch self {
        case let .relation(op, _, _): return op == .equal
        case let .and(items): return !items.isEmpty && items.allSatisfy { if case .relation(.equal, _, _) = $0 { return true }; return false }
        default: return false
        }
    }

    var relations: [MathExpr] { if case let .and(items) = self { return items }; return [self] }

    /// `a = ...` where the left side is made of symbols only (math-verify's assignment).
    var isAssignment: Bool {
        guard isEquation, case let .relation(_, lhs, _) = relations.first else { return false }
        return lhs.isOnlySymbols
    }

    /// latex2sympy's `is_expr_of_only_symbols`: symbols, and products, quotients, tuples and calls of them
    /// (so `A:B`, `\frac{NO}{BO}` and `(p, q, r)` count).
    var isOnlySymbols: Bool {
        switch self {
        case .symbol: return true
        case let .power(base, .number(.rational(-1, 1))): return base.isOnlySymbols
        case let .mul(items), let .tuple(items), let .set(items): return !items.isEmpty && items.allSatisfy(\.isOnlySymbols)
        case let .interval(a, b, _, _): return a.isOnlySymbols && b.isOnlySymbols
        case let .function(_, args): return !args.isEmpty && args.allSatisfy(\.isOnlySymbols)
        default: return false
        }
    }
}
