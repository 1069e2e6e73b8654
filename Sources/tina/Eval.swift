import ArgumentParser
import Foundation
import TinaCore
import TinaEval
import TinaFormats
import TinaGeneration
import TinaTokenizers

struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Evaluate a model on the paper's math benchmarks (pass@k with error bars), compare runs, sweep checkpoints.",
        discussion: """
        `tina eval --model M --out DIR` runs the benchmarks as lighteval does for Tina: the math query template as the \
        only user message, the model's own chat template with the generation prompt, temperature 0.6, top-p 0.95, \
        up to 32768 new tokens (capped by the model's context), seed 1234. Samples are appended to DIR/samples.jsonl \
        as they finish; running again with the same --out resumes. See `tina eval run --help`.
        """,
        subcommands: [EvalRun.self, EvalCompare.self, EvalSweep.self],
        defaultSubcommand: EvalRun.self)
}

/// Which problems to evaluate.
struct EvalSetOptions: ParsableArguments {
    @Option(help: "Comma-separated benchmarks: \(BenchmarkRegistry.names.joined(separator: ", ")) or all (default: all, or none with --data).")
    var benchmarks: String?
    @Option(name: .customLong("data-dir"), help: "Folder holding the benchmark files (default: TINA_DATA_DIR, ./data or the repository's data/).")
    var dataDirectory: String?
    @Option(help: "Another benchmark: a JSONL file with one problem per line.") var data: String?
    @Option(name: .customLong("data-name"), help: "Name of the --data set in the outputs (default: the file name).") var dataName: String?
    @Option(name: .customLong("problem-column"), help: "Field of --data holding the problem.") var problemColumn = "problem"
    @Option(name: .customLong("answer-column"), help: "Field of --data holding the gold answer.") var answerColumn = "answer"
    @Option(name: .customLong("id-column"), help: "Field of --data holding the problem id (default: id; problems without it are numbered).")
    var idColumn = "id"
    @Option(name: .customLong("gold-mode"), help: "How --data golds are read: expression (numbers, as AIME) or latex (as MATH-500).")
    var goldMode = "latex"
    @Option(help: "Only the first N problems of each benchmark.") var limit: Int?
    @Option(help: "Only these problems: comma-separated 0-based indices or ids.") var problems: String?

    func selections() throws -> [BenchmarkSelection] {
        if let limit, limit <= 0 { throw ValidationError("--limit must be positive") }
        guard let mode = GoldMode(rawValue: goldMode) else { throw ValidationError("--gold-mode must be expression or latex, got '\(goldMode)'") }
        var specs: [BenchmarkSpec] = []
        let names = benchmarks ?? (data == nil ? "all" : "")
        let directory = dataDirectory ?? BenchmarkRegistry.defaultDataDirectory()
        for name in names.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !name.isEmpty {
            if name == "all" {
                specs += try BenchmarkRegistry.names.map { try BenchmarkRegistry.spec(named: $0, dataDirectory: directory) }
            } else {
                do { specs.append(try BenchmarkRegistry.spec(named: name, dataDirectory: directory)) } catch let error as TinaError {
                    throw ValidationError("--benchmarks: \(error.description)")
                }
            }
        }
        if let data {
            let name = dataName ?? ((data as NSString).lastPathComponent as NSString).deletingPathExtension
            specs.append(BenchmarkSpec(name: name, file: data, problemColumn: problemColumn, answerColumn: answerColumn,
                                       idColumn: idColumn, goldMode: mode))
        }
        var seen = Set<String>()
        specs = specs.filter { seen.insert($0.name).inserted }
        guard !specs.isEmpty else { throw ValidationError("nothing to evaluate: name --benchmarks or --data") }
        let only = problems.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
        return try specs.map { spec in
            let all = try ProblemLoader.load(spec)
            return BenchmarkSelection(spec: spec, problems: try BenchmarkSelection.select(all, only: only, limit: limit, source: spec.file))
        }
    }
}

