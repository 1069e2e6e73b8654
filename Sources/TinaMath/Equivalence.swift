import Foundation

/// math-verify's `sympy_expr_eq`, on `MathExpr`: assignments and equations unwrapped the way the gold is
/// written, structural equality, relations compared through lhs - rhs, sets/tuples/intervals element-wise,
/// text symbols by name, numbers with float rounding to `floatRounding` decimals, and expressions with
/// variables by evaluation at random points.
struct Equivalence {
    var floatRounding = 6

    func equal(_ goldIn: MathExpr, _ predIn: MathExpr) -> Bool {
        var gold = goldIn, pred = predIn
        let goldAssignment = gold.isAssignment, predAssignment = pred.isAssignment
        let goldEquation = gold.isEquation, predEquation = pred.isEquation
        if goldAssignment { gold = Self.firstLhsLastRhs(gold) }
        if predAssignment { pred = Self.firstLhsLastRhs(pred) }
        if predEquation && !goldEquation {
            pred = Self.lastRhs(pred)
        } else if goldAssignment && !predEquation {
            gold = Self.lastRhs(gold)
        }
        // 1 < x < 2 against an interval: compare the relation's solution set (sympy's as_set).
        // User-function calls are symbols there (unwrap_fcs): 0 < f(x) < 1 is the interval (0, 1).
        if gold.isRelation, Self.isSetLike(pred) {
            let unwrapped = gold.unwrappingCalls
            if let set = Self.relationAsSet(unwrapped) { gold = set } else { return Self.sameMembership(unwrapped, pred) }
        }
        if gold == pred || gold.canonical == pred.canonical { return true }
        if gold.isRelation && pred.isRelation { return relationsEqual(gold, pred) }
        if Self.isSetLike(gold) || Self.isSetLike(pred) { return setsEqual(gold, pred) }
        if case .symbol = gold { return symbolsEqual(gold, pred) }
        if case .symbol = pred { return symbolsEqual(gold, pred) }
        if case let .matrix(a) = gold, case let .matrix(b) = pred {
            guard a.count == b.count, zip(a, b).allSatisfy({ $0.count == $1.count }) else { return false }
            return zip(a.joined(), b.joined()).allSatisfy { equal($0, $1) }
        }
        if let a = Self.numericMatrix(gold), let b = Self.numericMatrix(pred) {
            guard a.count == b.count, zip(a, b).allSatisfy({ $0.count == $1.count }) else { return false }
            return zip(a.joined(), b.joined()).allSatisfy { ($0 - $1).magnitude <= 1e-9 * max(1, $0.magnitude) }
        }
        if gold.isRelation || pred.isRelation { return false }
        return numericEqual(gold, pred) || symbolicEqual(gold, pred)
    }

    /// A product of numeric matrices (and scalars) evaluated to one matrix; nil unless a matrix is involved.
    static func numericMatrix(_ e: MathExpr) -> [[Complex]]? {
        switch e {
        case let .matrix(rows):
            let values = rows.map { $0.map { Evaluator.value($0, [:]) } }
            guard values.allSatisfy({ $0.allSatisfy { $0 != nil } }) else { return nil }
            return values.map { $0.compactMap { $0 } }
        case let .mul(items):
            var result: [[Complex]]?
            var scalar = Complex(1)
            for item in items {
                if let m = numericMatrix(item) {
                    guard let r = result else { result = m; continue }
                    guard let width = r.first?.count, width == m.count else { return nil }
                    result = r.map { row in (0..<(m.first?.count ?? 0)).map { j in
                        (0..<width).reduce(Complex(0)) { $0 + row[$1] * m[$1][j] } } }
                } else if let v = Evaluator.value(item, [:]) {
                    scalar = scalar * v
                } else {
                    return nil
                }
            }
            return result.map { $0.map { $0.map { $0 * scalar } } }
        default: return nil
        }
    }

    static func firstLhsLastRhs(_ e: MathExpr) -> MathExpr {
        let rels = e.relations
        guard case let .relation(_, lhs, _)? = rels.first, case let .relation(_, _, rhs)? = rels.last else { return e }
        return .relation(.equal, lhs, rhs)
    }

    static func lastRhs(_ e: MathExpr) -> MathExpr {
        if case let .relation(_, _, rhs)? = e.relations.last { return rhs }
        return e
    }

    static func isSetLike(_ e: MathExpr) -> Bool {
        switch e {
        case .set, .tuple, .interval, .union: return true
        default: return false
        }
    }

