import ArgumentParser
import Foundation
import TinaBench
import TinaCore
import TinaFormats
import TinaModels
import TinaTokenizers

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure kernels against this machine's limits (run from a release build).",
        discussion: """
        The kernel and model suites first measure the machine's FP32 FMA peak and DRAM read bandwidth in the same run, \
        then prints each result beside them. Shapes come from the decoder config (default: the published \
        DeepSeek-R1-Distill-Qwen-1.5B config). Results are printed as a table, and as JSON with --json/--output.
        """,
        subcommands: [GEMMCommand.self, GEMVCommand.self, KernelsCommand.self, ModelCommand.self, GenerateBenchCommand.self, GRPOBenchCommand.self, TrainCommand.self, TokenizerCommand.self, GradeCommand.self, PeakCommand.self, AllCommand.self])
}

struct BenchOptions: ParsableArguments {
    @Option(help: "A config.json (or model directory) whose shapes to use. Default: DeepSeek-R1-Distill-Qwen-1.5B.")
    var config: String?

    @Flag(help: "Print the JSON report on stdout instead of the table.")
    var json = false

    @Option(help: "Also write the JSON report to this file.")
    var output: String?

    func validate() throws {
        if let output {
            let folder = (output as NSString).deletingLastPathComponent
            var isDirectory: ObjCBool = false
            if !folder.isEmpty, !(FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory) && isDirectory.boolValue) {
                throw ValidationError("--output: the folder '\(folder)' does not exist")
            }
        }
    }

    func decoderConfig() throws -> DecoderConfig {
        guard let config else { return r1Distill15BConfig }
        var isDirectory: ObjCBool = false
        _ = FileManager.default.fileExists(atPath: config, isDirectory: &isDirectory)
        return try DecoderConfig.load(configPath: isDirectory.boolValue ? config + "/config.json" : config)
    }

    /// The checkpoint at `path`, or random weights of the config's shape (first `layers` layers), and its name.
    func benchModel(path: String?, precision: WeightPrecision, compute: ComputePrecision?, layers: Int?) throws
        -> (model: DecoderModel, name: String) {
        if let path {
            return (try DecoderModel.load(path: path, precision: precision, compute: compute), (path as NSString).lastPathComponent)
        }
        let full = try decoderConfig()
        var config = full
        if let layers { config.layerCount = min(layers, config.layerCount) }
        log("building random \(precision.rawValue) weights for \(config.layerCount) layers...")
        var name = self.config == nil ? "R1-Distill-Qwen-1.5B shape" : (self.config ?? "")
        if config.layerCount < full.layerCount { name += " (\(config.layerCount) layers)" }
        return (try DecoderModel.random(config: config, precision: precision, compute: compute), name)
    }

    /// One line per profiled backend operation, slowest first.
    func logProfile(_ ops: [(name: String, seconds: Double, calls: Int)]) {
        for op in ops {
            log("  " + op.name.padding(toLength: 32, withPad: " ", startingAt: 0) + String(format: "%9.1f ms %7d calls", op.seconds * 1e3, op.calls))
        }
    }

    func log(_ line: String) {
        if json { FileHandle.standardError.write(Data((line + "\n").utf8)) } else { print(line) }
    }
}

struct BenchReport: Encodable {
    var tool = "tina bench"
    var date = ISO8601DateFormatter().string(from: Date())
    var suite: String
    var build: String
    var cpu = CPUInfo.current
    var cpuFeatures = CPUInfo.current.features
    var backend = CPUBackend.shared.summary
    var threads = Parallel.threadCount
    /// Absent for suites that have no machine limit to compare with (tokenizer: compared with a peer).
    var limits: MachineLimits?
    var gemm: [GEMMResult]?
    var gemv: [GEMVResult]?
    var kernels: [KernelResult]?
    var models: [ModelBenchResult]?
    var training: [TrainBenchResult]?
    var generation: [GenerationBenchResult]?
    var grpo: [GRPOBenchResult]?
    var tokenizers: [TokenizerBenchResult]?
    var grading: [GradeBenchResult]?

