/// Bounds on the answers Tina grades. Completions come from models and datasets from the internet: every
/// recursion and every quadratic step on them is bounded by a named constant, never by the thread's stack.
public enum MathLimits {
    /// Nesting of one LaTeX answer: groups, brackets, fractions, signs, exponents and postfix operators.
    /// The deepest allowed answer grades on a 512 KiB stack (checked by `MathLimitTests`).
    public static let maxLatexDepth = 120
    /// Characters of one extracted answer handed to the LaTeX normalizer and parser.
    public static let maxAnswerLength = 10_000
    /// Characters of a whole text (gold or completion) searched for answers.
    public static let maxTextLength = 1_000_000
}

/// Why an answer could not be graded at all: a limit of `MathLimits` was exceeded. Grading then fails as a
/// whole (it never falls back to a fragment of the answer).
public struct MathLimitError: Error, Equatable, Sendable, CustomStringConvertible {
    public let reason: String
    public var description: String { reason }
}
