import Foundation

/// Advantage scaling (TRL `scale_rewards`): true = group, false = none, as TRL 0.16-0.21 spelled it.
public enum ScaleRewards: String, Codable, CaseIterable, Sendable {
    /// (r - group mean) / (group std + 1e-4): GRPO, Tina's default.
    case group
    /// (r - group mean) / (std over the whole batch + 1e-4) (TRL 0.22+).
    case batch
    /// r - group mean: Dr.GRPO.
    case none

    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let flag = try? container.decode(Bool.self) {
            self = flag ? .group : .none
            return
        }
        let text = try container.decode(String.self)
        guard let value = ScaleRewards(rawValue: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "invalid choice '\(text)'")
        }
        self = value
    }
}

/// Loss aggregation (TRL `loss_type`).
public enum LossType: String, Codable, CaseIterable, Sendable {
    /// Mean over sequences of each sequence's token mean (TRL 0.15.2, Tina).
    case grpo
    /// Token mean over the micro-batch (Tina's Dr.GRPO flag path; TRL 0.17+ default).
    case bnpo
    /// Token sum / (sequences x max_completion_length) (Dr.GRPO paper).
    case drGRPO = "dr_grpo"
    /// Token mean over the whole accumulated batch (DAPO).
    case dapo
}

/// transformers `SchedulerType` values the trainer implements.
public enum LRSchedulerType: String, Codable, CaseIterable, Sendable {
    case constant
    case constantWithWarmup = "constant_with_warmup"
    case linear
    case cosine
    case cosineWithMinLR = "cosine_with_min_lr"
}

/// transformers `save_strategy`.
public enum SaveStrategy: String, Codable, CaseIterable, Sendable {
    case steps
    case no
    /// Saves at the end of each pass over the dataset.
    case epoch
}

/// Where a dataset row's gold string comes from (tina-digest.md 3.3).
public enum SolutionSource: String, Codable, CaseIterable, Sendable {
    /// Tina's rules: the `solution` column when there is one, else "$answer$"; a dataset path containing
    /// "deepscaler" uses "$answer$" (Tina keys that rule on its dataset name).
    case auto
    /// The `solution` column, verbatim.
    case solution
    /// "$" + the `answer` column + "$".
    case answer
}

/// What a broken dataset line does.
public enum BadLinePolicy: String, Codable, CaseIterable, Sendable {
    /// Reported (file:line: reason) and skipped.
    case skip
    /// Fails the load.
    case fail
}

/// Tina's system prompts by name (tina-digest.md 1.3).
public enum SystemPromptPreset: String, Codable, CaseIterable, Sendable {
    case openR1 = "open_r1"
    case openRS = "open_rs"
    case none
}

/// One string or a list of strings (PEFT accepts `target_modules: all-linear` as well as a list).
public struct StringList: Codable, Equatable, Sendable {
    public var values: [String]

    public init(_ values: [String]) { self.values = values }

    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let one = try? container.decode(String.self) {
            values = [one]
        } else {
            values = try container.decode([String].self)
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(values)
    }
}

/// transformers `lr_scheduler_kwargs` for cosine_with_min_lr: exactly one of the two.
public struct LRSchedulerKwargs: Codable, Equatable, Sendable {
    /// The floor as a fraction of the peak LR (Tina: 0.1).
    public var minLRRate: Double?
    /// The floor as an absolute LR.
    public var minLR: Double?

    public init(minLRRate: Double? = nil, minLR: Double? = nil) {
        self.minLRRate = minLRRate
        self.minLR = minLR
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case minLRRate = "min_lr_rate", minLR = "min_lr"
    }
}

/// transformers `gradient_checkpointing_kwargs`.
public struct GradientCheckpointingKwargs: Codable, Equatable, Sendable {
    public var useReentrant: Bool?

    public init(useReentrant: Bool? = nil) { self.useReentrant = useReentrant }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case useReentrant = "use_reentrant"
    }
}