/// How to generate and report.
struct EvalGenerationOptions: ParsableArguments {
    @Option(help: "Tokenizer path (default: the model's).") var tokenizer: String?
    @Option(help: "Chat template: a built-in name or a Jinja file (default: the tokenizer's own).") var template: String?
    @Option(help: "Samples per problem.") var n = 1
    @Option(help: "Sampling temperature (paper: 0.6).") var temperature: Float = 0.6
    @Option(name: .customLong("top-p"), help: "Nucleus sampling threshold (paper: 0.95).") var topP: Float = 0.95
    @Option(name: .customLong("top-k"), help: "Keep only the k most likely tokens (0 = off).") var topK = 0
    @Option(name: .customLong("max-new-tokens"), help: "Most new tokens per sample, capped by the model's context (paper: 32768).")
    var maxNewTokens = 32768
    @Option(help: "Seed of the sampling streams (vLLM's default in lighteval: 1234).") var seed: UInt64 = 1234
    @Flag(name: .customLong("lighteval-bos"), help: "Encode the rendered prompt with special tokens, as lighteval does (a second BOS with DeepSeek's template).")
    var lightevalBOS = false
    @Option(help: "The user message: math (lighteval's math query around the problem, the paper's) or raw (the problem alone, as GRPO trains).")
    var query = "math"
    @Option(name: .customLong("max-slots"), help: "Sequences generated together by the rollout engine.") var maxSlots = 32
    @Option(name: .customLong("kv-cache-gb"), help: "KV cache budget of the rollout engine in GiB.") var kvCacheGB: Double = 4
    @Option(name: .customLong("price-per-hour"), help: "Machine price in dollars per hour, for the cost in the summary.") var pricePerHour: Double?
    @Option(help: "Bootstrap replicates for the 95 % intervals.") var bootstrap = 1000
    @Option(name: .customLong("bootstrap-seed"), help: "Seed of the bootstrap.") var bootstrapSeed: UInt64 = 0
    @Option(help: "Row label in the tables (default: the model and adapter names).") var label: String?
    @Flag(help: "No progress lines.") var quiet = false

    func validate() throws {
        guard n >= 1 else { throw ValidationError("--n must be at least 1") }
        guard maxNewTokens >= 1 else { throw ValidationError("--max-new-tokens must be positive") }
        guard bootstrap >= 1 else { throw ValidationError("--bootstrap must be at least 1") }
        guard maxSlots >= 1 else { throw ValidationError("--max-slots must be at least 1") }
        guard ["math", "raw"].contains(query) else { throw ValidationError("--query must be math or raw") }
        guard kvCacheGB > 0 else { throw ValidationError("--kv-cache-gb must be positive") }
        if let pricePerHour, pricePerHour < 0 { throw ValidationError("--price-per-hour must not be negative") }
    }

    func parameters() throws -> SamplingParameters {
        do { return try SamplingParameters(temperature: temperature, topK: topK, topP: topP, seed: seed, maxNewTokens: maxNewTokens) } catch let error as TinaError {
            throw ValidationError(error.description)
        }
    }

    /// One evaluation of an opened checkpoint (with its adapter attached) into `out`.
    func evaluate(_ checkpoint: Checkpoint, model: String, adapter: String?, selections: [BenchmarkSelection], out: String,
                  label defaultLabel: String) throws -> RunSummary {
        let tokenizer = try checkpoint.requireTokenizer()
        let chat = try checkpoint.chatTemplate(template)
        let config = EvalConfig(model: model, adapter: adapter, template: template, temperature: temperature, topP: topP, topK: topK,
                                seed: seed, maxNewTokens: maxNewTokens, lightevalBos: lightevalBOS, query: query, samples: n,
                                benchmarks: selections.map(\.spec.name))
        let job = EvalJob(config: config, selections: selections, folder: RunFolder(out), label: label ?? defaultLabel,
                          parameters: try parameters(), contextLength: checkpoint.config.maxPositionEmbeddings,
                          bootstrap: BootstrapSettings(replicates: bootstrap, seed: bootstrapSeed), pricePerHour: pricePerHour)
        let engine = RolloutEngine(model: checkpoint.model, stopTokens: checkpoint.stopTokenIDs,
                                   decode: { tokenizer.decode($0, skipSpecialTokens: true) }, maxSlots: maxSlots,
                                   cacheBytes: Int(kvCacheGB * Double(1 << 30)))
        let printer = ProgressPrinter(quiet: quiet)
        return try job.run(renderer: ChatPromptRenderer(tokenizer: tokenizer, template: chat, addSpecialTokens: lightevalBOS, mathQuery: query != "raw"),
                           source: EngineSource(engine: engine, onProgress: printer.engine), onProgress: printer.report,
                           onNotice: { ExitStatus.printError("tina eval: \($0)") })
    }
}

/// Progress lines on stderr, at most one every few seconds (and the last one). Tokens per second come from the
/// engine's own count, which includes the tokens of samples still running (finished samples alone lag behind).
final class ProgressPrinter {
    let quiet: Bool
    private var last = Date.distantPast
    private var engineTokens = 0, lastEngineCount = 0
    private var latest: EvalProgress?
    init(quiet: Bool) { self.quiet = quiet }

    /// Engine counts restart with each benchmark's `run`: add up the increases.
    func engine(_ p: RolloutProgress) {
        engineTokens += p.generatedTokens >= lastEngineCount ? p.generatedTokens - lastEngineCount : p.generatedTokens
        lastEngineCount = p.generatedTokens
        if let latest { print(latest, force: false) }
    }

    func report(_ p: EvalProgress) {
        latest = p
        print(p, force: p.completed == p.total)
    }