    init(suite: String, limits: MachineLimits?) {
        self.suite = suite
        self.limits = limits
        #if DEBUG
        build = "debug (numbers are not representative: use swift build -c release)"
        #else
        build = "release"
        #endif
    }

    func emit(_ options: BenchOptions) throws {
        let text = try jsonText(self)
        if options.json { print(text) }
        if let path = options.output {
            try Data((text + "\n").utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        }
    }
}

func measureLimits(_ options: BenchOptions) -> MachineLimits {
    #if DEBUG
    options.log("warning: debug build; benchmark with `swift build -c release` (make bench)")
    #endif
    let limits = MachineLimits.measure()
    options.log(CPUBackend.shared.summary)
    options.log(String(format: "machine: %d threads, FP32 peak %.1f GFLOP/s (%@; AVX2 %.1f)%@, DRAM read %.1f GB/s; features %@",
                       limits.threads, limits.fp32PeakGFLOPS, limits.hasAVX512 ? "AVX-512" : "AVX2", limits.fp32PeakAVX2GFLOPS,
                       limits.bf16PeakGFLOPS.map { String(format: ", bf16 dot-product peak %.1f", $0) } ?? "",
                       limits.dramReadGBps, CPUInfo.current.features.joined(separator: " ")))
    return limits
}

func parseRows(_ text: String) throws -> [Int] {
    let rows = text.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
    guard !rows.isEmpty, rows.allSatisfy({ $0 > 0 }) else {
        throw ValidationError("--rows must be a comma-separated list of positive integers, got '\(text)'")
    }
    return rows
}

struct GEMMCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gemm", abstract: "Matrix products y = x W^T through the CPU backend (bf16 and f32 paths).")
    @OptionGroup var options: BenchOptions
    @Option(help: "Comma-separated M (tokens) values.") var rows = "16,2048"
    @Option(help: "Comma-separated paths: bf16 (the model's: GEMV up to 16 rows), bf16-onednn, f32.") var paths = "bf16,bf16-onednn,f32"
    @Flag(help: "Include the lm_head (vocab x hidden) shape.") var lmHead = false

    func run() throws {
        let limits = measureLimits(options)
        var report = BenchReport(suite: "gemm", limits: limits)
        let chosen = paths.split(separator: ",").map(String.init)
        guard !chosen.isEmpty, chosen.allSatisfy(GEMMBench.paths.contains) else {
            throw ValidationError("--paths takes a comma-separated subset of \(GEMMBench.paths.joined(separator: ", ")), got '\(paths)'")
        }
        report.gemm = try GEMMBench.run(shapes: ProjectionShape.of(try options.decoderConfig(), includeLMHead: lmHead),
                                        rows: try parseRows(rows), paths: chosen, peakGFLOPS: limits.fp32PeakGFLOPS,
                                        progress: options.log)
        try report.emit(options)
    }
}

struct GEMVCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "gemv", abstract: "Decode matmuls (M = 1..16) with weights streamed from DRAM.")
    @OptionGroup var options: BenchOptions
    @Option(help: "Comma-separated M (sequences) values.") var rows = "1,2,4,8,16"
    @Flag(help: "Only the MLP shapes (gate/up and down), the biggest matrices of a layer.") var mlpOnly = false

    func run() throws {
        let limits = measureLimits(options)
        var report = BenchReport(suite: "gemv", limits: limits)
        var shapes = ProjectionShape.of(try options.decoderConfig())
        if mlpOnly { shapes = shapes.filter { $0.name.hasPrefix("gate") || $0.name.hasPrefix("down") } }
        report.gemv = try GEMVBench.run(shapes: shapes, rows: try parseRows(rows), dramGBps: limits.dramReadGBps, progress: options.log)
        try report.emit(options)
    }
}

