import ArgumentParser
import Foundation
import TinaCore
import TinaDemo

struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "The embedded demo: evaluate a tiny reasoning model, improve it with LoRA-GRPO, evaluate again.",
        discussion: """
        Uses the model shipped in demo/base (a 1.6M-parameter Qwen2 trained from scratch by demo/make_base.sh on \
        imperfect step-by-step arithmetic solutions). Prints a before/after table with 95% bootstrap intervals and \
        writes OUT/demo_summary.json, OUT/grpo/ (PEFT adapter, metrics.jsonl, trainer_state.json) and OUT/grpo/index.html \
        with the curves.
        """)

    @Option(help: "The base model (default: demo/base of this repository).") var model: String?
    @Option(help: "Output directory.") var out = "runs/demo"
    @Option(help: "GRPO steps.") var steps: Int?
    @Option(help: "Seed (problems, LoRA init, sampling).") var seed: UInt64 = 1
    @Flag(help: "Full-parameter RL instead of LoRA.") var full = false
    @Option(name: .customLong("held-out"), help: "Held-out problems evaluated.") var heldOut: Int?
    @Option(help: "Harder problems evaluated.") var harder: Int?
    @Option(help: "Samples per evaluated problem.") var samples: Int?
    @Option(name: .customLong("learning-rate"), help: "Peak learning rate.") var learningRate: Double?
    @Option(name: .customLong("prompts-per-step"), help: "Prompts per GRPO step.") var promptsPerStep: Int?
    @Option(help: "Completions per prompt (G).") var generations: Int?
    @Option(help: "KL coefficient.") var beta: Double?
    @Option(help: "Sampling temperature of the rollouts.") var temperature: Float?
    @Option(name: .customLong("lora-rank"), help: "LoRA rank (alpha = 4 x rank).") var loraRank: Int?
    @Option(name: .customLong("price-per-hour"), help: "Machine price in dollars per hour for the cost line.") var pricePerHour = 0.10

    func run() throws {
        var options = DemoOptions(model: try model ?? Self.embeddedModel(), outputDirectory: out)
        options.seed = seed
        options.full = full
        if let steps { options.steps = steps }
        if let heldOut { options.heldOutProblems = heldOut }
        if let harder { options.harderProblems = harder }
        if let samples { options.evalSamples = samples }
        if let learningRate { options.learningRate = learningRate }
        if let promptsPerStep { options.promptsPerStep = promptsPerStep }
        if let generations { options.generations = generations }
        if let beta { options.beta = beta }
        if let temperature { options.temperature = temperature }
        if let loraRank { options.loraRank = loraRank; options.loraAlpha = Double(4 * loraRank) }
        options.pricePerHour = pricePerHour
        options.machine = "\(CPUInfo.current.brand.trimmingCharacters(in: .whitespaces)), \(Parallel.threadCount) threads"
        guard options.steps > 0, options.heldOutProblems > 0, options.harderProblems > 0, options.evalSamples > 0 else {
            throw ValidationError("--steps, --held-out, --harder and --samples must be positive")
        }
        let report = try DemoRunner(options: options).run { print($0); fflush(nil) }
        print("")
        print(report.table)
        print("")
        print(report.training.text)
        print(String(format: "demo finished in %.1f s; %@ (%d trainable of %d parameters, %.2f%%)", report.totalSeconds,
                     report.mode == "lora" ? "LoRA adapter (PEFT) in \(report.adapterDirectory)" : "weights in \(report.adapterDirectory)",
                     report.trainableParameters, report.modelParameters, 100 * Double(report.trainableParameters) / Double(report.modelParameters)))
        print("curves: \(report.page); summary: \(out)/demo_summary.json")
    }

    /// demo/base in the current directory, else in the repository this binary was built from.
    static func embeddedModel() throws -> String {
        if FileManager.default.fileExists(atPath: "demo/base/config.json") { return "demo/base" }
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let path = repo.appendingPathComponent("demo/base").path
        guard FileManager.default.fileExists(atPath: path + "/config.json") else {
            throw TinaError.io(path: "demo/base", reason: "the embedded demo model is missing; run from the repository root or pass --model")
        }
        return path
    }
}
