import Foundation
import TinaCore
import TinaFormats
import TinaGeneration
import TinaModels
import TinaTokenizers

/// Everything `tina train RECIPE.yaml` sets up before the first step: the model (one `Checkpoint.open`), the
/// dataset and its prompts (chat template, system prompt, left truncation), LoRA or full training, the rewards,
/// the trainer and its run directory (resumed from a checkpoint when asked).
public enum GRPOLaunch {
    public struct Options: Sendable {
        /// Resume from this checkpoint folder; "latest" takes the run directory's newest.
        public var resume: String?
        public var pricePerHour = 0.0
        public var machine = "cpu"
        public var rolloutSlots: Int?
        public var kvCacheBytes: Int?
        public init() {}
    }

    /// Builds the run; `say` receives the human-readable setup lines (dataset problems, prompt truncation, memory).
    public static func prepare(_ recipe: GRPORecipe, options: Options = Options(), say: (String) -> Void = { _ in }) throws -> GRPORun {
        guard let modelPath = recipe.modelNameOrPath else { throw TinaError.invalidArgument("the recipe names no model_name_or_path") }
        let checkpoint = try Checkpoint.open(modelPath)
        let tokenizer = try checkpoint.requireTokenizer()
        let dataset = try GRPODataset.load(recipe: recipe)
        for problem in dataset.problems.prefix(20) { say(problem) }
        if dataset.problems.count > 20 { say("... \(dataset.problems.count - 20) more bad lines") }
        let builder = try PromptBuilder(recipe: recipe, tokenizer: tokenizer)
        var stats = PromptStats()
        var prompts: [GRPOPrompt] = []
        for example in dataset.examples {
            let built = try builder.build(example.problem)
            stats.record(built)
            prompts.append(GRPOPrompt(index: example.index, tokens: built.ids, solution: example.solution))
        }
        say("dataset \(dataset.path): \(dataset.count) prompts (\(dataset.problems.count) bad lines skipped; \(dataset.mapping)); "
            + "\(stats.truncated) prompts truncated from the left to \(recipe.maxPromptLength.map(String.init) ?? "-") tokens, longest \(stats.longest)")
        var settings = try recipe.settings(datasetSize: dataset.count)
        if let slots = options.rolloutSlots { settings.rolloutSlots = slots }
        if let bytes = options.kvCacheBytes { settings.kvCacheBytes = bytes }
        let model = checkpoint.model
        if recipe.usePeft {
            try model.attachNewLoRA(PEFTAdapterConfig(rank: recipe.loraR, alpha: Double(recipe.loraAlpha), dropout: recipe.loraDropout,
                                                      useRSLoRA: recipe.useRslora, targetModules: recipe.resolvedLoraTargetModules,
                                                      baseModel: modelPath), seed: UInt64(recipe.seed))
        } else {
            _ = try model.enableFullTraining()
        }
        let trainable = model.fullParameters.isEmpty ? model.loraParameters.reduce(0) { $0 + $1.value.count }
                                                     : model.fullParameters.values.reduce(0) { $0 + $1.value.count }
        say(String(format: "model %@: %.1fM parameters, %@ %.2fM trainable (%.2f%%)", modelPath, Double(model.parameterCount) / 1e6,
                   recipe.usePeft ? "LoRA r=\(recipe.loraR)" : "full", Double(trainable) / 1e6, 100 * Double(trainable) / Double(model.parameterCount)))
        let longest = (stats.longest + settings.maxCompletionLength)
        let microTokens = settings.promptsPerMicroBatch * settings.generations * min(longest, settings.maxPromptLength + settings.maxCompletionLength)
        say(model.trainingMemoryEstimate(tokens: microTokens, longest: longest).summary + " (largest micro-batch: \(microTokens) tokens)")
        let decode: @Sendable ([Int]) -> String = { tokenizer.decode($0, skipSpecialTokens: true) }
        let trainer = try GRPOTrainer(model: model, settings: settings, prompts: prompts, rewards: try recipe.rewardFunctions(),
                                      stopTokenIDs: checkpoint.stopTokenIDs, decode: decode)
        let run = try GRPORun(directory: recipe.resolvedOutputDir, trainer: trainer,
                              cost: CostModel(pricePerHour: options.pricePerHour, machine: options.machine))
        run.loggingSteps = recipe.loggingSteps
        run.saveSteps = recipe.saveStrategy == .steps ? recipe.saveSteps : nil
        run.saveTotalLimit = recipe.saveTotalLimit
        run.baseModel = modelPath
        try GRPORun.writeText(try recipe.resolvedYAML(), to: recipe.resolvedOutputDir + "/recipe.yaml")
        if let resume = options.resume {
            let folder = try run.checkpoints.resolve(resume)
            try run.resume(from: folder)
            say("resumed from \(folder) at step \(trainer.state.step)")
        }
        say("\(settings.promptsPerStep) prompts x \(settings.generations) completions per step, steps \(trainer.state.step + 1)...\(trainer.lastStep) (schedule over \(settings.maxSteps))")
        return run
    }
}

extension GRPORun {
    static func writeText(_ text: String, to path: String) throws {
        let writer = try AtomicFileWriter(path: path)
        try writer.write(Array(text.utf8))
        try writer.commit()
    }
}
