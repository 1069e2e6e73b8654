"""Held-out split 2 (`heldout2`) of answer pairs, written blind for issue 12.

Every pair below was written, and committed, before Tina's grader or math-verify saw any of them; the grader is
not changed after their results are known (the measured agreement is reported as is, its disagreements listed in
Tests/Fixtures/math/disagreements.json). Pairs are (gold, prediction); verdicts come from math-verify 0.9.0 via
make_math_fixtures.py. About half are meant equal and half not, by the writer's reading; math-verify decides.

Exception, stated plainly: graded blind, the split agreed 349/350; its one disagreement, the mixed number
("$\\dfrac{7}{2}$", "The answer is $3\\frac{1}{2}$.") in `fractions`, was then looked at and the grader fixed for
mixed numbers (350/350 since). That pair is no longer blind; the rest of the split has not been tuned on.

The issue's families come first (relations, approximations, inequalities vs intervals, \\text{E} vs E,
assignments vs tuples, semicolon tuples, several boxed answers, subscripted equation lists, sums/products), then
general shapes of real model output (fractions, radicals, pi, decimals, percentages, degrees, units, intervals and
unions, sets, coordinates, negatives, scientific notation, text, multiple-choice letters, boxed with trailing prose).
"""

B = "The final answer is $\\boxed{%s}$. I hope it is correct."
R = "Putting it together, the answer is \\boxed{%s}"          # a bare \boxed, no $...$
F = "**Final Answer**\n\n$$\\boxed{%s}$$"                     # markdown heading and display math

