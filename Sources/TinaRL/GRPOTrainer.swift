import Foundation
import TinaCore
import TinaGeneration
import TinaMath
import TinaModels
import TinaTraining

/// One training prompt: its tokens (chat template applied, truncated) and the gold solution the rewards read.
public struct GRPOPrompt: Sendable, Equatable {
    public var index: Int
    public var tokens: [Int]
    public var solution: String
    public init(index: Int, tokens: [Int], solution: String) {
        self.index = index
        self.tokens = tokens
        self.solution = solution
    }
}

/// GRPO with TRL 0.15.2's semantics by default (tina-digest section 4.6) and the later options: every
/// `numIterations` optimizer steps, P prompts x G completions come from the rollout engine; rewards, group
/// advantages, reference log-probs with the adapters switched off (skipped when beta = 0), the objective's
/// gradient per micro-batch (accumulated), clipping, AdamW and the schedule. Every random choice derives from
/// (seed, step), so a resumed run repeats exactly what an uninterrupted one does.
public final class GRPOTrainer {
    public let model: DecoderModel
    public let settings: GRPOSettings
    public let parameters: [TrainableParameter]
    public let optimizer: AdamW
    public let rewards: WeightedRewards
    let engine: RolloutEngine
    let prompts: [GRPOPrompt]
    let schedule: LRSchedule
    let eosTokenIDs: Set<Int>
    /// Token ids to text (special tokens skipped), as the rewards read completions.
    public let decode: @Sendable ([Int]) -> String
    public private(set) var state: GRPOState
    /// Rollouts kept for the later iterations when numIterations > 1 (the latest generation).
    public private(set) var buffered: RolloutBatch?

    public init(model: DecoderModel, settings: GRPOSettings, prompts: [GRPOPrompt], rewards: WeightedRewards,
                stopTokenIDs: Set<Int>, decode: @escaping @Sendable ([Int]) -> String) throws {
        try settings.validate()
        guard !prompts.isEmpty else { throw TinaError.invalidArgument("GRPO has no training prompts") }
        guard !rewards.terms.isEmpty else { throw TinaError.invalidArgument("GRPO needs at least one reward function") }
        let parameters = model.fullParameters.isEmpty ? model.loraParameters : model.fullParameters.keys.sorted().compactMap { model.fullParameters[$0] }
        guard !parameters.isEmpty else { throw TinaError.invalidArgument("GRPO needs trainable parameters (attach LoRA or enable full training)") }
        self.model = model
        model.gradientCheckpointing = settings.gradientCheckpointing
        self.settings = settings
        self.parameters = parameters
        self.prompts = prompts
        self.rewards = rewards
        eosTokenIDs = stopTokenIDs
        self.decode = decode
        optimizer = AdamW(backend: model.backend, beta1: settings.adamBeta1, beta2: settings.adamBeta2, eps: settings.adamEpsilon,
                          weightDecay: settings.weightDecay)
        engine = RolloutEngine(model: model, stopTokens: stopTokenIDs, decode: decode, maxSlots: settings.rolloutSlots,
                               cacheBytes: settings.kvCacheBytes)
        schedule = try LRSchedule(kind: settings.schedule, baseLR: settings.learningRate, totalSteps: settings.maxSteps,
                                  warmupSteps: settings.warmupSteps ?? LRSchedule.warmupSteps(ratio: settings.warmupRatio, totalSteps: settings.maxSteps))
        state = GRPOState()
    }

    /// The step training stops after (`stopAtStep`, else `maxSteps`).
    public var lastStep: Int { min(settings.stopAtStep ?? settings.maxSteps, settings.maxSteps) }

    /// Runs optimizer steps until `lastStep`, calling `onStep` after each (metrics, then checkpoints are the
    /// caller's: see `GRPORun`).
    public func train(onStep: (GRPOStepMetrics) throws -> Void) throws {
        while state.step < lastStep {
            let metrics = try step()
            try onStep(metrics)
        }
    }

    /// One optimizer step.
    public func step() throws -> GRPOStepMetrics {
        let stepNumber = state.step + 1
        let started = Date()
        var timing = GRPOTiming()
        // A new generation every numIterations steps; the steps in between reuse it (TRL's buffered inputs).
        if (stepNumber - 1) % settings.numIterations == 0 || buffered == nil {
            buffered = try rollout(step: stepNumber, timing: &timing)
        }
        guard let batch = buffered else { throw TinaError.invalidArgument("internal: no rollout batch") }
        let objective = GRPOObjective(lossType: settings.lossType, beta: settings.beta, epsilonLow: settings.epsilon,
                                      epsilonHigh: settings.epsilonHigh, maxCompletionLength: settings.maxCompletionLength,
                                      gradientAccumulationSteps: settings.gradientAccumulationSteps,
                                      dapoTokenCount: Double(batch.completionTokens))
        let t0 = Date()
        for p in parameters { p.gradient.floats.update(repeating: 0, count: p.gradient.count) }
        var statistics: [GRPOStatistics] = []
        var loss = 0.0
        let perMicro = settings.promptsPerMicroBatch * settings.generations
        for (m, first) in stride(from: 0, to: batch.samples.count, by: perMicro).enumerated() {
            let micro = Array(batch.samples[first..<min(batch.samples.count, first + perMicro)])
            let trainable = micro.filter { $0.completionLength > 0 }
            guard !trainable.isEmpty else { continue }
            let dropout = LoRADropout(seed: settings.seed, step: UInt64(stepNumber) << 16 | UInt64(m))
            let evaluation = try OpProfile.phase("train") {
                try model.accumulateGRPOGradients(samples: trainable, objective: objective, dropout: dropout)
            }
            loss += evaluation.value
            statistics.append(evaluation.statistics)
        }
        let gradientNorm = try optimizer.clipGradients(parameters, maxNorm: settings.maxGradNorm)
        let learningRate = schedule.learningRate(step: stepNumber)
        var skipped = false
        if gradientNorm.isFinite && loss.isFinite {
            try optimizer.update(parameters, learningRate: learningRate)
        } else {
            skipped = true
            state.skippedSteps += 1
            if settings.stopOnNonFinite {
                throw TinaError.invalidArgument("step \(stepNumber): the loss or gradient is not finite (loss \(loss), grad norm \(gradientNorm))")
            }
        }
        timing.train = Date().timeIntervalSince(t0)
        state.step = stepNumber
        state.timing.add(timing)
        let metrics = GRPOStepMetrics(step: stepNumber, batch: batch, loss: loss, statistics: statistics, gradientNorm: gradientNorm,
                                      learningRate: learningRate, timing: timing, seconds: Date().timeIntervalSince(started),
                                      skipped: skipped, epoch: state.cursor?.epoch ?? 0)
        state.log.append(metrics)
        return metrics
    }

