import Foundation
import TinaCore

/// The benchmarks shipped in the repository's `data/` folder (data/SOURCES.md), by the names Tina's tables use.
public enum BenchmarkRegistry {
    struct Entry: Sendable {
        let name: String, file: String, display: String, goldMode: GoldMode
    }

    static let entries: [Entry] = [
        Entry(name: "aime24", file: "aime2024.jsonl", display: "AIME24", goldMode: .expression),
        Entry(name: "aime25", file: "aime2025.jsonl", display: "AIME25", goldMode: .expression),
        Entry(name: "amc23", file: "amc2023.jsonl", display: "AMC23", goldMode: .expression),
        Entry(name: "math500", file: "math500.jsonl", display: "MATH500", goldMode: .latex),
        Entry(name: "minerva", file: "minerva_math.jsonl", display: "Minerva", goldMode: .latex),
        Entry(name: "olympiadbench", file: "olympiadbench.jsonl", display: "OlympiadBench", goldMode: .latex),
    ]

    /// In the order of the paper's tables.
    public static var names: [String] { entries.map(\.name) }

    /// The column header for a benchmark (its own name for sets given with `--data`).
    public static func displayName(_ name: String) -> String {
        entries.first { $0.name == name }?.display ?? name
    }

    /// The position of a benchmark in the paper's column order (unknown sets after the known ones).
    public static func order(_ name: String) -> Int { entries.firstIndex { $0.name == name } ?? entries.count }

    public static func spec(named name: String, dataDirectory: String) throws -> BenchmarkSpec {
        guard let entry = entries.first(where: { $0.name == name }) else {
            throw TinaError.invalidArgument("unknown benchmark '\(name)'; known: \(names.joined(separator: ", ")) (or --data FILE.jsonl)")
        }
        return BenchmarkSpec(name: entry.name, file: dataDirectory + "/" + entry.file, goldMode: entry.goldMode)
    }

    /// `TINA_DATA_DIR`, else `./data` when it holds the benchmarks, else the repository's `data/` beside these sources.
    public static func defaultDataDirectory() -> String {
        if let dir = ProcessInfo.processInfo.environment["TINA_DATA_DIR"], !dir.isEmpty { return dir }
        let local = FileManager.default.currentDirectoryPath + "/data"
        if FileManager.default.fileExists(atPath: local + "/" + entries[0].file) { return local }
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return repository.appendingPathComponent("data").path
    }
}
