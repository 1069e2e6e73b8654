import Foundation
import TinaCore

/// One sampled completion as `completions.jsonl` records it: what the model was asked, what it wrote, and what
/// each reward function gave it (TRL's `log_completions` table, as a file).
public struct GRPOCompletionRow: Sendable, Codable, Equatable {
    public var step: Int
    /// The prompt's row in the dataset.
    public var promptIndex: Int
    /// The prompt as the model saw it (chat template applied, special tokens skipped).
    public var prompt: String
    public var solution: String
    /// Which of the prompt's G completions.
    public var sample: Int
    public var completion: String
    public var completionTokens: Int
    /// "stop" (an end token) or "length" (hit max_completion_length).
    public var finishReason: String
    /// The weighted total, and each function's value (nil: not applicable).
    public var reward: Double
    public var rewards: [String: Double?]
    public var advantage: Double

    enum CodingKeys: String, CodingKey {
        case step, prompt, solution, sample, completion, reward, rewards, advantage
        case promptIndex = "prompt_index", completionTokens = "completion_tokens", finishReason = "finish_reason"
    }

    /// The rows of one rollout batch: every completion of its first `prompts` prompts (nil: all of them).
    static func rows(step: Int, batch: RolloutBatch, prompts: Int?, decode: ([Int]) -> String) -> [GRPOCompletionRow] {
        var rows: [GRPOCompletionRow] = []
        var promptTexts: [Int: String] = [:]
        for (k, c) in batch.completions.enumerated() {
            if let prompts, c.requestIndex >= prompts { continue }
            let prompt = batch.prompts[c.requestIndex]
            let text = promptTexts[c.requestIndex] ?? decode(prompt.tokens)
            promptTexts[c.requestIndex] = text
            var perFunction: [String: Double?] = [:]
            for (name, values) in batch.rewardsByFunction where k < values.count { perFunction[name] = values[k] }
            rows.append(GRPOCompletionRow(step: step, promptIndex: prompt.index, prompt: text, solution: prompt.solution, sample: c.sample,
                                          completion: c.text, completionTokens: c.tokens.count, finishReason: c.finishReason.rawValue,
                                          reward: batch.rewards[k], rewards: perFunction, advantage: batch.advantages.advantages[k]))
        }
        return rows
    }
}

extension GRPORun {
    /// Written through `MetricsLog`, which keeps only the rows up to the trainer's (restored) step on resume.
    var completionsPath: String { directory + "/completions.jsonl" }
}
