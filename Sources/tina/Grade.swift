import ArgumentParser
import Foundation
import TinaMath

struct Grade: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a predicted answer against a gold answer (math-verify semantics).",
        discussion: """
        One pair with --gold and --pred, or many with --input FILE.jsonl (objects with "gold" and "pred", \
        optionally "mode") and --output FILE.jsonl. Modes: default (math-verify's parse defaults), tina (Tina's \
        accuracy reward: the prediction must box its answer or anchor it), latex, expr, latex_expr. Each result \
        says what was extracted from both sides.
        """)

    @Option(help: "Gold answer or solution text.") var gold: String?
    @Option(help: "Predicted answer or completion text.") var pred: String?
    @Option(help: "JSONL file of objects with gold, pred and optionally mode.") var input: String?
    @Option(help: "Where to write the JSONL results (default: stdout).") var output: String?
    @Option(help: "Grading mode (default, tina, latex, expr, latex_expr).") var mode = "default"
    @Flag(help: "Print JSON for a single pair.") var json = false

    struct Result: Encodable {
        var correct: Bool
        var gold_extracted: [String]
        var pred_extracted: [String]
        var mode: String
    }

    func run() throws {
        guard let gradingMode = GradingMode(rawValue: mode) else {
            throw ValidationError("--mode must be one of \(GradingMode.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if let gold, let pred {
            let r = Grader.grade(gold: gold, prediction: pred, mode: gradingMode)
            let result = Result(correct: r.correct, gold_extracted: r.gold.map(\.text), pred_extracted: r.prediction.map(\.text), mode: mode)
            if json {
                print(try jsonText(result))
            } else {
                print(r.correct ? "correct" : "incorrect")
                print("  gold extracted: \(result.gold_extracted)")
                print("  pred extracted: \(result.pred_extracted)")
            }
            if !r.correct { throw ExitCode(1) }
            return
        }
        guard let input, gold == nil, pred == nil else { throw ValidationError("give --gold and --pred, or --input FILE.jsonl") }
        guard let data = FileManager.default.contents(atPath: input), let text = String(data: data, encoding: .utf8) else {
            throw ValidationError("cannot read \(input) as UTF-8")
        }
        var lines: [String] = []
        var correct = 0
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: true).enumerated() {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let g = object["gold"] as? String, let p = object["pred"] as? String else {
                throw ValidationError("\(input):\(number + 1): expected a JSON object with string fields \"gold\" and \"pred\"")
            }
            var rowMode = gradingMode
            if let m = object["mode"] as? String {
                guard let parsed = GradingMode(rawValue: m) else { throw ValidationError("\(input):\(number + 1): unknown mode '\(m)'") }
                rowMode = parsed
            }
            let r = Grader.grade(gold: g, prediction: p, mode: rowMode)
            if r.correct { correct += 1 }
            let encoded = try JSONEncoder().encode(Result(correct: r.correct, gold_extracted: r.gold.map(\.text),
                                                          pred_extracted: r.prediction.map(\.text), mode: rowMode.rawValue))
            lines.append(String(decoding: encoded, as: UTF8.self))
        }
        let body = lines.joined(separator: "\n") + (lines.isEmpty ? "" : "\n")
        if let output {
            try Data(body.utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
        } else {
            print(body, terminator: "")
        }
        FileHandle.standardError.write(Data("\(correct)/\(lines.count) correct\n".utf8))
    }
}
