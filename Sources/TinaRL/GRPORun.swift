import Foundation
import TinaCore
import TinaFormats
import TinaModels
import TinaTraining

/// The files of a GRPO run directory:
///   metrics.jsonl            one row per logged step (TRL metric names)
///   completions.jsonl        a sample of each logged step's completions with their rewards (GRPOCompletionRow)
///   checkpoint-N/            adapter (PEFT) or model.safetensors (full, with the base's config and tokenizer files),
///                            optimizer.safetensors, trainer_state.json, checkpoint_complete.json
///   adapter_config.json, adapter_model.safetensors (or model.safetensors)   the final weights
///   trainer_state.json       the final state with the cost summary
/// Checkpoints are written as `CheckpointFolders` does it (temporary folder, marker, rename), so a kill never
/// leaves a half-written one that a resume would take.
public final class GRPORun {
    public let directory: String
    public let trainer: GRPOTrainer
    public let cost: CostModel
    public let checkpoints: CheckpointFolders
    public var loggingSteps = 1
    public var saveSteps: Int?
    public var saveTotalLimit: Int?
    /// completions.jsonl gets every completion of this many prompts of each logged step's generation (nil: all;
    /// 0: no file).
    public var loggedCompletionPrompts: Int? = 4
    /// Written into each adapter's config (PEFT's base_model_name_or_path), and, when it is a model directory, where
    /// the config and tokenizer files beside full weights come from.
    public var baseModel: String?

    public init(directory: String, trainer: GRPOTrainer, cost: CostModel) throws {
        self.directory = directory
        self.trainer = trainer
        self.cost = cost
        checkpoints = CheckpointFolders(runDirectory: directory)
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw TinaError.io(path: directory, reason: "cannot create the output directory")
        }
    }

    var metricsPath: String { directory + "/metrics.jsonl" }

    /// The newest complete checkpoint-N folder of the run, if any.
    public func latestCheckpoint() -> String? { checkpoints.latestComplete() }

    /// Trains to the last step, logging, checkpointing and printing `onLine` for each logged step.
    public func train(onLine: (String) -> Void = { _ in }) throws -> GRPOSummary {
        let started = Date()
        // Rows already logged are kept when resuming; rows past the restored step (logged after the checkpoint) go.
        let metrics = try MetricsLog(path: metricsPath, keepingThrough: trainer.state.step)
        let completions = loggedCompletionPrompts == 0 ? nil : try MetricsLog(path: completionsPath, keepingThrough: trainer.state.step)
        try trainer.train { row in
            if row.step % max(1, loggingSteps) == 0 || row.step == trainer.lastStep {
                try metrics.append(row)
                // A generation is shared by numIterations steps: its completions are written once, at its first step.
                if let completions, (row.step - 1) % trainer.settings.numIterations == 0, let batch = trainer.buffered {
                    for line in GRPOCompletionRow.rows(step: row.step, batch: batch, prompts: loggedCompletionPrompts, decode: trainer.decode) {
                        try completions.append(line)
                    }
                }
                onLine(row.line(lastStep: trainer.lastStep))
            }
            if let every = saveSteps, every > 0, row.step % every == 0, row.step % trainer.settings.numIterations == 0 {
                try saveCheckpoint()
            }
        }
        let summary = GRPOSummary(state: trainer.state, cost: cost, parameters: trainer.model.parameterCount,
                                  wallSeconds: Date().timeIntervalSince(started), fullTraining: !trainer.model.fullParameters.isEmpty)
        try writeWeights(to: directory)
        try JSONFile.write(StateFile(state: trainer.state, summary: summary), to: directory + "/trainer_state.json")
        return summary
    }

    /// Saves checkpoint-<step> (weights, optimizer moments, trainer state) and applies `saveTotalLimit`.
    public func saveCheckpoint() throws {
        try checkpoints.write(step: trainer.state.step) { temporary in
            try writeWeights(to: temporary)
            try trainer.optimizer.save(trainer.parameters, to: temporary + "/" + AdamW.checkpointFileName)
            try JSONFile.write(StateFile(state: trainer.state, summary: nil), to: temporary + "/trainer_state.json")
        }
        if let limit = saveTotalLimit { try checkpoints.removeOldest(keeping: limit) }
    }

    /// Restores weights, optimizer moments and trainer state from a complete checkpoint folder.
    public func resume(from checkpoint: String) throws {
        try CheckpointMarker.check(checkpoint)
        try TrainedWeights.restore(trainer.model, from: checkpoint)
        try trainer.optimizer.load(trainer.parameters, from: checkpoint + "/" + AdamW.checkpointFileName)
        trainer.restore(try JSONFile.read(StateFile.self, from: checkpoint + "/trainer_state.json").state)
    }

    func writeWeights(to folder: String) throws {
        try TrainedWeights.write(trainer.model, to: folder, baseModel: baseModel,
                                 modelFiles: TrainedWeights.ModelFiles(baseDirectory: baseModel))
    }

    /// trainer_state.json: the state a resume reads, and the run's summary once it has finished.
    struct StateFile: Codable {
        var state: GRPOState
        var summary: GRPOSummary?
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
