import Foundation
import TinaCore

/// A chat template (Jinja) rendered the way transformers' `apply_chat_template` renders it: trim_blocks,
/// lstrip_blocks, `messages`, `add_generation_prompt`, `bos_token`, `eos_token` and any extra variables.
public struct ChatTemplate: @unchecked Sendable {
    public let source: String
    /// What errors call the template: its file, or "chat template".
    public let name: String
    let nodes: [JinjaNode]

    /// Parses `source`; errors, including breaches of `JinjaLimits`, name the template as `name`.
    public init(_ source: String, name: String = "chat template") throws {
        self.source = source
        self.name = name
        do {
            nodes = try JinjaParser.parse(source)
        } catch let error as TinaError {
            throw Self.renamed(error, to: name)
        }
    }

    static func renamed(_ error: TinaError, to name: String) -> TinaError {
        switch error {
        case let .malformed(source, reason) where source == "chat template": return .malformed(source: name, reason: reason)
        case let .unsupported(source, reason) where source == "chat template": return .unsupported(source: name, reason: reason)
        default: return error
        }
    }

    /// Renders `messages` (a JSON array of {"role", "content", ...} objects, key order kept). `source` names
    /// the messages in errors (their file, or "messages").
    public func render(messagesJSON: String, addGenerationPrompt: Bool, bosToken: String? = nil,
                       eosToken: String? = nil, extra: [String: JinjaValue] = [:], source: String = "messages") throws -> String {
        let messages = try OrderedJSON.parse(messagesJSON, source: source)
        try Self.validate(messages: messages, source: source)
        return try render(messages: messages, addGenerationPrompt: addGenerationPrompt, bosToken: bosToken, eosToken: eosToken, extra: extra)
    }

    /// Every message is an object with a string `role` and a `content` (a string, a list of parts, or null
    /// beside `tool_calls`), so a broken file fails here, naming the message, instead of deep in the template.
    static func validate(messages: JinjaValue, source: String) throws {
        guard case let .array(items) = messages else { throw TinaError.malformed(source: source, reason: "not a JSON array of messages") }
        for (i, message) in items.enumerated() {
            guard case .object = message else { throw TinaError.malformed(source: source, reason: "message \(i) is not a JSON object") }
            guard case .string = message.attribute("role") else {
                throw TinaError.malformed(source: source, reason: "message \(i) has no string \"role\"")
            }
            switch message.attribute("content") {
            case .string, .array: continue
            case .none where message.attribute("tool_calls") != .undefined: continue
            case .undefined: throw TinaError.malformed(source: source, reason: "message \(i) has no \"content\"")
            case let other:
                throw TinaError.malformed(source: source, reason: "message \(i) has \"content\" \(other.pythonRepr), not a string or a list")
            }
        }
    }

    /// Renders (role, content) messages.
    public func render(messages: [(role: String, content: String)], addGenerationPrompt: Bool, bosToken: String? = nil,
                       eosToken: String? = nil, extra: [String: JinjaValue] = [:]) throws -> String {
        let value = JinjaValue.array(messages.map { .object([("role", .string($0.role)), ("content", .string($0.content))]) })
        return try render(messages: value, addGenerationPrompt: addGenerationPrompt, bosToken: bosToken, eosToken: eosToken, extra: extra)
    }

    func render(messages: JinjaValue, addGenerationPrompt: Bool, bosToken: String?, eosToken: String?,
                extra: [String: JinjaValue]) throws -> String {
        var globals = extra
        globals["messages"] = messages
        globals["add_generation_prompt"] = .bool(addGenerationPrompt)
        if let bosToken { globals["bos_token"] = .string(bosToken) }
        if let eosToken { globals["eos_token"] = .string(eosToken) }
        let interpreter = JinjaInterpreter(globals: globals)
        var out = ""
        do {
            _ = try interpreter.render(nodes, into: &out)
        } catch let error as JinjaError {
            throw TinaError.invalidArgument("\(name): \(error.message)")
        } catch let error as TinaError {
            throw Self.renamed(error, to: name)
        }
        return out
    }

    /// Templates built into Tina, by name.
    public static let builtIn: [String: String] = [
        // The early DeepSeek-R1 template that Tina trains with (tina-digest.md 1.2): system text right after
        // BOS, no separators, generation prompt "<｜Assistant｜>".
        "deepseek-r1-early": """
        {% set ns = namespace(system_prompt='') %}{% for message in messages %}{% if message['role'] == 'system' %}\
        {% set ns.system_prompt = message['content'] %}{% endif %}{% endfor %}{{ bos_token }}{{ ns.system_prompt }}\
        {% for message in messages %}{% if message['role'] == 'user' %}{{ '<｜User｜>' + message['content'] }}\
        {% elif message['role'] == 'assistant' %}{{ '<｜Assistant｜>' + message['content'] + '<｜end▁of▁sentence｜>' }}\
        {% endif %}{% endfor %}{% if add_generation_prompt %}{{ '<｜Assistant｜>' }}{% endif %}
        """,
        // The current DeepSeek-R1-Distill template that evaluation uses: system prompts joined by a blank line,
        // earlier assistant turns keep only the text after their last </think>, generation prompt opens <think>.
        "deepseek-r1": """
        {% set ns = namespace(system_prompt='', first=true) %}{% for message in messages %}{% if message['role'] == 'system' %}\
        {% if ns.first %}{% set ns.system_prompt = message['content'] %}{% set ns.first = false %}\
        {% else %}{% set ns.system_prompt = ns.system_prompt + '\\n\\n' + message['content'] %}{% endif %}{% endif %}{% endfor %}\
        {{ bos_token }}{{ ns.system_prompt }}{% for message in messages %}{% if message['role'] == 'user' %}\
        {{ '<｜User｜>' + message['content'] }}{% elif message['role'] == 'assistant' %}{% set content = message['content'] %}\
        {% if '</think>' in content %}{% set content = content.split('</think>')[-1] %}{% endif %}\
        {{ '<｜Assistant｜>' + content + '<｜end▁of▁sentence｜>' }}{% endif %}{% endfor %}\
        {% if add_generation_prompt %}{{ '<｜Assistant｜><think>\\n' }}{% endif %}
        """,
    ]

    /// A built-in template by name, or nil.
    public static func named(_ name: String) throws -> ChatTemplate? {
        try builtIn[name].map { try ChatTemplate($0) }
    }
}
