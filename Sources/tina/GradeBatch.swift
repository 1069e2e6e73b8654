import Foundation
import TinaCore
import TinaMath

/// `tina grade --input FILE.jsonl`: LF or CRLF lines, blank lines skipped without shifting anything, one output
/// row per other line carrying its line number (and the input's "id"), every bad line reported with its number.
struct GradeBatch {
    let input: String
    let output: String?
    let mode: GradingMode
    var goldFormat: GoldFormat = .text
    let onError: Grade.OnError

    /// An input "id": a string or a number, copied as it is.
    enum RowID: Encodable {
        case string(String), number(Double), integer(Int)
        func encode(to encoder: Encoder) throws {
            var c = encoder.singleValueContainer()
            switch self {
            case let .string(s): try c.encode(s)
            case let .number(d): try c.encode(d)
            case let .integer(i): try c.encode(i)
            }
        }
    }

    struct Row: Encodable {
        var line: Int
        var id: RowID?
        var correct: Bool?
        var gold_extracted: [String]?
        var pred_extracted: [String]?
        var mode: String?
        var error: String?
        var gold_warning: String?
    }

    /// Lines of `text` split on LF or CRLF (one Character in Swift, so splitting on "\n" alone misses it).
    static func lines(_ text: String) -> [Substring] {
        text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
    }

    static func rowID(_ value: Any?) -> RowID? {
        switch value {
        case let s as String: return .string(s)
        case let n as NSNumber where String(cString: n.objCType) != "c":
            let d = n.doubleValue
            return d.rounded() == d && abs(d) < 9e15 ? .integer(n.intValue) : .number(d)
        default: return nil
        }
    }

    /// Grades one line; a bad line becomes a row with `error`.
    func grade(_ line: Substring, number: Int) -> Row {
        var row = Row(line: number)
        guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
            row.error = "not a JSON object"
            return row
        }
        row.id = Self.rowID(object["id"])
        guard let g = object["gold"] as? String, let p = object["pred"] as? String else {
            row.error = "expected string fields \"gold\" and \"pred\""
            return row
        }
        var rowMode = mode
        if let m = object["mode"] {
            guard let name = m as? String, let parsed = GradingMode(rawValue: name) else {
                row.error = "unknown mode \(m); modes: \(GradingMode.allCases.map(\.rawValue).joined(separator: ", "))"
                return row
            }
            rowMode = parsed
        }
        let r = Grader.grade(gold: g, prediction: p, mode: rowMode, goldFormat: goldFormat)
        if let failure = r.failure {
            row.error = "could not grade: \(failure)"
            return row
        }
        row.correct = r.correct
        row.gold_extracted = r.gold.map(\.text)
        row.pred_extracted = r.prediction.map(\.text)
        row.mode = rowMode.rawValue
        row.gold_warning = r.goldWarning?.description
        return row
    }

    func run() throws {
        if let output { try checkWritable(output) }
        let text = try readTextFile(input, what: "JSONL file")
        var rows: [String] = []
        var correct = 0, incorrect = 0, failed = 0, blank = 0, warned = 0
        var stoppedAt: Int?
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let lines = Self.lines(text)
        for (i, line) in lines.enumerated() {
            if line.allSatisfy(\.isWhitespace) {
                if i < lines.count - 1 || !line.isEmpty { blank += 1 }  // the empty piece after a final newline is no line
                continue
            }
            let row = grade(line, number: i + 1)
            let encoded = String(decoding: try encoder.encode(row), as: UTF8.self)
            if output == nil { print(encoded) } else { rows.append(encoded) }
            if let warning = row.gold_warning {
                warned += 1
                ExitStatus.printError("tina grade: \(input):\(i + 1): warning: \(warning)")
            }
            if let error = row.error {
                failed += 1
                ExitStatus.printError("tina grade: \(input):\(i + 1): \(error)")
                if onError == .fail { stoppedAt = i + 1; break }
            } else if row.correct == true {
                correct += 1
            } else {
                incorrect += 1
            }
        }
        if let output { try writeTextFile(rows.map { $0 + "\n" }.joined(), to: output) }
        var summary = "tina grade: \(input): \(correct + incorrect) graded (\(correct) correct, \(incorrect) incorrect), "
            + "\(failed) failed, \(blank) blank line\(blank == 1 ? "" : "s") skipped"
        if warned > 0 { summary += "; \(warned) gold warning\(warned == 1 ? "" : "s") (empty or partial gold extraction)" }
        if let stoppedAt { summary += "; stopped at line \(stoppedAt) (--on-error fail)" }
        ExitStatus.printError(summary)
        if stoppedAt != nil { ExitStatus.exit(.runtime) }
    }
}
