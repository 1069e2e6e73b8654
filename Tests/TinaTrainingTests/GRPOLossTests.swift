import Foundation
import Testing
import TinaCore
import TinaFormats
import TinaModels
import TinaTestSupport
import TinaTraining

/// The GRPO objective against a PyTorch re-implementation of TRL's compute_loss (Tests/Fixtures/grpo, written by
/// tools/reference/make_grpo_fixtures.py): advantages, masks, loss, per-token gradient, TRL's metrics and every
/// LoRA gradient, for each loss type x reward scaling, with old log-probs that clip (num_iterations > 1), beta 0
/// and masked truncations.
@Suite struct GRPOLossTests {
    static let fixture = Paths.fixture("grpo")

    // MARK: Advantages and masks

    @Test func advantagesMatchHandComputedValues() throws {
        let rewards = [1.0, 0.0, 0.5, 2.0, 2.0, 2.0]
        let group = try GRPOAdvantages(rewards: rewards, groupSize: 3, scaling: .group)
        // Group 0: mean 0.5, unbiased std sqrt((0.25 + 0.25 + 0) / 2) = 0.5. Group 1: constant, std 0, A = 0.
        #expect(group.groupMeans == [0.5, 2.0] && group.groupStds == [0.5, 0])
        for (a, e) in zip(group.advantages, [0.5 / 0.5001, -0.5 / 0.5001, 0, 0, 0, 0]) { #expect(abs(a - e) < 1e-12) }
        #expect(group.fractionZeroStd == 0.5)
        let none = try GRPOAdvantages(rewards: rewards, groupSize: 3, scaling: .none)
        #expect(none.advantages == [0.5, -0.5, 0, 0, 0, 0])
        #expect(none.fractionZeroStd == 0.5)
        // Batch: mean per group, std of all six (mean 1.25, sum of squares 3.875, / 5).
        let batch = try GRPOAdvantages(rewards: rewards, groupSize: 3, scaling: .batch)
        let std = (3.875 / 5).squareRoot()
        #expect(abs(batch.batchStd - std) < 1e-12)
        for (a, e) in zip(batch.advantages, [0.5, -0.5, 0, 0, 0, 0].map { $0 / (std + 1e-4) }) { #expect(abs(a - e) < 1e-12) }
        #expect(batch.fractionZeroStd == 0)
        #expect(throws: TinaError.self) { try GRPOAdvantages(rewards: rewards, groupSize: 4, scaling: .group) }
        #expect(throws: TinaError.self) { try GRPOAdvantages(rewards: [1], groupSize: 1, scaling: .group) }
        #expect(throws: TinaError.self) { try GRPOAdvantages(rewards: [1, .nan], groupSize: 2, scaling: .none) }
    }

    @Test func advantagesMatchTRL() throws {
        let json = try readJSON(Self.fixture + "/expected.json")
        let rewards = try #require(json["rewards"] as? [Double])
        let g = try #require(json["group_size"] as? Int)
        let expected = try #require(json["advantages"] as? [String: [Double]])
        let zeroStd = try #require(json["frac_reward_zero_std"] as? [String: Double])
        for scaling in RewardScaling.allCases {
            let ours = try GRPOAdvantages(rewards: rewards, groupSize: g, scaling: scaling)
            let theirs = try #require(expected[scaling.rawValue])
            #expect(maxScaledError(ours.advantages.map(Float.init), theirs.map(Float.init)) < 1e-6, "\(scaling)")
            #expect(ours.fractionZeroStd == zeroStd[scaling.rawValue])
        }
        let ours = try GRPOAdvantages(rewards: rewards, groupSize: g, scaling: .group)
        #expect(maxScaledError(ours.groupStds.map(Float.init), try #require(json["group_std"] as? [Double]).map(Float.init)) < 1e-6)
    }

    @Test func maskCoversTokensThroughTheFirstEOS() throws {
        let eos: Set<Int> = [5]
        #expect(CompletionMask.mask(for: [3, 5, 7, 5], eosTokenIDs: eos) == [true, true, false, false])
        #expect(CompletionMask.mask(for: [5], eosTokenIDs: eos) == [true])
        #expect(CompletionMask.mask(for: [3, 4, 6], eosTokenIDs: eos) == [true, true, true])
        #expect(CompletionMask.mask(for: [3, 4, 6], eosTokenIDs: eos, maskTruncated: true) == [false, false, false])
        #expect(CompletionMask.mask(for: [3, 5, 7], eosTokenIDs: eos, maskTruncated: true) == [true, true, false])
        #expect(CompletionMask.mask(for: [3, 9, 7], eosTokenIDs: [9, 5]) == [true, true, false])
        #expect(CompletionMask.mask(for: [], eosTokenIDs: eos).isEmpty)
        // Truncated completions count in full, before mask_truncated_completions.
        #expect(CompletionMask.tokenCount([[3, 5, 7, 5], [3, 4, 6], [5]], eosTokenIDs: eos) == 2 + 3 + 1)

        let json = try readJSON(Self.fixture + "/expected.json")
        let completions = try #require(json["completions"] as? [[Int]])
        let masks = try #require(json["masks"] as? [String: [[Int]]])
        let fixtureEOS: Set<Int> = [try #require(json["eos_token_id"] as? Int)]
        for (key, truncated) in [("plain", false), ("mask_truncated", true)] {
            let theirs = try #require(masks[key])
            for (c, row) in zip(completions, theirs) {
                let ours = CompletionMask.mask(for: c, eosTokenIDs: fixtureEOS, maskTruncated: truncated)
                #expect(ours == row.prefix(c.count).map { $0 == 1 }, "\(key) \(c)")
            }
        }
    }

    // MARK: Against TRL

    /// Every case of the fixture through the model's f32 training pass: loss, d loss / d log-prob, metrics and
    /// each LoRA gradient within 1e-4 (of the tensor's largest value).
    @Test func lossAndLoRAGradientsMatchTRL() throws {
        let json = try readJSON(Self.fixture + "/expected.json")
        let cases = try #require(json["cases"] as? [[String: Any]])
        #expect(cases.count == 19)
        let model = try DecoderModel.load(path: Paths.fixture(try #require(json["base"] as? String)), precision: .f32)
        try model.attachLoRA(try PEFTAdapterFile.read(directory: Self.fixture + "/adapter"))
        let grads = try SafetensorsFile(path: Self.fixture + "/grads.safetensors")
        let setup = try FixtureSetup(json)

        var worst: Float = 0
        for entry in cases {
            let name = try #require(entry["name"] as? String)
            let (objective, samples) = try setup.objectiveAndSamples(entry)
            // The pure function on PyTorch's log-probs: TRL's loss and per-token gradient.
            let logProbs = zip(setup.prompts, setup.logProbs).map { [Float](repeating: 0, count: $0.count - 1) + $1 }
            let pure = try objective.evaluate(samples: samples, logProbs: logProbs)
            let expectedLoss = try #require(entry["loss"] as? Double)
            #expect(abs(pure.value - expectedLoss) <= 1e-4 * max(abs(expectedLoss), 1e-3), "\(name): loss \(pure.value) vs \(expectedLoss)")
            let dLogp = try #require(entry["dloss_dlogp"] as? [[Double]])
            let scale = Float(dLogp.flatMap { $0 }.map(abs).max() ?? 1)
            for (s, row) in dLogp.enumerated() {
                let prompt = setup.prompts[s].count
                #expect(pure.gradient[s][..<(prompt - 1)].allSatisfy { $0 == 0 }, "\(name): prompt positions carry no gradient")
                let ours = Array(pure.gradient[s][(prompt - 1)...])
                let error = zip(ours, row).map { abs($0 - Float($1)) }.max() ?? .infinity
                #expect(ours.count == row.count && error <= 1e-5 * scale, "\(name) sequence \(s): d loss / d logp off by \(error)")
            }
            try checkMetrics(pure.statistics, entry, name)

            // End to end through the backward pass.
            for p in model.loraParameters { p.gradient.floats.update(repeating: 0, count: p.gradient.count) }
            let trained = try model.accumulateGRPOGradients(samples: samples, objective: objective)
            #expect(abs(trained.value - expectedLoss) <= 1e-4 * max(abs(expectedLoss), 1e-3), "\(name): model loss \(trained.value)")
            #expect(model.loraParameters.count == 28)
            for p in model.loraParameters {
                let key = "\(name)/base_model.model.\(p.name)"
                let reference = try grads.tensor(key).toArray()
                let ours = try p.gradient.toArray()
                let largest = max(reference.map(abs).max() ?? 0, 1e-12)
                let error = zip(ours, reference).map { abs($0 - $1) }.max() ?? .infinity
                worst = max(worst, error / largest)
                #expect(ours.count == reference.count && error <= 1e-4 * largest, "\(key): max error \(error) vs largest \(largest)")
            }
        }
        print("GRPO: worst LoRA gradient error \(worst) of the tensor's largest value over \(cases.count) cases")
    }

    func checkMetrics(_ stats: GRPOStatistics, _ entry: [String: Any], _ name: String) throws {
        let metrics = try #require(entry["metrics"] as? [String: Double])
        func close(_ a: Double?, _ b: Double?) -> Bool {
            guard let a, let b else { return a == nil && b == nil }
            return abs(a - b) <= 1e-5 * max(1, abs(b))
        }
        #expect(close(stats.meanKL, metrics["kl"]), "\(name): kl \(String(describing: stats.meanKL))")
        #expect(close(stats.sequenceMeanKL, metrics["kl_seq_mean"]), "\(name): per-sequence kl")
        #expect(close(stats.clipLow, metrics["clip_low"]) && close(stats.clipHigh, metrics["clip_high"])
                && close(stats.clipRegion, metrics["clip_region"]), "\(name): clip fractions \(stats)")
    }

    /// Our forward pass gives the fixture's reference (adapters off) log-probs.
    @Test func completionLogProbsMatchTheReference() throws {
        let json = try readJSON(Self.fixture + "/expected.json")
        let setup = try FixtureSetup(json)
        let model = try DecoderModel.load(path: Paths.fixture(try #require(json["base"] as? String)), precision: .f32)
        try model.attachLoRA(try PEFTAdapterFile.read(directory: Self.fixture + "/adapter"))
        let samples = zip(setup.prompts, setup.completions).map {
            GRPOSample(prompt: $0, completion: $1, advantage: 0, mask: $1.map { _ in true })
        }
        let on = try model.completionLogProbs(samples)
        model.adaptersEnabled = false
        let off = try model.completionLogProbs(samples)
        for s in samples.indices {
            #expect(maxScaledError(on[s], setup.logProbs[s]) < 1e-4)
            #expect(maxScaledError(off[s], setup.referenceLogProbs[s]) < 1e-4)
        }
    }

    // MARK: Closure properties

    /// Central differences of the loss value against the closure's gradient, on random log-probs, for every loss
    /// type, with old log-probs spread so that both clip sides occur, and beta != 0.
    @Test(arguments: GRPOLossType.allCases)
    func gradientMatchesFiniteDifferences(lossType: GRPOLossType) throws {
        var rng = FuzzRNG(seed: 11 + UInt64(lossType.rawValue.count))
        var samples: [GRPOSample] = [], logProbs: [[Float]] = []
        for s in 0..<8 {
            let prompt = [Int](repeating: 1, count: 1 + s % 3), n = 2 + (s * 3) % 6
            let lp = (0..<n).map { _ in Float(-0.05 - 4 * rng.unit()) }
            let mask = (0..<n).map { j in j == 0 || rng.unit() > 0.2 }
            samples.append(GRPOSample(prompt: prompt, completion: [Int](repeating: 2, count: n), advantage: 2 * rng.unit() - 1,
                                      mask: mask, oldLogProbs: lp.map { $0 + Float(0.6 * rng.unit() - 0.3) },
                                      referenceLogProbs: lp.map { $0 + Float(rng.unit() - 0.5) }))
            logProbs.append([Float](repeating: -1, count: prompt.count - 1) + lp)
        }
        let objective = GRPOObjective(lossType: lossType, beta: 0.04, epsilonLow: 0.2, epsilonHigh: 0.28, maxCompletionLength: 9,
                                      gradientAccumulationSteps: 2, dapoTokenCount: 40)
        let base = try objective.evaluate(samples: samples, logProbs: logProbs)
        #expect(base.statistics.clipLow > 0 || base.statistics.clipHigh > 0, "no ratio left the clip range")
        let h: Float = 1e-3
        var checked = 0
        for s in samples.indices {
            for t in logProbs[s].indices {
                let j = t - (samples[s].promptLength - 1)
                if j >= 0, let old = samples[s].oldLogProbs?[j] {  // skip tokens within h of a clip kink
                    let r = exp(Double(logProbs[s][t] - old))
                    if abs(r - 0.8) < 0.01 || abs(r - 1.28) < 0.01 { continue }
                }
                var plus = logProbs, minus = logProbs
                plus[s][t] += h
                minus[s][t] -= h
                let step = Double(plus[s][t]) - Double(minus[s][t])  // the Float step actually taken
                let numeric = (try objective.evaluate(samples: samples, logProbs: plus).value
                    - objective.evaluate(samples: samples, logProbs: minus).value) / step
                let analytic = Double(base.gradient[s][t])
                #expect(abs(numeric - analytic) <= 1e-4 * max(1e-2, abs(analytic)), "\(lossType) [\(s)][\(t)]: \(analytic) vs \(numeric)")
                if j < 0 || !samples[s].mask[j] { #expect(analytic == 0) }
                checked += 1
            }
        }
        #expect(checked > 30)
    }

    /// Masked tokens do not count, an all-masked sample adds nothing but still counts in grpo's mean over
    /// sequences, and Tina's default (no old log-probs) gives -A / (B n_i) + beta (1 - exp(ref - logp)) per token.
    @Test func maskedTokensAndTinaDefaults() throws {
        let a = GRPOSample(prompt: [1, 2], completion: [3, 5, 4], advantage: 0.7, mask: [true, true, false],
                           referenceLogProbs: [-1, -2, -3])
        let b = GRPOSample(prompt: [1], completion: [6, 7], advantage: -0.4, mask: [false, false], referenceLogProbs: [-1, -1])
        let logProbs: [[Float]] = [[-9, -1.5, -2.5, -0.5], [-0.25, -0.75]]
        let objective = GRPOObjective()
        #expect(objective.lossType == .grpo && objective.beta == 0.04)
        let both = try objective.evaluate(samples: [a, b], logProbs: logProbs)
        var changed = logProbs
        changed[0][3] = -7  // a masked-out position
        changed[1][0] = -3
        #expect(try objective.evaluate(samples: [a, b], logProbs: changed).value == both.value)
        #expect(both.gradient[1] == [0, 0] && both.gradient[0][0] == 0 && both.gradient[0][3] == 0)
        for (t, (logp, ref)) in [(1, (-1.5, -1.0)), (2, (-2.5, -2.0))] {
            let expected = (-0.7 + 0.04 * (1 - exp(ref - logp))) / (2 * 2)
            #expect(abs(Double(both.gradient[0][t]) - expected) < 1e-7)
        }
        let alone = try objective.evaluate(samples: [a], logProbs: [logProbs[0]])
        #expect(abs(alone.value - 2 * both.value) < 1e-12, "grpo averages over all sequences, empty ones included")
        #expect(both.statistics.maskedTokens == 2 && both.statistics.clipRegion == 0)
    }

    @Test func invalidInputsThrow() throws {
        let sample = GRPOSample(prompt: [1], completion: [2, 3], advantage: 1, mask: [true, true], referenceLogProbs: [-1, -1])
        let lp: [[Float]] = [[-1, -1]]
        #expect(throws: TinaError.self) { try GRPOObjective().evaluate(samples: [sample], logProbs: [[-1]]) }
        #expect(throws: TinaError.self) { try GRPOObjective().evaluate(samples: [], logProbs: []) }
        var noReference = sample
        noReference.referenceLogProbs = nil
        #expect(throws: TinaError.self) { try GRPOObjective().evaluate(samples: [noReference], logProbs: lp) }
        #expect(try GRPOObjective(beta: 0).evaluate(samples: [noReference], logProbs: lp).statistics.meanKL == nil)
        var badMask = sample
        badMask.mask = [true]
        #expect(throws: TinaError.self) { try GRPOObjective().evaluate(samples: [badMask], logProbs: lp) }
        var badOld = sample
        badOld.oldLogProbs = [-1]
        #expect(throws: TinaError.self) { try GRPOObjective().evaluate(samples: [badOld], logProbs: lp) }
        #expect(throws: TinaError.self) { try GRPOObjective(lossType: .drGRPO).evaluate(samples: [sample], logProbs: lp) }
        #expect(throws: TinaError.self) { try GRPOObjective(lossType: .dapo).evaluate(samples: [sample], logProbs: lp) }
        #expect(throws: TinaError.self) { try GRPOObjective(gradientAccumulationSteps: 0).evaluate(samples: [sample], logProbs: lp) }
        #expect(throws: TinaError.self) { try GRPOObjective().evaluate(samples: [sample], logProbs: [[-1, .nan]]) }
        let empty = GRPOSample(prompt: [1, 2], completion: [], advantage: 1, mask: [])
        #expect(throws: TinaError.self) { try GRPOObjective(beta: 0).evaluate(samples: [empty], logProbs: [[-1]]) }
    }
}

/// The fixture's inputs, shared by its cases.
struct FixtureSetup {
    let prompts: [[Int]], completions: [[Int]], rewards: [Double], groupSize: Int, eos: Set<Int>
    let logProbs: [[Float]], referenceLogProbs: [[Float]], oldLogProbs: [[Float]]
    let maxCompletionLength: Int, accumulation: Int, extraTokens: Int

    init(_ json: [String: Any]) throws {
        func floats(_ key: String) throws -> [[Float]] { try #require(json[key] as? [[Double]]).map { $0.map(Float.init) } }
        let g = try #require(json["group_size"] as? Int)
        let groupPrompts = try #require(json["prompts"] as? [[Int]])
        let completions = try #require(json["completions"] as? [[Int]])
        try #require(g >= 1 && groupPrompts.count * g == completions.count)
        groupSize = g
        self.completions = completions
        prompts = completions.indices.map { groupPrompts[$0 / g] }
        rewards = try #require(json["rewards"] as? [Double])
        eos = [try #require(json["eos_token_id"] as? Int)]
        logProbs = try floats("logprobs")
        referenceLogProbs = try floats("ref_logprobs")
        oldLogProbs = try floats("old_logprobs")
        maxCompletionLength = try #require(json["max_completion_length"] as? Int)
        accumulation = try #require(json["gradient_accumulation_steps"] as? Int)
        extraTokens = try #require(json["extra_batch_tokens"] as? Int)
    }

    /// A case's objective and samples, built only from the fixture's raw inputs (rewards, token ids, log-probs)
    /// through the public API.
    func objectiveAndSamples(_ entry: [String: Any]) throws -> (GRPOObjective, [GRPOSample]) {
        let lossName = entry["loss_type"] as? String ?? "", scalingName = entry["scale_rewards"] as? String ?? ""
        let lossType = try #require(GRPOLossType(rawValue: lossName), "loss type \(lossName)")
        let scaling = try #require(RewardScaling(rawValue: scalingName), "scaling \(scalingName)")
        let beta = try #require(entry["beta"] as? Double)
        let iterations = try #require(entry["num_iterations"] as? Int)
        let maskTruncated = try #require(entry["mask_truncated_completions"] as? Bool)
        let tokenCount = CompletionMask.tokenCount(completions, eosTokenIDs: eos) + extraTokens
        #expect(tokenCount == (entry["num_items_in_batch"] as? Int))
        let objective = GRPOObjective(lossType: lossType, beta: beta, epsilonLow: try #require(entry["epsilon_low"] as? Double),
                                      epsilonHigh: try #require(entry["epsilon_high"] as? Double),
                                      maxCompletionLength: maxCompletionLength, gradientAccumulationSteps: accumulation,
                                      dapoTokenCount: Double(tokenCount))
        let advantages = try GRPOAdvantages(rewards: rewards, groupSize: groupSize, scaling: scaling).advantages
        let samples = completions.indices.map { s in
            GRPOSample(prompt: prompts[s], completion: completions[s], advantage: advantages[s],
                       mask: CompletionMask.mask(for: completions[s], eosTokenIDs: eos, maskTruncated: maskTruncated),
                       oldLogProbs: iterations > 1 ? oldLogProbs[s] : nil,
                       referenceLogProbs: beta != 0 ? referenceLogProbs[s] : nil)
        }
        return (objective, samples)
    }
}

extension FuzzRNG {
    /// Uniform in [0, 1).
    mutating func unit() -> Double { Double(next() >> 11) / Double(UInt64(1) << 53) }
}
