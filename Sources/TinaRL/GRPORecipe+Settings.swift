import Foundation
import TinaCore
import TinaMath
import TinaTraining

extension GRPORecipe {
    /// The trainer's numbers for this recipe over a dataset of `datasetSize` prompts. Processes run one after
    /// another: each process's micro-batch becomes one more accumulation micro-step, which is what DeepSpeed's
    /// average over ranks of per-rank accumulated gradients amounts to.
    public func settings(datasetSize: Int) throws -> GRPOSettings {
        let source = recipePath ?? "recipe"
        guard perDeviceTrainBatchSize % numGenerations == 0 else {
            throw TinaError.invalidArgument("\(source): per_device_train_batch_size (\(perDeviceTrainBatchSize)) must be a multiple of num_generations (\(numGenerations)); this trainer keeps each prompt's G completions in one micro-batch")
        }
        var s = GRPOSettings()
        s.generations = numGenerations
        s.promptsPerMicroBatch = perDeviceTrainBatchSize / numGenerations
        s.gradientAccumulationSteps = gradientAccumulationSteps * numProcesses
        s.maxPromptLength = maxPromptLength ?? Int.max
        s.maxCompletionLength = maxCompletionLength
        s.temperature = Float(temperature)
        s.topP = Float(topP)
        s.topK = topK ?? 0
        s.minP = Float(minP ?? 0)
        s.repetitionPenalty = Float(repetitionPenalty)
        s.beta = beta
        s.lossType = lossType
        s.scaleRewards = scaleRewards
        s.epsilon = epsilon
        s.epsilonHigh = epsilonHigh
        s.numIterations = numIterations
        s.maskTruncatedCompletions = maskTruncatedCompletions
        s.gradientCheckpointing = gradientCheckpointing
        s.learningRate = learningRate
        switch lrSchedulerType {
        case .constant: s.schedule = .constant
        case .constantWithWarmup: s.schedule = .constantWithWarmup
        case .linear: s.schedule = .linear
        case .cosine: s.schedule = .cosine
        case .cosineWithMinLR:
            let rate = lrSchedulerKwargs.minLRRate ?? lrSchedulerKwargs.minLR.map { $0 / learningRate } ?? 0
            s.schedule = .cosineWithMinLR(minLRRate: rate)
        }
        s.maxSteps = scheduleSteps(datasetSize: datasetSize)
        s.stopAtStep = stopStep(datasetSize: datasetSize)
        s.warmupSteps = warmupStepCount(scheduleSteps: s.maxSteps)
        s.warmupRatio = warmupRatio
        s.maxGradNorm = maxGradNorm
        s.weightDecay = weightDecay
        s.adamBeta1 = adamBeta1
        s.adamBeta2 = adamBeta2
        s.adamEpsilon = adamEpsilon
        s.seed = UInt64(seed)
        try s.validate()
        return s
    }

    /// The weighted reward functions of `reward_funcs` / `reward_weights`.
    public func rewardFunctions() throws -> WeightedRewards {
        let weights = resolvedRewardWeights
        guard weights.count == rewardFuncs.count else {
            throw TinaError.invalidArgument("\(recipePath ?? "recipe"): \(rewardFuncs.count) reward_funcs but \(weights.count) reward_weights")
        }
        var terms: [(RewardFunction, Double)] = []
        for (name, weight) in zip(rewardFuncs, weights) {
            guard var function = TinaRewards.named(name, cosineMaxLength: cosineMaxLen) else {
                throw TinaError.invalidArgument("\(recipePath ?? "recipe"): unknown reward function '\(name)'")
            }
            if var cosine = function as? TinaRewards.Cosine {
                cosine.minWrong = cosineMinValueWrong
                cosine.maxWrong = cosineMaxValueWrong
                cosine.minCorrect = cosineMinValueCorrect
                cosine.maxCorrect = cosineMaxValueCorrect
                function = cosine
            } else if function is TinaRewards.RepetitionPenalty {
                function = TinaRewards.RepetitionPenalty(ngramSize: repetitionNGrams, maxPenalty: repetitionMaxPenalty)
            }
            terms.append((function, weight))
        }
        return WeightedRewards(terms)
    }
}