    // MARK: relations

    func relationsEqual(_ gold: MathExpr, _ pred: MathExpr) -> Bool {
        let g = gold.relations, p = pred.relations
        guard g.count == p.count else { return false }
        if g.count > 1 { return zip(g, p).allSatisfy { relationsEqual($0, $1) } }
        guard case let .relation(gop, gl, gr) = g[0], case let .relation(pop, pl, pr) = p[0] else { return false }
        let gDiff = MathExpr.add([gl, MathExpr.negate(gr)]), pDiff = MathExpr.add([pl, MathExpr.negate(pr)])
        if gop == pop && equal(gDiff, pDiff) { return true }
        if gop.flipped == pop && gop != pop && equal(gDiff, MathExpr.add([pr, MathExpr.negate(pl)])) { return true }
        // Equations with the same solution: a = b and b = a, or 2x = 4 and x = 2 (linear in one variable).
        if gop == .equal && pop == .equal {
            if equal(gDiff, MathExpr.add([pr, MathExpr.negate(pl)])) { return true }
            if let gs = Self.solveLinear(gDiff), let ps = Self.solveLinear(pDiff), gs.variable == ps.variable {
                return abs(gs.value - ps.value) <= 1e-9 * max(1, abs(gs.value))
            }
            // Same solution set when lhs - rhs of one is a constant multiple of the other's.
            if proportional(gDiff, pDiff) { return true }
        }
        return false
    }

    /// Whether a/b is the same nonzero constant at several random points.
    func proportional(_ a: MathExpr, _ b: MathExpr) -> Bool {
        let variables = a.symbols.union(b.symbols).sorted()
        guard !variables.isEmpty, a.symbols == b.symbols else { return false }
        var ratio: Complex?
        var agreed = 0
        for trial in 0..<6 {
            var env: [String: Complex] = [:]
            for (k, v) in variables.enumerated() { env[v] = Complex(0.41 + 0.53 * Double((trial * 5 + k * 7) % 13) / 13 + 0.17 * Double(trial)) }
            guard let x = Evaluator.value(a, env), let y = Evaluator.value(b, env), x.isFinite, y.isFinite, y.magnitude > 1e-12 else { continue }
            let r = x / y
            guard r.magnitude > 1e-12 else { return false }
            if let ratio, (r - ratio).magnitude > 1e-9 * max(1, ratio.magnitude) { return false }
            ratio = r
            agreed += 1
        }
        return agreed >= 3
    }

    /// A relation in one variable against a set (e.g. 1 <= |z| <= 3/2 and [-3/2, -1] U [1, 3/2]): the same
    /// membership at the set's endpoints, just beside them, and on a grid.
    static func sameMembership(_ relation: MathExpr, _ set: MathExpr) -> Bool {
        let variables = relation.symbols
        guard variables.count == 1, let v = variables.first, set.symbols.isEmpty else { return false }
        var points: [Double] = stride(from: -50.0, through: 50.0, by: 0.37).map { $0 }
        for e in endpoints(set) { points += [e, e - 1e-7, e + 1e-7] }
        var checked = 0
        for x in points {
            guard let inRelation = holds(relation, v, x), let inSet = contains(set, x) else { continue }
            if inRelation != inSet { return false }
            checked += 1
        }
        return checked > 10
    }

    static func endpoints(_ set: MathExpr) -> [Double] {
        switch set {
        case let .interval(a, b, _, _): return [a, b].compactMap { Evaluator.value($0, [:]).flatMap { $0.isFinite ? $0.re : nil } }
        case let .union(items), let .set(items): return items.flatMap { endpoints($0) + (Evaluator.value($0, [:]).map { [$0.re] } ?? []) }
        default: return []
        }
    }

    static func holds(_ relation: MathExpr, _ v: String, _ x: Double) -> Bool? {
        for r in relation.relations {
            guard case let .relation(op, l, rr) = r, let a = Evaluator.value(l, [v: Complex(x)]), let b = Evaluator.value(rr, [v: Complex(x)]),
                  a.isReal, b.isReal else { return nil }
            let ok: Bool
            switch op {
            case .less: ok = a.re < b.re
            case .lessEqual: ok = a.re <= b.re + 1e-12
            case .greater: ok = a.re > b.re
            case .greaterEqual: ok = a.re >= b.re - 1e-12
            case .equal: ok = abs(a.re - b.re) <= 1e-12
            case .notEqual: ok = abs(a.re - b.re) > 1e-12
            }
            if !ok { return false }
        }
        return true
    }

