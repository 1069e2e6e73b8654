import Foundation
import TinaCore

/// How a dataset's columns become (problem, solution), decided once from the column set as Tina's grpo.py does
/// (tina-digest.md 3.3):
/// - problem: `problem`, else `question`, else `prompt`, else `messages[0].content` (II-Thought); other columns
///   (including `messages` when a problem column exists) are dropped;
/// - solution: the `solution` column verbatim (open-rs, OpenR1-Math: math-verify reads its last \boxed{}), else
///   "$" + `answer` + "$" (STILL, LIMR, MATH); a dataset path containing "deepscaler" uses "$answer$" even beside a
///   `solution` column; II-Thought's gold is "$" + json(verification_info).answer.value + "$".
public struct ColumnMapping: Sendable, Equatable, CustomStringConvertible {
    public enum Problem: Sendable, Equatable {
        case column(String)
        /// `messages[0].content`.
        case firstMessage
    }

    public enum Solution: Sendable, Equatable {
        case verbatim(String)
        /// "$" + value + "$".
        case wrapped(String)
        /// "$" + verification_info.answer.value + "$" (verification_info may be a JSON string or an object).
        case verificationInfo
    }

    public var problem: Problem
    public var solution: Solution

    public var description: String {
        let p: String
        switch problem {
        case let .column(name): p = name
        case .firstMessage: p = "messages[0].content"
        }
        switch solution {
        case let .verbatim(name): return "problem <- \(p), solution <- \(name)"
        case let .wrapped(name): return "problem <- \(p), solution <- \"$\" + \(name) + \"$\""
        case .verificationInfo: return "problem <- \(p), solution <- \"$\" + verification_info.answer.value + \"$\""
        }
    }

    static func plan(columns: Set<String>, datasetName: String, solutionFrom: SolutionSource, source: String) throws -> ColumnMapping {
        let found = columns.sorted().joined(separator: ", ")
        let problem: Problem
        if let name = ["problem", "question", "prompt"].first(where: columns.contains) {
            problem = .column(name)
        } else if columns.contains("messages") {
            problem = .firstMessage
        } else {
            throw TinaError.missing(source: source, what: "a problem column (problem, question, prompt or messages); columns: \(found)")
        }
        func require(_ column: String) throws -> String {
            guard columns.contains(column) else {
                throw TinaError.missing(source: source, what: "column '\(column)' (dataset_solution_from: \(solutionFrom.rawValue)); columns: \(found)")
            }
            return column
        }
        let solution: Solution
        switch solutionFrom {
        case .solution: solution = .verbatim(try require("solution"))
        case .answer: solution = .wrapped(try require("answer"))
        case .auto:
            if datasetName.lowercased().contains("deepscaler"), columns.contains("answer") {
                solution = .wrapped("answer")
            } else if columns.contains("solution") {
                solution = .verbatim("solution")
            } else if columns.contains("answer") {
                solution = .wrapped("answer")
            } else if columns.contains("verification_info") {
                solution = .verificationInfo
            } else {
                throw TinaError.missing(source: source, what: "a gold column (solution, answer or verification_info); columns: \(found)")
            }
        }
        return ColumnMapping(problem: problem, solution: solution)
    }

    /// (problem, solution) of one row; errors name the field.
    func apply(_ row: [String: Any]) throws -> (String, String) {
        let problemText: String
        switch problem {
        case let .column(name): problemText = try Self.text(row, name)
        case .firstMessage:
            guard let messages = row["messages"] as? [Any], let first = messages.first as? [String: Any],
                  let content = first["content"] as? String else {
                throw TinaError.malformed(source: "", reason: "field 'messages': needs a first message with string 'content'")
            }
            problemText = content
        }
        let solutionText: String
        switch solution {
        case let .verbatim(name): solutionText = try Self.text(row, name)
        case let .wrapped(name): solutionText = "$" + (try Self.text(row, name)) + "$"
        case .verificationInfo:
            var info = row["verification_info"]
            if let string = info as? String { info = try? JSONSerialization.jsonObject(with: Data(string.utf8)) }
            guard let answer = (info as? [String: Any])?["answer"] as? [String: Any], let value = answer["value"],
                  let rendered = Self.render(value) else {
                throw TinaError.malformed(source: "", reason: "field 'verification_info': needs answer.value (a string or number)")
            }
            solutionText = "$" + rendered + "$"
        }
        return (problemText, solutionText)
    }

    /// A string field, or a number rendered as Python's str() would (27 -> "27", 27.0 -> "27.0").
    static func text(_ row: [String: Any], _ field: String) throws -> String {
        guard let value = row[field], !(value is NSNull) else {
            throw TinaError.missing(source: "", what: "field '\(field)'")
        }
        guard let rendered = render(value) else {
            throw TinaError.malformed(source: "", reason: "field '\(field)': expected a string or a number")
        }
        guard !rendered.isEmpty else { throw TinaError.malformed(source: "", reason: "field '\(field)' is empty") }
        return rendered
    }

    static func render(_ value: Any) -> String? {
        if let string = value as? String { return string }
        if let number = value as? NSNumber {
            // JSON true/false arrive as NSNumber of type char ("c"); `is Bool` would also match 0 and 1.
            if String(cString: number.objCType) == "c" { return nil }
            return "\(number)"
        }
        return nil
    }
}
