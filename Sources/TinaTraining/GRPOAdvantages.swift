import Foundation
import TinaCore

/// How GRPO scales the group-centred rewards (TRL's `scale_rewards`). Every mode centres on the group mean.
public enum RewardScaling: String, Sendable, CaseIterable, Codable {
    /// Divide by the group's std (TRL 0.15.2 `scale_rewards=True`, Tina's setting).
    case group
    /// Divide by the std of the whole batch's rewards (TRL >= 0.18 `scale_rewards="batch"`).
    case batch
    /// No scaling: A = r - mean (TRL 0.15.2 `scale_rewards=False`, "Dr.GRPO").
    case none
}

/// Group-relative advantages with TRL's semantics: rewards come as consecutive groups of G (prompt i's G
/// completions are consecutive); std is torch.std (unbiased, N - 1); A = (r - mean) / (std + 1e-4).
public struct GRPOAdvantages: Sendable, Equatable {
    public var advantages: [Double]
    public var groupMeans: [Double]
    /// Each group's unbiased std (TRL's `reward_std` metric in group and none modes).
    public var groupStds: [Double]
    /// The unbiased std of all rewards (the divisor in batch mode).
    public var batchStd: Double
    /// TRL's `frac_reward_zero_std`: the share of completions whose std (the group's, or in batch mode the
    /// batch's) is zero by torch.isclose (|std| <= 1e-8): their advantages are 0 and they teach nothing.
    public var fractionZeroStd: Double

    public init(rewards: [Double], groupSize: Int, scaling: RewardScaling) throws {
        guard groupSize >= 2 else {
            throw TinaError.invalidArgument("GRPO needs at least 2 completions per prompt (group size \(groupSize))")
        }
        guard !rewards.isEmpty, rewards.count % groupSize == 0 else {
            throw TinaError.invalidArgument("\(rewards.count) rewards do not form groups of \(groupSize)")
        }
        if let bad = rewards.firstIndex(where: { !$0.isFinite }) {
            throw TinaError.invalidArgument("reward \(bad) is \(rewards[bad]) (rewards must be finite)")
        }
        func meanAndStd(_ values: ArraySlice<Double>) -> (Double, Double) {
            let mean = values.reduce(0, +) / Double(values.count)
            let squares = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
            return (mean, (squares / Double(values.count - 1)).squareRoot())
        }
        let groups = stride(from: 0, to: rewards.count, by: groupSize).map { meanAndStd(rewards[$0..<($0 + groupSize)]) }
        let overall = meanAndStd(rewards[...]).1
        let stds = rewards.indices.map { scaling == .batch ? overall : groups[$0 / groupSize].1 }
        advantages = rewards.indices.map { i in
            let centred = rewards[i] - groups[i / groupSize].0
            return scaling == .none ? centred : centred / (stds[i] + 1e-4)
        }
        groupMeans = groups.map(\.0)
        groupStds = groups.map(\.1)
        batchStd = overall
        fractionZeroStd = Double(stds.filter { $0 <= 1e-8 }.count) / Double(rewards.count)
    }
}

/// Which completion tokens the GRPO loss covers (TRL's completion mask).
public enum CompletionMask {
    /// True for every token up to and including the first EOS, all tokens when there is none (TRL 0.15.2: a
    /// truncated completion still counts). `maskTruncated` (TRL's `mask_truncated_completions`) drops a
    /// completion without EOS entirely.
    public static func mask(for completion: [Int], eosTokenIDs: Set<Int>, maskTruncated: Bool = false) -> [Bool] {
        guard let eos = completion.firstIndex(where: eosTokenIDs.contains) else {
            return [Bool](repeating: !maskTruncated, count: completion.count)
        }
        return completion.indices.map { $0 <= eos }
    }

    /// The tokens the masks cover before truncated completions are dropped: TRL's `num_items_in_batch`, DAPO's
    /// normaliser when given every completion of the optimizer step (all micro-batches and processes).
    public static func tokenCount(_ completions: [[Int]], eosTokenIDs: Set<Int>) -> Int {
        completions.reduce(0) { total, c in total + (c.firstIndex(where: eosTokenIDs.contains).map { $0 + 1 } ?? c.count) }
    }
}

extension RewardScaling {
    /// Recipes spell `scale_rewards` as TRL 0.16-0.21 did too: true = group, false = none.
    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let flag = try? container.decode(Bool.self) {
            self = flag ? .group : .none
            return
        }
        let text = try container.decode(String.self)
        guard let value = RewardScaling(rawValue: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "invalid choice '\(text)'")
        }
        self = value
    }
}
