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
        and tokenizer files. Every step is appended to --out/metrics.jsonl and shown as a progress line.
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
    @Option(help: "Stop after this many optimizer steps.") var maxSteps: Int?
    @Option(help: "Examples per optimizer step.") var batch = 8
    @Option(help: "Examples per forward/backward pass (gradient accumulation up to --batch).") var microBatch = 4
    @Option(help: "Drop examples longer than this many tokens.") var maxLength = 2048
    @Option(help: "Warmup ratio of the cosine-with-min-lr schedule (min_lr_rate 0.1).") var warmupRatio = 0.1
    @Option(help: "Seed (shuffling, LoRA init, dropout).") var seed: UInt64 = 42
    @Option(help: "Bad data lines: skip (reported) or fail.") var onError = "skip"

    func validate() throws {
        guard ["skip", "fail"].contains(onError) else { throw ValidationError("--on-error must be skip or fail") }
        guard loraR > 0, batch > 0, microBatch > 0, epochs > 0, maxLength > 1, lr > 0 else {
            throw ValidationError("--lora-r, --batch, --micro-batch, --epochs, --lr must be positive and --max-length > 1")
        }
    }

    func run() throws {
        let model = try modelOptions.load()
        let tokenizerPath = tokenizer ?? modelOptions.model
        let tok = try Tokenizer.load(path: tokenizerPath)
        let chat = try resolveTemplate(template, tokenizer: tok, tokenizerPath: tokenizerPath)
        let loaded = try SFTData.load(path: data, tokenizer: tok, template: chat, maxLength: maxLength, failOnError: onError == "fail")
        for problem in loaded.problems { ExitStatus.printError(problem) }
        ExitStatus.printError("sft: \(loaded.examples.count) examples (\(loaded.problems.count) bad lines skipped, \(loaded.tooLong) longer than \(maxLength) tokens dropped)")
        let parameters: [TrainableParameter]
        if full {
            parameters = try model.enableFullTraining()
        } else {
            let targets = loraTargets.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
            try model.attachNewLoRA(PEFTAdapterConfig(rank: loraR, alpha: loraAlpha ?? Double(2 * loraR), dropout: loraDropout,
                                                      targetModules: targets, baseModel: modelOptions.model), seed: seed)
            parameters = model.loraParameters
        }
        let longest = loaded.examples.map { $0.prompt.count + $0.completion.count }.max() ?? 0
        let stepTokens = loaded.examples.map { $0.prompt.count + $0.completion.count }.sorted(by: >).prefix(microBatch).reduce(0, +)
        ExitStatus.printError("sft: " + model.trainingMemoryEstimate(tokens: stepTokens, longest: longest).summary
                              + " (largest micro-batch: \(stepTokens) tokens)")
        var config = SFTConfig()
        config.learningRate = lr
        config.epochs = epochs
        config.maxSteps = maxSteps
        config.batchSize = batch
        config.microBatch = microBatch
        config.warmupRatio = warmupRatio
        config.seed = seed
        do {
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        } catch {
            throw TinaError.io(path: out, reason: "cannot create the output directory")
        }
        let metricsPath = out + "/metrics.jsonl"
        guard FileManager.default.createFile(atPath: metricsPath, contents: nil),
              let metrics = FileHandle(forWritingAtPath: metricsPath) else { throw TinaError.io(path: metricsPath, reason: "cannot write") }
        defer { try? metrics.close() }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let trainer = try SFTTrainer(model: model, parameters: parameters, config: config)
        try trainer.train(loaded.examples) { log in
            if let line = try? encoder.encode(log) { metrics.write(line + Data("\n".utf8)) }
            ExitStatus.printError(String(format: "step %d  epoch %d  loss %.4f  lr %.2e  grad-norm %.3f  %.0f tok/s  ETA %.0f s",
                                         log.step, log.epoch, log.loss, log.learningRate, log.gradientNorm, log.tokensPerSecond, log.etaSeconds))
        }
        if full {
            let tensors = parameters.map { (name: $0.name, tensor: $0.value) }
            try SafetensorsWriter.write(tensors, metadata: ["format": "pt"], to: out + "/" + SafetensorsCheckpoint.singleFileName)
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: modelOptions.model, isDirectory: &isDirectory), isDirectory.boolValue {
                try LoRAMerge.copyModelFiles(from: modelOptions.model, to: out)
            }
            print("wrote the fine-tuned weights to \(out)")
        } else if let adapter = try model.exportLoRA(baseModel: modelOptions.model) {
            try adapter.write(directory: out)
            print("wrote the LoRA adapter to \(out)")
        }
    }
}
