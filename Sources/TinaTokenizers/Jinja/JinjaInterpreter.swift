import Foundation
import TinaCore

/// A user-visible template error (`raise_exception`) or an evaluation failure.
struct JinjaError: Error {
    let message: String
}

/// Renders parsed Jinja nodes. Scoping follows Jinja: a `for` body gets its own scope per iteration
/// (`set` inside a loop does not leak; `namespace` objects carry state out), `if` does not.
final class JinjaInterpreter {
    var scopes: [[String: JinjaValue]]
    var macros: [String: (parameters: [(String, JinjaExpr?)], body: [JinjaNode])] = [:]
    /// Renderer frames (render + evaluate) now open, macro calls now open, loop iterations so far:
    /// each bounded by `JinjaLimits`.
    private var depth = 0
    private var macroDepth = 0
    private var iterations = 0

    enum Flow { case normal, breakLoop, continueLoop }

    init(globals: [String: JinjaValue]) {
        scopes = [globals]
    }

    func lookup(_ name: String) -> JinjaValue {
        for scope in scopes.reversed() { if let v = scope[name] { return v } }
        return .undefined
    }

    func assign(_ name: String, _ value: JinjaValue) { scopes[scopes.count - 1][name] = value }

    private func enter() throws {
        depth += 1
        guard depth <= JinjaLimits.maxRenderDepth else {
            throw JinjaLimits.exceeded("rendering depth (nested blocks, expressions and macro calls)", JinjaLimits.maxRenderDepth)
        }
    }

    private func emit(_ text: String, into out: inout String) throws {
        guard out.utf8.count + text.utf8.count <= JinjaLimits.maxOutputBytes else {
            throw JinjaLimits.exceeded("rendered text size in bytes", JinjaLimits.maxOutputBytes)
        }
        out += text
    }

    func render(_ nodes: [JinjaNode], into out: inout String) throws -> Flow {
        try enter()
        defer { depth -= 1 }
        for node in nodes {
            switch node {
            case let .text(t): try emit(t, into: &out)
            case let .output(e): try emit(try evaluate(e).printed, into: &out)
            case let .ifBlock(branches, otherwise):
                var taken = false
                for (condition, body) in branches where try evaluate(condition).isTruthy {
                    taken = true
                    let flow = try render(body, into: &out)
                    if flow != .normal { return flow }
                    break
                }
                if !taken, let otherwise {
                    let flow = try render(otherwise, into: &out)
                    if flow != .normal { return flow }
                }
            case let .forBlock(targets, iterable, condition, body, otherwise):
                try renderFor(targets: targets, iterable: iterable, condition: condition, body: body, otherwise: otherwise, into: &out)
            case let .set(name, attribute, e):
                let value = try checkedForStorage(try evaluate(e))
                if let attribute {
                    guard case let .namespace(ns) = lookup(name) else {
                        throw JinjaError(message: "cannot set attribute '\(attribute)' of '\(name)', which is not a namespace")
                    }
                    ns.set(attribute, value)
                } else {
                    assign(name, value)
                }
            case let .setBlock(name, body):
                var captured = ""
                _ = try render(body, into: &captured)
                assign(name, .string(captured))
            case let .macro(name, parameters, body):
                macros[name] = (parameters, body)
            case .breakLoop: return .breakLoop
            case .continueLoop: return .continueLoop
            }
        }
        return .normal
    }

    private func renderFor(targets: [String], iterable: JinjaExpr, condition: JinjaExpr?, body: [JinjaNode],
                           otherwise: [JinjaNode]?, into out: inout String) throws {
        var items: [JinjaValue]
        switch try evaluate(iterable) {
        case let .array(a): items = a
        case let .object(o): items = o.map { .string($0.0) }
        case let .string(s):
            guard s.utf8.count <= JinjaLimits.maxListLength else {
                throw JinjaLimits.exceeded("characters iterated in one loop", JinjaLimits.maxListLength)
            }
            items = s.map { .string(String($0)) }
        case .undefined, .none: items = []
        case let other: throw JinjaError(message: "cannot iterate over \(other.pythonRepr)")
        }
        if let condition {
            items = try items.filter { item in
                scopes.append([:])
                defer { scopes.removeLast() }
                bind(targets, item)
                return try evaluate(condition).isTruthy
            }
        }
        if items.isEmpty, let otherwise { _ = try render(otherwise, into: &out); return }
        for (i, item) in items.enumerated() {
            iterations += 1
            guard iterations <= JinjaLimits.maxLoopIterations else {
                throw JinjaLimits.exceeded("loop iterations in one render", JinjaLimits.maxLoopIterations)
            }
            let loop: [(String, JinjaValue)] = [
                ("index", .int(i + 1)), ("index0", .int(i)), ("revindex", .int(items.count - i)),
                ("revindex0", .int(items.count - i - 1)), ("first", .bool(i == 0)), ("last", .bool(i == items.count - 1)),
                ("length", .int(items.count)), ("previtem", i > 0 ? items[i - 1] : .undefined),
                ("nextitem", i + 1 < items.count ? items[i + 1] : .undefined),
            ]
            scopes.append(["loop": .object(loop)])
            bind(targets, item)
            let flow = try render(body, into: &out)
            scopes.removeLast()
            if flow == .breakLoop { break }
        }
    }

    private func bind(_ targets: [String], _ item: JinjaValue) {
        if targets.count == 1 {
            assign(targets[0], item)
        } else if case let .array(parts) = item {
            for (t, v) in zip(targets, parts) { assign(t, v) }
        }
    }

