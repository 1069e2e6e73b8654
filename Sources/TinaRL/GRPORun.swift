import Foundation
import TinaCore
import TinaFormats
import TinaModels
import TinaTraining

/// The files of a GRPO run directory:
///   metrics.jsonl            one row per logged step (TRL metric names)
///   completions.jsonl        a sample of each logged step's completions with their rewards (GRPOCompletionRow)
///   checkpoint-N/            adapter (PEFT) or model.safetensors (full), optimizer.safetensors, trainer_state.json
///   adapter_config.json, adapter_model.safetensors (or model.safetensors)   the final weights
///   trainer_state.json       the final state with the cost summary
/// Checkpoints are written to a temporary folder and renamed, so a kill never leaves a half-written one.
public final class GRPORun {
    public let directory: String
    public let trainer: GRPOTrainer
    public let cost: CostModel
    public var loggingSteps = 1
    public var saveSteps: Int?
    public var saveTotalLimit: Int?
    /// completions.jsonl gets every completion of this many prompts of each logged step's generation (nil: all;
    /// 0: no file).
    public var loggedCompletionPrompts: Int? = 4
    /// Written into each adapter's config (PEFT's base_model_name_or_path).
    public var baseModel: String?

    public init(directory: String, trainer: GRPOTrainer, cost: CostModel) throws {
        self.directory = directory
        self.trainer = trainer
        self.cost = cost
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw TinaError.io(path: directory, reason: "cannot create the output directory")
        }
    }

    var metricsPath: String { directory + "/metrics.jsonl" }

    /// The newest checkpoint-N folder of the run, if any.
    public func latestCheckpoint() -> String? {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        let steps = names.compactMap { $0.hasPrefix("checkpoint-") ? Int($0.dropFirst("checkpoint-".count)) : nil }
        return steps.max().map { directory + "/checkpoint-\($0)" }
    }

    /// Trains to the last step, logging, checkpointing and printing `onLine` for each logged step.
    public func train(onLine: (String) -> Void = { _ in }) throws -> GRPOSummary {
        let started = Date()
        let metricsHandle = try openMetrics()
        defer { try? metricsHandle.close() }
        let completionsHandle = loggedCompletionPrompts == 0 ? nil : try openCompletions()
        defer { try? completionsHandle?.close() }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try trainer.train { metrics in
            if metrics.step % max(1, loggingSteps) == 0 || metrics.step == trainer.lastStep {
                metricsHandle.write(try encoder.encode(metrics) + Data("\n".utf8))
                // A generation is shared by numIterations steps: its completions are written once, at its first step.
                if let completionsHandle, (metrics.step - 1) % trainer.settings.numIterations == 0, let batch = trainer.buffered {
                    for row in GRPOCompletionRow.rows(step: metrics.step, batch: batch, prompts: loggedCompletionPrompts, decode: trainer.decode) {
                        completionsHandle.write(try encoder.encode(row) + Data("\n".utf8))
                    }
                }
                onLine(metrics.line(lastStep: trainer.lastStep))
            }
            if let every = saveSteps, every > 0, metrics.step % every == 0, metrics.step % trainer.settings.numIterations == 0 {
                try saveCheckpoint()
            }
        }
        let summary = GRPOSummary(state: trainer.state, cost: cost, parameters: trainer.model.parameterCount,
                                  wallSeconds: Date().timeIntervalSince(started), fullTraining: !trainer.model.fullParameters.isEmpty)
        try writeWeights(to: directory)
        try writeState(trainer.state, summary: summary, to: directory + "/trainer_state.json")
        return summary
    }

    /// Rows already logged are kept when resuming; rows past the restored step (logged after the checkpoint) go.
    private func openMetrics() throws -> FileHandle {
        let step = trainer.state.step
        var kept = ""
        if step > 0, let text = try? String(contentsOfFile: metricsPath, encoding: .utf8) {
            for line in text.split(separator: "\n") {
                if let row = try? JSONDecoder().decode(GRPOStepMetrics.self, from: Data(line.utf8)), row.step <= step { kept += line + "\n" }
            }
        }
        guard FileManager.default.createFile(atPath: metricsPath, contents: Data(kept.utf8)),
              let handle = FileHandle(forWritingAtPath: metricsPath) else {
            throw TinaError.io(path: metricsPath, reason: "cannot write")
        }
        handle.seekToEndOfFile()
        return handle
    }

    /// Saves checkpoint-<step> (weights, optimizer moments, trainer state) and applies `saveTotalLimit`.
    public func saveCheckpoint() throws {
        let step = trainer.state.step
        let final = directory + "/checkpoint-\(step)"
        let temporary = directory + "/.checkpoint-\(step).tmp"
        let fm = FileManager.default
        try? fm.removeItem(atPath: temporary)
        do { try fm.createDirectory(atPath: temporary, withIntermediateDirectories: true) } catch {
            throw TinaError.io(path: temporary, reason: "cannot create")
        }
        try writeWeights(to: temporary)
        var moments: [(name: String, tensor: Tensor)] = []
        for (i, p) in trainer.parameters.enumerated() {
            guard let (m, v) = trainer.optimizer.moments(of: p) else { continue }
            moments.append(("\(i).\(p.name).exp_avg", try Tensor(shape: m.shape, values: try trainer.model.backend.download(m))))
            moments.append(("\(i).\(p.name).exp_avg_sq", try Tensor(shape: v.shape, values: try trainer.model.backend.download(v))))
        }
        try SafetensorsWriter.write(moments, metadata: ["step": String(trainer.optimizer.step)], to: temporary + "/optimizer.safetensors")
        try writeState(trainer.state, summary: nil, to: temporary + "/trainer_state.json")
        try? fm.removeItem(atPath: final)
        do { try fm.moveItem(atPath: temporary, toPath: final) } catch {
            throw TinaError.io(path: final, reason: "cannot move the checkpoint into place")
        }
        if let limit = saveTotalLimit, limit > 0 {
            let names = (try? fm.contentsOfDirectory(atPath: directory)) ?? []
            let steps = names.compactMap { $0.hasPrefix("checkpoint-") ? Int($0.dropFirst("checkpoint-".count)) : nil }.sorted()
            for old in steps.dropLast(limit) { try? fm.removeItem(atPath: directory + "/checkpoint-\(old)") }
        }
    }

    /// Restores weights, optimizer moments and trainer state from a checkpoint folder.
    public func resume(from checkpoint: String) throws {
        let model = trainer.model
        if model.fullParameters.isEmpty {
            let adapter = try PEFTAdapterFile.read(directory: checkpoint)
            guard let current = try model.exportLoRA() else { throw TinaError.invalidArgument("resume: the model has no LoRA adapter attached") }
            guard current.config.rank == adapter.config.rank, Set(current.modules.keys) == Set(adapter.modules.keys) else {
                throw TinaError.malformed(source: checkpoint, reason: "the checkpoint's adapter (rank \(adapter.config.rank), \(adapter.modules.count) modules) does not match the run's (rank \(current.config.rank), \(current.modules.count) modules)")
            }
            try model.loadLoRAWeights(adapter, source: checkpoint)
        } else {
            let file = try SafetensorsFile(path: checkpoint + "/" + SafetensorsCheckpoint.singleFileName)
            for (name, p) in model.fullParameters {
                try model.backend.copy(try model.backend.upload(try file.tensor(name)), into: p.value)
            }
        }
        let optimizerFile = try SafetensorsFile(path: checkpoint + "/optimizer.safetensors")
        var saved: [(parameter: TrainableParameter, m: Tensor, v: Tensor)] = []
        for (i, p) in trainer.parameters.enumerated() {
            let key = "\(i).\(p.name)"
            guard optimizerFile.entry(key + ".exp_avg") != nil else { continue }
            saved.append((p, try optimizerFile.tensor(key + ".exp_avg"), try optimizerFile.tensor(key + ".exp_avg_sq")))
        }
        guard let stepText = optimizerFile.metadata["step"], let optimizerStep = Int(stepText) else {
            throw TinaError.malformed(source: checkpoint + "/optimizer.safetensors", reason: "no optimizer step in the metadata")
        }
        try trainer.optimizer.restore(step: optimizerStep, moments: saved)
        let statePath = checkpoint + "/trainer_state.json"
        guard let data = FileManager.default.contents(atPath: statePath) else { throw TinaError.io(path: statePath, reason: "cannot read") }
        do {
            trainer.restore(try JSONDecoder().decode(StateFile.self, from: data).state)
        } catch {
            throw TinaError.malformed(source: statePath, reason: "not a trainer state (\(error))")
        }
    }

    func writeWeights(to folder: String) throws {
        let model = trainer.model
        if model.fullParameters.isEmpty {
            guard let adapter = try model.exportLoRA(baseModel: baseModel) else { throw TinaError.invalidArgument("no adapter to save") }
            try adapter.write(directory: folder)
        } else {
            let tensors = try model.fullParameters.keys.sorted().compactMap { name -> (name: String, tensor: Tensor)? in
                guard let p = model.fullParameters[name] else { return nil }
                return (name, try Tensor(shape: p.value.shape, values: try model.backend.download(p.value)))
            }
            try SafetensorsWriter.write(tensors, metadata: ["format": "pt"], to: folder + "/" + SafetensorsCheckpoint.singleFileName)
        }
    }

    /// trainer_state.json: the state a resume reads, and the run's summary once it has finished.
    struct StateFile: Codable {
        var state: GRPOState
        var summary: GRPOSummary?
    }

    func writeState(_ state: GRPOState, summary: GRPOSummary?, to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let writer = try AtomicFileWriter(path: path)
        try writer.write(Array(try encoder.encode(StateFile(state: state, summary: summary))))
        try writer.commit()
    }
}

extension DecoderModel {
    /// Parameters of the base model (embedding counted once when tied).
    public var parameterCount: Int {
        let c = config
        let q = c.headCount * c.headDim, kv = c.kvHeadCount * c.headDim
        let attention = c.hiddenSize * (q + 2 * kv) + q * c.hiddenSize + (c.qkvBias ? q + 2 * kv : 0)
        let mlp = 3 * c.hiddenSize * c.intermediateSize
        let perLayer = attention + mlp + 2 * c.hiddenSize
        return c.vocabSize * c.hiddenSize * (c.tieWordEmbeddings ? 1 : 2) + c.layerCount * perLayer + c.hiddenSize
    }
}
