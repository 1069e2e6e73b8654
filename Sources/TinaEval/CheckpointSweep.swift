import Foundation
import TinaCore

/// Evaluating every saved checkpoint of a training run (Tina picked its best checkpoint this way).
public enum CheckpointSweep {
    public struct Checkpoint: Sendable, Equatable {
        public var step: Int
        public var path: String
    }

    /// The `checkpoint-N` folders of `runDirectory` holding a PEFT adapter, by step.
    public static func discover(_ runDirectory: String) throws -> [Checkpoint] {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: runDirectory) } catch {
            throw TinaError.io(path: runDirectory, reason: "cannot list the run folder")
        }
        let found = names.compactMap { name -> Checkpoint? in
            guard name.hasPrefix("checkpoint-"), let step = Int(name.dropFirst("checkpoint-".count)) else { return nil }
            let path = runDirectory + "/" + name
            guard FileManager.default.fileExists(atPath: path + "/adapter_config.json") else { return nil }
            return Checkpoint(step: step, path: path)
        }
        guard !found.isEmpty else {
            throw TinaError.missing(source: runDirectory, what: "checkpoint-N folders with an adapter_config.json")
        }
        return found.sorted { $0.step < $1.step }
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

    static let palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"]

    /// A line chart of pass@1 (percent) per step: one line per benchmark and a thick black one for the average,
    /// the average's 95 % interval as a band.
    public static func svg(_ points: [(step: Int, summary: RunSummary)], title: String = "pass@1 per checkpoint") -> String {
        let (width, height) = (720.0, 420.0)
        let (left, right, top, bottom) = (60.0, 170.0, 40.0, 50.0)
        let steps = points.map { Double($0.step) }
        let minStep = steps.min() ?? 0, maxStep = max(steps.max() ?? 1, (steps.min() ?? 0) + 1)
        func x(_ s: Double) -> Double { left + (s - minStep) / (maxStep - minStep) * (width - left - right) }
        func y(_ v: Double) -> Double { top + (1 - v) * (height - top - bottom) }
        func f(_ v: Double) -> String { String(format: "%.1f", v) }
        func escape(_ s: String) -> String {
            s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
        }
        var out = ["<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" "
            + "viewBox=\"0 0 \(Int(width)) \(Int(height))\" font-family=\"sans-serif\" font-size=\"12\">",
                   "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>",
                   "<text x=\"\(f(width / 2 - right / 2))\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">\(escape(title))</text>"]
        for tick in stride(from: 0.0, through: 1.0, by: 0.2) {
            out.append("<line x1=\"\(f(left))\" x2=\"\(f(width - right))\" y1=\"\(f(y(tick)))\" y2=\"\(f(y(tick)))\" stroke=\"#ddd\"/>")
            out.append("<text x=\"\(f(left - 6))\" y=\"\(f(y(tick) + 4))\" text-anchor=\"end\">\(Int(tick * 100))</text>")
        }
        for p in points {
            out.append("<text x=\"\(f(x(Double(p.step))))\" y=\"\(f(height - bottom + 18))\" text-anchor=\"middle\">\(p.step)</text>")
        }
        out.append("<line x1=\"\(f(left))\" x2=\"\(f(width - right))\" y1=\"\(f(y(0)))\" y2=\"\(f(y(0)))\" stroke=\"black\"/>")
        out.append("<line x1=\"\(f(left))\" x2=\"\(f(left))\" y1=\"\(f(y(0)))\" y2=\"\(f(y(1)))\" stroke=\"black\"/>")
        out.append("<text x=\"\(f((left + width - right) / 2))\" y=\"\(f(height - 10))\" text-anchor=\"middle\">step</text>")
        out.append("<text transform=\"translate(16 \(f((top + height - bottom) / 2))) rotate(-90)\" text-anchor=\"middle\">pass@1 (%)</text>")
        let averaged = points.compactMap { p in p.summary.average.map { (Double(p.step), $0) } }
        if averaged.count > 1, averaged.allSatisfy({ !$0.1.ciLow.isNaN }) {
            let upper = averaged.map { "\(f(x($0.0))),\(f(y($0.1.ciHigh)))" }
            let lower = averaged.reversed().map { "\(f(x($0.0))),\(f(y($0.1.ciLow)))" }
            out.append("<polygon points=\"\((upper + lower).joined(separator: " "))\" fill=\"black\" fill-opacity=\"0.08\"/>")
        }
        var series = ResultTable.columns(points.map(\.summary)).map { name in
            (BenchmarkRegistry.displayName(name), points.compactMap { p in p.summary.benchmarks.first { $0.name == name }.map { (Double(p.step), $0.passAt1.value) } }, 1.5)
        }
        if points.first?.summary.benchmarks.count ?? 0 > 1 || series.isEmpty {
            series.append(("Avg.", averaged.map { ($0.0, $0.1.value) }, 3.0))
        }
        for (i, (name, values, stroke)) in series.enumerated() {
            let color = name == "Avg." ? "black" : palette[i % palette.count]
            let path = values.filter { !$0.1.isNaN }.map { "\(f(x($0.0))),\(f(y($0.1)))" }.joined(separator: " ")
            out.append("<polyline points=\"\(path)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"\(stroke)\"/>")
            for (s, v) in values where !v.isNaN {
                out.append("<circle cx=\"\(f(x(s)))\" cy=\"\(f(y(v)))\" r=\"3\" fill=\"\(color)\"><title>\(escape(name)) step \(Int(s)): \(ResultTable.percent(v))</title></circle>")
            }
            let ly = top + 10 + Double(i) * 18
            out.append("<line x1=\"\(f(width - right + 15))\" x2=\"\(f(width - right + 35))\" y1=\"\(f(ly))\" y2=\"\(f(ly))\" stroke=\"\(color)\" stroke-width=\"\(stroke)\"/>")
            out.append("<text x=\"\(f(width - right + 40))\" y=\"\(f(ly + 4))\">\(escape(name))</text>")
        }
        out.append("</svg>")
        return out.joined(separator: "\n") + "\n"
    }
}
