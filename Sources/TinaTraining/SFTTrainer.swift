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
    /// Stops after this many optimizer steps (nil: all epochs); the schedule runs over them.
    public var maxSteps: Int?
    /// Stops after this step without changing the schedule (which still runs over all the steps): a run cut
    /// short on purpose, to be resumed from its checkpoint (as GRPO's `stop_at_step`).
    public var stopAtStep: Int?
    /// Examples per optimizer step, processed `microBatch` at a time (gradient accumulation in between).
    public var batchSize = 4
    public var microBatch = 4
    public var maxGradNorm = 1.0
    public var weightDecay = 0.0
    public var seed: UInt64 = 0
    /// LoRA dropout masks drawn each step (adapters' configured probability).
    public var dropout = true
    /// Held-out loss every this many steps (nil: only after the last step), when the trainer has evaluation examples.
    public var evalSteps: Int?
    public init() {}
}

/// What one optimizer step did.
public struct SFTLog: Codable, Sendable, Equatable {
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
    /// The held-out loss after this step's update (steps that evaluate only; absent from the JSON otherwise).
    public var evalLoss: Double?
}

/// Supervised fine-tuning of a model's trainable parameters (its LoRA adapters, or all weights after
/// `enableFullTraining()`): shuffled epochs (seeded), mean token NLL on completions, gradient accumulation,
/// clipping, AdamW and an LR schedule, as the Hugging Face trainers do it. Every random choice derives from the
/// seed and the step, and `state` holds the rest, so a run restored from a checkpoint continues bit for bit as an
/// uninterrupted one (see `SFTRun` for the checkpoint files).
public final class SFTTrainer {
    public let model: DecoderModel
    public let parameters: [TrainableParameter]
    public let config: SFTConfig
    public let optimizer: AdamW
    /// The training examples (those with a prompt and a completion) and the held-out ones.
    public let examples: [SFTExample]
    public let evalExamples: [SFTExample]
    public let schedule: LRSchedule
    public let identity: SFTRunIdentity
    public private(set) var state: SFTState
    /// The current epoch's shuffled order, drawn again only when the epoch changes.
    private var order: (epoch: Int, indices: [Int])?

    public init(model: DecoderModel, parameters: [TrainableParameter], config: SFTConfig, examples: [SFTExample],
                evalExamples: [SFTExample] = []) throws {
        guard !parameters.isEmpty else { throw TinaError.invalidArgument("SFT needs trainable parameters (attach LoRA or enable full training)") }
        guard config.batchSize > 0, config.microBatch > 0, config.epochs > 0 else {
            throw TinaError.invalidArgument("SFT batch size, micro-batch and epochs must be positive")
        }
        let usable = examples.filter { !$0.prompt.isEmpty && !$0.completion.isEmpty }
        guard !usable.isEmpty else { throw TinaError.invalidArgument("no SFT example has both a prompt and a completion") }
        self.model = model
        self.parameters = parameters
        self.config = config
        self.examples = usable
        self.evalExamples = evalExamples.filter { !$0.prompt.isEmpty && !$0.completion.isEmpty }
        optimizer = AdamW(backend: model.backend, weightDecay: config.weightDecay)
        let stepsPerEpoch = (usable.count + config.batchSize - 1) / config.batchSize
        let totalSteps = min(config.maxSteps ?? Int.max, stepsPerEpoch * config.epochs)
        schedule = try LRSchedule(kind: config.schedule, baseLR: config.learningRate, totalSteps: totalSteps,
                                  warmupSteps: LRSchedule.warmupSteps(ratio: config.warmupRatio, totalSteps: totalSteps))
        identity = SFTRunIdentity(seed: config.seed, examples: usable.count, dataHash: SFTRunIdentity.hash(usable),
                                  batchSize: config.batchSize, microBatch: config.microBatch, learningRate: config.learningRate,
                                  schedule: "\(config.schedule)", totalSteps: totalSteps, warmupSteps: schedule.warmupSteps,
                                  maxGradNorm: config.maxGradNorm, weightDecay: config.weightDecay, dropout: config.dropout)
        state = SFTState(run: identity)
    }

    public var totalSteps: Int { schedule.totalSteps }
    /// The step training stops after (`stopAtStep`, else the last step of the schedule).
    public var lastStep: Int { min(config.stopAtStep ?? totalSteps, totalSteps) }

