import Foundation
import TinaCore
import TinaTokenizers

/// lighteval's math query for Tina's tasks (tina-digest.md 5.1; open-r1's `MATH_QUERY_TEMPLATE` after `.strip()`
/// and `.format`): two spaces after "clearly.", the problem text unchanged after a blank line.
public enum MathPrompt {
    public static let template = "Solve the following math problem efficiently and clearly.  The last line of your response "
        + "should be of the following format: 'Therefore, the final answer is: $\\boxed{ANSWER}$. I hope it is correct' "
        + "(without quotes) where ANSWER is just the final number or expression that solves the problem. Think step by "
        + "step before answering.\n\n{Question}"

    public static func query(_ problem: String) -> String {
        template.replacingOccurrences(of: "{Question}", with: problem)
    }
}

/// A prompt as text and token ids.
public struct RenderedPrompt: Sendable, Equatable {
    public var text: String
    public var ids: [Int]
    public init(text: String, ids: [Int]) { (self.text, self.ids) = (text, ids) }
}

/// Turns a problem into the model's prompt (a protocol so runs can be tested without a tokenizer).
public protocol PromptRendering {
    func render(problem: String) throws -> RenderedPrompt
}

/// The query as the only (user) message, no system prompt, through the model's own chat template with the
/// generation prompt on, as lighteval renders it for Tina.
public struct ChatPromptRenderer: PromptRendering {
    public let tokenizer: Tokenizer
    public let template: ChatTemplate
    /// lighteval encodes the rendered text with `add_special_tokens=True`, so a template that already writes BOS
    /// gets a second one (tina-digest.md 5.1). Off by default: the template's text is the prompt.
    public var addSpecialTokens: Bool
    /// false sends the problem as it is (how GRPO training prompts are built), true wraps it in lighteval's query.
    public var mathQuery: Bool

    public init(tokenizer: Tokenizer, template: ChatTemplate, addSpecialTokens: Bool = false, mathQuery: Bool = true) {
        (self.tokenizer, self.template, self.addSpecialTokens, self.mathQuery) = (tokenizer, template, addSpecialTokens, mathQuery)
    }

    public func render(problem: String) throws -> RenderedPrompt {
        let text = try template.render(messages: [(role: "user", content: mathQuery ? MathPrompt.query(problem) : problem)], addGenerationPrompt: true,
                                       bosToken: tokenizer.bosToken, eosToken: tokenizer.eosToken)
        return RenderedPrompt(text: text, ids: tokenizer.encode(text, addSpecialTokens: addSpecialTokens))
    }
}