HELDOUT2 = {
    "relations": [
        ("$x \\neq 5$", "$x != 5$"), ("$y \\ne -2$", B % "y \\neq -2"), ("$t \\neq 1$", "$t \\neq -1$"),
        ("$x \\geq 4$", "$4 \\le x$"), ("$x > 1$", "$x \\geq 1$"), ("$a \\leq b$", "$b \\geq a$"),
        ("$n \\ne 2$", "$n = 2$"), ("$x \\lt 0$", "$0 > x$"), ("$k \\neq 0$", R % "k \\ne 0"),
        ("$z \\geq 10$", B % "z > 10"), ("$w \\neq 3$", F % "w \\neq 4"), ("$x \\le -1$", "$x < -1$"),
    ],
    "approx": [
        ("$x \\approx 1.73$", "$1.73$"), ("$1.62$", B % "\\varphi \\approx 1.62"), ("$\\sqrt{3}$", B % "\\sqrt{3} \\approx 1.732"),
        ("$0.37$", "$p \\approx 0.38$"), ("$v \\approx 4.9$", B % "v \\approx 5.1"), ("$\\frac{1}{7} \\approx 0.143$", "$\\frac{1}{7}$"),
        ("$2.24$", R % "\\sqrt{5} \\approx 2.24"), ("$\\approx 8.5$", "$9.5$"),
    ],
    "inequality_interval": [
        ("$2 < x < 7$", "$(2,7)$"), ("$-5 \\le x < 0$", "$[-5, 0)$"), ("$x \\le 3$", "$(-\\infty, 3]$"),
        ("$x > -4$", "$(-4, \\infty)$"), ("$0 < x < 1$", "$[0, 1]$"), ("$x \\geq 1$", "$(1, \\infty)$"),
        ("$(-2, 5]$", "$-2 < x \\le 5$"), ("$1 \\le g(x) \\le 9$", B % "[1, 9]"), ("$x < 2$", B % "(-\\infty, 3)"),
        ("$-1 \\le y \\le 1$", "$[-1,1]$"), ("$3 < x < 6$", R % "(3, 5)"),
    ],
    "text_letters": [
        ("$\\text{C}$", "$C$"), ("$\\text{(D)}$", B % "D"), ("$\\textbf{(A)}$", "$A$"), ("$\\text{B}$", B % "\\text{(C)}"),
        ("$E$", B % "\\textbf{(E)}"), ("$\\mathrm{D}$", "$\\text{B}$"), ("$\\text{A}$", R % "\\text{A}"),
    ],
    "assignments_tuples": [
        ("$x=3,y=4$", "$(3,4)$"), ("$a=5,b=-1$", "$(-1,5)$"), ("$(x,y)=(2,-3)$", "$(2,-3)$"),
        ("$x=2,y=3;x=3,y=2$", "$(2,3),(3,2)$"), ("$m=1,n=4;m=4,n=1$", "$(1,4),(4,2)$"), ("$p=2,q=3,r=5$", "$(2,3,5)$"),
        ("$(a, b, c) = (1, 0, -1)$", B % "(1,0,-1)"), ("$x=6,y=1$", B % "x=6, y=2"), ("$s=1,t=2$", "$s=1, t=2$"),
        ("$x=4,y=4$", "$(4,5)$"),
    ],
    "semicolon_tuples": [
        ("$(2,5);(5,2)$", "$(2,5),(5,2)$"), ("$(0,1);(1,0)$", "$\\{(0,1),(1,0)\\}$"), ("$3;6$", "$3, 6$"),
        ("$(1,3);(3,1)$", "$(1,3),(3,2)$"), ("$-2;2$", B % "2, -2"), ("$(4,0,1);(0,4,1)$", "$(4,0,1),(0,4,1)$"),
        ("$1;3;5$", "$1,3,6$"), ("$(6,2);(2,6)$", R % "(6,2)"),
    ],
    "several_boxed": [
        ("$3, 8$", "$\\boxed{3} \\quad \\text{and} \\quad \\boxed{8}$"),
        ("$x=4, y=1$", "$\\boxed{x=4} \\quad \\text{and} \\quad \\boxed{y=1}$"),
        ("$-1, 2$", "The roots are $\\boxed{-1}$ and $\\boxed{2}$."),
        ("$1, 9$", "$\\boxed{1} \\quad \\text{and} \\quad \\boxed{7}$"),
        ("$\\pm 5$", "$\\boxed{5} \\quad \\text{or} \\quad \\boxed{-5}$"),
        ("$\\frac{1}{3}, 3$", "$\\boxed{\\frac{1}{3}} \\quad \\text{and} \\quad \\boxed{3}$"),
        ("$2, 4$", "$\\boxed{2}$"),
        ("$a=2,b=7$", "Hence $\\boxed{a=2} \\quad \\text{and} \\quad \\boxed{b=8}$."),
        ("$0, 6$", "$\\boxed{6} \\quad \\text{and} \\quad \\boxed{0}$"),
    ],
    "subscript_equations": [
        ("$x_1 = -3, x_2 = 1$", "$-3, 1$"), ("$x_1 = 2, x_2 = 5$", "$\\{2, 5\\}$"), ("$a_n = 5n - 2$", "$a_n = -2 + 5n$"),
        ("$a_n = 2^{n+1}$", "$a_n = 2 \\cdot 2^n$"), ("$S_n = n(n+1)$", B % "n^2 + n"), ("$b_n = 3n$", "$b_n = 3n + 3$"),
        ("$x_1 = 1, x_2 = 4$", "$x_1 = 1, x_2 = 5$"), ("$a_3 = 12$", B % "12"), ("$y_{1} = 2, y_{2} = -2$", "$2, 2$"),
    ],
    "sums": [
        ("$\\sum_{k=1}^{8} k$", "$36$"), ("$\\sum_{i=1}^{4} i^2$", "$30$"), ("$\\prod_{k=1}^{6} k$", "$720$"),
        ("$\\sum_{k=0}^{5} 2^k$", "$64$"), ("$\\sum_{n=1}^{4} \\frac{1}{n(n+1)}$", "$\\frac{4}{5}$"),
        ("$\\prod_{i=1}^{3} (i+1)$", "$24$"), ("$\\sum_{j=1}^{10} 2j$", "$100$"), ("$45$", B % "\\sum_{k=1}^{9} k"),
        ("$\\prod_{k=1}^{3} 2k$", "$36$"),
    ],
    "fractions": [
        ("$\\frac{3}{4}$", B % "\\dfrac{3}{4}"), ("$\\frac{3}{4}$", "$0.75$"), ("$\\frac{2}{3}$", B % "\\frac{4}{6}"),
        ("$\\frac{5}{8}$", B % "\\frac{8}{5}"), ("$\\dfrac{7}{2}$", "The answer is $3\\frac{1}{2}$."),
        ("$-\\frac{1}{2}$", B % "\\frac{-1}{2}"), ("$\\frac{1}{6}$", R % "\\frac{1}{5}"), ("$\\tfrac{9}{10}$", "$0.9$"),
        ("$\\frac{11}{3}$", F % "\\frac{10}{3}"),
    ],
    "radicals": [
        ("$2\\sqrt{3}$", B % "\\sqrt{12}"), ("$\\sqrt{2}$", B % "\\frac{2}{\\sqrt{2}}"), ("$3\\sqrt{5}$", B % "5\\sqrt{3}"),
        ("$\\sqrt[3]{2}$", B % "2^{1/3}"), ("$\\frac{\\sqrt{3}}{2}$", R % "\\frac{\\sqrt{2}}{2}"), ("$4\\sqrt{2}$", "$\\sqrt{32}$"),
        ("$1+\\sqrt{5}$", B % "\\sqrt{5}-1"), ("$\\sqrt{7}$", F % "\\sqrt{6}"),
    ],
    "pi": [
        ("$2\\pi$", B % "2 \\pi"), ("$\\frac{\\pi}{3}$", B % "\\pi/3"), ("$4\\pi$", B % "12.566"),
        ("$\\frac{\\pi}{4}$", B % "\\frac{\\pi}{2}"), ("$9\\pi$", B % "9"), ("$36\\pi$", "$36 \\pi \\text{ cm}^2$"),
        ("$\\pi r^2$", R % "2\\pi r"),
    ],
    "decimals_fractions": [
        ("$0.125$", B % "\\frac{1}{8}"), ("$2.5$", B % "\\frac{5}{2}"), ("$0.3$", B % "\\frac{1}{3}"),
        ("$1.2$", B % "1.20"), ("$\\frac{7}{4}$", R % "1.75"), ("$0.6$", B % "0.06"), ("$3.14$", F % "3.41"),
    ],
    "percentages": [
        ("$25\\%$", B % "25"), ("$40\\%$", B % "0.4"), ("$12.5\\%$", B % "12.5\\%"), ("$30\\%$", B % "35\\%"),
        ("$50$", B % "50\\%"), ("$15\\%$", "The probability is 15 percent."), ("$80\\%$", R % "8\\%"),
    ],
    "degrees": [
        ("$30^\\circ$", B % "30"), ("$45^{\\circ}$", B % "45^\\circ"), ("$60^\\circ$", B % "\\frac{\\pi}{3}"),
        ("$120^\\circ$", B % "150^\\circ"), ("$90$", B % "90^{\\circ}"), ("$72^\\circ$", R % "27^\\circ"),
    ],
    "units": [
        ("$12$", B % "12 \\text{ cm}"), ("$5\\text{ meters}$", B % "5"), ("$48$", B % "48 \\text{ square units}"),
        ("$20$", B % "24 \\text{ inches}"), ("$3\\text{ hours}$", B % "3"), ("$18.50$", B % "\\$18.50"),
        ("$7 \\text{ km}$", B % "8 \\text{ km}"), ("$60 \\text{ mph}$", R % "65 \\text{ mph}"),
    ],
    "intervals_unions": [
        ("$(-\\infty, 2) \\cup (3, \\infty)$", B % "(-\\infty,2)\\cup(3,\\infty)"), ("$[1, 4]$", B % "[1,4)"),
        ("$(-\\infty, -1] \\cup [1, \\infty)$", B % "(-\\infty, -1) \\cup (1, \\infty)"), ("$(0, 5]$", B % "(0,5]"),
        ("$(-3, 3)$", B % "(-3,3)"), ("$[2, \\infty)$", B % "[2, +\\infty)"),
        ("$(-\\infty,0)\\cup(0,\\infty)$", B % "x \\neq 0"), ("$(1,2) \\cup (2,3)$", B % "(1,3)"),
        ("$[0, 3)$", R % "[0, 3]"),
    ],
    "sets": [
        ("$\\{1, 2, 3\\}$", B % "\\{3, 2, 1\\}"), ("$\\{-1, 1\\}$", B % "\\{1\\}"), ("$\\{2, 4, 6\\}$", "$2, 4, 6$"),
        ("$\\{0\\}$", B % "0"), ("$\\{1, 5\\}$", B % "\\{1, 6\\}"), ("$\\emptyset$", B % "\\varnothing"),
        ("$\\{a, b\\}$", B % "\\{b, a\\}"), ("$\\{3, 7\\}$", R % "\\{3, 7, 11\\}"),
    ],
    "coordinates": [
        ("$(3, -2)$", B % "(3,-2)"), ("$(3, -2)$", B % "(-2,3)"), ("$(0, \\frac{1}{2})$", B % "(0, 0.5)"),
        ("$(1, 2, 3)$", B % "(1,2,4)"), ("$\\left(2, \\frac{\\pi}{4}\\right)$", B % "(2, \\frac{\\pi}{4})"),
        ("$(-1, -1)$", B % "(-1,-1)"), ("$(4, 5)$", B % "(5, 4)"), ("$(2, 0)$", F % "(0, 2)"),
    ],
    "negatives": [
        ("$-7$", B % "-7"), ("$-7$", B % "7"), ("$-\\frac{3}{2}$", B % "-1.5"), ("$-0.25$", B % "-\\frac{1}{4}"),
        ("$-12$", "The answer is $\\boxed{- 12}$"), ("$-3$", R % "3"), ("$-\\sqrt{2}$", B % "\\sqrt{2}"),
    ],
    "scientific": [
        ("$3 \\times 10^{5}$", B % "300000"), ("$1.5 \\times 10^{-3}$", B % "0.0015"),
        ("$6.02 \\times 10^{23}$", B % "6.02 \\times 10^{22}"), ("$2 \\times 10^3$", B % "2000"),
        ("$4.5 \\cdot 10^{2}$", B % "450"), ("$10^{6}$", B % "1000000"), ("$5 \\times 10^{-2}$", R % "0.5"),
    ],
    "text_answers": [
        ("$\\text{odd}$", B % "\\text{odd}"), ("$\\text{even}$", B % "\\text{odd}"), ("$\\text{Yes}$", B % "\\text{yes}"),
        ("$\\text{No}$", B % "\\text{Yes}"), ("$\\text{Tuesday}$", B % "\\text{Tuesday}"),
        ("$\\text{Monday}$", R % "\\text{Friday}"), ("$\\text{infinitely many}$", B % "\\text{infinitely many}"),
    ],
    "choice_letters": [
        ("$\\textbf{(B)}$", "The correct option is $\\boxed{B}$."), ("$\\text{(C)}$", "$\\boxed{\\text{(C)}}$"),
        ("$D$", B % "\\text{(A)}"), ("$\\textbf{(E)}\\ 12$", B % "E"), ("$A$", "**Answer: (A)**"),
        ("$\\text{B}$", R % "\\textbf{(D)}"),
    ],
    "trailing_prose": [
        ("$17$", "Therefore, the answer is $\\boxed{17}$, which is a prime number."),
        ("$17$", "So we get $\\boxed{19}$. Note that 17 is also prime."),
        ("$\\frac{1}{4}$", "The probability is $\\boxed{\\frac{1}{4}}$ since each outcome is equally likely."),
        ("$6$", "\\boxed{6} apples remain after she gives 3 away."),
        ("$100$", "Thus the total is $\\boxed{100}$ dollars, though at first we guessed 90."),
        ("$8$", "We found $\\boxed{9}$ but should double-check: 8 seems plausible."),
    ],
    "expressions": [
        ("$x^2 + 2x + 1$", B % "(x+1)^2"), ("$2x+3$", B % "3+2x"), ("$x^2-1$", B % "(x-1)^2"),
        ("$\\frac{x+1}{x}$", B % "1 + \\frac{1}{x}"), ("$3^{10}$", B % "59049"), ("$2^{10}$", R % "1000"),
        ("$\\binom{6}{2}$", B % "15"), ("$5!$", B % "120"), ("$3+4i$", B % "4i+3"), ("$1-i$", B % "1+i"),
        ("$\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}$", B % "\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}"),
        ("$\\log_2 8$", F % "4"),
    ],
}
