import Foundation

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