struct KernelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "kernels", abstract: "RMSNorm, RoPE, SwiGLU, softmax and conversions.")
    @OptionGroup var options: BenchOptions

    func run() throws {
        let limits = measureLimits(options)
        let c = try options.decoderConfig()
        var report = BenchReport(suite: "kernels", limits: limits)
        report.kernels = KernelBench.run(hidden: c.hiddenSize, intermediate: c.intermediateSize, vocab: c.vocabSize,
                                         headDim: c.headDim, heads: c.headCount, progress: options.log)
        try report.emit(options)
    }
}

struct PeakCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "peak", abstract: "Only the machine's FP32 peak and DRAM bandwidth.")
    @OptionGroup var options: BenchOptions

    func run() throws {
        try BenchReport(suite: "peak", limits: measureLimits(options)).emit(options)
    }
}

struct AllCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "all", abstract: "gemm, gemv (MLP shapes) and kernels in one run.")
    @OptionGroup var options: BenchOptions

    func run() throws {
        let limits = measureLimits(options)
        let c = try options.decoderConfig()
        var report = BenchReport(suite: "all", limits: limits)
        report.gemm = try GEMMBench.run(shapes: ProjectionShape.of(c), rows: [16, 2048],
                                        peakGFLOPS: limits.fp32PeakGFLOPS, progress: options.log)
        report.gemv = try GEMVBench.run(shapes: ProjectionShape.of(c).filter { $0.name.hasPrefix("gate") || $0.name.hasPrefix("down") },
                                        rows: [1, 2, 4, 8, 16], dramGBps: limits.dramReadGBps, progress: options.log)
        report.kernels = KernelBench.run(hidden: c.hiddenSize, intermediate: c.intermediateSize, vocab: c.vocabSize,
                                         headDim: c.headDim, heads: c.headCount, progress: options.log)
        try report.emit(options)
    }
}

struct ModelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model",
        abstract: "Whole-model prefill and decode speed.",
        discussion: """
        With --model, loads that checkpoint (directory or GGUF); otherwise builds random weights of the --config \
        shape (default DeepSeek-R1-Distill-Qwen-1.5B; --layers keeps only the first N layers to save time).
        """)
    @OptionGroup var options: BenchOptions
    @Option(help: "A model directory or GGUF file to load instead of random weights.") var model: String?
    @Option(help: "Weight precision: f32, bf16 or both.") var precision = "both"
    @Option(help: "Product arithmetic: auto (bf16 for bf16 weights), f32 or bf16.") var compute = "auto"
    @Option(help: "Only build this many layers of the random model.") var layers: Int?
    @Option(help: "Prompt length for prefill.") var prefill = 512
    @Option(help: "Tokens to decode.") var decode = 32
    @Option(help: "Runs of the whole benchmark (decode speed is reported for each: min, median, max).") var runs = 1
    @Flag(help: "Also time every backend operation of one prefill and print the breakdown.") var profile = false

    func run() throws {
        let limits = measureLimits(options)
        var report = BenchReport(suite: "model", limits: limits)
        let precisions: [WeightPrecision] = precision == "both" ? [.bf16, .f32] : try [WeightPrecision(rawValue: precision).unwrapOr {
            ValidationError("--precision must be f32, bf16 or both")
        }]
        let arithmetic: ComputePrecision? = compute == "auto" ? nil : try ComputePrecision(rawValue: compute).unwrapOr {
            ValidationError("--compute must be auto, f32 or bf16")
        }
        var results: [ModelBenchResult] = []
        for p in precisions {
            let (loaded, name) = try options.benchModel(path: model, precision: p, compute: arithmetic, layers: layers)
            for _ in 0..<max(1, runs) {
                results.append(try ModelBench.run(name: name, model: loaded, precision: "\(p.rawValue) weights, \(loaded.compute.rawValue) products", prefillTokens: prefill,
                                                  decodeTokens: decode, limits: limits, progress: options.log))
            }
            if runs > 1 {
                let decode = results.suffix(runs).map(\.decodeTokensPerSecond).sorted()
                let prefill = results.suffix(runs).map(\.prefillTokensPerSecond).sorted()
                options.log(String(format: "%d runs: prefill tok/s min %.1f median %.1f max %.1f; decode tok/s min %.2f median %.2f max %.2f",
                                   runs, prefill[0], prefill[runs / 2], prefill[runs - 1], decode[0], decode[runs / 2], decode[runs - 1]))
            }
            if profile {
                options.logProfile(try ModelBench.profilePrefill(model: loaded, tokens: prefill))
            }
        }
        report.models = results
        try report.emit(options)
    }
}

