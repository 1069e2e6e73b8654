import Foundation
import TinaTraining

/// A GRPO training recipe: the keys of Tina's / TRL's YAML recipes (TRL 0.15.2 `GRPOConfig` + `ModelConfig` +
/// `ScriptArguments`, transformers `TrainingArguments`, Tina's `ModelPTConfig`), plus a few of ours (marked
/// "ours"). A key missing from the file takes the default written beside it, with where that default comes from.
/// Load with `GRPORecipe.load(path:overrides:)`; `resolvedYAML()` writes the result back out.
///
/// Where later TRL versions changed a default (loss_type, top_k, beta, ...) the TRL 0.15.2 behaviour is kept,
/// because that is what Tina trained with (tina-digest.md 4.6).
public struct GRPORecipe: Codable, Equatable, Sendable {
    // MARK: Model (TRL ModelConfig)

    /// Model directory or GGUF file. Required.
    public var modelNameOrPath: String?
    /// Default "main" (TRL ModelConfig). Only meaningful for hub ids; accepted and recorded.
    public var modelRevision = "main"
    /// Default nil = the checkpoint's dtype (TRL ModelConfig). "auto", "bfloat16", "float16", "float32".
    public var torchDtype: String?
    /// Default nil (TRL ModelConfig). Recorded only: our engine has one attention implementation.
    public var attnImplementation: String?
    /// Default false (TRL ModelConfig).
    public var trustRemoteCode = false

    // MARK: LoRA (TRL ModelConfig -> peft.LoraConfig)

    /// Default false (TRL ModelConfig). false = full fine-tuning.
    public var usePeft = false
    /// Default 16 (TRL ModelConfig).
    public var loraR = 16
    /// Default 32 (TRL ModelConfig).
    public var loraAlpha = 32
    /// Default 0.05 (TRL ModelConfig).
    public var loraDropout = 0.05
    /// Default nil = PEFT's per-architecture default (q_proj, v_proj for Qwen2/Llama); see
    /// `resolvedLoraTargetModules`. A single string such as "all-linear" is accepted.
    public var loraTargetModules: StringList?
    /// Default false (TRL ModelConfig): scaling alpha/r; true gives alpha/sqrt(r).
    public var useRslora = false

    // MARK: Data (TRL ScriptArguments, Tina ModelPTConfig, open-r1 GRPOConfig)

    /// A local JSONL/JSON file, or a directory holding `[CONFIG/]SPLIT.jsonl|json`. Required.
    /// Hub ids are refused at load time with a note on how to fetch the file.
    public var datasetName: String?
    /// Default nil (TRL ScriptArguments): the subdirectory of a dataset directory.
    public var datasetConfig: String?
    /// Default "train" (TRL ScriptArguments).
    public var datasetTrainSplit = "train"
    /// Default "test" (TRL ScriptArguments). Not used by training.
    public var datasetTestSplit = "test"
    /// Ours, default auto: where the gold string comes from (tina-digest.md 3.3; auto applies Tina's rules).
    public var datasetSolutionFrom = SolutionSource.auto
    /// Ours, default skip: a broken dataset line is reported and skipped, or fails the load.
    public var datasetBadLines = BadLinePolicy.skip
    /// System prompt text (open-r1 GRPOConfig key). Default nil: see `systemPromptPreset`.
    public var systemPrompt: String?
    /// Ours: open_r1, open_rs or none. With neither this nor `system_prompt`, Tina's rule applies
    /// (open_rs iff the dataset path contains "open-rs", else open_r1; tina-digest.md 1.3).
    public var systemPromptPreset: SystemPromptPreset?
    /// Chat template (open-r1 GRPOConfig key): a built-in name (`deepseek-r1-early`, alias `reason` = Tina's
    /// REASON_CHAT_TEMPLATE; `deepseek-r1`), a Jinja file, or nil / "tokenizer" for the tokenizer's own.
    public var chatTemplate: String?

    // MARK: Rewards (Tina ModelPTConfig / open-r1 GRPOScriptArguments)

    /// Default accuracy, format, tag_count (open-r1 GRPOScriptArguments). Names of TinaMath's `TinaRewards`.
    public var rewardFuncs = ["accuracy", "format", "tag_count"]
    /// Default nil = every weight 1.0 (TRL GRPOConfig).
    public var rewardWeights: [Double]?
    /// Defaults 0.0 / -0.5 / 0.5 / 1.0 / 1000 (Tina config.py, open-r1).
    public var cosineMinValueWrong = 0.0
    public var cosineMaxValueWrong = -0.5
    public var cosineMinValueCorrect = 0.5
    public var cosineMaxValueCorrect = 1.0
    public var cosineMaxLen = 1000
    /// Defaults 3 / -1.0 (Tina config.py, open-r1).
    public var repetitionNGrams = 3
    public var repetitionMaxPenalty = -1.0

