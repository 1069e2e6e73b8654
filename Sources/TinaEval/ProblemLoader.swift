import Foundation
import TinaCore

/// One problem of a benchmark.
public struct EvalProblem: Sendable, Equatable {
    /// 0-based position among the file's records (blank lines do not count).
    public var index: Int
    public var id: String
    public var problem: String
    public var answer: String

    public init(index: Int, id: String, problem: String, answer: String) {
        (self.index, self.id, self.problem, self.answer) = (index, id, problem, answer)
    }
}

/// Reads a benchmark JSONL file. Every error names the file, the line and the field.
public enum ProblemLoader {
    public static func load(_ spec: BenchmarkSpec) throws -> [EvalProblem] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: spec.file, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw TinaError.io(path: spec.file, reason: "no such benchmark file")
        }
        guard let data = FileManager.default.contents(atPath: spec.file) else {
            throw TinaError.io(path: spec.file, reason: "cannot read the benchmark file")
        }
        guard let text = String(data: data, encoding: .utf8) else { throw TinaError.malformed(source: spec.file, reason: "not valid UTF-8") }
        return try parse(text, source: spec.file, problemColumn: spec.problemColumn, answerColumn: spec.answerColumn,
                         idColumn: spec.idColumn)
    }

    public static func parse(_ text: String, source: String, problemColumn: String = "problem", answerColumn: String = "answer",
                             idColumn: String? = "id") throws -> [EvalProblem] {
        var problems: [EvalProblem] = []
        var seen: [String: Int] = [:]
        // "\r\n" is one Character in Swift: split on both so CRLF files read like LF files.
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
        for (i, line) in lines.enumerated() where !line.allSatisfy(\.isWhitespace) {
            let at = "\(source):\(i + 1)"
            let object: [String: Any]
            do {
                guard let o = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                    throw TinaError.malformed(source: at, reason: "not a JSON object")
                }
                object = o
            } catch let error as TinaError {
                throw error
            } catch {
                throw TinaError.malformed(source: at, reason: "bad JSON line (\(String(line.prefix(60)).debugDescription))")
            }
            let problem = try field(object, problemColumn, at: at, role: "problem")
            let answer = try field(object, answerColumn, at: at, role: "answer")
            let index = problems.count
            var id = String(index)
            if let idColumn, object[idColumn] != nil { id = try field(object, idColumn, at: at, role: "id") }
            if let first = seen[id] {
                throw TinaError.malformed(source: at, reason: "id field \"\(idColumn ?? "id")\" repeats '\(id)' of line \(first)")
            }
            seen[id] = i + 1
            problems.append(EvalProblem(index: index, id: id, problem: problem, answer: answer))
        }
        guard !problems.isEmpty else {
            throw TinaError.malformed(source: source, reason: text.isEmpty ? "the file is empty" : "no problems (only blank lines)")
        }
        return problems
    }

    /// A non-empty string field; numbers are accepted as text (AMC answers were floats: 27.0 reads "27").
    static func field(_ object: [String: Any], _ name: String, at: String, role: String) throws -> String {
        guard let value = object[name], !(value is NSNull) else {
            let keys = object.keys.sorted().joined(separator: ", ")
            throw TinaError.missing(source: at, what: "\(role) field \"\(name)\" (the record has: \(keys))")
        }
        let text: String
        switch value {
        case let s as String: text = s
        case let n as NSNumber where String(cString: n.objCType) != "c":
            let d = n.doubleValue
            text = d.rounded() == d && abs(d) < 1e15 ? String(Int64(d)) : "\(d)"
        default:
            throw TinaError.malformed(source: at, reason: "\(role) field \"\(name)\" is not a string or a number")
        }
        guard !text.allSatisfy(\.isWhitespace) else {
            throw TinaError.malformed(source: at, reason: "\(role) field \"\(name)\" is empty")
        }
        return text
    }
}
