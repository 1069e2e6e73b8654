import TinaCore

/// What is wrong with a teacher trace.
public enum TraceFlaw: String, CaseIterable, Sendable {
    case none, slip, skip, missingThinkClose = "missing-think-close", missingBox = "missing-box"
}

/// One teacher completion for a problem.
public struct TeacherTrace: Sendable {
    public var problem: ArithmeticProblem
    public var completion: String
    public var flaw: TraceFlaw
    /// The answer the trace states (nil when it boxes none).
    public var statedAnswer: Int?
}

/// The imperfect teacher that writes the SFT traces: a worked solution, except that a configured fraction of
/// traces slip, skip a step or break the format, so a student imitating it is fluent but often wrong — the
/// analogue of a distilled model with room for RL. Deterministic: trace `index` of a seed is always the same.
public struct Teacher: Sendable {
    public let noise: TeacherNoise
    public let seed: UInt64

    public init(noise: TeacherNoise, seed: UInt64) {
        self.noise = noise
        self.seed = seed
    }

    public func traces(for problems: [ArithmeticProblem]) -> [TeacherTrace] {
        problems.enumerated().map { trace(for: $1, index: $0) }
    }

    /// Trace `index`, drawn from its own Philox stream (so one trace never depends on the others).
    public func trace(for problem: ArithmeticProblem, index: Int) -> TeacherTrace {
        var rng = Philox(seed: seed, stream: 1 << 40 | UInt64(index))
        let u = Double(rng.nextUniform())
        var flaw: TraceFlaw = .none
        if u < noise.slip {
            flaw = .slip
        } else if u < noise.slip + noise.skip {
            flaw = problem.steps.count >= 2 ? .skip : .none
        } else if u < noise.total {
            flaw = rng.next32() % 2 == 0 ? .missingThinkClose : .missingBox
        }
        switch flaw {
        case .none:
            return TeacherTrace(problem: problem, completion: problem.referenceCompletion, flaw: .none, statedAnswer: problem.answer)
        case .slip:
            let steps = Self.slipped(problem.steps, rng: &rng)
            let answer = steps.last?.result ?? problem.answer
            return TeacherTrace(problem: problem, completion: DemoFormat.completion(lines: steps.map(\.text), answer: "\(answer)"),
                                flaw: .slip, statedAnswer: answer)
        case .skip:
            let lines = Self.skipped(problem, at: Int(rng.next32() % UInt32(problem.steps.count - 1)))
            return TeacherTrace(problem: problem, completion: DemoFormat.completion(lines: lines, answer: "\(problem.answer)"),
                                flaw: .skip, statedAnswer: problem.answer)
        case .missingThinkClose:
            let text = DemoFormat.thinkOpen + problem.solution + "\n\nThe answer is \(DemoFormat.boxed(problem.answer))."
            return TeacherTrace(problem: problem, completion: text, flaw: flaw, statedAnswer: problem.answer)
        case .missingBox:
            let text = DemoFormat.thinkOpen + problem.solution + DemoFormat.thinkClose + "\nThe answer is \(problem.answer)."
            return TeacherTrace(problem: problem, completion: text, flaw: flaw, statedAnswer: nil)
        }
    }

    /// The steps with one result off by a small, plausible error (a carry dropped, a digit off), every later
    /// step computed correctly from the wrong value. The error is never zero and no later operation can undo it
    /// (+ and - keep a difference, * by >= 2 multiplies it), so the final answer is always wrong.
    static func slipped(_ steps: [ArithmeticStep], rng: inout Philox) -> [ArithmeticStep] {
        let at = Int(rng.next32() % UInt32(steps.count))
        let errors = [1, -1, 2, -2, 10, -10, 9, 11]
        var error = errors[Int(rng.next32() % UInt32(errors.count))]
        if steps[at].result + error < 0 { error = -error }
        var out = Array(steps[..<at])
        var value = steps[at].result + error
        out.append(ArithmeticStep(left: steps[at].left, op: steps[at].op, right: steps[at].right, result: value))
        for step in steps[(at + 1)...] {
            let result = step.op.apply(value, step.right) ?? value
            out.append(ArithmeticStep(left: value, op: step.op, right: step.right, result: result))
            value = result
        }
        return out
    }

    /// Solution lines with steps `at` and `at + 1` done at once: "(23 + 58) * 3 = 243".
    static func skipped(_ problem: ArithmeticProblem, at: Int) -> [String] {
        let a = problem.steps[at], b = problem.steps[at + 1]
        let left = b.op.precedence > a.op.precedence ? "(\(a.left) \(a.op.rawValue) \(a.right))" : "\(a.left) \(a.op.rawValue) \(a.right)"
        var lines = problem.steps.map(\.text)
        lines.replaceSubrange(at...(at + 1), with: ["\(left) \(b.op.rawValue) \(b.right) = \(b.result)"])
        return lines
    }
}