    // MARK: GRPO (TRL GRPOConfig; "0.16+" marks options from later TRL, defaulted to 0.15.2 behaviour)

    /// Default 8 (TRL GRPOConfig). Completions per prompt (G).
    public var numGenerations = 8
    /// Default 512 (TRL GRPOConfig); null = no truncation. Prompts are truncated from the left.
    public var maxPromptLength: Int? = 512
    /// Default 256 (TRL GRPOConfig).
    public var maxCompletionLength = 256
    /// Default 0.9 (TRL GRPOConfig).
    public var temperature = 0.9
    /// Default 1.0 (TRL 0.16+; 0.15.2 samples with temperature only).
    public var topP = 1.0
    /// Default nil = off (0.15.2 samples with temperature only; later TRL's 50 would change Tina's sampling).
    public var topK: Int?
    /// Default nil = off (TRL 0.16+).
    public var minP: Double?
    /// Default 1.0 = off (TRL 0.16+).
    public var repetitionPenalty = 1.0
    /// Default 0.04 (TRL 0.15.2 GRPOConfig; 0.19+ uses 0.0). 0 skips the reference pass.
    public var beta = 0.04
    /// Default group (= true; Tina's GRPOConfig, TRL 0.16+). false / none is Dr.GRPO's unscaled advantage.
    public var scaleRewards = RewardScaling.group
    /// Default grpo = 0.15.2's mean of per-sequence means (TRL 0.17+ defaults to bnpo, later dapo).
    public var lossType = GRPOLossType.grpo
    /// Default 0.2 (TRL 0.16+). Clip range of the ratio; matters only with num_iterations > 1.
    public var epsilon = 0.2
    /// Default nil = epsilon (TRL 0.18+, DAPO's clip-higher).
    public var epsilonHigh: Double?
    /// Default 1 (TRL 0.16+): policy updates per generated batch.
    public var numIterations = 1
    /// Default false (TRL 0.18+): completions that hit max_completion_length are left out of the loss.
    public var maskTruncatedCompletions = false

    // MARK: Schedule and batch (transformers TrainingArguments unless noted)

    /// Default 1e-6 (TRL GRPOConfig overrides transformers' 5e-5).
    public var learningRate = 1e-6
    /// Default linear (transformers).
    public var lrSchedulerType = LRSchedulerType.linear
    /// Default {} (transformers). `min_lr_rate` / `min_lr` for cosine_with_min_lr.
    public var lrSchedulerKwargs = LRSchedulerKwargs()
    /// Default 0.0 (transformers). Warmup steps = ceil(ratio * max_steps) unless warmup_steps > 0.
    public var warmupRatio = 0.0
    /// Default 0 (transformers); > 0 overrides warmup_ratio.
    public var warmupSteps = 0
    /// Default -1 = from num_train_epochs (transformers). Defines the LR schedule's length.
    public var maxSteps = -1
    /// Ours, default nil = max_steps. The step at which training actually stops; Tina stretched max_steps ~2x
    /// for the schedule and stopped runs by hand (tina-digest.md 3.1).
    public var stopAtStep: Int?
    /// Default 3.0 (transformers). Binding only when max_steps is -1.
    public var numTrainEpochs = 3.0
    /// Default 8 (transformers). Counts completions, so prompts per micro-batch = this / num_generations.
    public var perDeviceTrainBatchSize = 8
    /// Default 1 (transformers).
    public var gradientAccumulationSteps = 1
    /// Ours (accelerate's num_processes), default 1: the data-parallel world size the batch arithmetic
    /// assumes. Tina ran 2 processes; we run them one after another and average, as DeepSpeed did.
    public var numProcesses = 1
    /// Default 42 (transformers).
    public var seed = 42

    // MARK: Optimizer (transformers TrainingArguments; AdamW)

    /// Default adamw_torch (transformers). Any adamw_* is AdamW here.
    public var optim = "adamw_torch"
    /// Defaults 0.0 / 0.9 / 0.999 / 1e-8 / 1.0 (transformers).
    public var weightDecay = 0.0
    public var adamBeta1 = 0.9
    public var adamBeta2 = 0.999
    public var adamEpsilon = 1e-8
    public var maxGradNorm = 1.0

    // MARK: Precision and memory (transformers TrainingArguments)

