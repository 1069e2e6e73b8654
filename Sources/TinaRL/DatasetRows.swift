import Foundation
import TinaCore

/// The raw rows of a JSONL or JSON-array file, each with where it came from, and the union of their keys
/// (the dataset's columns, as HF datasets infers them).
struct DatasetRows {
    struct Row {
        var object: [String: Any]
        /// ":LINE" for JSON lines, ": element N" for an array (1-based), appended to the file name.
        var location: String
    }

    var rows: [Row] = []
    var columns: Set<String> = []
    /// "FILE:LINE: reason" for rows that are not JSON objects.
    var problems: [String] = []
}

extension GRPODataset {
    static func readRows(path: String, badLines: BadLinePolicy) throws -> DatasetRows {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TinaError.io(path: path, reason: "cannot read the dataset")
        }
        var result = DatasetRows()
        func bad(_ location: String, _ reason: String) throws {
            if badLines == .fail { throw TinaError.malformed(source: path + location, reason: reason) }
            result.problems.append("\(path)\(location): \(reason)")
        }
        // A file whose first non-blank byte is '[' is one JSON array; anything else is JSON lines.
        let firstByte = data.first { ![0x20, 0x09, 0x0A, 0x0D, 0xEF, 0xBB, 0xBF].contains($0) }
        if firstByte == UInt8(ascii: "[") {
            let array: [Any]
            do {
                guard let parsed = try JSONSerialization.jsonObject(with: data) as? [Any] else {
                    throw TinaError.malformed(source: path, reason: "not a JSON array")
                }
                array = parsed
            } catch let error as TinaError {
                throw error
            } catch {
                throw TinaError.malformed(source: path, reason: "not valid JSON: \(error.localizedDescription)")
            }
            for (i, element) in array.enumerated() {
                let location = ": element \(i + 1)"
                guard let object = element as? [String: Any] else { try bad(location, "not a JSON object"); continue }
                result.rows.append(.init(object: object, location: location))
                result.columns.formUnion(object.keys)
            }
            return result
        }
        let text = String(decoding: data, as: UTF8.self)
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
        for (index, line) in lines.enumerated() where !line.allSatisfy(\.isWhitespace) {
            let location = ":\(index + 1)"
            let parsed: Any
            do {
                parsed = try JSONSerialization.jsonObject(with: Data(line.utf8))
            } catch {
                try bad(location, "not valid JSON (\(Self.snippet(line)))")
                continue
            }
            guard let object = parsed as? [String: Any] else { try bad(location, "not a JSON object"); continue }
            result.rows.append(.init(object: object, location: location))
            result.columns.formUnion(object.keys)
        }
        return result
    }

    /// The start of a bad line, for the report.
    static func snippet(_ line: Substring) -> String {
        line.count <= 60 ? String(line) : String(line.prefix(60)) + "..."
    }
}
