import Foundation
import TinaReport
import TinaCore
import TinaFormats

/// Evaluating every saved checkpoint of a training run (Tina picked its best checkpoint this way).
public enum CheckpointSweep {
    public struct Checkpoint: Sendable, Equatable {
        public var step: Int
        public var path: String
    }

    /// The `checkpoint-N` folders of `runDirectory` holding a PEFT adapter, by step. Tina seals each checkpoint it
    /// writes with a `CheckpointMarker`: where any folder has one, a folder without a valid one (a run stopped while
    /// writing it) is left out and reported through `skipped` (folder, reason). Runs from elsewhere (PEFT, TRL) have
    /// no markers and are taken by their adapter_config.json.
    public static func discover(_ runDirectory: String, skipped: (String, String) -> Void = { _, _ in }) throws -> [Checkpoint] {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: runDirectory) } catch {
            throw TinaError.io(path: runDirectory, reason: "cannot list the run folder")
        }
        let candidates = names.compactMap { name -> Checkpoint? in
            guard name.hasPrefix("checkpoint-"), let step = Int(name.dropFirst("checkpoint-".count)) else { return nil }
            let path = runDirectory + "/" + name
            guard FileManager.default.fileExists(atPath: path + "/adapter_config.json") else { return nil }
            return Checkpoint(step: step, path: path)
        }.sorted { $0.step < $1.step }
        let sealed = candidates.contains { FileManager.default.fileExists(atPath: $0.path + "/" + CheckpointMarker.fileName) }
        let found = candidates.filter { checkpoint in
            guard sealed else { return true }
            do { try CheckpointMarker.check(checkpoint.path); return true } catch {
                skipped(checkpoint.path, "\(error)")
                return false
            }
        }
        guard !found.isEmpty else {
            throw TinaError.missing(source: runDirectory, what: "checkpoint-N folders with an adapter_config.json"
                                        + (sealed ? " and a complete \(CheckpointMarker.fileName)" : ""))
        }
        return found
    }

    /// Step by step: each benchmark's pass@1 and the average, the best step marked.
    public static func table(_ points: [(step: Int, summary: RunSummary)]) -> String {
        let columns = ResultTable.columns(points.map(\.summary))
        let best = points.max { ($0.summary.average?.value ?? -1) < ($1.summary.average?.value ?? -1) }?.step
        var lines = ["| Step | " + (columns.map(BenchmarkRegistry.displayName) + ["Avg."]).joined(separator: " | ") + " |",
                     "|---|" + String(repeating: "---|", count: columns.count + 1)]
        for p in points {
            let cells = columns.map { n in ResultTable.cell(p.summary.benchmarks.first { $0.name == n }?.passAt1) }
            lines.append("| \(p.step)\(p.step == best ? " (best)" : "") | " + (cells + [ResultTable.cell(p.summary.average)]).joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A line chart of pass@1 (percent) per step: one line per benchmark and a thick one for the average, with
    /// the average's 95 % interval as a band.
    public static func svg(_ points: [(step: Int, summary: RunSummary)], title: String = "pass@1 per checkpoint") -> String {
        var series = ResultTable.columns(points.map(\.summary)).map { name in
            LineChart.Series(name: BenchmarkRegistry.displayName(name), points: points.compactMap { p in
                p.summary.benchmarks.first { $0.name == name }.map { (Double(p.step), 100 * $0.passAt1.value) }
            })
        }
        let averaged = points.compactMap { p in p.summary.average.map { (step: Double(p.step), value: $0) } }
        if points.first?.summary.benchmarks.count ?? 0 > 1 || series.isEmpty {
            series.append(LineChart.Series(name: "Avg.", points: averaged.map { ($0.step, 100 * $0.value.value) },
                                           band: averaged.filter { !$0.value.ciLow.isNaN }.map { ($0.step, 100 * $0.value.ciLow, 100 * $0.value.ciHigh) },
                                           strokeWidth: 3))
        }
        return LineChart(title: title, xLabel: "step", yLabel: "pass@1 (%)", series: series).svg
    }
}
