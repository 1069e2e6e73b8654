import Foundation
import TinaCore
import TinaModels

/// One supervised example: the loss covers the completion tokens only (each predicted from everything before it).
public struct SFTExample: Sendable, Equatable {
    public var prompt: [Int]
    public var completion: [Int]
    public init(prompt: [Int], completion: [Int]) {
        self.prompt = prompt
        self.completion = completion
    }
    var tokens: [Int] { prompt + completion }
}

public struct SFTConfig: Sendable {
    public var learningRate = 1e-4
    public var schedule = LRSchedule.Kind.cosineWithMinLR(minLRRate: 0.1)
    public var warmupRatio = 0.1
    public var epochs = 1
    /// Stops after this many optimizer steps (nil: all epochs).
    public var maxSteps: Int?
    /// Examples per optimizer step, processed `microBatch` at a time (gradient accumulation in between).
    public var batchSize = 4
    public var microBatch = 4
    public var maxGradNorm = 1.0
    public var weightDecay = 0.0
    public var seed: UInt64 = 0
    /// LoRA dropout masks drawn each step (adapters' configured probability).
    public var dropout = true
    public init() {}
}

/// What one optimizer step did.
public struct SFTLog: Codable, Sendable {
    public var step: Int
    public var epoch: Int
    /// Mean negative log-likelihood per completion token over the step's examples.
    public var loss: Double
    public var learningRate: Double
    public var gradientNorm: Double
    public var tokens: Int
    public var tokensPerSecond: Double
    public var elapsedSeconds: Double
    public var etaSeconds: Double
}

/// Supervised fine-tuning of a model's trainable parameters (its LoRA adapters, or all weights after
/// `enableFullTraining()`): shuffled epochs (seeded), mean token NLL on completions, gradient accumulation,
/// clipping, AdamW and an LR schedule, as the Hugging Face trainers do it.
public final class SFTTrainer {
    public let model: DecoderModel
    public let parameters: [TrainableParameter]
    public let config: SFTConfig
    public let optimizer: AdamW

    public init(model: DecoderModel, parameters: [TrainableParameter], config: SFTConfig) throws {
        guard !parameters.isEmpty else { throw TinaError.invalidArgument("SFT needs trainable parameters (attach LoRA or enable full training)") }
        guard config.batchSize > 0, config.microBatch > 0, config.epochs > 0 else {
            throw TinaError.invalidArgument("SFT batch size, micro-batch and epochs must be positive")
        }
        self.model = model
        self.parameters = parameters
        self.config = config
        optimizer = AdamW(backend: model.backend, weightDecay: config.weightDecay)
    }

    /// Trains on `examples`, calling `progress` after every optimizer step; returns the logs.
    @discardableResult
    public func train(_ examples: [SFTExample], progress: (SFTLog) -> Void = { _ in }) throws -> [SFTLog] {
        let usable = examples.filter { !$0.prompt.isEmpty && !$0.completion.isEmpty }
        guard !usable.isEmpty else { throw TinaError.invalidArgument("no SFT example has both a prompt and a completion") }
        let stepsPerEpoch = (usable.count + config.batchSize - 1) / config.batchSize
        let totalSteps = min(config.maxSteps ?? Int.max, stepsPerEpoch * config.epochs)
        let schedule = try LRSchedule(kind: config.schedule, baseLR: config.learningRate, totalSteps: totalSteps,
                                      warmupSteps: LRSchedule.warmupSteps(ratio: config.warmupRatio, totalSteps: totalSteps))
        var logs: [SFTLog] = []
        let start = Date()
        var step = 0
        for epoch in 0..<config.epochs {
            let order = Self.permutation(usable.count, seed: config.seed, epoch: epoch)
            for first in stride(from: 0, to: order.count, by: config.batchSize) where step < totalSteps {
                let batch = order[first..<min(order.count, first + config.batchSize)].map { usable[$0] }
                step += 1
                let log = try self.step(batch, step: step, epoch: epoch, schedule: schedule, totalSteps: totalSteps, start: start)
                logs.append(log)
                progress(log)
            }
        }
        return logs
    }

    private func step(_ batch: [SFTExample], step: Int, epoch: Int, schedule: LRSchedule, totalSteps: Int,
                      start: Date) throws -> SFTLog {
        let started = Date()
        for p in parameters { p.gradient.floats.update(repeating: 0, count: p.gradient.count) }
        let completionTokens = batch.reduce(0) { $0 + $1.completion.count }
        var loss = 0.0
        for micro in stride(from: 0, to: batch.count, by: config.microBatch) {
            let part = Array(batch[micro..<min(batch.count, micro + config.microBatch)])
            // d(mean NLL)/d(logp) = -1/N on completion positions (position t predicts token t + 1), 0 on the prompt.
            let weights = part.map { example in
                (0..<(example.tokens.count - 1)).map { t in t + 1 >= example.prompt.count ? -1 / Float(completionTokens) : 0 }
            }
            let dropout = config.dropout ? LoRADropout(seed: config.seed, step: UInt64(step)) : nil
            loss += try model.accumulateGradients(sequences: part.map(\.tokens), logProbWeights: weights, dropout: dropout).loss
        }
        let norm = try optimizer.clipGradients(parameters, maxNorm: config.maxGradNorm)
        let lr = schedule.learningRate(step: step)
        try optimizer.update(parameters, learningRate: lr)
        let now = Date()
        let seconds = now.timeIntervalSince(started), elapsed = now.timeIntervalSince(start)
        let tokens = batch.reduce(0) { $0 + $1.tokens.count }
        return SFTLog(step: step, epoch: epoch, loss: loss, learningRate: lr, gradientNorm: norm, tokens: tokens,
                      tokensPerSecond: Double(tokens) / max(seconds, 1e-9), elapsedSeconds: elapsed,
                      etaSeconds: elapsed / Double(step) * Double(totalSteps - step))
    }

    /// A seeded Fisher-Yates shuffle of 0..<count, different for every epoch.
    static func permutation(_ count: Int, seed: UInt64, epoch: Int) -> [Int] {
        var rng = Philox(seed: seed, stream: 0x5F7 << 32 | UInt64(epoch))
        var order = Array(0..<count)
        for i in stride(from: count - 1, to: 0, by: -1) {
            let j = Int(rng.next() % UInt64(i + 1))
            order.swapAt(i, j)
        }
        return order
    }
}
