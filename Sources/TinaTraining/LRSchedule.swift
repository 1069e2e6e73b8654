import Foundation
import TinaCore

/// Learning-rate schedules with transformers' `get_scheduler` semantics (checked step by step against it).
/// The LR that optimizer step k (1-based) uses is `baseLR * factor(k - 1)`: transformers 5 logs that value.
public struct LRSchedule: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case constant
        case constantWithWarmup
        case linear
        case cosine
        /// Cosine to `minLRRate * baseLR` instead of 0 (Tina's recipes use 0.1).
        case cosineWithMinLR(minLRRate: Double)
    }

    public var kind: Kind
    public var baseLR: Double
    public var totalSteps: Int
    public var warmupSteps: Int

    public init(kind: Kind, baseLR: Double, totalSteps: Int, warmupSteps: Int) throws {
        guard totalSteps > 0, warmupSteps >= 0, baseLR >= 0, baseLR.isFinite else {
            throw TinaError.invalidArgument("LR schedule needs total steps > 0, warmup >= 0 and a finite LR >= 0 (got \(totalSteps), \(warmupSteps), \(baseLR))")
        }
        if case let .cosineWithMinLR(rate) = kind, !(0...1).contains(rate) {
            throw TinaError.invalidArgument("min_lr_rate must be in [0, 1], got \(rate)")
        }
        self.kind = kind
        self.baseLR = baseLR
        self.totalSteps = totalSteps
        self.warmupSteps = warmupSteps
    }

    /// Warmup steps from a ratio of the total, as transformers 5 computes them: ceil(ratio * total).
    public static func warmupSteps(ratio: Double, totalSteps: Int) -> Int {
        Int((ratio * Double(totalSteps)).rounded(.up))
    }

    /// The schedule's multiplier after `step` scheduler steps (transformers' lr_lambda(step)).
    public func factor(_ step: Int) -> Double {
        let s = Double(step), warmup = Double(warmupSteps)
        if kind != .constant && step < warmupSteps { return s / max(1, warmup) }
        let progress = (s - warmup) / max(1, Double(totalSteps - warmupSteps))
        switch kind {
        case .constant, .constantWithWarmup: return 1
        case .linear: return max(0, Double(totalSteps - step) / max(1, Double(totalSteps - warmupSteps)))
        case .cosine: return max(0, 0.5 * (1 + cos(Double.pi * progress)))
        case let .cosineWithMinLR(rate):
            let f = 0.5 * (1 + cos(Double.pi * progress))
            return max(0, f * (1 - rate) + rate)
        }
    }

    /// The learning rate optimizer step `step` (1-based) runs with.
    public func learningRate(step: Int) -> Double { baseLR * factor(step - 1) }
}
