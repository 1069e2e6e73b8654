import Foundation
import TinaCore

/// Where an SFT run stands after an optimizer step: everything besides the weights and AdamW's moments that the
/// next step depends on. Saved as a checkpoint's trainer_state.json.
///   - the LR schedule position is `step` (step k + 1 runs at `schedule.learningRate(step: k + 1)`);
///   - the data cursor is (`epoch`, `position`): epoch e's order is `SFTTrainer.permutation(count, seed, e)`, so the
///     epoch and the number of its examples already used say which example comes next;
///   - the LoRA dropout masks are drawn by a counter-based generator keyed by (seed, step, micro-batch), so its
///     whole state is the seed (in `run`) and `step`.
public struct SFTState: Codable, Equatable, Sendable {
    public var step = 0
    /// The epoch the next batch comes from (0-based).
    public var epoch = 0
    /// Examples of that epoch's order already trained on.
    public var position = 0
    /// Wall time spent training so far, over all sessions of the run.
    public var elapsedSeconds = 0.0
    /// The settings and data the run was started with: a resume with others would not repeat the run.
    public var run: SFTRunIdentity

    public init(run: SFTRunIdentity) {
        self.run = run
    }
}

/// What an SFT trajectory depends on besides its initial weights. A checkpoint records it, and resuming under a
/// different one is refused with the fields that differ (the run would silently diverge from the one it continues).
public struct SFTRunIdentity: Codable, Equatable, Sendable {
    public var seed: UInt64
    /// Examples trained on, and a hash of their token ids (FNV-1a 64, hex): other data would reorder every batch.
    public var examples: Int
    public var dataHash: String
    public var batchSize: Int
    public var microBatch: Int
    public var learningRate: Double
    public var schedule: String
    public var totalSteps: Int
    public var warmupSteps: Int
    public var maxGradNorm: Double
    public var weightDecay: Double
    public var dropout: Bool

    /// "field: saved X, this run Y" for each field that differs.
    public func differences(from other: SFTRunIdentity) -> [String] {
        var found: [String] = []
        func compare<T: Equatable>(_ name: String, _ key: KeyPath<SFTRunIdentity, T>) {
            if self[keyPath: key] != other[keyPath: key] { found.append("\(name): saved \(self[keyPath: key]), this run \(other[keyPath: key])") }
        }
        compare("seed", \.seed)
        compare("examples", \.examples)
        compare("data hash (the training data changed)", \.dataHash)
        compare("batch size", \.batchSize)
        compare("micro-batch", \.microBatch)
        compare("learning rate", \.learningRate)
        compare("schedule", \.schedule)
        compare("total steps (epochs / max steps)", \.totalSteps)
        compare("warmup steps", \.warmupSteps)
        compare("max grad norm", \.maxGradNorm)
        compare("weight decay", \.weightDecay)
        compare("dropout", \.dropout)
        return found
    }

    /// FNV-1a 64 over every example's prompt and completion lengths and ids.
    static func hash(_ examples: [SFTExample]) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ value: Int) {
            var v = UInt64(bitPattern: Int64(value))
            for _ in 0..<8 {
                h = (h ^ (v & 0xFF)) &* 0x100_0000_01b3
                v >>= 8
            }
        }
        for e in examples {
            mix(e.prompt.count)
            e.prompt.forEach(mix)
            mix(e.completion.count)
            e.completion.forEach(mix)
        }
        return String(h, radix: 16)
    }
}
