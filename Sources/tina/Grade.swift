import ArgumentParser
import Foundation
import TinaMath

struct Grade: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a predicted answer against a gold answer (math-verify semantics).",
        discussion: """
        One pair with --gold and --pred, or many with --input FILE.jsonl (objects with "gold" and "pred", \
        optionally "mode" and "id") and --output FILE.jsonl. Modes: default (math-verify's parse defaults), tina \
        (Tina's accuracy reward: the prediction must box its answer or anchor it), latex, expr, latex_expr. Each \
        result says what was extracted from both sides.
        One pair: exit 0 correct, 3 incorrect, 1 could not grade (an answer past a size or nesting limit). \
        A batch writes one row per non-blank input line with its "line" (and "id"); a bad line gets an "error" \
        row and, with --on-error skip (default), the others are still graded (exit 0); --on-error fail stops at \
        the first bad line (exit 1). A summary goes to stderr.
        --gold-format answer reads a bare-LaTeX gold (a dataset's answer column, no $...$) as one answer, as \
        lighteval does; a gold whose extraction is empty or only a fragment of a bare answer gets a warning \
        (stderr, and "gold_warning" in JSON rows) and batches count them.
        """)

    enum OnError: String, ExpressibleByArgument, CaseIterable { case skip, fail }

    @Option(help: "Gold answer or solution text.") var gold: String?
    @Option(help: "Predicted answer or completion text.") var pred: String?
    @Option(help: "JSONL file of objects with gold, pred and optionally mode and id.") var input: String?
    @Option(help: "Where to write the JSONL results (default: stdout).") var output: String?
    @Option(help: "Grading mode (default, tina, latex, expr, latex_expr).") var mode = "default"
    @Option(name: .customLong("gold-format"), help: "How the gold is written: text (read as math-verify does) or answer (bare LaTeX is one answer).")
    var goldFormat = "text"
    @Option(name: .customLong("on-error"), help: "With --input: skip a bad line (reported) or fail at it (skip, fail).")
    var onError: OnError = .skip
    @Flag(help: "Print JSON for a single pair.") var json = false

    struct Result: Encodable {
        var correct: Bool
        var gold_extracted: [String]
        var pred_extracted: [String]
        var mode: String
        var gold_warning: String?
    }

    func validate() throws {
        guard GradingMode(rawValue: mode) != nil else {
            throw ValidationError("--mode must be one of \(GradingMode.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard GoldFormat(rawValue: goldFormat) != nil else {
            throw ValidationError("--gold-format must be one of \(GoldFormat.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if input != nil {
            guard gold == nil, pred == nil else { throw ValidationError("--input grades a file: give it without --gold/--pred") }
        } else {
            guard gold != nil, pred != nil else { throw ValidationError("give --gold and --pred, or --input FILE.jsonl") }
            guard output == nil else { throw ValidationError("--output is for --input batches; a single pair prints its result") }
        }
    }

    func run() throws {
        let gradingMode = GradingMode(rawValue: mode) ?? .default
        let format = GoldFormat(rawValue: goldFormat) ?? .text
        if let input {
            try GradeBatch(input: input, output: output, mode: gradingMode, goldFormat: format, onError: onError).run()
            return
        }
        guard let gold, let pred else { throw ValidationError("give --gold and --pred, or --input FILE.jsonl") }
        let r = Grader.grade(gold: gold, prediction: pred, mode: gradingMode, goldFormat: format)
        if let failure = r.failure { throw CommandFailure(description: "could not grade: \(failure)") }
        if let warning = r.goldWarning { ExitStatus.printError("tina grade: warning: \(warning)") }
        let result = Result(correct: r.correct, gold_extracted: r.gold.map(\.text), pred_extracted: r.prediction.map(\.text), mode: mode,
                            gold_warning: r.goldWarning?.description)
        if json {
            print(try jsonText(result))
        } else {
            print(r.correct ? "correct" : "incorrect")
            print("  gold extracted: \(result.gold_extracted)")
            print("  pred extracted: \(result.pred_extracted)")
        }
        if !r.correct { throw ExitCode(ExitStatus.incorrect.rawValue) }
    }
}
