import ArgumentParser
import Foundation
import TinaCore
import TinaRL

struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "GRPO training from a Tina/TRL YAML recipe (LoRA or full), with checkpoints, metrics and cost.",
        discussion: """
        Reads the recipe's TRL field names (see recipes/README.md); an unknown or misspelled key is an error with a \
        hint. --set key=value overrides a field (repeatable; nested keys as lr_scheduler_kwargs.min_lr_rate). Writes \
        OUTPUT_DIR/metrics.jsonl (a row per logged step), checkpoint-N folders, the final adapter, trainer_state.json \
        with the cost summary, and the curves (tina plot). --resume latest continues from the newest checkpoint; the \
        continuation is bit-identical to an uninterrupted run.
        """)

    @Argument(help: "The recipe (YAML).") var recipe: String
    @Option(name: .customLong("set"), help: "Override a recipe field: key=value (repeatable).") var overrides: [String] = []
    @Option(help: "Resume from a checkpoint folder, or 'latest'.") var resume: String?
    @Option(name: .customLong("price-per-hour"), help: "Machine price in dollars per hour for the cost summary.") var pricePerHour = 0.10
    @Option(help: "Sequences the rollout engine decodes together.") var slots: Int?
    @Flag(name: .customLong("no-plot"), help: "Do not draw the curves at the end.") var noPlot = false

    func run() throws {
        let loaded = try GRPORecipe.load(path: recipe, overrides: overrides)
        for note in loaded.notes { ExitStatus.printError("note: \(note)") }
        var options = GRPOLaunch.Options()
        options.resume = resume
        options.pricePerHour = pricePerHour
        options.machine = "\(CPUInfo.current.brand.trimmingCharacters(in: .whitespaces)), \(Parallel.threadCount) threads"
        options.rolloutSlots = slots
        let run = try GRPOLaunch.prepare(loaded, options: options) { ExitStatus.printError($0) }
        let summary = try run.train { print($0); fflush(nil) }
        print(summary.text)
        print("wrote \(run.directory) (metrics.jsonl, adapter, trainer_state.json)")
        if !noPlot {
            let written = try RunPlots.write(runDirectory: run.directory)
            print("curves: \(written[0])")
        }
    }
}
