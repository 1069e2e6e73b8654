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
    /// Set when the pair could not be graded at all (a `MathLimits` bound was exceeded): "gold: ..." or
    /// "prediction: ...". Such a pair is not correct, and is not "incorrect" either.
    public var failure: String?
    /// Set when the gold's extraction came back empty, or read only a fragment of a bare answer: the verdict
    /// then rests on less than the gold (see `GoldFormat.answer` for dataset answers).
    public var goldWarning: GoldWarning?

    public init(correct: Bool, gold: [ExtractedAnswer], prediction: [ExtractedAnswer], failure: String? = nil,
                goldWarning: GoldWarning? = nil) {
        (self.correct, self.gold, self.prediction, self.failure, self.goldWarning) = (correct, gold, prediction, failure, goldWarning)
    }
}

public enum Grader {
    /// Grades `prediction` against `gold`, which is read as `goldFormat` says (math-verify's raw text by
    /// default; `.answer` for a dataset's bare-LaTeX answer column).
    public static func grade(gold: String, prediction: String, mode: GradingMode = .default,
                             goldFormat: GoldFormat = .text) -> GradeResult {
        let goldTargets: [ExtractionTarget], predictionTargets: [ExtractionTarget]
        var goldMode = MathVerifier.ExtractionMode.anyMatch, predictionMode = MathVerifier.ExtractionMode.anyMatch
        switch mode {
        case .default:
            (goldTargets, predictionTargets) = (MathVerifier.defaultTargets, MathVerifier.defaultTargets)
        case .tina:
            (goldTargets, predictionTargets) = (MathVerifier.defaultTargets, GradingMode.tinaPrediction)
            (goldMode, predictionMode) = (.firstMatch, .firstMatch)
        case .latex, .expr, .latexExpr:
            let targets: [ExtractionTarget] = mode == .latex ? [.latex()] : mode == .expr ? [.expression()] : MathVerifier.defaultTargets
            (goldTargets, predictionTargets) = (targets, targets)
        }
        let g: [ExtractedAnswer], p: [ExtractedAnswer]
        do {
            g = try MathVerifier.parseChecked(GoldReading.prepared(gold, goldFormat), targets: goldTargets, mode: goldMode)
        } catch {
            return GradeResult(correct: false, gold: [], prediction: [], failure: "gold: \(error)")
        }
        let warning = GoldReading.warning(gold: gold, format: goldFormat, answers: g)
        do {
            p = try MathVerifier.parseChecked(prediction, targets: predictionTargets, mode: predictionMode)
        } catch {
            return GradeResult(correct: false, gold: g, prediction: [], failure: "prediction: \(error)", goldWarning: warning)
        }
        let correct = !g.isEmpty && MathVerifier.verify(gold: g, prediction: p)
        return GradeResult(correct: correct, gold: g, prediction: p, goldWarning: warning)
    }
}
