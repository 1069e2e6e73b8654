import Foundation
import TinaCore

/// A finished run read back for comparison: its summary and each problem's verdicts.
public struct LoadedRun {
    public var directory: String
    public var summary: RunSummary
    /// benchmark -> problem id -> verdicts (1 or 0) of samples below the run's n, in sample order.
    public var scores: [String: [String: [Double]]]

    public init(directory: String, summary: RunSummary, records: [SampleRecord]) {
        self.directory = directory
        self.summary = summary
        var scores: [String: [String: [(Int, Double)]]] = [:]
        let included = Set(summary.benchmarks.map(\.name))
        for r in records where r.sample < summary.config.samples && included.contains(r.benchmark) {
            scores[r.benchmark, default: [:]][r.problemId, default: []].append((r.sample, r.correct ? 1 : 0))
        }
        self.scores = scores.mapValues { $0.mapValues { $0.sorted { $0.0 < $1.0 }.map(\.1) } }
    }

    public static func load(_ directory: String) throws -> LoadedRun {
        let folder = RunFolder(directory)
        let summary = try folder.readSummary()
        let records = FileManager.default.fileExists(atPath: folder.samplesPath) ? try SampleLog.read(path: folder.samplesPath) : []
        return LoadedRun(directory: directory, summary: summary, records: records)
    }
}

/// The difference of two runs on one benchmark (or on the average) and whether it is beyond noise.
public struct RunDifference: Sendable, Equatable {
    public var difference: Double
    public var stderr: Double
    /// Paired over the same problems (per-problem differences), else from the two runs' standard errors.
    public var paired: Bool
    /// |difference| > 2 × its standard error (about a 95 % two-sided test).
    public var beyondNoise: Bool { stderr > 0 ? abs(difference) > 2 * stderr : difference != 0 }
}

public enum RunComparison {
    /// `b - a` on `benchmark`: paired when both runs graded the same problems, else unpaired.
    public static func difference(_ a: LoadedRun, _ b: LoadedRun, benchmark: String) -> RunDifference? {
        guard let sa = a.summary.benchmarks.first(where: { $0.name == benchmark }),
              let sb = b.summary.benchmarks.first(where: { $0.name == benchmark }) else { return nil }
        let diff = sb.passAt1.value - sa.passAt1.value
        if let pa = a.scores[benchmark], let pb = b.scores[benchmark], !pa.isEmpty, Set(pa.keys) == Set(pb.keys) {
            let d = pa.keys.sorted().map { Metrics.mean(pb[$0] ?? []) - Metrics.mean(pa[$0] ?? []) }
            return RunDifference(difference: Metrics.mean(d), stderr: Metrics.standardError(d), paired: true)
        }
        let se = (sa.passAt1.stderr * sa.passAt1.stderr + sb.passAt1.stderr * sb.passAt1.stderr).squareRoot()
        return RunDifference(difference: diff, stderr: se, paired: false)
    }

    /// The average's difference over the benchmarks both runs have (independent benchmarks: errors add in quadrature).
    public static func averageDifference(_ a: LoadedRun, _ b: LoadedRun) -> RunDifference? {
        let common = a.summary.benchmarks.map(\.name).filter { n in b.summary.benchmarks.contains { $0.name == n } }
        let parts = common.compactMap { difference(a, b, benchmark: $0) }
        guard !parts.isEmpty else { return nil }
        let count = Double(parts.count)
        return RunDifference(difference: parts.reduce(0) { $0 + $1.difference } / count,
                             stderr: parts.reduce(0) { $0 + $1.stderr * $1.stderr }.squareRoot() / count,
                             paired: parts.allSatisfy(\.paired))
    }

    /// Runs side by side (pass@1 ± SE in percent), then each later run's difference from the first.
    public static func render(_ runs: [LoadedRun]) -> String {
        guard let base = runs.first else { return "" }
        let columns = ResultTable.columns(runs.map(\.summary))
        let labels = runs.enumerated().map { i, r in "\(Character(UnicodeScalar(UInt8(65 + min(i, 25))))) = \(r.summary.label) (\(r.directory))" }
        var rows: [[String]] = [["benchmark"] + runs.indices.map { String(Character(UnicodeScalar(UInt8(65 + min($0, 25))))) }
            + runs.indices.dropFirst().map { "\(Character(UnicodeScalar(UInt8(65 + min($0, 25))))) - A" }]
        func value(_ m: MetricValue?) -> String {
            guard let m else { return "–" }
            return "\(ResultTable.percent(m.value)) ± \(ResultTable.percent(m.stderr))"
        }
        func diff(_ d: RunDifference?) -> String {
            guard let d else { return "–" }
            let sign = d.difference >= 0 ? "+" : ""
            return "\(sign)\(ResultTable.percent(d.difference)) ± \(ResultTable.percent(d.stderr)) "
                + (d.beyondNoise ? "beyond noise" : "within noise") + (d.paired ? " (paired)" : "")
        }
        for name in columns {
            rows.append([BenchmarkRegistry.displayName(name)]
                + runs.map { r in value(r.summary.benchmarks.first { $0.name == name }?.passAt1) }
                + runs.dropFirst().map { diff(difference(base, $0, benchmark: name)) })
        }
        rows.append(["Avg."] + runs.map { value($0.summary.average) } + runs.dropFirst().map { diff(averageDifference(base, $0)) })
        let widths = rows[0].indices.map { c in rows.map { $0[c].count }.max() ?? 0 }
        let table = rows.map { row in
            row.enumerated().map { c, cell in cell.padding(toLength: widths[c], withPad: " ", startingAt: 0) }.joined(separator: "  ")
                .replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
        }
        return (labels + [""] + table + ["", "pass@1 in percent ± one standard error; a difference is beyond noise when it exceeds twice "
            + "its standard error (paired over the same problems when both runs graded them)."]).joined(separator: "\n") + "\n"
    }
}
