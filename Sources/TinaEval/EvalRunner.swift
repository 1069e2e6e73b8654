import Foundation
import TinaCore
import TinaGeneration

/// A benchmark and the problems of it to evaluate.
public struct BenchmarkSelection: Sendable {
    public var spec: BenchmarkSpec
    public var problems: [EvalProblem]
    public init(spec: BenchmarkSpec, problems: [EvalProblem]) { (self.spec, self.problems) = (spec, problems) }

    /// The problems chosen by `--problems` (0-based indices or ids) and then `--limit` (the first N).
    public static func select(_ problems: [EvalProblem], only: [String]? = nil, limit: Int? = nil, source: String) throws -> [EvalProblem] {
        var chosen = problems
        if let only {
            chosen = try only.map { item in
                if let found = problems.first(where: { $0.id == item }) { return found }
                if let index = Int(item), problems.indices.contains(index) { return problems[index] }
                throw TinaError.invalidArgument("--problems: '\(item)' is neither a problem id nor an index 0..<\(problems.count) of \(source)")
            }
            var seen = Set<Int>()
            chosen = chosen.filter { seen.insert($0.index).inserted }
        }
        if let limit { chosen = Array(chosen.prefix(max(0, limit))) }
        return chosen
    }
}

/// Generates the samples a run still lacks, grades each as it arrives and appends it to the log at once.
public struct EvalRunner {
    public var log: SampleLog
    public var renderer: PromptRendering
    public var source: CompletionSource
    public var grader: AnswerGrader
    /// Sampling for every request; `maxNewTokens` is capped per prompt by `contextLength`.
    public var parameters: SamplingParameters
    public var samples: Int
    /// The model's context in tokens (0: no cap).
    public var contextLength: Int
    public var onProgress: ((EvalProgress) -> Void)?
    /// This invocation's number among the sessions that wrote the log.
    public let session: Int
    public let start = Date()

    public init(log: SampleLog, renderer: PromptRendering, source: CompletionSource, parameters: SamplingParameters, samples: Int,
                contextLength: Int = 0, grader: AnswerGrader = AnswerGrader(), onProgress: ((EvalProgress) -> Void)? = nil) {
        self.log = log
        self.renderer = renderer
        self.source = source
        self.parameters = parameters
        self.samples = samples
        self.contextLength = contextLength
        self.grader = grader
        self.onProgress = onProgress
        session = (log.records.map(\.session).max() ?? 0) + 1
    }

    public var elapsed: Double { Date().timeIntervalSince(start) }

    public func run(_ selections: [BenchmarkSelection]) throws {
        let total = selections.reduce(0) { $0 + $1.problems.count * samples }
        var completed = selections.reduce(0) { sum, selection in
            sum + selection.problems.reduce(0) { inner, p in
                inner + (0..<samples).filter { log.contains(SampleKey(benchmark: selection.spec.name, problemIndex: p.index, sample: $0)) }.count
            }
        }
        var sessionCompleted = 0, sessionTokens = 0
        for selection in selections {
            let name = selection.spec.name
            var requests: [EvalRequest] = []
            var pending: [(problem: EvalProblem, prompt: RenderedPrompt)] = []
            for problem in selection.problems {
                let missing = (0..<samples).filter { !log.contains(SampleKey(benchmark: name, problemIndex: problem.index, sample: $0)) }
                guard !missing.isEmpty else { continue }
                let prompt = try renderer.render(problem: problem.problem)
                let budget = contextLength > 0 ? min(parameters.maxNewTokens, contextLength - prompt.ids.count) : parameters.maxNewTokens
                if budget <= 0 {
                    // No room to generate: recorded as a context-limited empty completion, graded like any other.
                    for sample in missing {
                        try record(problem, prompt, sample: sample, selection: selection,
                                   completion: EvalCompletion(requestIndex: -1, sample: sample, tokens: [], text: "", finishReason: .context))
                        completed += 1
                        sessionCompleted += 1
                    }
                    continue
                }
                requests.append(EvalRequest(id: problem.index, prompt: prompt.ids, samples: missing,
                                            parameters: try parameters.with(maxNewTokens: budget)))
                pending.append((problem, prompt))
            }
            guard !requests.isEmpty else { continue }
            try source.complete(requests) { completion in
                guard pending.indices.contains(completion.requestIndex) else {
                    throw TinaError.invalidArgument("completion for request \(completion.requestIndex) of \(pending.count)")
                }
                let (problem, prompt) = pending[completion.requestIndex]
                try record(problem, prompt, sample: completion.sample, selection: selection, completion: completion)
                completed += 1
                sessionCompleted += 1
                sessionTokens += completion.tokens.count
                onProgress?(EvalProgress(benchmark: name, completed: completed, total: total, sessionCompleted: sessionCompleted,
                                         sessionTokens: sessionTokens, elapsed: elapsed))
            }
        }
    }

    private func record(_ problem: EvalProblem, _ prompt: RenderedPrompt, sample: Int, selection: BenchmarkSelection,
                        completion: EvalCompletion) throws {
        let result = grader.grade(completion: completion.text, gold: problem.answer, mode: selection.spec.goldMode)
        try log.append(SampleRecord(
            benchmark: selection.spec.name, problemIndex: problem.index, problemId: problem.id, sample: sample, prompt: prompt.text,
            completion: completion.text, gold: problem.answer, goldExtracted: result.gold.map(\.text),
            extracted: result.prediction.map(\.text), correct: result.correct && result.failure == nil,
            goldWarning: result.goldWarning?.description, gradingFailure: result.failure, finishReason: completion.finishReason,
            promptTokens: prompt.ids.count, completionTokens: completion.tokens.count, session: session, sessionSeconds: elapsed))
    }
}
