import Foundation
import Testing
import TinaCore
import TinaTokenizers

/// Structure-aware fuzzing of chat templates: templates built from Jinja's grammar (expressions, filters,
/// tests, methods, blocks, macros), with hostile sizes and nesting mixed in, some truncated or mutated. Each must
/// render or fail with a TinaError, within the hang bound.
@Suite struct JinjaFuzzTests {
    struct Generator {
        var rng: FuzzRNG
        static let names = ["messages", "message", "m", "loop", "ns", "x", "add_generation_prompt", "bos_token", "nosuchname",
                            "loop.index", "ns.a", "ns.s", "message.content", "messages[0]", "message['role']"]
        static let filters = ["length", "trim", "upper", "lower", "title", "capitalize", "string", "int", "float", "abs", "default",
                              "first", "last", "join", "replace('a', 'b')", "list", "reverse", "items", "tojson", "tojson(indent=2)",
                              "map(attribute='role')", "map('upper')", "selectattr('role', 'equalto', 'user')", "rejectattr('content')",
                              "indent(2)", "safe", "count", "nosuchfilter", "join(', ')", "default('d', true)"]
        static let methods = ["strip()", "split()", "split('</think>')", "split(' ', 1)", "startswith('a')", "endswith(('a', 'b'))",
                              "upper()", "replace('x', 'yy')", "find('a')", "count('a')", "join(['a', 'b'])", "items()", "keys()",
                              "values()", "get('role', 1)", "lstrip('h')", "rstrip()", "nosuch()"]
        static let tests = ["defined", "undefined", "none", "string", "number", "integer", "even", "odd", "divisibleby(3)",
                            "divisibleby 0", "eq 1", "in [1, 2]", "mapping", "sequence", "true", "nosuchtest"]
        static let operators = ["+", "-", "*", "/", "//", "%", "**", "~", "==", "!=", "<", ">=", "and", "or", "in", "not in"]
        static let hugeInts = ["9223372036854775807", "9223372036854775808", "0", "-1", "4611686018427387904", "3037000500", "63", "64"]

        mutating func string() -> String {
            let n = rng.size(huge: 100_000)
            let body = String(repeating: rng.pick(["a", "\\'", "\\\\", "é", "</think>", " ", "{{", "%}"]), count: n)
            return rng.oneIn(2) ? "'\(body)'" : "\"\(body.replacingOccurrences(of: "\\'", with: "'"))\""
        }

        mutating func atom() -> String {
            switch rng.int(7) {
            case 0: return rng.pick(Self.hugeInts)
            case 1: return String(rng.int(20) - 5)
            case 2: return ["1.5", "0.0", "2.0", "-0.5", "1.0e", "10.0"][rng.int(6)]
            case 3: return string()
            case 4: return rng.pick(["true", "false", "none", "None", "True"])
            default: return rng.pick(Self.names)
            }
        }

        mutating func expression(_ depth: Int) -> String {
            if depth <= 0 || rng.oneIn(3) { return atom() }
            let e = { (g: inout Generator) in g.expression(depth - 1) }
            switch rng.int(14) {
            case 0, 1: return "\(e(&self)) \(rng.pick(Self.operators)) \(e(&self))"
            case 2: return "\(rng.pick(["-", "not ", "+"]))\(e(&self))"
            case 3: return "\(e(&self))|\(rng.pick(Self.filters))"
            case 4: return "\(e(&self)).\(rng.pick(Self.methods))"
            case 5: return "\(e(&self)) is \(rng.oneIn(3) ? "not " : "")\(rng.pick(Self.tests))"
            case 6: return "\(e(&self))[\(e(&self))]"
            case 7: return "\(e(&self))[\(rng.oneIn(2) ? e(&self) : ""):\(rng.oneIn(2) ? e(&self) : "")\(rng.oneIn(2) ? ":" + e(&self) : "")]"
            case 8: return "\(e(&self)) if \(e(&self)) else \(e(&self))"
            case 9: return "(\(e(&self)))"
            case 10: return "[\((0..<rng.int(4)).map { _ in e(&self) }.joined(separator: ", "))]"
            case 11: return "{\((0..<rng.int(3)).map { _ in "\(e(&self)): \(e(&self))" }.joined(separator: ", "))}"
            case 12: return "range(\((0..<(1 + rng.int(3))).map { _ in rng.oneIn(8) ? rng.pick(Self.hugeInts) : String(rng.int(12) - 3) }.joined(separator: ", ")))"
            default: return "namespace(a=\(e(&self)), s=\(e(&self)))"
            }
        }