    /// Trains from the current state to `lastStep`, calling `onStep` after every optimizer step (checkpoints are
    /// the caller's: see `SFTRun`); returns this call's logs.
    @discardableResult
    public func train(onStep: (SFTLog) throws -> Void = { _ in }) throws -> [SFTLog] {
        let sessionStart = Date(), elapsedBefore = state.elapsedSeconds, firstStep = state.step
        var logs: [SFTLog] = []
        while state.step < lastStep {
            let started = Date()
            let epoch = state.epoch
            let indices = currentOrder()
            let batch = indices[state.position..<min(indices.count, state.position + config.batchSize)].map { examples[$0] }
            let stepNumber = state.step + 1
            let (loss, norm, lr) = try step(batch, stepNumber: stepNumber)
            let trainSeconds = Date().timeIntervalSince(started)
            state.step = stepNumber
            state.position += batch.count
            if state.position == examples.count {
                state.epoch += 1
                state.position = 0
            }
            var evalLoss: Double?
            let evaluationStep = (config.evalSteps.map { $0 > 0 && stepNumber % $0 == 0 } ?? false) || stepNumber == totalSteps
            if !evalExamples.isEmpty, evaluationStep {
                evalLoss = try SFTEvalLoss.compute(model, examples: evalExamples)
            }
            state.elapsedSeconds = elapsedBefore + Date().timeIntervalSince(sessionStart)
            let perStep = (state.elapsedSeconds - elapsedBefore) / Double(state.step - firstStep)
            let tokens = batch.reduce(0) { $0 + $1.tokens.count }
            let log = SFTLog(step: stepNumber, epoch: epoch, loss: loss, learningRate: lr, gradientNorm: norm, tokens: tokens,
                             tokensPerSecond: Double(tokens) / max(trainSeconds, 1e-9), elapsedSeconds: state.elapsedSeconds,
                             etaSeconds: perStep * Double(lastStep - stepNumber), evalLoss: evalLoss)
            logs.append(log)
            try onStep(log)
        }
        return logs
    }

    /// Puts back a checkpoint's state (the caller restores the weights and optimizer moments); refused when the
    /// checkpoint was made with other data or settings, naming what differs.
    public func restore(_ saved: SFTState) throws {
        let differences = saved.run.differences(from: identity)
        guard differences.isEmpty else {
            throw TinaError.invalidArgument("cannot resume: the checkpoint was made by a different run (" + differences.joined(separator: "; ") + ")")
        }
        guard (0...totalSteps).contains(saved.step), (0..<config.epochs).contains(saved.epoch) || saved.step == totalSteps,
              (0..<examples.count).contains(saved.position) else {
            throw TinaError.invalidArgument("cannot resume: the saved position (step \(saved.step), epoch \(saved.epoch), example \(saved.position)) is outside this run")
        }
        state = saved
        order = nil
    }

    /// The shuffled order of the epoch the cursor is in.
    private func currentOrder() -> [Int] {
        if let order, order.epoch == state.epoch { return order.indices }
        let indices = Self.permutation(examples.count, seed: config.seed, epoch: state.epoch)
        order = (state.epoch, indices)
        return indices
    }

    /// One optimizer step on `batch`: (mean completion NLL, gradient norm before clipping, learning rate).
    private func step(_ batch: [SFTExample], stepNumber: Int) throws -> (loss: Double, norm: Double, learningRate: Double) {
        for p in parameters { p.gradient.floats.update(repeating: 0, count: p.gradient.count) }
        let completionTokens = batch.reduce(0) { $0 + $1.completion.count }
        var loss = 0.0
        for (m, first) in stride(from: 0, to: batch.count, by: config.microBatch).enumerated() {
            let part = Array(batch[first..<min(batch.count, first + config.microBatch)])
            // d(mean NLL)/d(logp) = -1/N on completion positions (position t predicts token t + 1), 0 on the prompt.
            let weights = part.map { example in
                (0..<(example.tokens.count - 1)).map { t in t + 1 >= example.prompt.count ? -1 / Float(completionTokens) : 0 }
            }
            // A mask stream per micro-batch (as GRPO's): one per step would give every micro-batch the same masks.
            let dropout = config.dropout ? LoRADropout(seed: config.seed, step: UInt64(stepNumber) << 16 | UInt64(m)) : nil
            loss += try model.accumulateGradients(sequences: part.map(\.tokens), logProbWeights: weights, dropout: dropout).loss
        }
        let norm = try optimizer.clipGradients(parameters, maxNorm: config.maxGradNorm)
        let lr = schedule.learningRate(step: stepNumber)
        try optimizer.update(parameters, learningRate: lr)
        return (loss, norm, lr)
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
