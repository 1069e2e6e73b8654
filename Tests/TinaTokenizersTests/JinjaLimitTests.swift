import Foundation
import Testing
import TinaCore
import TinaTokenizers

/// Hostile chat templates and messages fail with a TinaError that names the limit instead of overflowing the
/// stack (each input below crashed `tina chat-template` with SIGSEGV before the limits existed).
@Suite struct JinjaLimitTests {
    func renderError(_ template: String, messages: String = #"[{"role": "user", "content": "hi"}]"#) -> String {
        errorText { _ = try ChatTemplate(template, name: "t.jinja").render(messagesJSON: messages, addGenerationPrompt: true) }
    }

    @Test func deeplyNestedParenthesesFailCleanly() {
        let text = renderError("{{ " + String(repeating: "(", count: 50_000) + "1" + String(repeating: ")", count: 50_000) + " }}")
        #expect(text.contains("t.jinja") && text.contains("limit of \(JinjaLimits.maxExpressionDepth)"), "\(text.prefix(300))")
    }

    @Test func longOperatorChainsFailCleanly() {
        // Parsed without recursion, but evaluating or freeing a 50,000-deep tree would overflow the stack.
        for op in ["+", " and ", " ~ ", "|abs|"] {
            let chain = op == "|abs|" ? "1" + String(repeating: "|abs", count: 50_000) : Array(repeating: "1", count: 50_000).joined(separator: op)
            let text = renderError("{{ \(chain) }}")
            #expect(text.contains("limit of \(JinjaLimits.maxExpressionDepth)"), "\(op): \(text.prefix(300))")
        }
        let unary = renderError("{{ " + String(repeating: "-", count: 50_000) + "1 }}")
        #expect(unary.contains("limit of \(JinjaLimits.maxExpressionDepth)"))
        let nots = renderError("{{ " + String(repeating: "not ", count: 50_000) + "1 }}")
        #expect(nots.contains("limit of \(JinjaLimits.maxExpressionDepth)"))
    }

    @Test func deeplyNestedBlocksFailCleanly() {
        for (open, close) in [("{% if true %}", "{% endif %}"), ("{% for x in [1] %}", "{% endfor %}"), ("{% set y %}", "{% endset %}")] {
            let text = renderError(String(repeating: open, count: 20_000) + "x" + String(repeating: close, count: 20_000))
            #expect(text.contains("t.jinja") && text.contains("limit of \(JinjaLimits.maxBlockDepth)"), "\(open): \(text.prefix(300))")
        }
    }

    @Test func recursiveMacrosFailCleanly() {
        let text = renderError("{% macro f(n) %}{{ f(n) }}{% endmacro %}{{ f(1) }}")
        #expect(text.contains("macro 'f'") && text.contains("limit of \(JinjaLimits.maxMacroCallDepth)"), "\(text)")
        // Mutual recursion through two macros.
        let mutual = renderError("{% macro a() %}{{ b() }}{% endmacro %}{% macro b() %}{{ a() }}{% endmacro %}{{ a() }}")
        #expect(mutual.contains("limit of"))
        // Bounded recursion renders.
        let countdown = try? ChatTemplate("{% macro f(n) %}{{ n }}{% if n > 0 %}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(5) }}")
            .render(messages: [], addGenerationPrompt: false)
        #expect(countdown == "543210")
    }

    @Test func deeplyNestedMessagesFailCleanly() {
        let deep = String(repeating: "[", count: 20_000) + String(repeating: "]", count: 20_000)
        let text = errorText { _ = try ChatTemplate.named("deepseek-r1")?.render(messagesJSON: deep, addGenerationPrompt: true, source: "m.json") }
        #expect(text.contains("m.json") && text.contains("limit of \(JinjaLimits.maxValueDepth)"), "\(text.prefix(300))")
        let objects = String(repeating: #"{"a":"#, count: 20_000) + "1" + String(repeating: "}", count: 20_000)
        #expect(errorText { _ = try ChatTemplate("x").render(messagesJSON: "[" + objects + "]", addGenerationPrompt: false) }.contains("limit of"))
    }

    @Test func loopsOutputAndValuesAreBounded() {
        #expect(renderError("{% for i in range(1000000000000) %}x{% endfor %}").contains("limit of \(JinjaLimits.maxLoopIterations)"))
        #expect(renderError("{% for i in range(2000) %}{% for j in range(2000) %}{% endfor %}{% endfor %}")
            .contains("limit of \(JinjaLimits.maxLoopIterations)"))
        let doubling = "{% set ns = namespace(s='x') %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s|length }}"
        #expect(renderError(doubling).contains("limit of \(JinjaLimits.maxOutputBytes)"))
        #expect(renderError("{{ 'ab' * 1000000000000 }}").contains("limit of"))
        #expect(renderError("{{ ('x' * 1000)|replace('x', 'y' * 1000000) }}").contains("limit of"))
        let nesting = "{% set ns = namespace(x=[]) %}{% for i in range(100000) %}{% set ns.x = [ns.x] %}{% endfor %}{{ ns.x }}"
        #expect(renderError(nesting).contains("limit of \(JinjaLimits.maxValueDepth)"))
        let viaItems = "{% set ns = namespace(x={}) %}{% for i in range(100000) %}{% set ns.x = {'k': ns.x}|items %}{% endfor %}"
        #expect(renderError(viaItems).contains("limit of \(JinjaLimits.maxValueDepth)"))
        let cycle = "{% set ns = namespace(a=1) %}{% set ns.me = ns %}{{ ns|tojson }}"
        #expect(renderError(cycle).contains("limit of \(JinjaLimits.maxValueDepth)"))
    }