struct GenerateBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Rollout-engine throughput: aggregate tokens/s at several concurrency levels.",
        discussion: """
        Each level runs that many sequences at once with ~--prompt-tokens prompts and completion lengths spread \
        between --min-new and --max-new (no EOS on random weights). With --model, loads that checkpoint; otherwise \
        random weights of the --config shape.
        """)
    @OptionGroup var options: BenchOptions
    @Option(help: "A model directory or GGUF file to load instead of random weights.") var model: String?
    @Option(help: "Weight precision: f32 or bf16.") var precision = "bf16"
    @Option(help: "Only build this many layers of the random model.") var layers: Int?
    @Option(help: "Comma-separated concurrency levels.") var concurrency = "1,4,8,16,32,64"
    @Option(name: .customLong("prompt-tokens"), help: "Prompt length.") var promptTokens = 200
    @Option(name: .customLong("min-new"), help: "Shortest completion.") var minNew = 64
    @Option(name: .customLong("max-new"), help: "Longest completion.") var maxNew = 256
    @Flag(help: "Also time every backend operation of each level and print the breakdown.") var profile = false

    func run() throws {
        let limits = measureLimits(options)
        var report = BenchReport(suite: "generate", limits: limits)
        guard let p = WeightPrecision(rawValue: precision) else { throw ValidationError("--precision must be f32 or bf16") }
        let levels = try parseRows(concurrency)
        let (loaded, name) = try options.benchModel(path: model, precision: p, compute: nil, layers: layers)
        report.generation = try levels.map {
            if profile { OpProfile.start() }
            let result = try GenerationBench.run(name: name, model: loaded, concurrency: $0, promptTokens: promptTokens, minNew: minNew,
                                                 maxNew: max(minNew, maxNew), progress: options.log)
            if profile { options.logProfile(OpProfile.stop() + [("total (wall)", result.seconds, 1)]) }
            return result
        }
        try report.emit(options)
    }
}

