import Foundation
import TinaMath

/// How a benchmark's gold answer is read: lighteval's gold extraction target for Tina's tasks (tina-digest.md 5.1).
public enum GoldMode: String, Sendable, Codable, CaseIterable {
    /// AIME/AMC: the gold is a number, read with expression extraction.
    case expression
    /// MATH-500/Minerva/OlympiadBench: the gold is LaTeX; a bare answer column (`\left( 3, \frac{\pi}{2} \right)`)
    /// is one answer, read as if written `$...$` (`GoldFormat.answer`), so it is never graded by a fragment.
    case latex

    var targets: [ExtractionTarget] { self == .expression ? [.expression()] : [.latex()] }
    var format: GoldFormat { self == .expression ? .text : .answer }
}

/// One evaluation set: a JSONL file and the columns that hold the problem, its gold answer and its id.
public struct BenchmarkSpec: Sendable, Equatable, Codable {
    public var name: String
    public var file: String
    public var problemColumn: String
    public var answerColumn: String
    /// nil: problems are named by their 0-based position in the file.
    public var idColumn: String?
    public var goldMode: GoldMode

    public init(name: String, file: String, problemColumn: String = "problem", answerColumn: String = "answer",
                idColumn: String? = "id", goldMode: GoldMode) {
        (self.name, self.file, self.problemColumn, self.answerColumn, self.idColumn, self.goldMode)
            = (name, file, problemColumn, answerColumn, idColumn, goldMode)
    }
}
