import Foundation
import TinaCore
import TinaFormats
import TinaMath
import TinaModels
import TinaRL

/// Seconds per GRPO step split rollout / reference / train, and peak memory: LoRA r=16 (alpha 64) on all seven
/// projections, `prompts` x `generations` completions of exactly `completionTokens` tokens (no stop token, as
/// TRL's peer run is set up), beta 0.04, over prompts of ~`promptTokens` tokens.
public struct GRPOBenchResult: Codable, Sendable {
    public var model: String
    public var precision: String
    public var prompts: Int
    public var generations: Int
    public var completionTokens: Int
    public var gradientCheckpointing: Bool
    public var steps: [GRPOTiming]
    public var medianStepSeconds: Double
    public var peakResidentMiB: Double
}

public enum GRPOBench {
    /// A reward that varies across completions so advantages and gradients are not zero.
    struct TokenParity: RewardFunction {
        let name = "parity"
        func rewards(_ inputs: [RewardInput]) -> [Double?] { inputs.map { Double($0.completion.unicodeScalars.count % 2) } }
    }

    public static func run(name: String, model: DecoderModel, prompts: [[Int]], generations: Int = 4, completionTokens: Int = 64,
                           steps: Int = 3, gradientCheckpointing: Bool = false, profileLastStep: Bool = false, progress: (String) -> Void = { _ in }) throws
        -> (result: GRPOBenchResult, profile: [(name: String, seconds: Double, calls: Int)]) {
        try model.attachNewLoRA(PEFTAdapterConfig(rank: 16, alpha: 64, dropout: 0.05,
                                                  targetModules: ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]), seed: 1)
        var settings = GRPOSettings()
        settings.generations = generations
        settings.promptsPerMicroBatch = prompts.count
        settings.gradientAccumulationSteps = 1
        settings.maxCompletionLength = completionTokens
        settings.learningRate = 5e-5
        settings.maxSteps = steps
        settings.gradientCheckpointing = gradientCheckpointing
        let trainer = try GRPOTrainer(model: model, settings: settings,
                                      prompts: prompts.enumerated().map { GRPOPrompt(index: $0.offset, tokens: $0.element, solution: "") },
                                      rewards: WeightedRewards([(TokenParity(), 1)]), stopTokenIDs: [],
                                      decode: { ids in String(repeating: "x", count: ids.reduce(0, +) % 7) })
        var timings: [GRPOTiming] = []
        var profile: [(name: String, seconds: Double, calls: Int)] = []
        for index in 0..<steps {
            let profiling = profileLastStep && index == steps - 1
            if profiling { OpProfile.start() }
            let m = try trainer.step()
            if profiling { profile = OpProfile.stop() }
            var t = GRPOTiming()
            t.rollout = m["time/rollout"] ?? 0
            t.reference = m["time/reference"] ?? 0
            t.train = m["time/train"] ?? 0
            timings.append(t)
            progress(String(format: "grpo %@ step %d: %.2f s (rollout %.2f, reference %.2f, train %.2f)", name, m.step, t.total, t.rollout, t.reference, t.train))
        }
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let sorted = timings.dropFirst(timings.count > 1 ? 1 : 0).map(\.total).sorted()
        let result = GRPOBenchResult(model: name, precision: "\(model.compute.rawValue) products", prompts: prompts.count, generations: generations,
                               completionTokens: completionTokens, gradientCheckpointing: gradientCheckpointing, steps: timings, medianStepSeconds: sorted[sorted.count / 2],
                               peakResidentMiB: Double(usage.ru_maxrss) / 1024)
        return (result, profile + [("total (wall)", timings.last?.total ?? 0, 1)])
    }
}
