import Foundation
import Testing
import TinaCore
import TinaFormats
import TinaModels
import TinaTestSupport
import TinaTraining

/// Checkpoints and resume of `SFTRun`: a run stopped part-way (with a killed checkpoint write left behind) and
/// resumed in a fresh model ends with the same bytes as a run that never stopped: weights, AdamW moments, every
/// logged number. LoRA dropout, gradient accumulation, epochs crossing, warmup + cosine, weight decay and held-out
/// evaluation are all on, so each piece of state a resume needs is exercised.
@Suite struct SFTResumeTests {
    static let examples = [
        SFTExample(prompt: [1, 5, 9], completion: [40, 41, 42, 43]),
        SFTExample(prompt: [2, 6], completion: [50, 51, 52]),
        SFTExample(prompt: [3, 7, 11, 13], completion: [60, 61]),
        SFTExample(prompt: [4], completion: [70, 71, 72, 73, 74]),
        SFTExample(prompt: [8, 9], completion: [20, 21, 22]),
        SFTExample(prompt: [10, 12, 14], completion: [30, 31]),
    ]
    static let heldOut = [SFTExample(prompt: [1, 5], completion: [40, 41, 42]), SFTExample(prompt: [4, 4], completion: [70, 71])]

    /// 6 examples, batch 4: steps of 4 and 2 examples per epoch, 4 epochs = 8 steps.
    static func config(stopAt: Int? = nil, seed: UInt64 = 7) -> SFTConfig {
        var c = SFTConfig()
        c.learningRate = 5e-3
        c.epochs = 4
        c.stopAtStep = stopAt
        c.batchSize = 4
        c.microBatch = 2
        c.warmupRatio = 0.25
        c.weightDecay = 0.01
        c.seed = seed
        c.evalSteps = 3
        return c
    }

    static let loraFixture = Paths.fixture("decoder/qwen2-gqa2")
    static let fullFixture = Paths.fixture("decoder/qwen2-mha-tied")

    /// A fresh process's view: the model loaded again, a new adapter attached (same seed), a new trainer and run.
    static func loraRun(_ directory: String, stopAt: Int? = nil, seed: UInt64 = 7) throws -> SFTRun {
        let model = try DecoderModel.load(path: loraFixture, precision: .f32)
        try model.attachNewLoRA(PEFTAdapterConfig(rank: 4, alpha: 8, dropout: 0.1, targetModules: ["q_proj", "v_proj", "down_proj"]), seed: 3)
        let trainer = try SFTTrainer(model: model, parameters: model.loraParameters, config: config(stopAt: stopAt, seed: seed),
                                     examples: examples, evalExamples: heldOut)
        let run = try SFTRun(directory: directory, trainer: trainer)
        run.saveSteps = 3
        run.saveTotalLimit = 1
        return run
    }

    static func fullRun(_ directory: String, stopAt: Int? = nil) throws -> SFTRun {
        let model = try DecoderModel.load(path: fullFixture, precision: .f32)
        let examples = Self.examples.map { SFTExample(prompt: $0.prompt, completion: $0.completion.map { $0 % 80 }) }
        let trainer = try SFTTrainer(model: model, parameters: try model.enableFullTraining(), config: config(stopAt: stopAt),
                                     examples: examples)
        let run = try SFTRun(directory: directory, trainer: trainer)
        run.saveSteps = 2
        run.modelFiles = TrainedWeights.ModelFiles(baseDirectory: fullFixture)
        return run
    }

