import TinaCore

/// Seeded generator of the demo's arithmetic problems: the same seed, split and count give the same problems.
public struct ArithmeticTaskGenerator: Sendable {
    public let seed: UInt64

    public init(seed: UInt64) { self.seed = seed }

    /// One in `heldOutBuckets` expressions belongs to the held-out split, by a stable hash of its text.
    public static let heldOutBuckets: UInt64 = 8

    /// Whether `expression` is reserved for the held-out split (train never draws it).
    public static func isHeldOut(_ expression: String) -> Bool {
        // FNV-1a: stable across runs and platforms (Swift's Hasher is randomly seeded per process).
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in expression.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return hash % heldOutBuckets == 0
    }

    /// `count` problems of `split`. `unique` drops repeated expressions (evaluation sets); train may repeat.
    public func problems(split: DemoSplit, count: Int, unique: Bool = false) throws -> [ArithmeticProblem] {
        guard count >= 0 else { throw TinaError.invalidArgument("problem count must be >= 0, got \(count)") }
        var rng = Philox(seed: seed, stream: split.stream)
        let difficulties = try split.levels.map { (difficulty: try DemoDifficulty.level($0.level), weight: $0.weight) }
        let totalWeight = difficulties.map(\.weight).reduce(0, +)
        guard totalWeight > 0, difficulties.allSatisfy({ $0.weight >= 0 }) else {
            throw TinaError.invalidArgument("split \(split.rawValue) has no positive level weight")
        }
        var out: [ArithmeticProblem] = []
        var seen = Set<String>()
        var attempts = 0
        // The level spaces hold far more expressions than any sensible count; the cap turns a request for more
        // unique problems than exist into an error instead of an endless loop.
        let maxAttempts = 100 * count + 1000
        while out.count < count {
            attempts += 1
            guard attempts <= maxAttempts else {
                throw TinaError.invalidArgument("could not draw \(count) \(unique ? "unique " : "")\(split.rawValue) problems (got \(out.count))")
            }
            var u = Int(rng.next32() % UInt32(totalWeight))
            var difficulty = difficulties[difficulties.count - 1].difficulty
            for d in difficulties {
                if u < d.weight { difficulty = d.difficulty; break }
                u -= d.weight
            }
            let problem = try Self.problem(difficulty: difficulty, rng: &rng)
            // Evaluation splits only take expressions of the held-out bucket, train only the others.
            if Self.isHeldOut(problem.expression) == (split == .train) { continue }
            if unique && !seen.insert(problem.expression).inserted { continue }
            out.append(problem)
        }
        return out
    }

    /// One problem of `difficulty`, drawn from `rng`.
    public static func problem(difficulty d: DemoDifficulty, rng: inout Philox) throws -> ArithmeticProblem {
        func uniform(_ range: ClosedRange<Int>) -> Int {
            range.lowerBound + Int(rng.next32() % UInt32(range.upperBound - range.lowerBound + 1))
        }
        let count = uniform(d.operations)
        let first = uniform(d.operands)
        var value = first
        var operations: [ArithmeticOperation] = []
        for _ in 0..<count {
            // Operators that keep the value in [0, maxValue]; + always fits below maxValue - largest operand,
            // otherwise - does (value >= 1 here), so some operator is always possible.
            var choices: [ArithmeticOperator] = []
            if value + d.operands.lowerBound <= d.maxValue { choices.append(.add) }
            if value >= d.operands.lowerBound { choices.append(.subtract) }
            if value * 2 <= d.maxValue && value >= 1 { choices.append(.multiply) }
            if choices.isEmpty { choices = [.subtract] }
            let op = choices[Int(rng.next32() % UInt32(choices.count))]
            let operand: Int
            switch op {
            case .add: operand = uniform(d.operands.lowerBound...min(d.operands.upperBound, d.maxValue - value))
            case .subtract: operand = uniform(d.operands.lowerBound...max(d.operands.lowerBound, min(d.operands.upperBound, value)))
            case .multiply: operand = uniform(2...max(2, min(d.maxFactor, d.maxValue / max(value, 1))))
            }
            operations.append(ArithmeticOperation(op, operand))
            value = op.apply(value, operand) ?? value
        }
        return try ArithmeticProblem(first: first, operations: operations)
    }
}