    /// The next P prompts in the seeded epoch order (the cursor moves and is saved with checkpoints).
    func nextPrompts() throws -> [GRPOPrompt] {
        var sampler = try PromptSampler(resuming: state.cursor ?? SamplerCursor(datasetSize: prompts.count, seed: settings.seed),
                                        datasetSize: prompts.count, seed: settings.seed)
        let chosen = sampler.next(settings.promptsPerStep).map { prompts[$0] }
        state.cursor = sampler.cursor
        return chosen
    }

    /// Generates, scores and prepares the samples of one batch.
    func rollout(step: Int, timing: inout GRPOTiming) throws -> RolloutBatch {
        let chosen = try nextPrompts()
        let t0 = Date()
        let parameters = try SamplingParameters(temperature: settings.temperature, topK: settings.topK, topP: settings.topP,
                                                minP: settings.minP, repetitionPenalty: settings.repetitionPenalty,
                                                seed: settings.seed &+ UInt64(step) &* 0x9E37_79B9_7F4A_7C15,
                                                maxNewTokens: settings.maxCompletionLength)
        let requests = chosen.enumerated().map { RolloutRequest(id: $0.offset, prompt: $0.element.tokens, samples: settings.generations, parameters: parameters) }
        let completions = try OpProfile.phase("rollout") { try engine.run(requests) }
        timing.rollout = Date().timeIntervalSince(t0)
        // Rewards per group (group-wise rewards such as `length` see one prompt's G completions, as on one TRL device).
        var totals: [Double] = [], perFunction: [String: [Double?]] = [:]
        for (i, prompt) in chosen.enumerated() {
            let group = completions.filter { $0.requestIndex == i }
            let inputs = group.map { RewardInput(completion: $0.text, solution: prompt.solution) }
            let scored = rewards.score(inputs)
            totals += scored.totals
            for (name, values) in scored.perFunction { perFunction[name, default: []] += values }
        }
        let advantages = try GRPOAdvantages(rewards: totals, groupSize: settings.generations, scaling: settings.scaleRewards)
        var samples: [GRPOSample] = []
        for (k, c) in completions.enumerated() {
            let mask = CompletionMask.mask(for: c.tokens, eosTokenIDs: eosTokenIDs, maskTruncated: settings.maskTruncatedCompletions)
            samples.append(GRPOSample(prompt: chosen[c.requestIndex].tokens, completion: c.tokens, advantage: advantages.advantages[k], mask: mask))
        }
        // Reference log-probs: the same weights with the adapters off (TRL: no temperature scaling).
        let t1 = Date()
        let sequences = samples.map(\.tokens), starts = samples.map(\.promptLength)
        if settings.beta != 0 {
            let wasEnabled = model.adaptersEnabled
            model.adaptersEnabled = false
            defer { model.adaptersEnabled = wasEnabled }
            let reference = try OpProfile.phase("reference") {
                try model.sequenceLogProbs(sequences, from: starts, tokensPerForward: settings.scoringTokensPerForward)
            }
            for i in samples.indices { samples[i].referenceLogProbs = reference[i] }
        }
        if settings.numIterations > 1 {
            let old = try model.sequenceLogProbs(sequences, from: starts, tokensPerForward: settings.scoringTokensPerForward)
            for i in samples.indices { samples[i].oldLogProbs = old[i] }
        }
        timing.reference = Date().timeIntervalSince(t1)
        return RolloutBatch(prompts: chosen, completions: completions, samples: samples, rewards: totals,
                            rewardsByFunction: perFunction, advantages: advantages,
                            completionTokens: CompletionMask.tokenCount(completions.map(\.tokens), eosTokenIDs: eosTokenIDs))
    }

    /// Restores a checkpoint's trainer state (the caller restores the adapter weights and optimizer moments).
    public func restore(_ saved: GRPOState) {
        state = saved
        buffered = nil
    }
}

/// Everything one generation produced, kept for numIterations optimizer steps.
public struct RolloutBatch: Sendable {
    public var prompts: [GRPOPrompt]
    public var completions: [RolloutCompletion]
    public var samples: [GRPOSample]
    public var rewards: [Double]
    public var rewardsByFunction: [String: [Double?]]
    public var advantages: GRPOAdvantages
    public var completionTokens: Int
}
