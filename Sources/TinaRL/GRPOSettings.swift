import Foundation
import TinaCore
import TinaTraining

/// The resolved numbers of one GRPO run (a recipe maps onto these; defaults are Tina's / TRL 0.15.2's).
///
/// Batch arithmetic as TRL's: `per_device_train_batch_size` counts completions, so one micro-batch holds
/// `promptsPerMicroBatch` = batch / G prompts with G completions each, and one optimizer step covers
/// `gradientAccumulationSteps` micro-batches: `promptsPerStep` = batch / G x accumulation (x processes).
public struct GRPOSettings: Sendable, Equatable {
    public var generations = 4
    public var promptsPerMicroBatch = 1
    public var gradientAccumulationSteps = 4
    public var maxPromptLength = 512
    public var maxCompletionLength = 256
    public var temperature: Float = 0.7
    public var topP: Float = 1
    public var topK = 0
    public var minP: Float = 0
    public var repetitionPenalty: Float = 1
    public var beta = 0.04
    public var lossType = GRPOLossType.grpo
    public var scaleRewards = RewardScaling.group
    public var epsilon = 0.2
    public var epsilonHigh: Double?
    public var numIterations = 1
    public var maskTruncatedCompletions = false
    public var learningRate = 1e-6
    public var schedule = LRSchedule.Kind.cosineWithMinLR(minLRRate: 0.1)
    public var warmupRatio = 0.1
    public var warmupSteps: Int?
    public var maxSteps = 100
    /// Tina's stretched schedule: the LR follows `maxSteps`, training stops here.
    public var stopAtStep: Int?
    public var maxGradNorm = 1.0
    public var weightDecay = 0.0
    public var adamBeta1 = 0.9
    public var adamBeta2 = 0.999
    public var adamEpsilon = 1e-8
    public var seed: UInt64 = 42
    /// A non-finite loss or gradient norm stops the run (true) or skips the step, counted (false).
    public var stopOnNonFinite = false
    /// Sequences the rollout engine decodes together, and its KV budget.
    public var rolloutSlots = 64
    public var kvCacheBytes = 4 << 30
    /// Tokens per forward when scoring reference / old log-probs.
    public var scoringTokensPerForward = 8192
    /// The training pass recomputes each layer's activations in its backward (recipe `gradient_checkpointing`):
    /// activation memory of one layer instead of all, for about one more forward of compute.
    public var gradientCheckpointing = false

    public init() {}

    public var promptsPerStep: Int { promptsPerMicroBatch * gradientAccumulationSteps }

    public func validate() throws {
        func fail(_ m: String) -> TinaError { .invalidArgument("GRPO settings: \(m)") }
        guard generations >= 2 else { throw fail("num_generations must be >= 2 (group advantages need two samples), got \(generations)") }
        guard promptsPerMicroBatch >= 1, gradientAccumulationSteps >= 1 else { throw fail("batch sizes must be positive") }
        guard maxCompletionLength >= 1, maxPromptLength >= 1 else { throw fail("max_prompt_length and max_completion_length must be positive") }
        guard learningRate > 0, learningRate.isFinite else { throw fail("learning_rate must be > 0, got \(learningRate)") }
        guard maxSteps >= 1 else { throw fail("max_steps must be >= 1, got \(maxSteps)") }
        if let stop = stopAtStep, stop < 1 || stop > maxSteps { throw fail("stop_at_step must be in 1...max_steps (\(maxSteps)), got \(stop)") }
        guard numIterations >= 1 else { throw fail("num_iterations must be >= 1") }
        guard beta >= 0, epsilon >= 0, (epsilonHigh ?? 0) >= 0 else { throw fail("beta and epsilon must be >= 0") }
        guard maxGradNorm > 0 else { throw fail("max_grad_norm must be > 0") }
        guard rolloutSlots >= 1, kvCacheBytes > 0, scoringTokensPerForward >= 1 else { throw fail("rollout slots and memory must be positive") }
    }
}

/// Seconds spent per phase.
public struct GRPOTiming: Sendable, Codable, Equatable {
    public var rollout = 0.0
    public var reference = 0.0
    public var train = 0.0
    public init() {}
    public var total: Double { rollout + reference + train }
    mutating func add(_ other: GRPOTiming) {
        rollout += other.rollout
        reference += other.reference
        train += other.train
    }
}

/// What a checkpoint restores besides weights and optimizer moments.
public struct GRPOState: Sendable, Codable, Equatable {
    public var step = 0
    /// nil before the first step.
    public var cursor: SamplerCursor?
    public var skippedSteps = 0
    public var timing = GRPOTiming()
    public var log: [GRPOStepMetrics] = []
    public init() {}
}
