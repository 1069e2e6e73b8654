/// The grading setups Tina uses, by name.
public enum GradingMode: String, Sendable, CaseIterable {
    /// math-verify's parse defaults on both sides (LaTeX + expression targets, any match).
    case `default`
    /// Tina's accuracy reward (tina-digest.md 4.1): gold parsed first-match with the defaults; the completion
    /// with LaTeX only, boxed first, no anchor-less matches, units and equations normalized.
    case tina
    case latex, expr
    case latexExpr = "latex_expr"

    public static let tinaPrediction: [ExtractionTarget] = [.latex(
        tryWithoutAnchor: false, boxedPriority: 0,
        normalization: NormalizationConfig(basicLatex: true, units: true, malformedOperators: false, nits: false,
                                           boxed: .all, equations: true))]
}

/// A verdict with what was extracted from each side.
public struct GradeResult: Sendable, Equatable {
    public var correct: Bool
    public var gold: [ExtractedAnswer]
    public var prediction: [ExtractedAnswer]
}

public enum Grader {
    public static func grade(gold: String, prediction: String, mode: GradingMode = .default) -> GradeResult {
        let g: [ExtractedAnswer], p: [ExtractedAnswer]
        switch mode {
        case .default:
            g = MathVerifier.parse(gold)
            p = MathVerifier.parse(prediction)
        case .tina:
            g = MathVerifier.parse(gold, mode: .firstMatch)
            p = MathVerifier.parse(prediction, targets: GradingMode.tinaPrediction, mode: .firstMatch)
        case .latex, .expr, .latexExpr:
            let targets: [ExtractionTarget] = mode == .latex ? [.latex()] : mode == .expr ? [.expression()] : MathVerifier.defaultTargets
            g = MathVerifier.parse(gold, targets: targets)
            p = MathVerifier.parse(prediction, targets: targets)
        }
        let correct = !g.isEmpty && MathVerifier.verify(gold: g, prediction: p)
        return GradeResult(correct: correct, gold: g, prediction: p)
    }
}