    private func print(_ p: EvalProgress, force: Bool) {
        guard !quiet else { return }
        let now = Date()
        guard force || now.timeIntervalSince(last) >= 5 else { return }
        last = now
        var live = p
        live.sessionTokens = max(p.sessionTokens, engineTokens)
        live.elapsed = max(p.elapsed, now.timeIntervalSince(startedAt))
        ExitStatus.printError("tina eval: " + live.line)
    }

    private let startedAt = Date()
}

/// The label of a model (and adapter) in tables.
func runLabel(model: String, adapter: String?) -> String {
    let name = { (path: String) in URL(fileURLWithPath: path).standardizedFileURL.lastPathComponent }
    return adapter.map { "\(name(model)) + \(name($0))" } ?? name(model)
}

struct EvalRun: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Evaluate one model (the default subcommand of `tina eval`).",
        discussion: """
        Writes DIR/config.json, DIR/samples.jsonl (one graded sample per line, appended as each finishes), \
        DIR/summary.json (pass@1 with standard error and 95 % bootstrap interval, pass@k, maj@k, finish reasons, \
        gold-extraction warnings, time, tokens, cost) and DIR/table.md (the paper's layout). Running again with the \
        same --out skips the samples already there (a line cut short by a kill is dropped and regenerated); a \
        different model or sampling setting for the same folder is refused.
        """)

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var set: EvalSetOptions
    @OptionGroup var generation: EvalGenerationOptions
    @Option(help: "Run folder (created if missing; resumed if it holds a run).") var out: String

    func run() throws {
        let selections = try set.selections()
        let checkpoint = try modelOptions.open(tokenizer: generation.tokenizer)
        let summary = try generation.evaluate(checkpoint, model: modelOptions.model, adapter: modelOptions.adapter, selections: selections,
                                              out: out, label: runLabel(model: modelOptions.model, adapter: modelOptions.adapter))
        print(ResultTable.text(summary), terminator: "")
        print("")
        print(ResultTable.markdown([summary]), terminator: "")
    }
}

struct EvalCompare: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Print finished runs side by side with their differences from the first, and whether each is beyond noise.")

    @Argument(help: "Run folders (each with summary.json and samples.jsonl).") var runs: [String]
    @Flag(help: "Print the Markdown table of the runs instead.") var markdown = false

    func validate() throws {
        guard runs.count >= (markdown ? 1 : 2) else { throw ValidationError("name at least two run folders") }
    }

    func run() throws {
        let loaded = try runs.map(LoadedRun.load)
        print(markdown ? ResultTable.markdown(loaded.map(\.summary)) : RunComparison.render(loaded), terminator: "")
    }
}

struct EvalSweep: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Evaluate every checkpoint-N adapter of a training run; print a table and write an SVG of pass@1 per step.",
        discussion: """
        --model is the base model the adapters were trained on. Each checkpoint is evaluated into \
        OUT/checkpoint-N (resumable like `tina eval run`); OUT/sweep.md and OUT/sweep.svg hold the table and chart. \
        --include-base also evaluates the base model as step 0.
        """)

    @Argument(help: "The training run folder holding checkpoint-N folders.") var runDirectory: String
    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var set: EvalSetOptions
    @OptionGroup var generation: EvalGenerationOptions
    @Option(help: "Output folder (default: RUN_DIRECTORY/eval).") var out: String?
    @Flag(name: .customLong("include-base"), help: "Also evaluate the base model (as step 0).") var includeBase = false

    func validate() throws {
        if modelOptions.adapter != nil { throw ValidationError("sweep attaches each checkpoint's adapter itself; drop --adapter") }
    }

    func run() throws {
        let checkpoints = try CheckpointSweep.discover(runDirectory) { folder, reason in
            ExitStatus.printError("tina eval sweep: skipping \(folder): \(reason)")
        }
        let selections = try set.selections()
        let folder = out ?? runDirectory + "/eval"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let base = try modelOptions.open(tokenizer: generation.tokenizer)
        var points: [(step: Int, summary: RunSummary)] = []
        if includeBase {
            base.model.detachLoRA()
            ExitStatus.printError("tina eval sweep: base model")
            points.append((0, try generation.evaluate(base, model: modelOptions.model, adapter: nil, selections: selections,
                                                      out: folder + "/base", label: "base")))
        }
        for c in checkpoints {
            ExitStatus.printError("tina eval sweep: checkpoint-\(c.step)")
            try base.model.attachLoRA(try PEFTAdapterFile.read(directory: c.path), source: c.path)
            points.append((c.step, try generation.evaluate(base, model: modelOptions.model, adapter: c.path, selections: selections,
                                                           out: folder + "/checkpoint-\(c.step)", label: "step \(c.step)")))
        }
        let table = CheckpointSweep.table(points)
        try writeTextFile(table, to: folder + "/sweep.md")
        try writeTextFile(CheckpointSweep.svg(points), to: folder + "/sweep.svg")
        print(table, terminator: "")
        print("wrote \(folder)/sweep.md and \(folder)/sweep.svg")
    }
}