    /// Evaluates `e`; every value it builds stays within the size and nesting limits.
    func evaluate(_ e: JinjaExpr) throws -> JinjaValue {
        try enter()
        defer { depth -= 1 }
        let value = try evaluateUnchecked(e)
        switch value {
        case let .string(s):
            guard s.utf8.count <= JinjaLimits.maxOutputBytes else {
                throw JinjaLimits.exceeded("size in bytes of a string built by the template", JinjaLimits.maxOutputBytes)
            }
        case let .array(a):
            guard a.count <= JinjaLimits.maxListLength else {
                throw JinjaLimits.exceeded("length of a list built by the template", JinjaLimits.maxListLength)
            }
        default: break
        }
        return value
    }

    /// A value about to be stored (`set`, `namespace()`), refused when it nests deeper than
    /// `JinjaLimits.maxValueDepth`. Stored values are the only way nesting grows from one statement to the next,
    /// so checking here bounds every value a template can build.
    func checkedForStorage(_ value: JinjaValue) throws -> JinjaValue {
        guard value.nestingDepth(limit: JinjaLimits.maxValueDepth) <= JinjaLimits.maxValueDepth else {
            throw JinjaLimits.exceeded("nesting depth of lists and objects", JinjaLimits.maxValueDepth)
        }
        return value
    }

    private func evaluateUnchecked(_ e: JinjaExpr) throws -> JinjaValue {
        switch e {
        case let .literal(v): return v
        case let .name(n): return lookup(n)
        case let .list(items): return .array(try items.map(evaluate))
        case let .dict(pairs): return .object(try pairs.map { (try evaluate($0.0).printed, try evaluate($0.1)) })
        case let .attribute(base, name):
            let value = try evaluate(base)
            let attribute = value.attribute(name)
            if case .undefined = attribute, case .array = value, let i = Int(name) { return try index(value, .int(i)) }
            return attribute
        case let .index(base, key): return try index(try evaluate(base), try evaluate(key))
        case let .slice(base, start, stop, step):
            return try JinjaBuiltins.slice(try evaluate(base), start: try start.map(evaluate), stop: try stop.map(evaluate), step: try step.map(evaluate))
        case let .call(callee, args, kwargs):
            return try call(callee, args: try args.map(evaluate), kwargs: try kwargs.map { ($0.0, try evaluate($0.1)) })
        case let .filter(base, name, args, kwargs):
            return try JinjaBuiltins.filter(name, try evaluate(base), args: try args.map(evaluate), kwargs: try kwargs.map { ($0.0, try evaluate($0.1)) })
        case let .test(base, name, args, negated):
            let result = try JinjaBuiltins.test(name, try evaluate(base), args: try args.map(evaluate))
            return .bool(result != negated)
        case let .unary(op, operand):
            let v = try evaluate(operand)
            if op == "not" { return .bool(!v.isTruthy) }
            switch v {
            case let .int(i): return .int(-i)
            case let .double(d): return .double(-d)
            default: throw JinjaError(message: "cannot negate \(v.pythonRepr)")
            }
        case let .binary(op, left, right):
            if op == "and" { let l = try evaluate(left); return l.isTruthy ? try evaluate(right) : l }
            if op == "or" { let l = try evaluate(left); return l.isTruthy ? l : try evaluate(right) }
            return try JinjaBuiltins.binary(op, try evaluate(left), try evaluate(right))
        case let .conditional(value, condition, otherwise):
            if try evaluate(condition).isTruthy { return try evaluate(value) }
            return try otherwise.map(evaluate) ?? .undefined
        }
    }

    func index(_ base: JinjaValue, _ key: JinjaValue) throws -> JinjaValue {
        switch (base, key) {
        case let (.array(a), .int(i)):
            let j = i < 0 ? a.count + i : i
            return j >= 0 && j < a.count ? a[j] : .undefined
        case let (.string(s), .int(i)):
            let chars = Array(s)
            let j = i < 0 ? chars.count + i : i
            return j >= 0 && j < chars.count ? .string(String(chars[j])) : .undefined
        case let (_, .string(k)): return base.attribute(k)
        default: return .undefined
        }
    }

    private func call(_ callee: JinjaExpr, args: [JinjaValue], kwargs: [(String, JinjaValue)]) throws -> JinjaValue {
        if case let .attribute(base, method) = callee {
            return try JinjaBuiltins.method(method, on: try evaluate(base), args: args, kwargs: kwargs)
        }
        guard case let .name(name) = callee else { throw JinjaError(message: "cannot call this expression") }
        if let macro = macros[name] {
            macroDepth += 1
            defer { macroDepth -= 1 }
            guard macroDepth <= JinjaLimits.maxMacroCallDepth else {
                throw JinjaLimits.exceeded("depth of macro calls (macro '\(name)' calls itself?)", JinjaLimits.maxMacroCallDepth)
            }
            var frame: [String: JinjaValue] = [:]
            for (i, (param, defaultValue)) in macro.parameters.enumerated() {
                if i < args.count { frame[param] = args[i] } else if let kw = kwargs.first(where: { $0.0 == param }) { frame[param] = kw.1 } else {
                    frame[param] = try defaultValue.map(evaluate) ?? .undefined
                }
            }
            scopes.append(frame)
            defer { scopes.removeLast() }
            var out = ""
            _ = try render(macro.body, into: &out)
            return .string(out)
        }
        return try JinjaBuiltins.global(name, args: args, kwargs: kwargs)
    }
}