        mutating func block(_ depth: Int) -> String {
            var out = ""
            for _ in 0..<(1 + rng.int(4)) {
                let d = depth - 1
                switch depth <= 0 ? rng.int(3) : rng.int(12) {
                case 0: out += rng.pick(["text ", "\n", "  ", "{# comment #}", "<|im_start|>"])
                case 1, 2: out += "{{\(rng.pick(["", "-"])) \(expression(1 + rng.int(4))) \(rng.pick(["", "-"]))}}"
                case 3: out += "{% if \(expression(2)) %}\(block(d)){% elif \(expression(2)) %}\(block(d)){% else %}\(block(d)){% endif %}"
                case 4: out += "{% for \(rng.pick(["x", "m", "k, v", "message"])) in \(expression(2))\(rng.oneIn(4) ? " if " + expression(1) : "") %}"
                    + "\(block(d))\(rng.oneIn(6) ? "{% break %}" : "")\(rng.oneIn(6) ? "{% continue %}" : "")\(rng.oneIn(4) ? "{% else %}" + block(d) : ""){% endfor %}"
                case 5: out += "{% set \(rng.pick(["x", "ns.a", "ns.s", "y"])) = \(expression(3)) %}"
                case 6: out += "{% set y %}\(block(d)){% endset %}{{ y }}"
                case 7: out += "{% macro f(a, b=\(atom())) %}\(block(d)){% if a %}{{ f(\(expression(1))) }}{% endif %}{% endmacro %}{{ f(\(expression(2))) }}"
                case 8: out += "{% for message in messages %}{{ message['role'] }}: {{ message['content'] }}\(block(d)){% endfor %}"
                case 9: out += "{{ raise_exception('fuzz') }}"
                case 10: out += rng.pick(["{%", "%}", "{{", "}}", "{% endif %}", "{% endfor %}", "{% include 'x' %}", "{% generation %}x{% endgeneration %}"])
                default: out += "{% set ns.s = ns.s ~ \(expression(2)) %}"
                }
            }
            return out
        }

        /// Nesting and repetition far past every limit, or just below it.
        mutating func hostile() -> String {
            let n = rng.oneIn(2) ? rng.int(JinjaLimits.maxExpressionDepth + 5) : rng.int(30_000)
            switch rng.int(9) {
            case 0: return "{{ " + String(repeating: "(", count: n) + atom() + String(repeating: ")", count: n) + " }}"
            case 1: return "{{ " + Array(repeating: atom(), count: n + 1).joined(separator: rng.pick(Self.operators)) + " }}"
            case 2: return String(repeating: "{% if true %}", count: n) + "x" + String(repeating: "{% endif %}", count: n)
            case 3: return String(repeating: "{% for i in [1] %}", count: n) + "{{ i }}" + String(repeating: "{% endfor %}", count: n)
            case 4: return "{% macro f(n) %}{{ f(n\(rng.oneIn(2) ? " - 1" : "")) }}{% endmacro %}{{ f(\(n)) }}"
            case 5: return "{{ x" + String(repeating: "|\(rng.pick(["abs", "string", "list", "first", "trim"]))", count: n) + " }}"
            case 6: return "{{ " + String(repeating: rng.pick(["-", "not ", "+"]), count: n) + "1 }}"
            case 7: return "{% set ns = namespace(x=[]) %}{% for i in range(\(n)) %}{% set ns.x = [ns.x, i] %}{% endfor %}{{ ns.x|tojson }}"
            default: return "{{ [" + String(repeating: "[", count: n) + String(repeating: "]", count: n) + "] }}"
            }
        }

        mutating func mutate(_ text: String) -> String {
            var scalars = Array(text.unicodeScalars)
            guard !scalars.isEmpty else { return text }
            switch rng.int(3) {
            case 0: scalars.removeLast(rng.int(scalars.count))  // truncation
            case 1:
                for _ in 0..<(1 + rng.int(4)) {
                    scalars.insert(contentsOf: rng.pick(["{%", "%}", "{{", "}}", "(", ")", "'", "\"", "[", "|", "-", "\\"]).unicodeScalars,
                                   at: rng.int(scalars.count + 1))
                }
            default:
                let start = rng.int(scalars.count)
                scalars.removeSubrange(start..<min(scalars.count, start + 1 + rng.int(20)))
            }
            return String(String.UnicodeScalarView(scalars))
        }

        mutating func template() -> String {
            var t = "{% set ns = namespace(a=1, s='') %}" + (rng.oneIn(10) ? hostile() : block(1 + rng.int(3)))
            if rng.oneIn(4) { t = mutate(t) }
            return t
        }
    }

    static let messages = #"[{"role": "system", "content": "S"}, {"role": "user", "content": "hi"}, {"role": "assistant", "content": "a</think>b"}]"#

    @Test func generatedTemplatesRenderOrFailCleanly() {
        var generator = Generator(rng: FuzzBudget.rng(1301))
        var report = FuzzReport(format: "chat templates")
        for _ in 0..<FuzzBudget.iterations(2000) {
            let template = generator.template()
            report.run(template) {
                do {
                    _ = try ChatTemplate(template).render(messagesJSON: Self.messages, addGenerationPrompt: generator.rng.oneIn(2),
                                                          bosToken: "<s>", eosToken: "</s>")
                    return true
                } catch is TinaError {
                    return false
                } catch {
                    Issue.record("not a TinaError: \(error) for \(template.prefix(200).debugDescription)")
                    return false
                }
            }
        }
        report.printSummary()
        #expect(report.accepted > report.inputs / 10 && report.rejected > report.inputs / 10, "the generator should produce both")
        #expect(report.slowest < FuzzBudget.hangSeconds, "\(report.slowestInput)")
    }
}
