import Foundation
import TinaCore

/// The files of a run folder: `config.json`, `samples.jsonl`, `summary.json`, `table.md`.
public struct RunFolder {
    public let path: String
    public init(_ path: String) { self.path = path }

    public var configPath: String { path + "/config.json" }
    public var samplesPath: String { path + "/samples.jsonl" }
    public var summaryPath: String { path + "/summary.json" }
    public var tablePath: String { path + "/table.md" }

    /// Creates the folder, or checks that an existing run generated the same way (a resume must not mix runs).
    /// The saved config keeps the largest n and every benchmark seen.
    public func prepare(_ config: EvalConfig) throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        var saved = config
        if let data = FileManager.default.contents(atPath: configPath) {
            let previous: EvalConfig
            do { previous = try EvalConfig.decoder.decode(EvalConfig.self, from: data) } catch {
                throw TinaError.malformed(source: configPath, reason: "not a run config (\(SampleLog.reason(error)))")
            }
            let differences = config.generationDifferences(from: previous)
            guard differences.isEmpty else {
                throw TinaError.invalidArgument("\(path) holds a run that generated differently (\(differences.joined(separator: ", "))); "
                    + "use another --out, or the same settings to resume it")
            }
            saved.samples = max(config.samples, previous.samples)
            saved.benchmarks = previous.benchmarks + config.benchmarks.filter { !previous.benchmarks.contains($0) }
        }
        try write(String(decoding: try EvalConfig.encoder.encode(saved), as: UTF8.self) + "\n", to: configPath)
    }

    public func write(_ summary: RunSummary) throws {
        try write(try summary.encoded(), to: summaryPath)
        try write(ResultTable.markdown([summary]), to: tablePath)
    }

    public func readSummary() throws -> RunSummary {
        guard let data = FileManager.default.contents(atPath: summaryPath) else {
            throw TinaError.io(path: summaryPath, reason: "no summary.json (not a finished `tina eval` run folder?)")
        }
        do { return try RunSummary.decode(data) } catch {
            throw TinaError.malformed(source: summaryPath, reason: "not a run summary (\(SampleLog.reason(error)))")
        }
    }

    func write(_ text: String, to file: String) throws {
        do { try Data(text.utf8).write(to: URL(fileURLWithPath: file), options: .atomic) } catch {
            throw TinaError.io(path: file, reason: "cannot write: \((error as NSError).localizedDescription)")
        }
    }
}
