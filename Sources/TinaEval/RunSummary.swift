import Foundation

/// A rate with its standard error and 95 % bootstrap interval (all fractions in [0, 1]).
public struct MetricValue: Codable, Sendable, Equatable {
    public var value: Double
    public var stderr: Double
    public var ciLow: Double
    public var ciHigh: Double
    public init(value: Double, stderr: Double, ciLow: Double, ciHigh: Double) {
        (self.value, self.stderr, self.ciLow, self.ciHigh) = (value, stderr, ciLow, ciHigh)
    }
}

/// Problems whose gold extraction came back empty or read only a fragment of the answer.
public struct GoldWarningCounts: Codable, Sendable, Equatable {
    public var empty: Int
    public var partial: Int
    public init(empty: Int = 0, partial: Int = 0) { (self.empty, self.partial) = (empty, partial) }
}

public struct BenchmarkSummary: Codable, Sendable, Equatable {
    public var name: String
    public var goldMode: GoldMode
    /// Selected problems, and those with at least one sample (the metrics are over these).
    public var problemsSelected: Int
    public var problems: Int
    public var samples: Int
    /// The fewest samples any graded problem has (pass@k and maj@k use k up to it).
    public var samplesPerProblem: Int
    public var correct: Int
    /// Mean over problems of the mean verdict over each problem's samples.
    public var passAt1: MetricValue
    /// "pass@2": unbiased pass@k; "maj@4": majority vote over the first k samples.
    public var passAtK: [String: Double]
    public var majAtK: [String: Double]
    public var finishReasons: [String: Int]
    public var goldWarnings: GoldWarningCounts
    public var gradingFailures: Int
    public var generatedTokens: Int
    public var meanCompletionTokens: Double

    public init(name: String, goldMode: GoldMode, problemsSelected: Int, problems: Int, samples: Int, samplesPerProblem: Int,
                correct: Int, passAt1: MetricValue, passAtK: [String: Double] = [:], majAtK: [String: Double] = [:],
                finishReasons: [String: Int] = [:], goldWarnings: GoldWarningCounts = GoldWarningCounts(), gradingFailures: Int = 0,
                generatedTokens: Int = 0, meanCompletionTokens: Double = 0) {
        self.name = name
        self.goldMode = goldMode
        self.problemsSelected = problemsSelected
        self.problems = problems
        self.samples = samples
        self.samplesPerProblem = samplesPerProblem
        self.correct = correct
        self.passAt1 = passAt1
        self.passAtK = passAtK
        self.majAtK = majAtK
        self.finishReasons = finishReasons
        self.goldWarnings = goldWarnings
        self.gradingFailures = gradingFailures
        self.generatedTokens = generatedTokens
        self.meanCompletionTokens = meanCompletionTokens
    }
}

public struct BootstrapSettings: Codable, Sendable, Equatable {
    public var replicates: Int
    public var seed: UInt64
    public var level: Double
    /// Problems drawn with replacement, and each drawn problem's samples too.
    public var resamplesSamples: Bool
    public init(replicates: Int = 1000, seed: UInt64 = 0, level: Double = 0.95, resamplesSamples: Bool = true) {
        (self.replicates, self.seed, self.level, self.resamplesSamples) = (replicates, seed, level, resamplesSamples)
    }
}

/// `summary.json` of a run.
public struct RunSummary: Codable, Sendable, Equatable {
    public var label: String
    public var config: EvalConfig
    public var benchmarks: [BenchmarkSummary]
    /// Unweighted mean of the benchmarks' pass@1 (the paper's "Avg."); nil without benchmarks.
    public var average: MetricValue?
    public var bootstrap: BootstrapSettings
    /// Generation time summed over the sessions that wrote samples (resumes included).
    public var seconds: Double
    public var sessions: Int
    public var generatedTokens: Int
    public var tokensPerSecond: Double
    public var pricePerHour: Double?
    public var cost: Double?
    public var created: String

    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.keyEncodingStrategy = .convertToSnakeCase
        e.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return e
    }()

    static let decoder: JSONDecoder = {
        let d = JSONDecoder()
        d.keyDecodingStrategy = .convertFromSnakeCase
        d.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return d
    }()

    public func encoded() throws -> String { String(decoding: try Self.encoder.encode(self), as: UTF8.self) + "\n" }

    public static func decode(_ data: Data) throws -> RunSummary { try decoder.decode(RunSummary.self, from: data) }
}
