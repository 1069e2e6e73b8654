import Foundation

/// The completion format, DeepSeek-R1 style, and quick checks on it. The prompt is rendered by the tokenizer's
/// chat template ending in "<｜Assistant｜>"; the completion opens the reasoning itself:
///
///     <think>
///     23 + 58 = 81
///     81 * 3 = 243
///     243 - 17 = 226
///     </think>
///
///     The answer is \boxed{226}.
///
/// Tina's format reward wants "\n</think>\n" exactly once; its accuracy reward reads the \boxed{} answer.
public enum DemoFormat {
    public static let thinkOpen = "<think>\n"
    public static let thinkClose = "\n</think>\n"

    public static func boxed(_ answer: Int) -> String { "\\boxed{\(answer)}" }

    /// "<think>\n" + lines + "\n</think>\n\nThe answer is \boxed{answer}."
    public static func completion(lines: [String], answer: String) -> String {
        thinkOpen + lines.joined(separator: "\n") + thinkClose + "\nThe answer is \\boxed{\(answer)}."
    }

    /// The content of the last \boxed{...} (no nested braces: the demo's answers are integers), or nil.
    public static func lastBoxed(_ text: String) -> String? {
        guard let open = text.range(of: "\\boxed{", options: .backwards) else { return nil }
        let rest = text[open.upperBound...]
        guard let close = rest.firstIndex(of: "}") else { return nil }
        return String(rest[..<close])
    }

    /// The integer in the last \boxed{}, or nil when there is none or it is not an integer.
    public static func boxedInteger(_ text: String) -> Int? {
        lastBoxed(text).flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
    }

    /// Tina's format rule: "\n</think>\n" occurs exactly once.
    public static func hasThinkFormat(_ completion: String) -> Bool {
        completion.components(separatedBy: thinkClose).count == 2
    }

    /// Well formatted (the format rule and a \boxed{} answer after the reasoning).
    public static func isWellFormatted(_ completion: String) -> Bool {
        guard hasThinkFormat(completion), let close = completion.range(of: thinkClose) else { return false }
        return completion[close.upperBound...].contains("\\boxed{")
    }

    /// The last boxed integer equals `answer`.
    public static func isCorrect(_ completion: String, answer: Int) -> Bool { boxedInteger(completion) == answer }
}
