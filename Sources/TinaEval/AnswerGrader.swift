import Foundation
import TinaMath

/// Grades completions as lighteval's extractive-match metric does for Tina (tina-digest.md 5.1): the gold by
/// expression (AIME/AMC) or LaTeX (MATH-500/Minerva/OlympiadBench), the prediction by expression + LaTeX with
/// boxed answers at priority 0, any match, numbers equal to 5 decimals.
public struct AnswerGrader: Sendable {
    public var floatRounding: Int

    public static let predictionTargets: [ExtractionTarget] = [.expression(), .latex(boxedPriority: 0)]

    public init(floatRounding: Int = 5) { self.floatRounding = floatRounding }

    public func grade(completion: String, gold: String, mode: GoldMode) -> GradeResult {
        Grader.grade(gold: gold, prediction: completion, goldTargets: mode.targets, predictionTargets: Self.predictionTargets,
                     goldFormat: mode.format, floatRounding: floatRounding)
    }

    /// The answers a completion gives (what majority voting groups).
    public func answers(_ completion: String) -> [ExtractedAnswer] {
        MathVerifier.parse(completion, targets: Self.predictionTargets)
    }

    /// Whether two completions' answers are the same answer (the grader's equivalence, either way round).
    public func sameAnswer(_ a: [ExtractedAnswer], _ b: [ExtractedAnswer]) -> Bool {
        MathVerifier.verify(gold: a, prediction: b, floatRounding: floatRounding)
            || MathVerifier.verify(gold: b, prediction: a, floatRounding: floatRounding)
    }
}