struct GRPOBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grpo",
        abstract: "Seconds per GRPO step (rollout / reference / train) and peak memory, LoRA r=16 on all projections.",
        discussion: "With --model, loads that checkpoint; otherwise random weights of the --config shape. Prompts are random tokens.")
    @OptionGroup var options: BenchOptions
    @Option(help: "A model directory or GGUF file to load instead of random weights.") var model: String?
    @Option(help: "Weight precision: f32 or bf16.") var precision = "bf16"
    @Option(help: "Only build this many layers of the random model.") var layers: Int?
    @Option(help: "Prompts per step.") var prompts = 4
    @Option(help: "Completions per prompt.") var generations = 4
    @Option(name: .customLong("completion-tokens"), help: "Tokens per completion.") var completionTokens = 64
    @Option(name: .customLong("prompt-tokens"), help: "Prompt length.") var promptTokens = 100
    @Option(help: "Steps (the first is reported but left out of the median).") var steps = 3
    @Flag(help: "Also time every backend operation of the last step.") var profile = false
    @Flag(name: .customLong("gradient-checkpointing"), help: "Recompute each layer's activations in the backward (less memory).")
    var gradientCheckpointing = false

    func run() throws {
        let limits = measureLimits(options)
        var report = BenchReport(suite: "grpo", limits: limits)
        guard let p = WeightPrecision(rawValue: precision) else { throw ValidationError("--precision must be f32 or bf16") }
        let (loaded, name) = try options.benchModel(path: model, precision: p, compute: nil, layers: layers)
        let vocab = loaded.config.vocabSize
        var promptIDs: [[Int]] = []
        for i in 0..<prompts {
            promptIDs.append((0..<promptTokens).map { (t: Int) -> Int in (t * 7919 + i * 104_729 + 13) % vocab })
        }
        let (result, ops) = try GRPOBench.run(name: name, model: loaded, prompts: promptIDs, generations: generations,
                                              completionTokens: completionTokens, steps: steps,
                                              gradientCheckpointing: gradientCheckpointing, profileLastStep: profile,
                                              progress: options.log)
        report.grpo = [result]
        if profile { options.logProfile(ops) }
        try report.emit(options)
    }
}

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "LoRA training speed: forward + backward tokens/s and peak memory.",
        discussion: "With --model, loads that checkpoint; otherwise random weights of the --config shape (--layers N keeps N layers).")
    @OptionGroup var options: BenchOptions
    @Option(help: "A model directory or GGUF file to load instead of random weights.") var model: String?
    @Option(help: "Weight precision: f32 or bf16.") var precision = "bf16"
    @Option(help: "Only build this many layers of the random model.") var layers: Int?
    @Option(help: "LoRA rank (alpha = 4 x rank, all seven projections).") var rank = 32
    @Option(help: "Sequences per step.") var batch = 4
    @Option(help: "Tokens per sequence.") var sequence = 512
    @Flag(help: "Also time every backend operation of one step.") var profile = false
    @Flag(name: .customLong("gradient-checkpointing"), help: "Recompute each layer's activations in the backward (less memory).")
    var gradientCheckpointing = false

    func run() throws {
        let limits = measureLimits(options)
        var report = BenchReport(suite: "train", limits: limits)
        guard let p = WeightPrecision(rawValue: precision) else { throw ValidationError("--precision must be f32 or bf16") }
        let (loaded, name) = try options.benchModel(path: model, precision: p, compute: nil, layers: layers)
        loaded.gradientCheckpointing = gradientCheckpointing
        report.training = [try TrainBench.run(name: name, model: loaded, rank: rank, batch: batch, sequence: sequence,
                                                      limits: limits, progress: options.log)]
        if profile {
            options.logProfile(try TrainBench.profile(model: loaded, batch: batch, sequence: sequence))
        }
        try report.emit(options)
    }
}

extension Optional {
    func unwrapOr(_ error: () -> Error) throws -> Wrapped {
        guard let value = self else { throw error() }
        return value
    }
}

struct TokenizerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenizer",
        abstract: "Encode throughput on the problems of a data directory (one thread).",
        discussion: "Runs the tokenizer as loaded, and for Qwen2-style split regexes also through the general regex engine.")
    @OptionGroup var options: BenchOptions
    @Option(help: "Tokenizer: model directory, tokenizer.json or .gguf.") var tokenizer: String
    @Option(help: "Directory of *.jsonl files with a 'problem' field.") var data = "../shared/data"

    func run() throws {
        var report = BenchReport(suite: "tokenizer", limits: nil)
        let texts = try TokenizerBench.problems(dataDirectory: data)
        let loaded = try Tokenizer.load(path: tokenizer)
        var results = [TokenizerBench.run(name: "tina (hand-written split scanner)", tokenizer: loaded, texts: texts, progress: options.log)]
        if let regexVariant = try loaded.withRegexSplit() {
            results.append(TokenizerBench.run(name: "tina (ICU regex split)", tokenizer: regexVariant, texts: texts, progress: options.log))
        }
        report.tokenizers = results
        try report.emit(options)
    }
}

struct GradeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grade",
        abstract: "Answer-grading throughput (parse both sides and verify, one thread).")
    @OptionGroup var options: BenchOptions
    @Option(parsing: .upToNextOption, help: "JSONL files: {gold, pred} pairs, or data files whose answers are graded against themselves.")
    var sets = ["../shared/reference/answer_equivalence_dev.jsonl", "../shared/data/math500.jsonl"]

    func run() throws {
        var report = BenchReport(suite: "grade", limits: nil)
        report.grading = try sets.map { path in
            GradeBench.run(set: (path as NSString).lastPathComponent, pairs: try GradeBench.pairs(path: path), progress: options.log)
        }
        try report.emit(options)
    }
}
