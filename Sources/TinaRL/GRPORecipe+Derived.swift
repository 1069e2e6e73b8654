import Foundation

/// Values the trainer derives from a recipe, computed the way TRL 0.15.2 / transformers do.
extension GRPORecipe {
    /// Completions per optimizer step: num_processes x per_device_train_batch_size x gradient_accumulation_steps.
    public var completionsPerStep: Int { numProcesses * perDeviceTrainBatchSize * gradientAccumulationSteps }

    /// Distinct prompts per optimizer step (each sampled num_generations times). Tina: 2 x 4 x G / G = 8.
    public var promptsPerStep: Int { completionsPerStep / max(1, numGenerations) }

    /// Optimizer steps in one pass over `datasetSize` prompts, as transformers counts them: each process's
    /// dataloader yields ceil(N x G / (processes x B)) micro-batches, floor-divided by gradient accumulation.
    public func stepsPerEpoch(datasetSize: Int) -> Int {
        let perProcess = max(1, numProcesses * perDeviceTrainBatchSize)
        let microBatches = (datasetSize * numGenerations + perProcess - 1) / perProcess
        return max(1, microBatches / gradientAccumulationSteps)
    }

    /// The step count the LR schedule spans: max_steps, else ceil(num_train_epochs x steps per epoch).
    public func scheduleSteps(datasetSize: Int) -> Int {
        if maxSteps > 0 { return maxSteps }
        return max(1, Int((numTrainEpochs * Double(stepsPerEpoch(datasetSize: datasetSize))).rounded(.up)))
    }

    /// The step after which training stops: stop_at_step, else the schedule's end.
    public func stopStep(datasetSize: Int) -> Int {
        min(stopAtStep ?? Int.max, scheduleSteps(datasetSize: datasetSize))
    }

    /// Warmup steps: warmup_steps when > 0, else ceil(warmup_ratio x schedule steps) (transformers 4.x/5).
    public func warmupStepCount(scheduleSteps: Int) -> Int {
        warmupSteps > 0 ? warmupSteps : Int((warmupRatio * Double(scheduleSteps)).rounded(.up))
    }

    /// One weight per reward function (1.0 each when reward_weights is absent, as TRL does).
    public var resolvedRewardWeights: [Double] {
        rewardWeights ?? Array(repeating: 1.0, count: rewardFuncs.count)
    }

    /// The LoRA target modules: PEFT's default for Qwen2/Llama (q_proj, v_proj) when unset; "all-linear" expands
    /// to every projection of the block.
    public var resolvedLoraTargetModules: [String] {
        guard let modules = loraTargetModules?.values else { return ["q_proj", "v_proj"] }
        if modules.contains("all-linear") { return Self.loraModuleNames }
        return modules
    }

    /// The LoRA scale: alpha / r, or alpha / sqrt(r) with use_rslora.
    public var loraScaling: Double {
        useRslora ? Double(loraAlpha) / Double(loraR).squareRoot() : Double(loraAlpha) / Double(loraR)
    }

    /// The upper clip bound of the ratio (epsilon_high, else epsilon).
    public var resolvedEpsilonHigh: Double { epsilonHigh ?? epsilon }

    /// output_dir, else runs/<recipe file name without extension>.
    public var resolvedOutputDir: String {
        if let outputDir { return outputDir }
        let stem = recipePath.map { URL(fileURLWithPath: $0).deletingPathExtension().lastPathComponent } ?? "grpo"
        return "runs/" + stem
    }
}
