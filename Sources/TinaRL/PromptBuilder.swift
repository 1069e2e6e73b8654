import Foundation
import TinaCore
import TinaTokenizers

/// A prompt ready for generation: token ids (after truncation) and the rendered text they came from.
public struct BuiltPrompt: Equatable, Sendable {
    public var ids: [Int]
    public var text: String
    /// Tokens before truncation.
    public var fullLength: Int
    public var truncated: Bool { fullLength > ids.count }
}

/// Truncation counts for the run's report.
public struct PromptStats: Codable, Equatable, Sendable {
    public var prompts = 0
    public var truncated = 0
    /// The longest prompt seen, in tokens before truncation.
    public var longest = 0

    public init() {}

    public mutating func record(_ prompt: BuiltPrompt) {
        prompts += 1
        if prompt.truncated { truncated += 1 }
        longest = max(longest, prompt.fullLength)
    }
}

/// Builds GRPO prompts as TRL does: the conversation [system (if any), user problem] rendered by the chat
/// template with the generation prompt, tokenized without adding special tokens (the template writes BOS), then
/// cut to the last max_prompt_length tokens (TRL keeps `prompt_ids[:, -max_prompt_length:]`).
public struct PromptBuilder: Sendable {
    public let tokenizer: Tokenizer
    public let template: ChatTemplate
    public let systemPrompt: String?
    public let maxPromptLength: Int?

    public init(tokenizer: Tokenizer, template: ChatTemplate, systemPrompt: String?, maxPromptLength: Int?) {
        self.tokenizer = tokenizer
        self.template = template
        self.systemPrompt = systemPrompt
        self.maxPromptLength = maxPromptLength
    }

    /// The recipe's chat_template, system prompt and max_prompt_length.
    public init(recipe: GRPORecipe, tokenizer: Tokenizer) throws {
        self.init(tokenizer: tokenizer, template: try Self.template(named: recipe.chatTemplate, tokenizer: tokenizer),
                  systemPrompt: recipe.resolvedSystemPrompt, maxPromptLength: recipe.maxPromptLength)
    }

    public func messages(for problem: String) -> [(role: String, content: String)] {
        (systemPrompt.map { [("system", $0)] } ?? []) + [("user", problem)]
    }

    /// The rendered prompt text.
    public func render(_ problem: String) throws -> String {
        try template.render(messages: messages(for: problem), addGenerationPrompt: true,
                            bosToken: tokenizer.bosToken, eosToken: tokenizer.eosToken)
    }

    public func build(_ problem: String) throws -> BuiltPrompt {
        let text = try render(problem)
        let ids = tokenizer.encode(text, addSpecialTokens: false)
        return BuiltPrompt(ids: Self.truncateLeft(ids, to: maxPromptLength), text: text, fullLength: ids.count)
    }

    /// The last `maxLength` ids (all of them when nil).
    public static func truncateLeft(_ ids: [Int], to maxLength: Int?) -> [Int] {
        guard let maxLength, ids.count > maxLength else { return ids }
        return Array(ids.suffix(maxLength))
    }

    /// Built-in names accepted by `chat_template` besides TinaTokenizers' own: Tina's name for its template.
    public static let templateAliases = ["reason": "deepseek-r1-early"]

    /// A chat_template value as a template: nil or "tokenizer" = the tokenizer's own, a built-in name (or alias),
    /// else a Jinja file.
    public static func template(named choice: String?, tokenizer: Tokenizer) throws -> ChatTemplate {
        guard let choice, choice != "tokenizer" else {
            guard let source = tokenizer.chatTemplate else {
                throw TinaError.missing(source: "tokenizer", what: "a chat template; set chat_template in the recipe")
            }
            return try ChatTemplate(source, name: "tokenizer chat template")
        }
        if let builtIn = try ChatTemplate.named(templateAliases[choice] ?? choice) { return builtIn }
        guard let data = FileManager.default.contents(atPath: choice) else {
            let names = (Array(ChatTemplate.builtIn.keys) + Array(templateAliases.keys) + ["tokenizer"]).sorted()
            throw TinaError.invalidArgument("chat_template '\(choice)' is neither a built-in (\(names.joined(separator: ", ")))"
                + " nor a readable file" + Suggest.hint(for: choice, among: names))
        }
        return try ChatTemplate(String(decoding: data, as: UTF8.self), name: choice)
    }
}
