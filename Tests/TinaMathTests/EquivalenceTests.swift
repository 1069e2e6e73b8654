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

    /// Mixed numbers: an integer literal directly followed by \frac of integers (a proper fraction) is a + b/c, a minus in
    /// front negating the whole; other juxtapositions stay products. Every verdict checked with math-verify 0.9.0.
    @Test(arguments: [
        ("$\\frac{7}{2}$", "$3\\frac{1}{2}$", true), ("$\\frac{3}{2}$", "$3\\frac{1}{2}$", false),
        ("$\\frac{7}{2}$", "$3 \\frac{1}{2}$", true), ("$\\frac{7}{2}$", "$3\\,\\frac{1}{2}$", true),
        ("$\\frac{7}{2}$", "$3\\dfrac{1}{2}$", true), ("$\\frac{7}{2}$", "$3\\tfrac12$", true), ("$3.5$", "$3\\frac{1}{2}$", true),
        ("$-\\frac{7}{2}$", "$-3\\frac{1}{2}$", true), ("$-\\frac{5}{2}$", "$-3\\frac{1}{2}$", false),
        ("$\\frac{29}{4}$", "$7\\frac{1}{4}$", true), ("$12.5$", "$12\\frac{1}{2}$", true), ("$\\frac{31}{3}$", "$10\\frac{1}{3}$", true),
        ("$\\frac{13}{4}$", "$3\\frac{2}{8}$", true), ("$\\frac{1}{2}$", "$0\\frac{1}{2}$", true),
        ("$\\frac{5}{2}$", "$6-3\\frac{1}{2}$", true), ("$\\frac{9}{2}$", "$1+3\\frac{1}{2}$", true),
        ("$7$", "$2 \\cdot 3\\frac{1}{2}$", true), ("$\\frac{4}{7}$", "$2/3\\frac{1}{2}$", true), ("$1$", "$3\\frac{1}{2}/\\frac{7}{2}$", true),
        ("$\\frac{\\sqrt{13}}{2}$", "$\\sqrt{3\\frac{1}{4}}$", true), ("$\\frac{7}{2}, \\frac{13}{3}$", "$3\\frac{1}{2}, 4\\frac{1}{3}$", true),
        ("$\\frac{7}{2}$", "$x = 3\\frac{1}{2}$", true), ("$\\frac{7x}{2}$", "$x 3\\frac{1}{2}$", true),
        ("$\\frac{7}{2}$", "$3\\frac{1}{2}^\\circ$", true),
        // Not mixed numbers: products, as math-verify reads them.
        ("$\\frac{x}{2}$", "$x\\frac{1}{2}$", true), ("$\\frac{3}{2}$", "$3 \\cdot \\frac{1}{2}$", true),
        ("$\\frac{7}{2}$", "$3 \\cdot \\frac{1}{2}$", false), ("$\\frac{3}{2}$", "$\\frac{1}{2}3$", true), ("$\\frac{7}{2}$", "$\\frac{1}{2}3$", false),
        ("$\\frac{3x}{2}$", "$3\\frac{x}{2}$", true), ("$3+\\frac{x}{2}$", "$3\\frac{x}{2}$", false),
        ("$\\frac{3}{2}x$", "$3\\frac{1}{2}x$", true), ("$\\frac{7}{2}x$", "$3\\frac{1}{2}x$", false),
        ("$\\frac{3}{2}\\pi$", "$3\\frac{1}{2}\\pi$", true), ("$\\frac{3}{4}$", "$3\\frac{1}{2}^2$", true), ("$\\frac{49}{4}$", "$3\\frac{1}{2}^2$", false),
        ("$\\frac{7}{4}$", "$3.5\\frac{1}{2}$", true), ("$\\frac{7}{2}$", "$3.0\\frac{1}{2}$", false),
        ("$0$", "$3\\frac{0}{2}$", true), ("$-\\frac{3}{2}$", "$3\\frac{-1}{2}$", true), ("$\\frac{5}{2}$", "$3\\frac{-1}{2}$", false),
        ("$\\frac{1}{3}$", "$2\\frac{1}{2}\\frac{1}{3}$", true), ("$\\frac{x^3}{2}$", "$x^3\\frac{1}{2}$", true),
        ("$\\frac{3\\sqrt{2}}{2}$", "$3\\frac{\\sqrt{2}}{2}$", true),
    ])
    func mixedNumbers(gold: String, pred: String, expected: Bool) {
        #expect(Grader.grade(gold: gold, prediction: pred).correct == expected, "\(gold) vs \(pred)")
        // Either side: a mixed-number gold reads the same way.
        #expect(Grader.grade(gold: pred, prediction: gold).correct == expected, "\(pred) vs \(gold)")
    }

    @Test func mixedNumbersInTinaModeAndImproperFractions() {
        #expect(Grader.grade(gold: "$\\frac{7}{2}$", prediction: "The final answer is $\\boxed{3\\frac{1}{2}}$.", mode: .tina).correct)
        #expect(Grader.grade(gold: "$3\\frac{1}{2}$", prediction: "so it takes \\boxed{\\dfrac{7}{2}} hours", mode: .tina).correct)
        #expect(!Grader.grade(gold: "$\\frac{3}{2}$", prediction: "\\boxed{3\\frac{1}{2}}", mode: .tina).correct)
        #expect(Grader.grade(gold: "$-\\frac{7}{2}$", prediction: "\\boxed{-3\\frac{1}{2}}", mode: .tina).correct)
        #expect(Grader.grade(gold: "$\\frac{7}{2}$", prediction: "\\boxed{3\\frac{1}{2}\\text{ hours}}", mode: .tina).correct)
        #expect(Grader.grade(gold: "$\\frac{7}{2}$", prediction: "$3\\frac{1}{2}\\text{ hours}$").correct)
        // Tina's prediction settings leave malformed operators alone, so \frac12 does not parse there (nor in math-verify).
        #expect(!Grader.grade(gold: "$-\\frac{7}{2}$", prediction: "\\boxed{-3\\frac12}", mode: .tina).correct)
        // An improper fraction is not the fractional part of a mixed number: 3\frac{5}{2} stays 3 * 5/2 = 15/2 (a deliberate
        // difference: math-verify 0.9.0 reads any positive rational after an integer as added, 3 + 5/2 = 11/2).
        #expect(Grader.grade(gold: "$\\frac{15}{2}$", prediction: "$3\\frac{5}{2}$").correct)
        #expect(!Grader.grade(gold: "$\\frac{11}{2}$", prediction: "$3\\frac{5}{2}$").correct)
        #expect(Grader.grade(gold: "$6$", prediction: "$3\\frac{2}{1}$").correct)
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
