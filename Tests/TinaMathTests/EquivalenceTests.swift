import Testing
import TinaMath

/// Hand-picked pairs with the verdict math-verify gives (checked with math-verify 0.9.0) and regressions.
@Suite struct EquivalenceTests {
    @Test(arguments: [
        ("$\\frac{1}{3}$", "$0.333333$", true), ("$\\frac{1}{3}$", "$0.333$", false), ("$\\frac{1}{2}$", "$\\dfrac12$", true),
        ("$50\\%$", "$0.5$", true), ("$9\\%$", "$9$", true), ("$2^{1009}$", "$2^{1009}+1$", false),
        ("$2^{1009}$", "$\\frac{\\pi^{2}-9}{9}$", false), ("$\\sqrt{8}$", "$2\\sqrt{2}$", true), ("$x^2+2x+1$", "$(x+1)^2$", true),
        ("$x^2+2x+1$", "$(x+1)^3$", false), ("$(1,2]$", "$(1,2]$", true), ("$(1,2]$", "$[1,2]$", false),
        ("$\\{1,2,3\\}$", "$\\{3,2,1\\}$", true), ("$(1,2,3)$", "$(3,2,1)$", false), ("$\\pm 2$", "$-2, 2$", true),
        ("$x=3$", "$3$", true), ("$y=2x+1$", "$y=1+2x$", true), ("$\\text{Evelyn}$", "$\\text{evelyn}$", true),
        ("$1<x<2$", "$(1,2)$", true), ("$1\\le|z|\\le 2$", "$[-2,-1]\\cup[1,2]$", true), ("$1,000$", "$1000$", true),
        ("$\\begin{pmatrix}1\\\\2\\end{pmatrix}$", "$\\begin{pmatrix}1\\\\2\\end{pmatrix}$", true),
        ("$30^\\circ$", "$30$", true), ("$\\infty$", "$\\infty$", true),
    ])
    func pairs(gold: String, pred: String, expected: Bool) {
        #expect(Grader.grade(gold: gold, prediction: pred).correct == expected, "\(gold) vs \(pred)")
    }

    @Test func extractionPicksTheLastBoxedAndAnchors() {
        let r = Grader.grade(gold: "$42$", prediction: "First $\\boxed{7}$, then we fix it: $\\boxed{42}$.", mode: .tina)
        #expect(r.correct)
        #expect(r.prediction.first?.text == "42")
        // Tina's prediction settings need a box or an anchor: a bare $42$ is not extracted.
        #expect(!Grader.grade(gold: "$42$", prediction: "so $42$", mode: .tina).correct)
        #expect(Grader.grade(gold: "$42$", prediction: "The final answer is $42$. I hope it is correct.", mode: .tina).correct)
        #expect(Grader.grade(gold: "$42$", prediction: "so $42$").correct)
        #expect(Grader.grade(gold: "$3$", prediction: "The answer is: 3").correct)
    }
}
