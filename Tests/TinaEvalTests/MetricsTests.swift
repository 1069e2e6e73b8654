import Foundation
import Testing
import TinaEval
import TinaMath

/// pass@k, maj@k, standard errors and the bootstrap against values worked out by hand.
@Suite struct MetricsTests {
    func close(_ a: Double, _ b: Double, _ tolerance: Double = 1e-12) -> Bool { abs(a - b) <= tolerance }

    @Test func passAtKKnownValues() {
        #expect(close(Metrics.passAtK(n: 5, c: 2, k: 1), 0.4))
        #expect(close(Metrics.passAtK(n: 5, c: 2, k: 2), 0.7))                 // 1 - C(3,2)/C(5,2) = 1 - 3/10
        #expect(close(Metrics.passAtK(n: 10, c: 3, k: 5), 1 - 21.0 / 252))    // 1 - C(7,5)/C(10,5)
        #expect(close(Metrics.passAtK(n: 100, c: 2, k: 10), 1 - 8010.0 / 9900))
        #expect(close(Metrics.passAtK(n: 200, c: 1, k: 100), 0.5))            // C(199,100)/C(200,100) = 100/200
        #expect(Metrics.passAtK(n: 4, c: 0, k: 2) == 0 && Metrics.passAtK(n: 4, c: 3, k: 2) == 1)
        // Binomials of this size overflow any float; the product form does not.
        let big = Metrics.passAtK(n: 2000, c: 10, k: 1000)
        #expect(big.isFinite && big > 0.999 && big <= 1)
        #expect(Metrics.passAtK(n: 2, c: 1, k: 3).isNaN)
    }

    @Test func meanStandardErrorAndQuantiles() {
        #expect(Metrics.mean([1, 0, 1, 0]) == 0.5)
        #expect(close(Metrics.standardError([1, 0, 1, 0]), (1.0 / 3).squareRoot() / 2))   // sd sqrt(1/3), n = 4
        #expect(Metrics.standardError([1]) == 0)
        #expect(Metrics.quantile([1, 2, 3, 4], 0.5) == 2.5)
        #expect(close(Metrics.quantile((1...10).map(Double.init), 0.025), 1.225))     // numpy.percentile(range(1, 11), 2.5)
        #expect(close(Metrics.quantile((1...10).map(Double.init), 0.975), 9.775))
    }

    @Test func majorityGroupsEquivalentItemsAndBreaksTiesByFirstAppearance() {
        let same = { (a: Int, b: Int) in a % 10 == b % 10 }
        #expect(Metrics.majorityIndex([1, 2, 11, 3, 21], equivalent: same) == 0)
        #expect(Metrics.majorityIndex([5, 7, 17, 5], equivalent: same) == 0)          // tie 2-2: the group seen first
        #expect(Metrics.majorityIndex([nil, 7, nil], equivalent: same) == 1)
        #expect(Metrics.majorityIndex([Int?](repeating: nil, count: 3), equivalent: same) == nil)
    }

    @Test func bootstrapIsSeededCollapsesOnConstantsAndMatchesTheAnalyticError() {
        let constant = Array(repeating: [1.0, 1.0], count: 20)
        let c = Metrics.bootstrapMeans(constant, replicates: 100, seed: 3)
        #expect(c.allSatisfy { $0 == 1 })
        // 200 problems, one sample each, 30 % correct: bootstrap SE ~ sqrt(p(1-p)/n) = 0.0324.
        let scores = (0..<200).map { [$0 % 10 < 3 ? 1.0 : 0.0] }
        let a = Metrics.bootstrapMeans(scores, replicates: 2000, seed: 7)
        let b = Metrics.bootstrapMeans(scores, replicates: 2000, seed: 7)
        #expect(a == b)
        #expect(a != Metrics.bootstrapMeans(scores, replicates: 2000, seed: 8))
        let sd = (a.map { ($0 - Metrics.mean(a)) * ($0 - Metrics.mean(a)) }.reduce(0, +) / Double(a.count - 1)).squareRoot()
        #expect(abs(sd - Metrics.standardError(scores.map { $0[0] })) < 0.003, "bootstrap sd \(sd)")
        let (low, high) = Metrics.percentileInterval(a)
        #expect(low < 0.3 && high > 0.3 && abs((high - low) - 2 * 1.96 * 0.0324) < 0.02, "\(low) \(high)")
    }

