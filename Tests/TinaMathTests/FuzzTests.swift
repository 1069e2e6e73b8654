import Foundation
import Testing
import TinaCore
import TinaMath
import TinaTestSupport

/// Random and mutated LaTeX never crashes the grader and every input finishes quickly (a hang detector with a
/// generous bound, not a benchmark: huge exponents and nested factorials must give up, not compute).
@Suite struct MathFuzzTests {
    static let seeds = [
        "\\frac{1}{2}", "\\sqrt[3]{8}", "2^{1009}", "10^{10^{10}}", "((((1))))!", "\\binom{100}{50}", "x^2+2x+1",
        "(1,2]", "\\{1,2,3\\}", "\\begin{pmatrix}1&2\\\\3&4\\end{pmatrix}", "1<x\\le 2", "\\pm\\sqrt{2}", "50\\%",
        "\\text{Evelyn}", "e^{i\\pi}", "\\log_2 8", "\\sin^2 x+\\cos^2 x", "|x-1|", "3.14159", "1,000", "a:b=2:3",
        "\\boxed{\\frac{3}{4}}", "The final answer is $\\boxed{7}$. I hope it is correct.", "99!!!!!!", "2^{2^{2^{2^{2}}}}",
        "\\left(3,\\frac{\\pi}{2}\\right)", "x \\in [0,1) \\cup (2,\\infty)", "\\sqrt{-1}", "0^{-1}", "\\frac{1}{0}",
    ]
    static let alphabet = Array("0123456789+-*/^_{}()[]|,.=<>!\\$ xyzabcdefrtqps%:;&'")
    static let commands = ["\\frac", "\\sqrt", "\\boxed{", "\\left(", "\\right)", "\\cdot", "\\pi", "\\infty", "\\binom",
                           "\\text{", "\\begin{pmatrix}", "\\end{pmatrix}", "\\cup", "\\le", "\\pm", "\\log_", "\\sin", "!", "^{99}"]

    @Test func randomAndMutatedInputsNeverCrashOrHang() {
        var rng = Philox(seed: 31)
        var slowest = 0.0
        var graded = 0
        for i in 0..<FuzzBudget.iterations(20_000) {
            var text = Array(Self.seeds[Int(rng.next32()) % Self.seeds.count])
            for _ in 0..<(1 + Int(rng.next32() % 6)) {
                let at = text.isEmpty ? 0 : Int(rng.next32()) % (text.count + 1)
                switch rng.next32() % 4 {
                case 0: text.insert(Self.alphabet[Int(rng.next32()) % Self.alphabet.count], at: at)
                case 1: if !text.isEmpty { text.remove(at: min(at, text.count - 1)) }
                case 2: text.insert(contentsOf: Self.commands[Int(rng.next32()) % Self.commands.count], at: at)
                default: text = Array(String(text.shuffled(using: &rng).prefix(Int(rng.next32() % 40))))
                }
            }
            let candidate = String(text)
            let other = Self.seeds[i % Self.seeds.count]
            let start = Date()
            _ = Grader.grade(gold: "$\(other)$", prediction: "$\(candidate)$")
            _ = Grader.grade(gold: candidate, prediction: "\\boxed{\(candidate)}", mode: .tina)
            slowest = max(slowest, Date().timeIntervalSince(start))
            graded += 2
        }
        print("math fuzz: \(graded) gradings, slowest \(String(format: "%.1f", slowest * 1000)) ms")
        #expect(graded == 2 * FuzzBudget.iterations(20_000))
        #expect(slowest < 5)
    }
}
