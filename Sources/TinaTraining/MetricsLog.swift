import Foundation
import TinaCore

/// A run's metrics.jsonl: one JSON object per logged step, each with a "step" field. A fresh run starts it empty;
/// a resumed run keeps the rows up to the step it resumes from and drops later ones (logged after that checkpoint
/// by the run that was stopped), so the file reads as if the run had never stopped.
public final class MetricsLog {
    public let path: String
    private let handle: FileHandle
    private let encoder: JSONEncoder

    /// Opens `path` keeping the rows whose step is at most `keepingThrough` (0: none).
    public init(path: String, keepingThrough step: Int) throws {
        self.path = path
        var kept = ""
        if step > 0, let text = try? String(contentsOfFile: path, encoding: .utf8) {
            for line in text.split(separator: "\n") where Self.step(of: line).map({ $0 <= step }) ?? false {
                kept += line + "\n"
            }
        }
        guard FileManager.default.createFile(atPath: path, contents: Data(kept.utf8)),
              let handle = FileHandle(forWritingAtPath: path) else {
            throw TinaError.io(path: path, reason: "cannot write the metrics file")
        }
        handle.seekToEndOfFile()
        self.handle = handle
        encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
    }

    deinit { try? handle.close() }

    /// Appends one row.
    public func append<Row: Encodable>(_ row: Row) throws {
        let line: Data
        do { line = try encoder.encode(row) } catch {
            throw TinaError.invalidArgument("\(path): cannot encode a metrics row: \(error)")
        }
        do { try handle.write(contentsOf: line + Data("\n".utf8)) } catch {
            throw TinaError.io(path: path, reason: "cannot append a metrics row: \(error)")
        }
    }

    static func step(of line: Substring) -> Int? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return nil }
        return (object["step"] as? NSNumber)?.intValue
    }
}
