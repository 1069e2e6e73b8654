import Foundation
import Testing
import TinaCore
import TinaTestSupport
import TinaTraining

/// Schedules and AdamW against transformers / torch (Tests/Fixtures/training, tools/reference/make_training_fixtures.py).
@Suite struct OptimizerTests {
    static let backend = CPUBackend.shared

    @Test func schedulesMatchTransformersStepByStep() throws {
        let json = try readJSON(Paths.fixture("training/schedules.json"))
        let baseLR = try #require(json["base_lr"] as? Double), ratio = try #require(json["warmup_ratio"] as? Double)
        let minRate = try #require(json["min_lr_rate"] as? Double)
        let cases = try #require(json["cases"] as? [[String: Any]])
        #expect(cases.count == 11)
        for c in cases {
            let name = try #require(c["name"] as? String), total = try #require(c["num_training_steps"] as? Int)
            let kind: LRSchedule.Kind = switch name {
            case "constant": .constant
            case "constant_with_warmup": .constantWithWarmup
            case "linear": .linear
            case "cosine": .cosine
            default: .cosineWithMinLR(minLRRate: minRate)
            }
            let warmup = kind == .constant ? 0 : LRSchedule.warmupSteps(ratio: ratio, totalSteps: total)
            if kind != .constant { #expect(warmup == c["num_warmup_steps"] as? Int, "\(name) \(total)") }
            let schedule = try LRSchedule(kind: kind, baseLR: baseLR, totalSteps: total, warmupSteps: warmup)
            let applied = try #require(c["lr_applied"] as? [Double])
            for (k, lr) in applied.enumerated() {
                // cos() in Double: allow a few ulps.
                #expect(abs(schedule.learningRate(step: k + 1) - lr) <= 1e-15 * max(1, lr / 1e-6), "\(name) N=\(total) step \(k + 1)")
            }
        }
    }

    /// 10 steps of gradient accumulation (mean of 2 micro-batches), clipping to norm 1 and AdamW equal torch's
    /// f32 trajectory to f32 rounding.
    @Test func adamWFollowsTorchTrajectory() throws {
        let json = try readJSON(Paths.fixture("training/adamw.json"))
        let initial = try #require(json["initial"] as? [String: [Double]])
        let w = try TrainableParameter(name: "w", value: try Tensor(shape: [4, 3], values: (initial["w"] ?? []).map(Float.init)), backend: Self.backend)
        let b = try TrainableParameter(name: "b", value: try Tensor(shape: [3], values: (initial["b"] ?? []).map(Float.init)), backend: Self.backend)
        let optimizer = AdamW(backend: Self.backend, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01)
        let steps = try #require(json["steps"] as? [[String: Any]])
        #expect(steps.count == 10)
        for (k, step) in steps.enumerated() {
            let micro = try #require(step["micro_grads"] as? [[String: [Double]]])
            for p in [w, b] {
                p.gradient.floats.update(repeating: 0, count: p.gradient.count)
                for m in micro {
                    let g = (m[p.name] ?? []).map { Float($0) / Float(micro.count) }
                    for i in g.indices { p.gradient.floats[i] += g[i] }
                }
            }
            let norm = try optimizer.clipGradients([w, b], maxNorm: 1.0)
            let torchNorm = try #require(step["grad_norm"] as? Double)
            #expect(abs(norm - torchNorm) <= 1e-6 * torchNorm, "step \(k + 1) norm \(norm) vs \(torchNorm)")  // torch sums in f32
            try optimizer.update([w, b], learningRate: 1e-3)
            let expected = try #require(step["params"] as? [String: [Double]])
            for p in [w, b] {
                #expect(maxScaledError(try p.value.toArray(), (expected[p.name] ?? []).map(Float.init)) < 2e-7, "step \(k + 1) \(p.name)")
            }
        }
    }

    @Test func badSchedulesAreErrors() {
        #expect(throws: TinaError.self) { try LRSchedule(kind: .linear, baseLR: 1e-6, totalSteps: 0, warmupSteps: 0) }
        #expect(throws: TinaError.self) { try LRSchedule(kind: .cosineWithMinLR(minLRRate: 2), baseLR: 1e-6, totalSteps: 10, warmupSteps: 1) }
    }

    @Test func sgdStepsAgainstTheGradient() throws {
        let p = try TrainableParameter(name: "p", value: try Tensor(shape: [3], values: [1, -2, 0.5]), backend: Self.backend)
        p.gradient.floats.update(from: [0.5, 1, -4], count: 3)
        try SGD(backend: Self.backend).update([p], learningRate: 0.1)
        #expect(try p.value.toArray() == [0.95, -2.1, 0.9])
    }
}
