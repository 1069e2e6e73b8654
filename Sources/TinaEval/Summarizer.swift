import Foundation
import TinaMath

/// Metrics of a run from its sample records.
public struct Summarizer {
    public var grader: AnswerGrader
    public var bootstrap: BootstrapSettings

    public init(grader: AnswerGrader = AnswerGrader(), bootstrap: BootstrapSettings = BootstrapSettings()) {
        (self.grader, self.bootstrap) = (grader, bootstrap)
    }

    /// The k of pass@k and maj@k reported for n samples: powers of two below n, and n.
    public static func reportedK(_ n: Int) -> [Int] {
        guard n >= 1 else { return [] }
        var ks: [Int] = []
        var k = 1
        while k < n { ks.append(k); k *= 2 }
        ks.append(n)
        return ks
    }

    /// One benchmark: its records with sample < `samples` for the selected problems, grouped per problem in
    /// sample order. Returns the summary and the bootstrap replicates of pass@1 (for the average's interval).
    public func summarize(_ selection: BenchmarkSelection, samples: Int, records: [SampleRecord],
                          stream: UInt64 = 0) -> (summary: BenchmarkSummary, replicates: [Double]) {
        let name = selection.spec.name
        var byProblem: [Int: [SampleRecord]] = [:]
        for r in records where r.benchmark == name && r.sample < samples { byProblem[r.problemIndex, default: []].append(r) }
        let groups: [[SampleRecord]] = selection.problems.compactMap { p in byProblem[p.index].map { $0.sorted { $0.sample < $1.sample } } }
        let scores = groups.map { $0.map { $0.correct ? 1.0 : 0.0 } }
        let perProblem = scores.map(Metrics.mean)
        let replicates = Metrics.bootstrapMeans(scores, replicates: bootstrap.replicates, seed: bootstrap.seed, stream: stream,
                                                resampleSamples: bootstrap.resamplesSamples)
        let interval = replicates.isEmpty ? (low: Double.nan, high: Double.nan) : Metrics.percentileInterval(replicates, level: bootstrap.level)
        let n = groups.map(\.count).min() ?? 0
        var passAtK: [String: Double] = [:], majAtK: [String: Double] = [:]
        for k in Self.reportedK(n) {
            passAtK["pass@\(k)"] = Metrics.mean(groups.map { g in Metrics.passAtK(n: g.count, c: g.filter(\.correct).count, k: k) })
            if k > 1 { majAtK["maj@\(k)"] = Metrics.mean(groups.map { majorityCorrect(Array($0.prefix(k))) ? 1 : 0 }) }
        }
        let all = groups.flatMap { $0 }
        var reasons: [String: Int] = [:]
        for r in all { reasons[r.finishReason.rawValue, default: 0] += 1 }
        var warnings = GoldWarningCounts()
        for g in groups {
            guard let w = g.first?.goldWarning else { continue }
            if w.contains("is empty") { warnings.empty += 1 } else { warnings.partial += 1 }
        }
        let tokens = all.reduce(0) { $0 + $1.completionTokens }
        let summary = BenchmarkSummary(
            name: name, goldMode: selection.spec.goldMode, problemsSelected: selection.problems.count, problems: groups.count,
            samples: all.count, samplesPerProblem: n, correct: all.filter(\.correct).count,
            passAt1: MetricValue(value: Metrics.mean(perProblem), stderr: Metrics.standardError(perProblem),
                                 ciLow: interval.low, ciHigh: interval.high),
            passAtK: passAtK, majAtK: majAtK, finishReasons: reasons, goldWarnings: warnings,
            gradingFailures: all.filter { $0.gradingFailure != nil }.count, generatedTokens: tokens,
            meanCompletionTokens: all.isEmpty ? 0 : Double(tokens) / Double(all.count))
        return (summary, replicates)
    }

    /// Whether the most common answer among `group` (equivalent answers grouped by the grader) is correct.
    public func majorityCorrect(_ group: [SampleRecord]) -> Bool {
        let answers: [[ExtractedAnswer]?] = group.map { r in
            let a = grader.answers(r.completion)
            return a.isEmpty ? nil : a
        }
        guard let winner = Metrics.majorityIndex(answers, equivalent: grader.sameAnswer) else { return false }
        return group[winner].correct
    }

    /// The unweighted mean over benchmarks (the paper's "Avg."): standard error from the benchmarks' (independent)
    /// errors, interval from the mean of their bootstrap replicates, replicate by replicate.
    public func average(_ parts: [(summary: BenchmarkSummary, replicates: [Double])]) -> MetricValue? {
        let used = parts.filter { $0.summary.problems > 0 }
        guard !used.isEmpty else { return nil }
        let count = Double(used.count)
        let value = used.reduce(0) { $0 + $1.summary.passAt1.value } / count
        let stderr = used.reduce(0) { $0 + $1.summary.passAt1.stderr * $1.summary.passAt1.stderr }.squareRoot() / count
        let length = used.map(\.replicates.count).min() ?? 0
        let means = (0..<length).map { i in used.reduce(0) { $0 + $1.replicates[i] } / count }
        let interval = means.isEmpty ? (low: Double.nan, high: Double.nan) : Metrics.percentileInterval(means, level: bootstrap.level)
        return MetricValue(value: value, stderr: stderr, ciLow: interval.low, ciHigh: interval.high)
    }

    /// The whole run: every selection, the average, time (summed over sessions), tokens and cost.
    public func summarize(_ selections: [BenchmarkSelection], config: EvalConfig, records: [SampleRecord], label: String,
                          currentSession: (number: Int, seconds: Double)? = nil, pricePerHour: Double? = nil) -> RunSummary {
        let parts = selections.enumerated().map { i, s in summarize(s, samples: config.samples, records: records, stream: UInt64(i)) }
        var sessionSeconds: [Int: Double] = [:]
        for r in records { sessionSeconds[r.session] = max(sessionSeconds[r.session] ?? 0, r.sessionSeconds) }
        if let currentSession { sessionSeconds[currentSession.number] = max(sessionSeconds[currentSession.number] ?? 0, currentSession.seconds) }
        let seconds = sessionSeconds.values.reduce(0, +)
        let tokens = records.reduce(0) { $0 + $1.completionTokens }
        let formatter = ISO8601DateFormatter()
        return RunSummary(
            label: label, config: config, benchmarks: parts.map(\.summary), average: average(parts), bootstrap: bootstrap,
            seconds: seconds, sessions: sessionSeconds.count, generatedTokens: tokens,
            tokensPerSecond: seconds > 0 ? Double(tokens) / seconds : 0, pricePerHour: pricePerHour,
            cost: pricePerHour.map { $0 * seconds / 3600 }, created: formatter.string(from: Date()))
    }
}
