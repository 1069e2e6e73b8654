import Foundation
import TinaCore
import TinaFormats
import TinaModels

/// The files of an SFT output directory:
///   metrics.jsonl          one row per optimizer step (an SFTLog; evalLoss on evaluation steps)
///   checkpoint-N/          the weights (see `TrainedWeights`), optimizer.safetensors, trainer_state.json (SFTState),
///                          checkpoint_complete.json (see `CheckpointFolders` for how they are written)
///   the final weights      adapter_config.json + adapter_model.safetensors, or model.safetensors + config/tokenizer
///   trainer_state.json     the state after the last step
public final class SFTRun {
    public static let stateFileName = "trainer_state.json"

    public let directory: String
    public let trainer: SFTTrainer
    public let checkpoints: CheckpointFolders
    /// Save a checkpoint every this many steps (nil or 0: none).
    public var saveSteps: Int?
    /// Keep at most this many checkpoints, deleting the oldest (nil: all).
    public var saveTotalLimit: Int?
    /// PEFT's base_model_name_or_path in each adapter config.
    public var baseModel: String?
    /// Where the config and tokenizer files written beside full weights come from.
    public var modelFiles = TrainedWeights.ModelFiles(baseDirectory: nil)

    public init(directory: String, trainer: SFTTrainer) throws {
        self.directory = directory
        self.trainer = trainer
        checkpoints = CheckpointFolders(runDirectory: directory)
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw TinaError.io(path: directory, reason: "cannot create the output directory")
        }
    }

    public var metricsPath: String { directory + "/metrics.jsonl" }

    /// Restores weights, optimizer moments and trainer state from a complete checkpoint folder.
    public func resume(from checkpoint: String) throws {
        try CheckpointMarker.check(checkpoint)
        try TrainedWeights.restore(trainer.model, from: checkpoint)
        try trainer.optimizer.load(trainer.parameters, from: checkpoint + "/" + AdamW.checkpointFileName)
        let statePath = checkpoint + "/" + Self.stateFileName
        do { try trainer.restore(try JSONFile.read(SFTState.self, from: statePath)) } catch let TinaError.invalidArgument(reason) {
            throw TinaError.invalidArgument("\(statePath): \(reason)")
        }
    }

    /// Trains to the trainer's last step, appending each step to metrics.jsonl and checkpointing every `saveSteps`
    /// (and at the last step when it stops before the schedule's end); then writes the final weights and state into
    /// the directory. Returns this session's logs.
    @discardableResult
    public func train(onStep: (SFTLog) -> Void = { _ in }) throws -> [SFTLog] {
        let metrics = try MetricsLog(path: metricsPath, keepingThrough: trainer.state.step)
        let logs = try trainer.train { log in
            try metrics.append(log)
            onStep(log)
            if let every = saveSteps, every > 0, log.step % every == 0 { try saveCheckpoint() }
        }
        // A run stopped before the end of its schedule (stopAtStep) is meant to be resumed: keep its last step.
        if trainer.state.step < trainer.totalSteps, !CheckpointMarker.isComplete(checkpoints.path(step: trainer.state.step)) {
            try saveCheckpoint()
        }
        try writeWeightsAndState(to: directory)
        return logs
    }

    /// Saves checkpoint-<step> and applies `saveTotalLimit`.
    @discardableResult
    public func saveCheckpoint() throws -> String {
        let folder = try checkpoints.write(step: trainer.state.step) { temporary in
            try writeWeightsAndState(to: temporary)
            try trainer.optimizer.save(trainer.parameters, to: temporary + "/" + AdamW.checkpointFileName)
        }
        if let limit = saveTotalLimit { try checkpoints.removeOldest(keeping: limit) }
        return folder
    }

    private func writeWeightsAndState(to folder: String) throws {
        try TrainedWeights.write(trainer.model, to: folder, baseModel: baseModel, modelFiles: modelFiles)
        try JSONFile.write(trainer.state, to: folder + "/" + Self.stateFileName)
    }
}
