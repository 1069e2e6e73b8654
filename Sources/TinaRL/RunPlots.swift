import Foundation
import TinaCore
import TinaReport

/// `tina plot RUN_DIR`: the curves of a GRPO run (reward and each reward function, completion length, KL,
/// learning rate, format rate) as SVG files in RUN_DIR/plots and an index.html that shows them, so the
/// format/length "phase transition" the paper reports can be seen.
public enum RunPlots {
    /// Reads RUN_DIR/metrics.jsonl; returns the paths written (index.html first).
    @discardableResult
    public static func write(runDirectory: String, title: String? = nil) throws -> [String] {
        let path = runDirectory + "/metrics.jsonl"
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw TinaError.io(path: path, reason: "cannot read (is this a tina train output directory?)")
        }
        var rows: [GRPOStepMetrics] = []
        for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where !line.isEmpty {
            do {
                rows.append(try JSONDecoder().decode(GRPOStepMetrics.self, from: Data(line.utf8)))
            } catch {
                throw TinaError.malformed(source: "\(path):\(i + 1)", reason: "not a metrics row")
            }
        }
        guard !rows.isEmpty else { throw TinaError.malformed(source: path, reason: "no metrics rows yet") }
        func series(_ key: String, name: String? = nil) -> LineChart.Series {
            LineChart.Series(name: name ?? key, points: rows.compactMap { r in r[key].map { (Double(r.step), $0) } })
        }
        let rewardKeys = Set(rows.flatMap(\.values.keys)).filter { $0.hasPrefix("rewards/") && $0.hasSuffix("/mean") }.sorted()
        var charts: [(file: String, chart: LineChart)] = [
            ("reward.svg", LineChart(title: "Reward", xLabel: "step", yLabel: "reward",
                                     series: [series("reward", name: "total")] + rewardKeys.map { series($0, name: String($0.dropFirst(8).dropLast(5))) })),
            ("completion_length.svg", LineChart(title: "Completion length", xLabel: "step", yLabel: "tokens",
                                                series: [series("completions/mean_length", name: "mean"), series("completions/min_length", name: "min"),
                                                         series("completions/max_length", name: "max")])),
            ("kl.svg", LineChart(title: "KL to the reference", xLabel: "step", yLabel: "kl", series: [series("kl")])),
            ("learning_rate.svg", LineChart(title: "Learning rate", xLabel: "step", yLabel: "lr", series: [series("learning_rate")])),
        ]
        if rewardKeys.contains("rewards/format/mean") {
            charts.append(("format_rate.svg", LineChart(title: "Format rate", xLabel: "step", yLabel: "fraction",
                                                        series: [series("rewards/format/mean", name: "format")])))
        }
        // A chart with nothing to draw (no KL when beta = 0) is left out.
        charts = charts.filter { $0.chart.series.contains { !$0.points.isEmpty } }
        let folder = runDirectory + "/plots"
        do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
            throw TinaError.io(path: folder, reason: "cannot create")
        }
        var written: [String] = []
        for (file, chart) in charts {
            try write(chart.svg, to: folder + "/" + file)
            written.append(folder + "/" + file)
        }
        let last = rows[rows.count - 1]
        let facts: [(String, String)] = [
            ("steps", "\(last.step)"),
            ("reward (first → last step)", String(format: "%.3f → %.3f", rows[0]["reward"] ?? 0, last["reward"] ?? 0)),
            ("mean completion length (last)", String(format: "%.0f tokens", last["completions/mean_length"] ?? 0)),
        ]
        let page = RunPage(title: title ?? "GRPO run: \(runDirectory)", facts: facts, charts: charts.map { ($0.chart.title, "plots/" + $0.file) })
        let index = runDirectory + "/index.html"
        try write(page.html, to: index)
        return [index] + written
    }

    static func write(_ text: String, to path: String) throws {
        do { try text.write(toFile: path, atomically: true, encoding: .utf8) } catch {
            throw TinaError.io(path: path, reason: "cannot write")
        }
    }
}
