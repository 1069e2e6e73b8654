import Foundation

/// Tables in the paper's layout: one row per run, one column per benchmark, then "Avg." (pass@1 in percent).
public enum ResultTable {
    /// The benchmarks of `summaries` in the paper's column order.
    public static func columns(_ summaries: [RunSummary]) -> [String] {
        var names: [String] = []
        for s in summaries { for b in s.benchmarks where !names.contains(b.name) { names.append(b.name) } }
        return names.enumerated().sorted { (BenchmarkRegistry.order($0.element), $0.offset) < (BenchmarkRegistry.order($1.element), $1.offset) }
            .map(\.element)
    }

    public static func percent(_ x: Double) -> String { x.isNaN ? "–" : String(format: "%.2f", 100 * x) }

    /// "43.33 [30.00, 56.67]": pass@1 and its 95 % bootstrap interval.
    public static func cell(_ m: MetricValue?) -> String {
        guard let m, !m.value.isNaN else { return "–" }
        return "\(percent(m.value)) [\(percent(m.ciLow)), \(percent(m.ciHigh))]"
    }

    public static func markdown(_ summaries: [RunSummary], title: String = "Model") -> String {
        let columns = columns(summaries)
        var lines = ["| \(title) | " + (columns.map(BenchmarkRegistry.displayName) + ["Avg."]).joined(separator: " | ") + " |",
                     "|---|" + String(repeating: "---|", count: columns.count + 1)]
        for s in summaries {
            let cells = columns.map { name in cell(s.benchmarks.first { $0.name == name }?.passAt1) }
            lines.append("| \(s.label) | " + (cells + [cell(s.average)]).joined(separator: " | ") + " |")
        }
        let n = Set(summaries.flatMap { $0.benchmarks.map(\.samplesPerProblem) }).sorted()
        lines.append("")
        lines.append("Pass@1 in percent (mean over \(n.map(String.init).joined(separator: "/")) sample(s) per problem) with its "
            + "95 % bootstrap interval over problems and samples; Avg. is the unweighted mean over the benchmarks.")
        return lines.joined(separator: "\n") + "\n"
    }

    /// A plain-text summary of one run for the terminal: pass@1 ± SE and interval, pass@k/maj@k, warnings.
    public static func text(_ s: RunSummary) -> String {
        var lines: [String] = []
        for b in s.benchmarks {
            var line = "\(BenchmarkRegistry.displayName(b.name)): pass@1 \(percent(b.passAt1.value)) ± \(percent(b.passAt1.stderr)) "
                + "[\(percent(b.passAt1.ciLow)), \(percent(b.passAt1.ciHigh))] over \(b.problems) problems × \(b.samplesPerProblem)"
            let extra = (b.passAtK.keys.sorted(by: kOrder).filter { $0 != "pass@1" }.map { "\($0) \(percent(b.passAtK[$0] ?? .nan))" }
                + b.majAtK.keys.sorted(by: kOrder).map { "\($0) \(percent(b.majAtK[$0] ?? .nan))" })
            if !extra.isEmpty { line += "; " + extra.joined(separator: ", ") }
            let reasons = b.finishReasons.keys.sorted().map { "\($0) \(b.finishReasons[$0] ?? 0)" }.joined(separator: ", ")
            line += "; finish: \(reasons)"
            if b.goldWarnings.empty + b.goldWarnings.partial > 0 {
                line += "; gold warnings: \(b.goldWarnings.empty) empty, \(b.goldWarnings.partial) partial"
            }
            if b.problems < b.problemsSelected { line += "; \(b.problemsSelected - b.problems) problems without samples" }
            lines.append(line)
        }
        if let a = s.average, s.benchmarks.count > 1 {
            lines.append("Avg.: \(percent(a.value)) ± \(percent(a.stderr)) [\(percent(a.ciLow)), \(percent(a.ciHigh))]")
        }
        var cost = String(format: "%d tokens in %@ (%.1f tokens/s, %d session%@)", s.generatedTokens,
                          EvalProgress.duration(s.seconds), s.tokensPerSecond, s.sessions, s.sessions == 1 ? "" : "s")
        if let c = s.cost, let p = s.pricePerHour { cost += String(format: ", $%.4f at $%.2f/h", c, p) }
        lines.append(cost)
        return lines.joined(separator: "\n") + "\n"
    }

    /// "pass@2" before "pass@16".
    static func kOrder(_ a: String, _ b: String) -> Bool {
        let k = { (s: String) in Int(s.split(separator: "@").last ?? "") ?? 0 }
        return k(a) < k(b)
    }
}
