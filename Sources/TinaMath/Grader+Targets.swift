extension Grader {
    /// Grades with explicit extraction targets on each side, any-match on both, as lighteval's extractive-match
    /// metric does for Tina's benchmarks (tina-digest.md 5.1: gold by expression or LaTeX per task, predictions
    /// by expression + LaTeX with boxed answers first, `precision=5`). The gold is read as `goldFormat` says and
    /// its reading is checked the same way as in `grade(gold:prediction:mode:goldFormat:)`.
    public static func grade(gold: String, prediction: String, goldTargets: [ExtractionTarget],
                             predictionTargets: [ExtractionTarget], goldFormat: GoldFormat = .text,
                             floatRounding: Int = 6) -> GradeResult {
        let g: [ExtractedAnswer], p: [ExtractedAnswer]
        do {
            g = try MathVerifier.parseChecked(GoldReading.prepared(gold, goldFormat), targets: goldTargets)
        } catch {
            return GradeResult(correct: false, gold: [], prediction: [], failure: "gold: \(error)")
        }
        let warning = GoldReading.warning(gold: gold, format: goldFormat, answers: g)
        do {
            p = try MathVerifier.parseChecked(prediction, targets: predictionTargets)
        } catch {
            return GradeResult(correct: false, gold: g, prediction: [], failure: "prediction: \(error)", goldWarning: warning)
        }
        let correct = !g.isEmpty && MathVerifier.verify(gold: g, prediction: p, floatRounding: floatRounding)
        return GradeResult(correct: correct, gold: g, prediction: p, goldWarning: warning)
    }
}