    @Test func resamplingSamplesWidensTheIntervalOverProblemsOnly() {
        // Every problem is solved half the time: over problems alone there is no spread, over samples there is.
        let scores = Array(repeating: [1.0, 0.0, 1.0, 0.0], count: 50)
        #expect(Metrics.bootstrapMeans(scores, replicates: 200, seed: 1, resampleSamples: false).allSatisfy { $0 == 0.5 })
        let both = Metrics.bootstrapMeans(scores, replicates: 500, seed: 1)
        let (low, high) = Metrics.percentileInterval(both)
        #expect(low < 0.48 && high > 0.52)
    }

    func record(_ problem: Int, _ sample: Int, _ completion: String, gold: String) -> SampleRecord {
        let r = AnswerGrader().grade(completion: completion, gold: gold, mode: .latex)
        return SampleRecord(benchmark: "toy", problemIndex: problem, problemId: "p\(problem)", sample: sample, prompt: "", completion: completion,
                            gold: gold, goldExtracted: r.gold.map(\.text), extracted: r.prediction.map(\.text), correct: r.correct,
                            finishReason: .stop, promptTokens: 3, completionTokens: 10, session: 1, sessionSeconds: Double(problem))
    }

    @Test func summaryPassAtKAndMajAtKKnownValues() {
        let answers = [["1", "1", "2", "3"], ["5", "7", "7", "8"], ["\\frac{1}{2}", "0.5", "0.50", "4"]]
        let golds = ["1", "5", "9"]
        var records: [SampleRecord] = []
        for (p, list) in answers.enumerated() {
            for (s, a) in list.enumerated() { records.append(record(p, s, "So $\\boxed{\(a)}$.", gold: golds[p])) }
        }
        let problems = (0..<3).map { EvalProblem(index: $0, id: "p\($0)", problem: "q", answer: golds[$0]) }
        let selection = BenchmarkSelection(spec: BenchmarkSpec(name: "toy", file: "toy.jsonl", goldMode: .latex), problems: problems)
        let (s, replicates) = Summarizer(bootstrap: BootstrapSettings(replicates: 300, seed: 2)).summarize(selection, samples: 4, records: records)
        // Correct: p0 [1 1 0 0], p1 [1 0 0 0], p2 [0 0 0 0].
        #expect(close(s.passAt1.value, (0.5 + 0.25 + 0) / 3))
        #expect(close(s.passAtK["pass@2"] ?? 0, ((1 - 1.0 / 6) + (1 - 3.0 / 6) + 0) / 3))
        #expect(close(s.passAtK["pass@4"] ?? 0, 2.0 / 3))
        // maj@2: p0 "1" wins; p1 tie 5/7 -> 5 (first) wins; p2 1/2 = 0.5 wrong. maj@4: p0 "1", p1 "7", p2 1/2 (x3).
        #expect(close(s.majAtK["maj@2"] ?? 0, 2.0 / 3) && close(s.majAtK["maj@4"] ?? 0, 1.0 / 3))
        #expect(s.samplesPerProblem == 4 && s.problems == 3 && s.samples == 12 && s.correct == 3)
        #expect(replicates.count == 300 && s.passAt1.ciLow <= s.passAt1.value && s.passAt1.value <= s.passAt1.ciHigh)
        #expect(close(s.passAt1.stderr, Metrics.standardError([0.5, 0.25, 0])))
        #expect(Summarizer.reportedK(8) == [1, 2, 4, 8] && Summarizer.reportedK(6) == [1, 2, 4, 6] && Summarizer.reportedK(1) == [1])
    }

    @Test func averageIsTheUnweightedMeanOfBenchmarks() {
        func part(_ v: Double, _ se: Double, _ reps: [Double]) -> (summary: BenchmarkSummary, replicates: [Double]) {
            (BenchmarkSummary(name: "b", goldMode: .latex, problemsSelected: 1, problems: 1, samples: 1, samplesPerProblem: 1, correct: 0,
                              passAt1: MetricValue(value: v, stderr: se, ciLow: 0, ciHigh: 1), passAtK: [:], majAtK: [:], finishReasons: [:],
                              goldWarnings: GoldWarningCounts(), gradingFailures: 0, generatedTokens: 0, meanCompletionTokens: 0), reps)
        }
        let avg = Summarizer().average([part(0.2, 0.03, [0.1, 0.2, 0.3]), part(0.6, 0.04, [0.5, 0.6, 0.7])])
        #expect(close(avg?.value ?? 0, 0.4) && close(avg?.stderr ?? 0, 0.025))
        #expect(close(avg?.ciLow ?? 0, 0.3 + 0.2 * 0.025, 1e-9) && close(avg?.ciHigh ?? 0, 0.5 - 0.2 * 0.025, 1e-9))
    }
}
