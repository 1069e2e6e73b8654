import TinaCore

/// How hard a generated problem is: how many operations, how large the operands, how large any intermediate
/// value may grow. Results never go negative (a subtraction takes at most the running value).
public struct DemoDifficulty: Sendable, Hashable {
    public var operations: ClosedRange<Int>
    /// Operands of + and - (and the first number).
    public var operands: ClosedRange<Int>
    /// Largest multiplier (multipliers start at 2).
    public var maxFactor: Int
    /// Largest intermediate value.
    public var maxValue: Int

    public init(operations: ClosedRange<Int>, operands: ClosedRange<Int>, maxFactor: Int, maxValue: Int) throws {
        guard operations.lowerBound >= 1, operands.lowerBound >= 1, maxFactor >= 2, maxValue >= operands.upperBound else {
            throw TinaError.invalidArgument("difficulty needs >= 1 operation, operands >= 1, a max factor >= 2 and a max value >= the largest operand")
        }
        self.operations = operations
        self.operands = operands
        self.maxFactor = maxFactor
        self.maxValue = maxValue
    }

    private init(unchecked operations: ClosedRange<Int>, _ operands: ClosedRange<Int>, _ maxFactor: Int, _ maxValue: Int) {
        self.operations = operations
        self.operands = operands
        self.maxFactor = maxFactor
        self.maxValue = maxValue
    }

    /// Levels 1 (two operations on numbers up to 20) to 5 (five operations on three-digit numbers). The demo's
    /// model has ~1.6M parameters and a few CPU minutes of training: levels 1-2 are what it half learns; level 3
    /// has bigger multipliers and values, never seen in training. (A four-step chain, or operands above 30, the
    /// model never saw either, and it fails them outright: they would measure nothing.)
    public static let levels: [DemoDifficulty] = [
        DemoDifficulty(unchecked: 2...2, 1...20, 5, 100),
        DemoDifficulty(unchecked: 3...3, 1...30, 5, 200),
        DemoDifficulty(unchecked: 3...3, 1...30, 9, 300),
        DemoDifficulty(unchecked: 4...4, 1...99, 9, 999),
        DemoDifficulty(unchecked: 4...5, 1...199, 12, 1999),
    ]

    public static func level(_ n: Int) throws -> DemoDifficulty {
        guard (1...levels.count).contains(n) else { throw TinaError.invalidArgument("difficulty level must be 1...\(levels.count), got \(n)") }
        return levels[n - 1]
    }
}
