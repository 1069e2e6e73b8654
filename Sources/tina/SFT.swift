import ArgumentParser
import Foundation
import TinaCore
import TinaFormats
import TinaModels
import TinaTokenizers
import TinaTraining

struct SFT: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sft",
        abstract: "Supervised fine-tuning (LoRA, or all weights with --full) on JSONL prompt/completion or messages.",
        discussion: """
        Each line is {"prompt": ..., "completion": ...} (the prompt goes through the chat template as a user message) \
        or {"messages": [...]} ending with the assistant's reply. The loss is the mean NLL of the completion tokens. \
        LoRA writes a PEFT adapter into --out; --full (f32 weights) writes model.safetensors with the base's config \
        and tokenizer files. Every step is appended to --out/metrics.jsonl (step, epoch, loss, learningRate, \
        gradientNorm, tokens, tokensPerSecond, elapsedSeconds, etaSeconds; evalLoss on evaluation steps) and shown as \
        a progress line. With --eval-data, the held-out loss (mean NLL per completion token) is computed every \
        --eval-steps steps and after the last.

        Every --save-steps steps, --out/checkpoint-N holds the weights (adapter, or full weights with config and \
        tokenizer), the AdamW moments (optimizer.safetensors) and trainer_state.json (step, epoch, data position, \
        the settings the run depends on); it is written to a temporary folder, sealed with checkpoint_complete.json \
        and renamed, so a killed run never leaves a checkpoint that looks complete. --resume latest continues from \
        the newest complete checkpoint in --out (or --resume DIR from a given one) with the same command line: the \
        result is bit-identical to an uninterrupted run. Resuming with other data or settings is refused.
        """)

    @OptionGroup var modelOptions: ModelOptions
    @Option(help: "Training data (JSONL).") var data: String
    @Option(help: "Output directory (created if missing).") var out: String
    @Option(help: "Tokenizer path (default: the model path).") var tokenizer: String?
    @Option(help: "Chat template: a built-in name or a Jinja file (default: the tokenizer's).") var template: String?
    @Flag(help: "Train every weight (f32) instead of a LoRA adapter.") var full = false
    @Option(help: "LoRA rank.") var loraR = 32
    @Option(help: "LoRA alpha (default 2 x rank).") var loraAlpha: Double?
    @Option(help: "LoRA dropout.") var loraDropout = 0.05
    @Option(help: "Comma-separated LoRA target modules.") var loraTargets = "q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj"
    @Option(help: "Peak learning rate.") var lr = 1e-4
    @Option(help: "Epochs over the data.") var epochs = 1
    @Option(help: "Stop after this many optimizer steps (the schedule runs over them).") var maxSteps: Int?
    @Option(help: "Stop after this step and checkpoint it, keeping the whole run's schedule (continue with --resume latest).") var stopAtStep: Int?
    @Option(help: "Examples per optimizer step.") var batch = 8
    @Option(help: "Examples per forward/backward pass (gradient accumulation up to --batch).") var microBatch = 4
    @Option(help: "Drop examples longer than this many tokens.") var maxLength = 2048
    @Option(help: "Warmup ratio of the cosine-with-min-lr schedule (min_lr_rate 0.1).") var warmupRatio = 0.1
    @Option(help: "Seed (shuffling, LoRA init, dropout).") var seed: UInt64 = 42
    @Option(help: "Bad data lines: skip (reported) or fail.") var onError = "skip"
    @Option(help: "Held-out data (JSONL, same formats) for the evaluation loss.") var evalData: String?
    @Option(help: "Evaluate every this many steps (default: after the last step only).") var evalSteps: Int?
    @Option(help: "Save a checkpoint every this many steps (0: none).") var saveSteps = 500
    @Option(help: "Keep only the newest this many checkpoints.") var saveTotalLimit: Int?
    @Option(help: "Resume from 'latest' (the newest complete checkpoint in --out) or a checkpoint folder.") var resume: String?
    @Flag(name: .customLong("gradient-checkpointing"), help: "Keep only each layer's input and recompute its activations in the backward (same gradients, less memory, ~1 more forward of compute).")
    var gradientCheckpointing = false

    func validate() throws {
        guard ["skip", "fail"].contains(onError) else { throw ValidationError("--on-error must be skip or fail") }
        guard loraR > 0, batch > 0, microBatch > 0, epochs > 0, maxLength > 1, lr > 0 else {
            throw ValidationError("--lora-r, --batch, --micro-batch, --epochs, --lr must be positive and --max-length > 1")
        }
        guard saveSteps >= 0, (saveTotalLimit ?? 1) > 0, (evalSteps ?? 1) > 0, (stopAtStep ?? 1) > 0, (maxSteps ?? 1) > 0 else {
            throw ValidationError("--save-steps must be >= 0; --save-total-limit, --eval-steps, --stop-at-step and --max-steps positive")
        }
        if evalSteps != nil && evalData == nil { throw ValidationError("--eval-steps needs --eval-data") }
    }

    func run() throws {
        let model = try modelOptions.load()
        model.gradientCheckpointing = gradientCheckpointing
        let tokenizerPath = tokenizer ?? modelOptions.model
        let tok = try Tokenizer.load(path: tokenizerPath)
        let chat = try resolveTemplate(template, tokenizer: tok, tokenizerPath: tokenizerPath)
        let loaded = try load(data, what: "", tokenizer: tok, template: chat)
        let held = try evalData.map { try load($0, what: "held-out ", tokenizer: tok, template: chat) }
        let parameters = try trainableParameters(model)
        let longest = loaded.examples.map { $0.prompt.count + $0.completion.count }.max() ?? 0
        let stepTokens = loaded.examples.map { $0.prompt.count + $0.completion.count }.sorted(by: >).prefix(microBatch).reduce(0, +)
        ExitStatus.printError("sft: " + model.trainingMemoryEstimate(tokens: stepTokens, longest: longest).summary
                              + " (largest micro-batch: \(stepTokens) tokens)")
        let trainer = try SFTTrainer(model: model, parameters: parameters, config: config(), examples: loaded.examples,
                                     evalExamples: held?.examples ?? [])
        let run = try SFTRun(directory: out, trainer: trainer)
        run.saveSteps = saveSteps
        run.saveTotalLimit = saveTotalLimit
        run.baseModel = modelOptions.model
        run.modelFiles = TrainedWeights.ModelFiles(baseDirectory: modelOptions.model, tokenizerDirectory: tokenizerPath)
        if full && !TrainedWeights.ModelFiles.isDirectory(modelOptions.model) {
            ExitStatus.printError("warning: --model is not a directory: the full weights are written without config.json and tokenizer files")
        }
        try start(run)
        try run.train { log in
            var line = String(format: "step %d/%d  epoch %d  loss %.4f  lr %.2e  grad-norm %.3f  %.0f tok/s  ETA %.0f s",
                              log.step, trainer.lastStep, log.epoch, log.loss, log.learningRate, log.gradientNorm,
                              log.tokensPerSecond, log.etaSeconds)
            if let evalLoss = log.evalLoss { line += String(format: "  eval-loss %.4f", evalLoss) }
            ExitStatus.printError(line)
        }
        print(full ? "wrote the fine-tuned weights to \(out)" : "wrote the LoRA adapter to \(out)")
    }

    private func load(_ path: String, what: String, tokenizer: Tokenizer, template: ChatTemplate) throws -> SFTData.Loaded {
        let loaded = try SFTData.load(path: path, tokenizer: tokenizer, template: template, maxLength: maxLength, failOnError: onError == "fail")
        for problem in loaded.problems { ExitStatus.printError(problem) }
        ExitStatus.printError("sft: \(loaded.examples.count) \(what)examples (\(loaded.problems.count) bad lines skipped, \(loaded.tooLong) longer than \(maxLength) tokens dropped)")
        return loaded
    }

    /// All weights with --full, else a new LoRA adapter (seeded: a resumed run attaches the same one, then loads
    /// the checkpoint's weights into it).
    private func trainableParameters(_ model: DecoderModel) throws -> [TrainableParameter] {
        if full { return try model.enableFullTraining() }
        let targets = loraTargets.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
        try model.attachNewLoRA(PEFTAdapterConfig(rank: loraR, alpha: loraAlpha ?? Double(2 * loraR), dropout: loraDropout,
                                                  targetModules: targets, baseModel: modelOptions.model), seed: seed)
        return model.loraParameters
    }

    private func config() -> SFTConfig {
        var config = SFTConfig()
        config.learningRate = lr
        config.epochs = epochs
        config.maxSteps = maxSteps
        config.stopAtStep = stopAtStep
        config.batchSize = batch
        config.microBatch = microBatch
        config.warmupRatio = warmupRatio
        config.seed = seed
        config.evalSteps = evalSteps
        return config
    }

    /// Resumes when asked; otherwise refuses an --out that holds another run's checkpoints, which a later
    /// --resume latest or --save-total-limit would mix with this run's.
    private func start(_ run: SFTRun) throws {
        if let resume {
            let folder = try run.checkpoints.resolve(resume)
            try run.resume(from: folder)
            ExitStatus.printError("sft: resumed from \(folder) at step \(run.trainer.state.step) of \(run.trainer.totalSteps)")
        } else if let existing = run.checkpoints.latestComplete() {
            throw TinaError.invalidArgument("\(existing) is a checkpoint of an earlier run: continue it with --resume latest, or choose another --out")
        }
    }
}
