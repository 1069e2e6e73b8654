import Foundation

/// Identifies one sample of one problem of one benchmark.
public struct SampleKey: Hashable, Sendable {
    public var benchmark: String
    public var problemIndex: Int
    public var sample: Int
    public init(benchmark: String, problemIndex: Int, sample: Int) {
        (self.benchmark, self.problemIndex, self.sample) = (benchmark, problemIndex, sample)
    }
}

/// One line of `samples.jsonl`: a graded completion and what produced it.
public struct SampleRecord: Codable, Sendable, Equatable {
    public var benchmark: String
    public var problemIndex: Int
    public var problemId: String
    public var sample: Int
    public var prompt: String
    public var completion: String
    public var gold: String
    public var goldExtracted: [String]
    public var extracted: [String]
    public var correct: Bool
    /// Set when the gold's extraction was empty or a fragment of the answer (the verdict rests on less than it).
    public var goldWarning: String?
    /// Set when a limit stopped grading (the sample counts as incorrect).
    public var gradingFailure: String?
    public var finishReason: EvalFinishReason
    public var promptTokens: Int
    public var completionTokens: Int
    /// The invocation that produced the line (1, 2, ... across resumes) and its seconds so far when it was written:
    /// the run's time is the sum over sessions of their largest value, which survives a kill.
    public var session: Int
    public var sessionSeconds: Double

    public var key: SampleKey { SampleKey(benchmark: benchmark, problemIndex: problemIndex, sample: sample) }

    public init(benchmark: String, problemIndex: Int, problemId: String, sample: Int, prompt: String, completion: String,
                gold: String, goldExtracted: [String], extracted: [String], correct: Bool, goldWarning: String? = nil,
                gradingFailure: String? = nil, finishReason: EvalFinishReason, promptTokens: Int, completionTokens: Int,
                session: Int, sessionSeconds: Double) {
        self.benchmark = benchmark
        self.problemIndex = problemIndex
        self.problemId = problemId
        self.sample = sample
        self.prompt = prompt
        self.completion = completion
        self.gold = gold
        self.goldExtracted = goldExtracted
        self.extracted = extracted
        self.correct = correct
        self.goldWarning = goldWarning
        self.gradingFailure = gradingFailure
        self.finishReason = finishReason
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.session = session
        self.sessionSeconds = sessionSeconds
    }

    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.keyEncodingStrategy = .convertToSnakeCase
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }()

    static let decoder: JSONDecoder = {
        let d = JSONDecoder()
        d.keyDecodingStrategy = .convertFromSnakeCase
        return d
    }()
}