    static func bytes(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

    static func metrics(_ directory: String) throws -> [SFTLog] {
        try String(contentsOfFile: directory + "/metrics.jsonl", encoding: .utf8).split(separator: "\n")
            .map { try JSONDecoder().decode(SFTLog.self, from: Data($0.utf8)) }
    }

    /// The logged numbers a resume must reproduce (timings excluded).
    static func trajectory(_ logs: [SFTLog]) -> [[Double?]] {
        logs.map { [Double($0.step), Double($0.epoch), $0.loss, $0.learningRate, $0.gradientNorm, Double($0.tokens), $0.evalLoss] }
    }

    @Test func loraResumeAfterAStopAndAKilledWriteIsBitIdentical() throws {
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let straightDir = root + "/straight", resumedDir = root + "/resumed"

        let straight = try Self.loraRun(straightDir)
        try straight.train()
        #expect(straight.checkpoints.completeSteps() == [6])  // 3 and 6 written, the limit keeps one

        // Stopped after step 5: checkpoint-3, then checkpoint-5 for the stop; the limit leaves checkpoint-5.
        let first = try Self.loraRun(resumedDir, stopAt: 5)
        let firstLogs = try first.train()
        #expect(firstLogs.map(\.step) == [1, 2, 3, 4, 5])
        #expect(first.checkpoints.completeSteps() == [5])
        // What kills leave behind: a half-filled temporary folder, a checkpoint-7 without its marker (a copy cut short,
        // or a writer without markers), and a checkpoint-8 whose marker's listed sizes no longer hold.
        let fm = FileManager.default
        let five = first.checkpoints.path(step: 5)
        try fm.createDirectory(atPath: resumedDir + "/.checkpoint-6.tmp", withIntermediateDirectories: true)
        try fm.copyItem(atPath: five + "/adapter_config.json", toPath: resumedDir + "/.checkpoint-6.tmp/adapter_config.json")
        try fm.copyItem(atPath: five, toPath: resumedDir + "/checkpoint-7")
        try fm.removeItem(atPath: resumedDir + "/checkpoint-7/" + CheckpointMarker.fileName)
        try fm.copyItem(atPath: five, toPath: resumedDir + "/checkpoint-8")
        let truncated = try Self.bytes(five + "/" + AdamW.checkpointFileName).prefix(100)
        try truncated.write(to: URL(fileURLWithPath: resumedDir + "/checkpoint-8/" + AdamW.checkpointFileName))
        #expect(errorText { _ = try first.checkpoints.resolve(resumedDir + "/checkpoint-7") }.contains(CheckpointMarker.fileName))
        #expect(errorText { _ = try first.checkpoints.resolve(resumedDir + "/checkpoint-8") }.contains("100 bytes"))

        let second = try Self.loraRun(resumedDir)
        let latest = try second.checkpoints.resolve("latest")
        #expect(latest == five)
        try second.resume(from: latest)
        #expect(second.trainer.state.step == 5)
        let secondLogs = try second.train()
        #expect(secondLogs.map(\.step) == [6, 7, 8])

        // Final parameters, and the AdamW moments of both at step 6 and at the end, byte for byte.
        #expect(try Self.bytes(straightDir + "/adapter_model.safetensors") == Self.bytes(resumedDir + "/adapter_model.safetensors"))
        #expect(try Self.bytes(straightDir + "/checkpoint-6/optimizer.safetensors") == Self.bytes(resumedDir + "/checkpoint-6/optimizer.safetensors"))
        try straight.trainer.optimizer.save(straight.trainer.parameters, to: root + "/straight-moments.safetensors")
        try second.trainer.optimizer.save(second.trainer.parameters, to: root + "/resumed-moments.safetensors")
        #expect(try Self.bytes(root + "/straight-moments.safetensors") == Self.bytes(root + "/resumed-moments.safetensors"))
        #expect(straight.trainer.state.step == 8 && second.trainer.state.epoch == straight.trainer.state.epoch)

        // metrics.jsonl reads as one run: steps 1...8 with the same numbers, held-out loss at 3, 6 and the last step.
        let x = try Self.metrics(straightDir), y = try Self.metrics(resumedDir)
        #expect(x.map(\.step) == Array(1...8) && y.map(\.step) == Array(1...8))
        #expect(Self.trajectory(x) == Self.trajectory(y))
        #expect(x.filter { $0.evalLoss != nil }.map(\.step) == [3, 6, 8])
        #expect(Set(x.map(\.epoch)) == [0, 1, 2, 3])
    }

    @Test func fullWeightsResumeBitIdenticallyAndCheckpointsLoadAsModels() throws {
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let straight = try Self.fullRun(root + "/straight")
        try straight.train()
        let first = try Self.fullRun(root + "/resumed", stopAt: 3)
        try first.train()
        #expect(first.checkpoints.completeSteps() == [2, 3])
        let second = try Self.fullRun(root + "/resumed")
        try second.resume(from: try second.checkpoints.resolve("latest"))
        try second.train()
        let weights = SafetensorsCheckpoint.singleFileName
        #expect(try Self.bytes(root + "/straight/" + weights) == Self.bytes(root + "/resumed/" + weights))
        #expect(try Self.bytes(root + "/straight/checkpoint-8/optimizer.safetensors") == Self.bytes(root + "/resumed/checkpoint-8/optimizer.safetensors"))

        // A checkpoint folder is a model on its own (config copied beside the weights) holding the trained weights.
        let checkpoint = root + "/resumed/checkpoint-4"
        #expect(FileManager.default.fileExists(atPath: checkpoint + "/config.json"))
        let loaded = try DecoderModel.load(path: checkpoint, precision: .f32)
        let saved = try SafetensorsFile(path: checkpoint + "/" + weights)
        let reloaded = try loaded.enableFullTraining()
        for p in reloaded { #expect(try p.value.toArray() == saved.tensor(p.name).toArray(), "\(p.name)") }
    }

    @Test func resumingWithOtherSettingsIsRefusedNamingThem() throws {
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let first = try Self.loraRun(root, stopAt: 2)
        try first.train()
        let other = try Self.loraRun(root, seed: 8)
        let message = errorText { try other.resume(from: try other.checkpoints.resolve("latest")) }
        #expect(message.contains("seed: saved 7, this run 8"), "\(message)")
        let empty = CheckpointFolders(runDirectory: root + "/nothing-here")
        #expect(errorText { _ = try empty.resolve("latest") }.contains("complete checkpoint-N"))
    }
}
