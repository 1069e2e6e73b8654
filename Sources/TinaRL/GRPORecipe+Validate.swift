import Foundation
import TinaCore
import TinaMath

extension GRPORecipe {
    /// LoRA target names of the Qwen2 / Llama blocks, and PEFT's shorthand for all of them.
    public static let loraModuleNames = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]

    /// Checks every value; an error names the key and, where known, the file line or override that set it.
    /// `origins` maps keys to "FILE:LINE" (as `load` records them).
    public func validate(source: String = "recipe", origins: [String: String] = [:]) throws {
        func check(_ ok: Bool, _ key: String, _ message: @autoclosure () -> String) throws {
            if !ok { throw TinaError.malformed(source: origins[key] ?? source, reason: "key '\(key)': \(message())") }
        }
        func finite(_ x: Double) -> Bool { x.isFinite }

        try check(!(modelNameOrPath ?? "").isEmpty, "model_name_or_path", "required (a model directory or GGUF file)")
        try check(!(datasetName ?? "").isEmpty, "dataset_name", "required (a local JSONL or JSON file)")
        try check(torchDtype.map { ["auto", "bfloat16", "float16", "float32"].contains($0) } ?? true, "torch_dtype",
                  "one of auto, bfloat16, float16, float32, got '\(torchDtype ?? "")'")

        // LoRA
        if usePeft {
            try check(loraR >= 1, "lora_r", "must be at least 1, got \(loraR)")
            try check(loraAlpha >= 1, "lora_alpha", "must be at least 1, got \(loraAlpha)")
            try check(loraDropout >= 0 && loraDropout < 1, "lora_dropout", "must be in [0, 1), got \(loraDropout)")
            for module in loraTargetModules?.values ?? [] where module != "all-linear" {
                try check(Self.loraModuleNames.contains(module), "lora_target_modules",
                          "unknown module '\(module)'" + Suggest.hint(for: module, among: Self.loraModuleNames + ["all-linear"])
                          + "; known: \(Self.loraModuleNames.joined(separator: ", ")), all-linear")
            }
            try check(!(loraTargetModules?.values.isEmpty ?? false), "lora_target_modules", "empty list")
        }

        // Data and prompts
        try check(systemPrompt == nil || systemPromptPreset == nil, "system_prompt",
                  "set either system_prompt (text) or system_prompt_preset (a name), not both")
        try check(chatTemplate.map { !$0.isEmpty } ?? true, "chat_template", "empty; leave it out for the tokenizer's own template")

        // Rewards
        try check(!rewardFuncs.isEmpty, "reward_funcs", "at least one reward function is needed")
        for name in rewardFuncs {
            try check(TinaRewards.named(name) != nil, "reward_funcs",
                      "unknown reward function '\(name)'" + Suggest.hint(for: name, among: Self.rewardNames)
                      + "; known: \(Self.rewardNames.joined(separator: ", "))")
        }
        try check(Set(rewardFuncs).count == rewardFuncs.count, "reward_funcs", "lists a function twice")
        if let weights = rewardWeights {
            try check(weights.count == rewardFuncs.count, "reward_weights",
                      "\(weights.count) weights for \(rewardFuncs.count) reward functions (TRL requires one weight each)")
            try check(weights.allSatisfy(finite), "reward_weights", "weights must be finite")
        }
        try check(cosineMaxLen >= 1, "cosine_max_len", "must be at least 1, got \(cosineMaxLen)")
        try check(repetitionNGrams >= 1, "repetition_n_grams", "must be at least 1, got \(repetitionNGrams)")
        try check(repetitionMaxPenalty <= 0, "repetition_max_penalty", "must be <= 0 (a penalty), got \(repetitionMaxPenalty)")

        // GRPO
        try check(numGenerations >= 2, "num_generations",
                  "must be at least 2: advantages compare completions within a group, got \(numGenerations)")
        try check(perDeviceTrainBatchSize >= 1, "per_device_train_batch_size", "must be at least 1, got \(perDeviceTrainBatchSize)")
        try check(gradientAccumulationSteps >= 1, "gradient_accumulation_steps", "must be at least 1, got \(gradientAccumulationSteps)")
        try check(numProcesses >= 1, "num_processes", "must be at least 1, got \(numProcesses)")
        let globalBatch = numProcesses * perDeviceTrainBatchSize
        if numGenerations >= 2, globalBatch >= 1 {
            let valid = (2...max(2, globalBatch)).filter { globalBatch % $0 == 0 }
            try check(globalBatch % numGenerations == 0, "num_generations",
                      "the global train batch (num_processes \(numProcesses) x per_device_train_batch_size "
                      + "\(perDeviceTrainBatchSize) = \(globalBatch) completions) must be divisible by num_generations "
                      + "\(numGenerations), as TRL requires; valid values here: \(valid.map(String.init).joined(separator: ", "))")
        }
        try check(maxPromptLength.map { $0 >= 1 } ?? true, "max_prompt_length", "must be at least 1 (or null for no limit)")
        try check(maxCompletionLength >= 1, "max_completion_length", "must be at least 1, got \(maxCompletionLength)")
        try check(finite(temperature) && temperature > 0, "temperature", "must be > 0, got \(temperature)")
        try check(topP > 0 && topP <= 1, "top_p", "must be in (0, 1], got \(topP)")
        try check(topK.map { $0 >= 0 } ?? true, "top_k", "must be >= 0 (0 or null = off)")
        try check(minP.map { $0 >= 0 && $0 <= 1 } ?? true, "min_p", "must be in [0, 1]")
        try check(finite(repetitionPenalty) && repetitionPenalty > 0, "repetition_penalty", "must be > 0, got \(repetitionPenalty)")
        try check(finite(beta) && beta >= 0, "beta", "must be >= 0, got \(beta)")
        try check(finite(epsilon) && epsilon >= 0, "epsilon", "must be >= 0, got \(epsilon)")
        try check(epsilonHigh.map { $0.isFinite && $0 >= epsilon } ?? true, "epsilon_high", "must be >= epsilon (\(epsilon))")
        try check(numIterations >= 1, "num_iterations", "must be at least 1, got \(numIterations)")

        // Schedule
        try check(finite(learningRate) && learningRate >= 0, "learning_rate", "must be a finite number >= 0, got \(learningRate)")
        try check(warmupRatio >= 0 && warmupRatio <= 1, "warmup_ratio", "must be in [0, 1], got \(warmupRatio)")
        try check(warmupSteps >= 0, "warmup_steps", "must be >= 0, got \(warmupSteps)")
        try check(maxSteps == -1 || maxSteps >= 1, "max_steps", "must be -1 (use num_train_epochs) or at least 1, got \(maxSteps)")
        try check(maxSteps > 0 || (finite(numTrainEpochs) && numTrainEpochs > 0), "num_train_epochs",
                  "must be > 0 when max_steps is -1, got \(numTrainEpochs)")
        if let stop = stopAtStep {
            try check(stop >= 1, "stop_at_step", "must be at least 1, got \(stop)")
            try check(maxSteps < 0 || stop <= maxSteps, "stop_at_step",
                      "\(stop) is past max_steps \(maxSteps) (max_steps sets the LR schedule; training stops at stop_at_step)")
        }
        let kwargs = lrSchedulerKwargs
        if lrSchedulerType == .cosineWithMinLR {
            try check((kwargs.minLRRate == nil) != (kwargs.minLR == nil), "lr_scheduler_kwargs",
                      "cosine_with_min_lr needs exactly one of min_lr_rate and min_lr (as transformers requires)")
            try check(kwargs.minLRRate.map { $0 >= 0 && $0 <= 1 } ?? true, "lr_scheduler_kwargs", "min_lr_rate must be in [0, 1]")
            try check(kwargs.minLR.map { $0 >= 0 && $0.isFinite } ?? true, "lr_scheduler_kwargs", "min_lr must be >= 0")
        } else {
            try check(kwargs == LRSchedulerKwargs(), "lr_scheduler_kwargs",
                      "min_lr_rate / min_lr apply only to lr_scheduler_type cosine_with_min_lr, not \(lrSchedulerType.rawValue)")
        }
        try check(seed >= 0, "seed", "must be >= 0, got \(seed)")

        // Optimizer and precision
        try check(optim.hasPrefix("adamw"), "optim", "only AdamW is implemented (adamw_torch, adamw_torch_fused, ...), got '\(optim)'")
        try check(finite(weightDecay) && weightDecay >= 0, "weight_decay", "must be >= 0, got \(weightDecay)")
        try check(adamBeta1 >= 0 && adamBeta1 < 1, "adam_beta1", "must be in [0, 1), got \(adamBeta1)")
        try check(adamBeta2 >= 0 && adamBeta2 < 1, "adam_beta2", "must be in [0, 1), got \(adamBeta2)")
        try check(finite(adamEpsilon) && adamEpsilon > 0, "adam_epsilon", "must be > 0, got \(adamEpsilon)")
        try check(finite(maxGradNorm) && maxGradNorm >= 0, "max_grad_norm", "must be >= 0 (0 = no clipping), got \(maxGradNorm)")
        try check(!fp16, "fp16", "fp16 training is not implemented; use bf16: true or leave both false")

        // Logging and checkpoints
        try check(loggingSteps >= 1, "logging_steps", "must be at least 1 (fractions of the run are not supported), got \(loggingSteps)")
        try check(saveSteps >= 1, "save_steps", "must be at least 1, got \(saveSteps)")
        try check(saveTotalLimit.map { $0 >= 1 } ?? true, "save_total_limit", "must be at least 1 (or null to keep all)")
        try check(outputDir.map { !$0.isEmpty } ?? true, "output_dir", "empty")
        try check(numThreads.map { $0 >= 1 } ?? true, "num_threads", "must be at least 1 (or null for all cores)")
    }

    static var rewardNames: [String] {
        ["accuracy", "format", "tag_count", "cosine", "length", "reasoning_steps", "repetition_penalty",
         "length_l1_exact", "length_l1_max", "final_number", "answer_line"].filter { TinaRewards.named($0) != nil }
    }
}
