import Foundation
import TinaTraining

/// The key tables behind recipe validation: which keys exist, which are accepted and ignored, which are other
/// spellings of ours, and which must keep their default because we do not implement the alternative.
/// Anything else is an error: Tina's Dr.GRPO recipe lost its `scale_reward` key silently (tina-digest.md 4.7).
enum RecipeKeys {
    /// Keys of the recipes' tools that do not apply to our engine, with the reason given in the run notes.
    static let ignored: [String: String] = {
        var table: [String: String] = [:]
        let vllm = "vLLM setting: Tina's own engine generates, so it has no effect"
        for key in ["use_vllm", "vllm_device", "vllm_gpu_memory_utilization", "vllm_dtype", "vllm_max_model_len",
                    "vllm_enable_prefix_caching", "vllm_guided_decoding_regex", "vllm_server_host", "vllm_server_port",
                    "vllm_server_timeout", "vllm_mode", "vllm_tensor_parallel_size", "ds3_gather_for_generation"] {
            table[key] = vllm
        }
        let hub = "Hugging Face Hub setting: runs are written locally, nothing is pushed"
        for key in ["push_to_hub", "hub_model_id", "hub_strategy", "hub_private_repo", "hub_token", "hub_model_revision",
                    "push_to_hub_revision", "overwrite_hub_revision"] {
            table[key] = hub
        }
        let logging = "logging destination: metrics go to metrics.jsonl in the run directory"
        for key in ["report_to", "run_name", "log_level", "log_level_replica", "logging_strategy", "logging_dir",
                    "log_completions", "wandb_entity", "wandb_project"] {
            table[key] = logging
        }
        table["overwrite_output_dir"] = "the trainer resumes from or refuses an existing run directory by its own flags"
        table["model_post_train_type"] = "Tina's trainer selector; this trainer is GRPO"
        table["dataloader_num_workers"] = "data loading is in-process"
        table["remove_unused_columns"] = "columns are mapped as tina-digest.md 3.3 describes"
        table["gradient_checkpointing_use_reentrant"] = "recorded by gradient_checkpointing_kwargs; no effect on our engine"
        table["lora_task_type"] = "always CAUSAL_LM"
        return table
    }()

    /// Keys whose non-default value asks for something we do not implement: accepted only at that value.
    static let mustKeepDefault: [String: (value: Bool, reason: String)] = [
        "sync_ref_model": (false, "TR-DPO reference syncing is not implemented; the reference is the adapter-free model"),
        "use_dora": (false, "DoRA is not implemented"),
        "load_in_8bit": (false, "quantized training is not implemented"),
        "load_in_4bit": (false, "quantized training is not implemented"),
        "use_liger_kernel": (false, "the Liger loss is not implemented"),
        "torch_compile": (false, "there is no torch here"),
    ]

    /// Other spellings of our keys (Tina's own config names; an abbreviation the issue uses).
    static let aliases: [String: String] = [
        "rl_post_train_reward_funcs": "reward_funcs",
        "rl_post_train_reward_weights": "reward_weights",
        "model_post_train_dataset_config": "dataset_config",
        "dataset_split": "dataset_train_split",
    ]

    /// Keys refused with a specific explanation rather than a spelling hint.
    static let refused: [String: String] = [
        "model_post_train_dataset_name": "Tina's dataset key names a Hugging Face dataset through tina/utils/constant.py; "
            + "set dataset_name to a local JSONL file instead (recipes/README.md lists where each comes from)",
        "scale_reward": "Tina's Dr.GRPO recipe used this misspelling and TRL dropped it silently; the key is "
            + "'scale_rewards' (did you mean 'scale_rewards'?)",
    ]

    /// Keys whose value is a mapping, with the keys that mapping may hold.
    static let nested: [String: [String]] = [
        "lr_scheduler_kwargs": LRSchedulerKwargs.CodingKeys.allCases.map(\.rawValue),
        "gradient_checkpointing_kwargs": GradientCheckpointingKwargs.CodingKeys.allCases.map(\.rawValue),
    ]

    /// The allowed values of enumerated keys, for error messages.
    static let choices: [String: [String]] = [
        "scale_rewards": ["true", "false"] + RewardScaling.allCases.map(\.rawValue),
        "loss_type": GRPOLossType.allCases.map(\.rawValue),
        "lr_scheduler_type": LRSchedulerType.allCases.map(\.rawValue),
        "save_strategy": SaveStrategy.allCases.map(\.rawValue),
        "dataset_solution_from": SolutionSource.allCases.map(\.rawValue),
        "dataset_bad_lines": BadLinePolicy.allCases.map(\.rawValue),
        "system_prompt_preset": SystemPromptPreset.allCases.map(\.rawValue),
    ]

    /// Every name a recipe may use at the top level (for spelling hints).
    static var accepted: [String] {
        GRPORecipe.keys + Array(ignored.keys) + Array(mustKeepDefault.keys) + Array(aliases.keys)
    }
}

/// Spelling hints by edit distance.
enum Suggest {
    /// " (did you mean 'x'?)" for the closest candidate within a distance that scales with the word, else "".
    static func hint(for word: String, among candidates: [String]) -> String {
        guard let best = closest(to: word, among: candidates) else { return "" }
        return " (did you mean '\(best)'?)"
    }

    static func closest(to word: String, among candidates: [String]) -> String? {
        let limit = max(2, word.count / 3)
        var best: (name: String, distance: Int)?
        for candidate in candidates.sorted() {
            let d = distance(word.lowercased(), candidate.lowercased())
            if d <= limit, d < (best?.distance ?? Int.max) { best = (candidate, d) }
        }
        return best?.name
    }

    /// Levenshtein distance over characters.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