    static func contains(_ set: MathExpr, _ x: Double) -> Bool? {
        switch set {
        case let .interval(a, b, lo, ro):
            guard let l = Evaluator.value(a, [:]), let h = Evaluator.value(b, [:]) else { return nil }
            return (lo ? x > l.re : x >= l.re - 1e-12) && (ro ? x < h.re : x <= h.re + 1e-12)
        case let .union(items):
            var any = false
            for item in items { guard let c = contains(item, x) else { return nil }; any = any || c }
            return any
        case let .set(items):
            return items.contains { Evaluator.value($0, [:]).map { abs($0.re - x) <= 1e-12 } ?? false }
        default: return nil
        }
    }

    /// `a < x < b`, `x >= a`, ... in one variable as an interval (nil for anything else).
    static func relationAsSet(_ e: MathExpr) -> MathExpr? {
        var low: (MathExpr, open: Bool) = (.mul([.number(.integer(-1)), .constant(.infinity)]), true)
        var high: (MathExpr, open: Bool) = (.constant(.infinity), true)
        let variables = e.symbols
        guard variables.count == 1, let v = variables.first else { return nil }
        for relation in e.relations {
            guard case let .relation(op, l, r) = relation else { return nil }
            var (op2, bound) = (op, r)
            if l == .symbol(v), !r.symbols.contains(v) {
                (op2, bound) = (op, r)
            } else if r == .symbol(v), !l.symbols.contains(v) {
                (op2, bound) = (op.flipped, l)
            } else {
                return nil
            }
            switch op2 {
            case .less: high = (bound, true)
            case .lessEqual: high = (bound, false)
            case .greater: low = (bound, true)
            case .greaterEqual: low = (bound, false)
            default: return nil
            }
        }
        return .interval(low.0, high.0, leftOpen: low.open, rightOpen: high.open)
    }

    /// The root of an expression linear in its single variable, by evaluating at two points.
    static func solveLinear(_ e: MathExpr) -> (variable: String, value: Double)? {
        let vars = e.symbols
        guard vars.count == 1, let v = vars.first else { return nil }
        guard let f0 = Evaluator.value(e, [v: Complex(0)]), let f1 = Evaluator.value(e, [v: Complex(1)]),
              let f2 = Evaluator.value(e, [v: Complex(2)]), f0.isReal, f1.isReal, f2.isReal else { return nil }
        let slope = f1.re - f0.re
        guard slope != 0, abs((f2.re - f1.re) - slope) <= 1e-9 * max(1, abs(slope)) else { return nil }
        return (v, -f0.re / slope)
    }

    // MARK: sets

    func setsEqual(_ gold: MathExpr, _ pred: MathExpr) -> Bool {
        let a = Self.asSet(gold), b = Self.asSet(pred)
        if case let .interval(as_, ae, alo, aro) = a, case let .interval(bs, be, blo, bro) = b {
            return alo == blo && aro == bro && equal(as_, bs) && equal(ae, be)
        }
        if case let .union(ai) = a, case let .union(bi) = b {
            guard ai.count == bi.count else { return false }
            var remaining = bi
            for item in ai {
                guard let i = remaining.firstIndex(where: { setsEqual(item, $0) }) else { return false }
                remaining.remove(at: i)
            }
            return true
        }
        switch (a, b) {
        case let (.set(x), .set(y)): return unorderedEqual(Self.unique(x), Self.unique(y))
        case let (.tuple(x), .tuple(y)): return x.count == y.count && zip(x, y).allSatisfy { equal($0, $1) }
        case let (.tuple(x), .set(y)):
            // A tuple gold fixes the order; the predicted set is read in its written order.
            let ys = Self.unique(y)
            return x.count == ys.count && zip(x, ys).allSatisfy { equal($0, $1) }
        case let (.set(x), .tuple(y)):
            // A set gold has no order: the predicted tuple's elements are matched as a set (math-verify sorts both).
            return unorderedEqual(Self.unique(x), y)
        case let (.interval(s, e, lo, ro), .set(items)), let (.interval(s, e, lo, ro), .tuple(items)):
            return lo && ro && items.count == 2 && equal(s, items[0]) && equal(e, items[1])
        case let (.set(items), .interval(s, e, lo, ro)):
            // An open interval (a, b) may be the pair written that way; a set gold matches it in any order.
            return lo && ro && unorderedEqual(Self.unique(items), [s, e])
        case let (.tuple(items), .interval(s, e, lo, ro)):
            return lo && ro && items.count == 2 && equal(items[0], s) && equal(items[1], e)
        default: return false
        }
    }

