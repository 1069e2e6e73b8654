import Foundation
import TinaGeneration

/// One evaluation into a run folder: checks the folder, resumes its samples, generates the missing ones,
/// summarizes and writes `summary.json` and `table.md`.
public struct EvalJob {
    public var config: EvalConfig
    public var selections: [BenchmarkSelection]
    public var folder: RunFolder
    public var label: String
    /// Sampling for every request (its `maxNewTokens` is capped per prompt by `contextLength`).
    public var parameters: SamplingParameters
    public var contextLength: Int
    public var bootstrap: BootstrapSettings
    public var pricePerHour: Double?
    public var grader = AnswerGrader()

    public init(config: EvalConfig, selections: [BenchmarkSelection], folder: RunFolder, label: String, parameters: SamplingParameters,
                contextLength: Int = 0, bootstrap: BootstrapSettings = BootstrapSettings(), pricePerHour: Double? = nil) {
        self.config = config
        self.selections = selections
        self.folder = folder
        self.label = label
        self.parameters = parameters
        self.contextLength = contextLength
        self.bootstrap = bootstrap
        self.pricePerHour = pricePerHour
    }

    /// Gold answers whose extraction is empty or partial, as "benchmark problem-id: reason" lines (checked before
    /// any generation, so a bad gold column shows at once).
    public func goldWarnings() -> [String] {
        selections.flatMap { s in
            s.problems.compactMap { p in
                grader.grade(completion: "", gold: p.answer, mode: s.spec.goldMode).goldWarning.map { "\(s.spec.name) \(p.id): \($0)" }
            }
        }
    }

    /// `onNotice` receives one-line notes (a dropped partial line, gold warnings); `onProgress` each finished sample.
    public func run(renderer: PromptRendering, source: CompletionSource, onProgress: ((EvalProgress) -> Void)? = nil,
                    onNotice: (String) -> Void = { _ in }) throws -> RunSummary {
        try folder.prepare(config)
        let log = try SampleLog(path: folder.samplesPath)
        if log.droppedPartialLine { onNotice("\(folder.samplesPath): dropped a partial last line (an interrupted write); it will be regenerated") }
        if !log.records.isEmpty { onNotice("\(folder.samplesPath): resuming with \(log.records.count) saved samples") }
        for warning in goldWarnings() { onNotice("warning: \(warning)") }
        let runner = EvalRunner(log: log, renderer: renderer, source: source, parameters: parameters, samples: config.samples,
                                contextLength: contextLength, grader: grader, onProgress: onProgress)
        try runner.run(selections)
        let summary = Summarizer(grader: grader, bootstrap: bootstrap).summarize(
            selections, config: config, records: log.records, label: label, currentSession: (runner.session, runner.elapsed),
            pricePerHour: pricePerHour)
        try folder.write(summary)
        return summary
    }
}