    @Test func arithmeticNeverTraps() {
        for expression in ["9223372036854775807 + 1", "-9223372036854775807 - 2", "2 ** 100", "3037000500 * 3037000500",
                           "(-9223372036854775807 - 1) // -1", "(10.0 ** 300)|int", "(1.0/0)|int", "5 is divisibleby 0", "range()",
                           "range(1, 2, 0)", "[1, 2][::0]", "'abc'.split(' ', 10.0 ** 300)", "[1,2,3][(1.0/0):]", "x|tojson(indent=10.0 ** 300)",
                           "'a'|indent(10.0 ** 300)", "(-9223372036854775807 - 1)|abs", "7 % 0", "7 // 0"] {
            let text = renderError("{{ \(expression) }}")
            #expect(!text.isEmpty || expression.contains("::0"), "\(expression) rendered without error")
        }
        #expect((try? ChatTemplate("{{ 7 // -2 }} {{ -7 % 3 }} {{ 2 ** 10 }} {{ [1,2,3,4][::-2] }}").render(messages: [], addGenerationPrompt: false))
            == "-4 2 1024 [4, 2]")
    }

    @Test func malformedStatementsFailCleanly() {
        #expect(errorText { _ = try ChatTemplate("{% set = 1 %}") }.contains("set"))
        #expect(errorText { _ = try ChatTemplate("{% set a. = 1 %}") }.contains("set"))
    }

    @Test func messagesWithoutContentAreNamed() {
        let template = "{% for m in messages %}{{ m['content'] + '!' }}{% endfor %}"
        let text = errorText {
            _ = try ChatTemplate(template).render(messagesJSON: #"[{"role": "user", "content": "a"}, {"role": "user"}]"#,
                                                  addGenerationPrompt: false, source: "conv.json")
        }
        #expect(text.contains("conv.json") && text.contains("message 1") && text.contains("content"), "\(text)")
        #expect(errorText { _ = try ChatTemplate(template).render(messagesJSON: #"[{"content": "a"}]"#, addGenerationPrompt: false) }
            .contains("message 0"))
        #expect(errorText { _ = try ChatTemplate(template).render(messagesJSON: #"["hi"]"#, addGenerationPrompt: false) }.contains("message 0"))
    }

    /// The deepest input each limit allows renders on a 512 KiB stack: the limits, not the thread, decide.
    @Test func deepestAllowedInputsFitASmallStack() throws {
        let parens = JinjaLimits.maxExpressionDepth - 1
        let blocks = JinjaLimits.maxBlockDepth
        let macroDepth = JinjaLimits.maxMacroCallDepth
        let templates = [
            "{{ " + String(repeating: "(", count: parens) + "1" + String(repeating: ")", count: parens) + " }}",
            "{{ " + Array(repeating: "1", count: JinjaLimits.maxExpressionDepth).joined(separator: "+") + " }}",
            String(repeating: "{% if true %}", count: blocks) + "x" + String(repeating: "{% endif %}", count: blocks),
            // A macro recursing to the call limit, each level nested inside blocks and an expression.
            "{% macro f(n) %}{% if n > 0 %}{% for i in [1] %}{{ (((f(n - 1)))) }}{% endfor %}{% endif %}{% endmacro %}{{ f(\(macroDepth - 1)) }}",
        ]
        let json = "[{\"role\": \"user\", \"content\": \"hi\", \"x\": " + String(repeating: "[", count: JinjaLimits.maxValueDepth - 2)
            + String(repeating: "]", count: JinjaLimits.maxValueDepth - 2) + "}]"
        let failures = runOnSmallStack(bytes: 512 << 10) {
            var failures: [String] = []
            for t in templates {
                do { _ = try ChatTemplate(t).render(messagesJSON: json, addGenerationPrompt: false) } catch {
                    failures.append("\(t.prefix(60)): \(error)")
                }
            }
            do { _ = try ChatTemplate("{{ messages|tojson }}").render(messagesJSON: json, addGenerationPrompt: false) } catch {
                failures.append("tojson: \(error)")
            }
            return failures
        }
        #expect(failures.isEmpty, "\(failures)")
    }
}