    static func asSet(_ e: MathExpr) -> MathExpr { isSetLike(e) ? e : .set([e]) }

    static func unique(_ items: [MathExpr]) -> [MathExpr] {
        var out: [MathExpr] = []
        for item in items where !out.contains(item) { out.append(item) }
        return out
    }

    func unorderedEqual(_ a: [MathExpr], _ b: [MathExpr]) -> Bool {
        guard a.count == b.count else { return false }
        var remaining = b
        for item in a {
            guard let i = remaining.firstIndex(where: { equal(item, $0) }) else { return false }
            remaining.remove(at: i)
        }
        return true
    }

    // MARK: symbols

    func symbolsEqual(_ gold: MathExpr, _ pred: MathExpr) -> Bool {
        func name(_ e: MathExpr) -> String? {
            switch e {
            case let .symbol(s): return s
            case .constant(.e): return "e"
            case let .mul(items):
                let parts = items.map { name($0) }
                return parts.allSatisfy { $0 != nil } ? parts.compactMap { $0 }.joined() : nil
            default: return nil
            }
        }
        guard let g = name(gold), let p = name(pred) else { return false }
        let gn = g.count > 1 ? g.lowercased() : g, pn = p.count > 1 ? p.lowercased() : p
        return gn == pn
    }

    // MARK: numbers

    /// Atomic number (or percentage of one), as sympy's `is_atomic_or_pct_atomic`.
    static func atomicNumber(_ e: MathExpr) -> (MathNumber, percent: Bool)? {
        switch e {
        case let .number(n): return (n, false)
        case let .percent(.number(n)): return (n, true)
        case let .mul(items) where items.count == 2:
            if case let .number(n) = items[0], case .number(.integer(-1)) = items[1] { return (-n, false) }
            return nil
        default: return nil
        }
    }

    func numericEqual(_ gold: MathExpr, _ pred: MathExpr) -> Bool {
        // Exact values on both sides (no floats): compare exactly, as sympy does for rationals.
        if let g = ExactRational.value(gold), let p = ExactRational.value(pred) { return g == p }
        let ga = Self.atomicNumber(gold), pa = Self.atomicNumber(pred)
        if ga != nil || pa != nil {
            let floatInvolved = (ga?.0.isFloat ?? false) || (pa?.0.isFloat ?? false)
            guard let g = Evaluator.value(gold, [:]), let p = Evaluator.value(pred, [:]), g.isReal, p.isReal else { return false }
            if floatInvolved {
                return Self.rounded(g.re, floatRounding) == Self.rounded(p.re, floatRounding)
            }
            if let (gn, _) = ga, let (pn, _) = pa, gn.isInteger, pn.isInteger {
                return gn == pn  // 9% == 9: the percentage's number itself
            }
            return abs(g.re - p.re) <= 1e-12 * max(1, abs(g.re))
        }
        guard gold.symbols.isEmpty, pred.symbols.isEmpty,
              let g = Evaluator.value(gold, [:]), let p = Evaluator.value(pred, [:]), g.isFinite, p.isFinite else { return false }
        return (g - p).magnitude <= 1e-12 * max(1, g.magnitude)
    }

    static func rounded(_ x: Double, _ digits: Int) -> Double {
        let scale = Foundation.pow(10, Double(digits))
        return (x * scale).rounded(.toNearestOrEven) / scale
    }

    /// Expressions with variables: equal values at several random points (a domain error at a point skips it).
    func symbolicEqual(_ gold: MathExpr, _ pred: MathExpr) -> Bool {
        let variables = gold.symbols.union(pred.symbols).sorted()
        guard !variables.isEmpty else { return false }
        guard gold.symbols == pred.symbols else { return false }
        var agreed = 0
        for trial in 0..<6 {
            var env: [String: Complex] = [:]
            for (k, v) in variables.enumerated() {
                env[v] = Complex(0.37 + 0.61 * Double((trial * 7 + k * 3) % 11) / 11 + 0.13 * Double(trial))
            }
            guard let g = Evaluator.value(gold, env), let p = Evaluator.value(pred, env) else { continue }
            guard g.isFinite, p.isFinite else { continue }
            if (g - p).magnitude > 1e-9 * max(1, g.magnitude) { return false }
            agreed += 1
        }
        return agreed >= 3
    }
}