    /// Default false (transformers). true = bf16 weights and activations where the engine supports it.
    public var bf16 = false
    /// Default false (transformers). Refused at validation (no fp16 path).
    public var fp16 = false
    /// Default false (transformers). True: the training pass keeps only each layer's input and recomputes its
    /// activations in the backward (bit-identical gradients, less memory, one more forward of compute).
    public var gradientCheckpointing = false
    /// Default nil (transformers). Only `use_reentrant` is known; recorded, no effect on our engine.
    public var gradientCheckpointingKwargs: GradientCheckpointingKwargs?

    // MARK: Logging and checkpoints (transformers TrainingArguments)

    /// Default nil = "runs/<recipe file name>" (see `resolvedOutputDir`); transformers requires one.
    public var outputDir: String?
    /// Default 500 (transformers).
    public var loggingSteps = 500
    /// Default false (transformers).
    public var loggingFirstStep = false
    /// Default steps (transformers).
    public var saveStrategy = SaveStrategy.steps
    /// Default 500 (transformers).
    public var saveSteps = 500
    /// Default nil = keep all (transformers).
    public var saveTotalLimit: Int?

    // MARK: Ours (CPU engine)

    /// Default nil = all cores.
    public var numThreads: Int?

    /// Lines about accepted-but-ignored keys (vLLM, hub, ...), for the run log. Not part of the recipe.
    public var notes: [String] = []
    /// The file the recipe was loaded from (names the default output directory). Not part of the recipe.
    public var recipePath: String?

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case modelNameOrPath = "model_name_or_path", modelRevision = "model_revision", torchDtype = "torch_dtype"
        case attnImplementation = "attn_implementation", trustRemoteCode = "trust_remote_code"
        case usePeft = "use_peft", loraR = "lora_r", loraAlpha = "lora_alpha", loraDropout = "lora_dropout"
        case loraTargetModules = "lora_target_modules", useRslora = "use_rslora"
        case datasetName = "dataset_name", datasetConfig = "dataset_config", datasetTrainSplit = "dataset_train_split"
        case datasetTestSplit = "dataset_test_split", datasetSolutionFrom = "dataset_solution_from"
        case datasetBadLines = "dataset_bad_lines"
        case systemPrompt = "system_prompt", systemPromptPreset = "system_prompt_preset", chatTemplate = "chat_template"
        case rewardFuncs = "reward_funcs", rewardWeights = "reward_weights"
        case cosineMinValueWrong = "cosine_min_value_wrong", cosineMaxValueWrong = "cosine_max_value_wrong"
        case cosineMinValueCorrect = "cosine_min_value_correct", cosineMaxValueCorrect = "cosine_max_value_correct"
        case cosineMaxLen = "cosine_max_len", repetitionNGrams = "repetition_n_grams"
        case repetitionMaxPenalty = "repetition_max_penalty"
        case numGenerations = "num_generations", maxPromptLength = "max_prompt_length"
        case maxCompletionLength = "max_completion_length", temperature, topP = "top_p", topK = "top_k", minP = "min_p"
        case repetitionPenalty = "repetition_penalty", beta, scaleRewards = "scale_rewards", lossType = "loss_type"
        case epsilon, epsilonHigh = "epsilon_high", numIterations = "num_iterations"
        case maskTruncatedCompletions = "mask_truncated_completions"
        case learningRate = "learning_rate", lrSchedulerType = "lr_scheduler_type"
        case lrSchedulerKwargs = "lr_scheduler_kwargs", warmupRatio = "warmup_ratio", warmupSteps = "warmup_steps"
        case maxSteps = "max_steps", stopAtStep = "stop_at_step", numTrainEpochs = "num_train_epochs"
        case perDeviceTrainBatchSize = "per_device_train_batch_size"
        case gradientAccumulationSteps = "gradient_accumulation_steps", numProcesses = "num_processes", seed
        case optim, weightDecay = "weight_decay", adamBeta1 = "adam_beta1", adamBeta2 = "adam_beta2"
        case adamEpsilon = "adam_epsilon", maxGradNorm = "max_grad_norm"
        case bf16, fp16, gradientCheckpointing = "gradient_checkpointing"
        case gradientCheckpointingKwargs = "gradient_checkpointing_kwargs"
        case outputDir = "output_dir", loggingSteps = "logging_steps", loggingFirstStep = "logging_first_step"
        case saveStrategy = "save_strategy", saveSteps = "save_steps", saveTotalLimit = "save_total_limit"
        case numThreads = "num_threads"
    }

    /// Every key a recipe may set (canonical names).
    public static var keys: [String] { CodingKeys.allCases.map(\.rawValue) }
}
