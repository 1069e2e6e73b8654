import Foundation

/// Tina's system prompts (tina-digest.md 1.3, the exact Python string values of tina/utils/prompt.py).
public enum SystemPrompts {
    /// OPEN_R1_SYSTEM_PROMPT: every Tina run except those on knoveleng/open-rs.
    public static let openR1 = "\nYou are a helpful AI Assistant that provides well-reasoned and detailed responses.\n"
        + "You first think about the reasoning process as an internal monologue and then provide the user with the answer.\n"
        + "Respond in the following format: <think>\n...\n</think>\n<answer>\n...\n</answer>\n"

    /// OPEN_RS_SYSTEM_PROMPT: Open-RS2/RS3 and their ablations. Note the space before the newline after
    /// "respectively," and the literal `\boxed{{}}` (the Python string is not an f-string).
    public static let openRS = "\nA conversation between User and Assistant. The user asks a question, and the Assistant solves it.\n"
        + "The assistant first thinks about the reasoning process in the mind and then provides the user with the answer, "
        + "and put your final answer within \\boxed{{}} .\n"
        + "The reasoning process and answer are enclosed within <think> </think> and <answer> </answer> tags, respectively, \n"
        + "i.e., <think> reasoning process here </think> <answer> answer here </answer>.\n"
        + "Note that respond by English, NOT use other languages.\n"

    public static func text(of preset: SystemPromptPreset) -> String? {
        switch preset {
        case .openR1: return openR1
        case .openRS: return openRS
        case .none: return nil
        }
    }
}

extension GRPORecipe {
    /// The system prompt: system_prompt's text, else system_prompt_preset's, else Tina's rule (open_rs iff the
    /// dataset path contains "open-rs", else open_r1). nil = no system message.
    public var resolvedSystemPrompt: String? {
        if let systemPrompt { return systemPrompt }
        if let systemPromptPreset { return SystemPrompts.text(of: systemPromptPreset) }
        return (datasetName ?? "").contains("open-rs") ? SystemPrompts.openRS : SystemPrompts.openR1
    }
}
