import TinaCore

/// One worked step: "left op right = result".
public struct ArithmeticStep: Sendable, Hashable {
    public var left: Int
    public var op: ArithmeticOperator
    public var right: Int
    public var result: Int

    public init(left: Int, op: ArithmeticOperator, right: Int, result: Int) {
        self.left = left
        self.op = op
        self.right = right
        self.result = result
    }

    /// The step as one solution line, e.g. "23 + 58 = 81".
    public var text: String { "\(left) \(op.rawValue) \(right) = \(result)" }
}

/// One operation applied to the running value: `op operand`.
public struct ArithmeticOperation: Sendable, Hashable {
    public var op: ArithmeticOperator
    public var operand: Int

    public init(_ op: ArithmeticOperator, _ operand: Int) {
        self.op = op
        self.operand = operand
    }
}

/// A chain problem: `first`, then each operation applied to the running value, written with the fewest
/// parentheses that keep that order ("(23 + 58) * 3 - 17"). Solving it left to right is one step per operation.
public struct ArithmeticProblem: Sendable, Hashable {
    public let first: Int
    public let operations: [ArithmeticOperation]
    /// The expression, e.g. "(23 + 58) * 3 - 17".
    public let expression: String
    /// The worked solution, one step per operation.
    public let steps: [ArithmeticStep]

    /// Fails on an empty chain or an intermediate value that overflows Int.
    public init(first: Int, operations: [ArithmeticOperation]) throws {
        guard !operations.isEmpty else { throw TinaError.invalidArgument("an arithmetic problem needs at least one operation") }
        self.first = first
        self.operations = operations
        var text = Self.atom(first)
        var top = 3  // precedence of the expression's outermost operator; an atom binds tightest
        var value = first
        var steps: [ArithmeticStep] = []
        for operation in operations {
            if top < operation.op.precedence { text = "(" + text + ")" }
            text += " \(operation.op.rawValue) " + Self.atom(operation.operand)
            // `a - (b)` needs no parentheses for a non-negative atom; a subtraction right of `-` is never built
            // (the chain only ever nests on the left), so left associativity keeps the meaning.
            top = operation.op.precedence
            guard let next = operation.op.apply(value, operation.operand) else {
                throw TinaError.invalidArgument("arithmetic overflow in \(text)")
            }
            steps.append(ArithmeticStep(left: value, op: operation.op, right: operation.operand, result: next))
            value = next
        }
        expression = text
        self.steps = steps
    }

    /// Negative operands are parenthesized so the expression stays unambiguous.
    static func atom(_ n: Int) -> String { n < 0 ? "(\(n))" : "\(n)" }

    /// The exact answer.
    public var answer: Int { steps.last?.result ?? first }

    /// The user's message, e.g. "Compute (23 + 58) * 3 - 17."
    public var prompt: String { "Compute \(expression)." }

    /// The worked solution, one line per step: "23 + 58 = 81\n81 * 3 = 243\n243 - 17 = 226".
    public var solution: String { steps.map(\.text).joined(separator: "\n") }

    /// The gold answer as the accuracy reward and `tina grade` read it: "\boxed{226}".
    public var gold: String { DemoFormat.boxed(answer) }

    /// The correct, well-formatted completion (what a perfect teacher writes).
    public var referenceCompletion: String { DemoFormat.completion(lines: steps.map(\.text), answer: "\(answer)") }
}
