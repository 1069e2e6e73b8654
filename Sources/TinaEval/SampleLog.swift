import Foundation
import TinaCore

/// `samples.jsonl` of a run, appended one line per finished sample (each line written with one `write` call, so
/// a kill leaves at most the last line cut short). Opening it drops such a partial line from the file, and the
/// keys already present are what a resumed run skips.
public final class SampleLog {
    public let path: String
    public private(set) var records: [SampleRecord] = []
    /// Whether opening found and removed a partial last line (a run killed mid-write).
    public private(set) var droppedPartialLine = false
    private var keys: Set<SampleKey> = []
    private let handle: FileHandle

    public init(path: String) throws {
        self.path = path
        let manager = FileManager.default
        if !manager.fileExists(atPath: path) {
            guard manager.createFile(atPath: path, contents: nil) else { throw TinaError.io(path: path, reason: "cannot create the samples file") }
        }
        guard let data = manager.contents(atPath: path) else { throw TinaError.io(path: path, reason: "cannot read the samples file") }
        let (records, keep) = try Self.parse(data, path: path)
        droppedPartialLine = keep < data.count
        self.records = records
        keys = Set(records.map(\.key))
        do {
            handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
            if droppedPartialLine { try handle.truncate(atOffset: UInt64(keep)) }
            try handle.seekToEnd()
        } catch {
            throw TinaError.io(path: path, reason: "cannot open the samples file for appending: \((error as NSError).localizedDescription)")
        }
    }

    deinit { try? handle.close() }

    /// The records of a samples file without changing it (a partial last line is left out), for reports.
    public static func read(path: String) throws -> [SampleRecord] {
        guard let data = FileManager.default.contents(atPath: path) else { throw TinaError.io(path: path, reason: "cannot read the samples file") }
        return try parse(data, path: path).records
    }

    /// The records, first of each key, and the byte length of the complete lines (the rest is a cut-off line).
    static func parse(_ data: Data, path: String) throws -> (records: [SampleRecord], keep: Int) {
        let keep = data.lastIndex(of: UInt8(ascii: "\n")).map { $0 - data.startIndex + 1 } ?? 0
        var records: [SampleRecord] = []
        var keys: Set<SampleKey> = []
        var lineNumber = 0
        for line in data.prefix(keep).split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            guard !line.isEmpty else { continue }
            let record: SampleRecord
            do {
                record = try SampleRecord.decoder.decode(SampleRecord.self, from: Data(line))
            } catch {
                throw TinaError.malformed(source: "\(path):\(lineNumber)", reason: "not a sample record (\(reason(error)))")
            }
            // A duplicate can only come from outside edits; the first line wins, as in every summary.
            if keys.insert(record.key).inserted { records.append(record) }
        }
        return (records, keep)
    }

    public func contains(_ key: SampleKey) -> Bool { keys.contains(key) }

    /// Appends a record as one line; a key already present is ignored (never duplicated).
    public func append(_ record: SampleRecord) throws {
        guard !keys.contains(record.key) else { return }
        var data = try SampleRecord.encoder.encode(record)
        data.append(UInt8(ascii: "\n"))
        do {
            try handle.write(contentsOf: data)
        } catch {
            throw TinaError.io(path: path, reason: "cannot append a sample: \((error as NSError).localizedDescription)")
        }
        keys.insert(record.key)
        records.append(record)
    }

    static func reason(_ error: Error) -> String {
        switch error {
        case let DecodingError.keyNotFound(key, _): return "missing field \"\(key.stringValue)\""
        case let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context):
            return "field \"\(context.codingPath.map(\.stringValue).joined(separator: "."))\" has the wrong type"
        case let DecodingError.dataCorrupted(context):
            return context.codingPath.isEmpty ? "bad JSON" : "field \"\(context.codingPath.map(\.stringValue).joined(separator: "."))\" is invalid"
        default: return "\(error)"
        }
    }
}
