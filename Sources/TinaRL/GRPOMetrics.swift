import Foundation
import TinaGeneration
import TinaTraining

/// What one optimizer step logs, under TRL's metric names (one flat JSON object per `metrics.jsonl` row).
public struct GRPOStepMetrics: Sendable, Codable, Equatable {
    public var step: Int
    public var values: [String: Double]

    public init(step: Int, values: [String: Double]) {
        self.step = step
        self.values = values
    }

    public subscript(_ name: String) -> Double? { values[name] }

    init(step: Int, batch: RolloutBatch, loss: Double, statistics: [GRPOStatistics], gradientNorm: Double, learningRate: Double,
         timing: GRPOTiming, seconds: Double, skipped: Bool, epoch: Int) {
        var v: [String: Double] = [:]
        let r = batch.rewards
        v["reward"] = Self.mean(r)
        v["reward_std"] = Self.std(r)
        for (name, values) in batch.rewardsByFunction {
            // nil (not applicable) counts as 0, as TRL's nansum-weighted total does.
            let filled = values.map { $0 ?? 0 }
            v["rewards/\(name)/mean"] = Self.mean(filled)
            v["rewards/\(name)/std"] = Self.std(filled)
        }
        v["frac_reward_zero_std"] = batch.advantages.fractionZeroStd
        let lengths = batch.completions.map { Double($0.tokens.count) }
        v["completions/mean_length"] = Self.mean(lengths)
        v["completions/min_length"] = lengths.min() ?? 0
        v["completions/max_length"] = lengths.max() ?? 0
        let truncated = batch.completions.filter { $0.finishReason != .stop }.count
        v["completions/clipped_ratio"] = Double(truncated) / Double(max(1, batch.completions.count))
        // Entropy estimate: mean -log p of the sampled tokens under the raw model.
        let logProbs = batch.completions.flatMap(\.logProbs)
        v["entropy"] = logProbs.isEmpty ? 0 : -logProbs.reduce(0) { $0 + Double($1) } / Double(logProbs.count)
        let masked = statistics.reduce(0) { $0 + $1.maskedTokens }
        func weighted(_ key: KeyPath<GRPOStatistics, Double>) -> Double {
            masked == 0 ? 0 : statistics.reduce(0) { $0 + $1[keyPath: key] * Double($1.maskedTokens) } / Double(masked)
        }
        // TRL 0.15.2 (Tina) logs the mean over sequences of each sequence's mean KL; later TRL the token mean.
        let sequences = statistics.reduce(0) { $0 + $1.sequences }
        if statistics.contains(where: { $0.sequenceMeanKL != nil }) {
            v["kl"] = statistics.reduce(0) { $0 + ($1.sequenceMeanKL ?? 0) * Double($1.sequences) } / Double(max(1, sequences))
            v["kl/token_mean"] = statistics.reduce(0) { $0 + ($1.meanKL ?? 0) * Double($1.maskedTokens) } / Double(max(1, masked))
        }
        v["clip_ratio/low_mean"] = weighted(\.clipLow)
        v["clip_ratio/high_mean"] = weighted(\.clipHigh)
        v["clip_ratio/region_mean"] = weighted(\.clipRegion)
        v["loss"] = loss
        v["grad_norm"] = gradientNorm
        v["learning_rate"] = learningRate
        v["epoch"] = Double(epoch)
        v["time/rollout"] = timing.rollout
        v["time/reference"] = timing.reference
        v["time/train"] = timing.train
        v["time/step"] = seconds
        v["tokens/completion"] = Double(batch.completions.reduce(0) { $0 + $1.tokens.count })
        v["tokens/prompt"] = Double(batch.completions.reduce(0) { $0 + $1.promptTokens })
        v["skipped"] = skipped ? 1 : 0
        self.init(step: step, values: v)
    }

    static func mean(_ x: [Double]) -> Double { x.isEmpty ? 0 : x.reduce(0, +) / Double(x.count) }

    /// torch.std: unbiased (n - 1).
    static func std(_ x: [Double]) -> Double {
        guard x.count > 1 else { return 0 }
        let m = mean(x)
        return (x.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(x.count - 1)).squareRoot()
    }

    /// The console line.
    public func line(lastStep: Int) -> String {
        func f(_ key: String, _ format: String = "%.3f") -> String { values[key].map { String(format: format, $0) } ?? "-" }
        var parts = ["step \(step)/\(lastStep)", "reward \(f("reward"))±\(f("reward_std"))"]
        for key in values.keys.sorted() where key.hasPrefix("rewards/") && key.hasSuffix("/mean") {
            parts.append("\(key.dropFirst(8).dropLast(5)) \(f(key))")
        }
        parts += ["len \(f("completions/mean_length", "%.0f"))", "clip \(f("completions/clipped_ratio", "%.2f"))",
                  "kl \(f("kl", "%.4f"))", "grad \(f("grad_norm"))", "lr \(f("learning_rate", "%.2e"))",
                  "rollout \(f("time/rollout", "%.1f"))s ref \(f("time/reference", "%.1f"))s train \(f("time/train", "%.1f"))s"]
        return parts.joined(separator: "  ")
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(step, forKey: Key("step"))
        for (k, value) in values where value.isFinite { try container.encode(value, forKey: Key(k)) }
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        step = try container.decode(Int.self, forKey: Key("step"))
        var v: [String: Double] = [:]
        for key in container.allKeys where key.stringValue != "step" { v[key.stringValue] = try container.decode(Double.self, forKey: key) }
        values = v
    }

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ s: String) { stringValue = s }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
