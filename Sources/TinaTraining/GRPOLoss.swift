import Foundation
import TinaCore

/// How per-token losses are averaged (TRL's `loss_type`).
public enum GRPOLossType: String, Sendable, CaseIterable, Codable {
    /// Mean over sequences of each sequence's masked token mean (TRL 0.15.2, Tina).
    case grpo
    /// Masked token mean over the micro-batch.
    case bnpo
    /// Masked sum / (sequences in the micro-batch x max completion length).
    case drGRPO = "dr_grpo"
    /// Masked sum / completion tokens of the whole optimizer step (given by the caller).
    case dapo
}

/// One completion in a GRPO micro-batch.
public struct GRPOSample: Sendable, Equatable {
    /// Prompt then completion: the sequence the model runs.
    public var tokens: [Int]
    public var promptLength: Int
    public var advantage: Double
    /// One entry per completion token (`CompletionMask.mask`).
    public var mask: [Bool]
    /// log pi_old of each completion token, from the policy that generated it (num_iterations > 1); nil means
    /// pi_old = pi_theta (TRL's `logp.detach()`: the ratio is 1 but its gradient is not 0).
    public var oldLogProbs: [Float]?
    /// log pi_ref of each completion token (adapters disabled); needed when beta != 0.
    public var referenceLogProbs: [Float]?

    public var completionLength: Int { tokens.count - promptLength }

    public init(prompt: [Int], completion: [Int], advantage: Double, mask: [Bool], oldLogProbs: [Float]? = nil,
                referenceLogProbs: [Float]? = nil) {
        tokens = prompt + completion
        promptLength = prompt.count
        self.advantage = advantage
        self.mask = mask
        self.oldLogProbs = oldLogProbs
        self.referenceLogProbs = referenceLogProbs
    }
}

/// The GRPO objective's settings (TRL `GRPOConfig` names in comments). Defaults are Tina's (TRL 0.15.2).
public struct GRPOObjective: Sendable, Equatable {
    public var lossType: GRPOLossType
    /// KL coefficient (`beta`); 0 skips the KL term and needs no reference log-probs.
    public var beta: Double
    /// Ratio clip range [1 - epsilonLow, 1 + epsilonHigh] (`epsilon`, `epsilon_high`).
    public var epsilonLow: Double
    public var epsilonHigh: Double
    /// dr_grpo's constant length (`max_completion_length`).
    public var maxCompletionLength: Int?
    /// grpo, bnpo and dr_grpo divide by this (the HF Trainer's division before backward); dapo does not.
    public var gradientAccumulationSteps: Int
    /// dapo's divisor: completion tokens of every micro-batch of the optimizer step (all processes), counted
    /// before `mask_truncated_completions` (`CompletionMask.tokenCount`), divided by the number of processes.
    public var dapoTokenCount: Double?

    public init(lossType: GRPOLossType = .grpo, beta: Double = 0.04, epsilonLow: Double = 0.2, epsilonHigh: Double? = nil,
                maxCompletionLength: Int? = nil, gradientAccumulationSteps: Int = 1, dapoTokenCount: Double? = nil) {
        self.lossType = lossType
        self.beta = beta
        self.epsilonLow = epsilonLow
        self.epsilonHigh = epsilonHigh ?? epsilonLow
        self.maxCompletionLength = maxCompletionLength
        self.gradientAccumulationSteps = gradientAccumulationSteps
        self.dapoTokenCount = dapoTokenCount
    }
}

/// What TRL logs for one micro-batch (masked-token means unless noted).
public struct GRPOStatistics: Sendable, Equatable {
    public var sequences = 0
    public var maskedTokens = 0
    /// Mean k3 KL to the reference over masked tokens (TRL >= 0.16 `kl`); nil when beta == 0.
    public var meanKL: Double?
    /// Mean over sequences of each one's masked KL mean (TRL 0.15.2 `kl`, what Tina logged); nil when beta == 0.
    public var sequenceMeanKL: Double?
    /// Tokens whose ratio fell below 1 - epsilonLow with A < 0 (`clip_ratio/low_mean`), above 1 + epsilonHigh
    /// with A > 0 (`clip_ratio/high_mean`), and either (`clip_ratio/region_mean`).
    public var clipLow = 0.0
    public var clipHigh = 0.0
    public var clipRegion = 0.0
}

/// The loss of a micro-batch and its gradient w.r.t. every predicted position's log-prob.
public struct GRPOLossEvaluation: Sendable {
    public var value: Double
    /// Per sequence, one entry per predicted position (tokens.count - 1); 0 on prompt and masked positions.
    public var gradient: [[Float]]
    public var statistics: GRPOStatistics
}

extension GRPOObjective {
    /// The GRPO loss of `samples` given the model's log-probs of every predicted position
    /// (log p(tokens[t + 1] | tokens[...t]), as `DecoderModel.accumulateGradients` passes them). Per completion
    /// token: -min(r A, clip(r, 1 - epsLow, 1 + epsHigh) A) + beta (exp(ref - logp) - (ref - logp) - 1), with
    /// r = exp(logp - old); then `lossType`'s aggregation and scaling (TRL's `_compute_loss`).
    public func evaluate(samples: [GRPOSample], logProbs: [[Float]]) throws -> GRPOLossEvaluation {
        try validate(samples: samples, logProbs: logProbs)
        let batch = Double(samples.count)
        let counts = samples.map { $0.mask.filter { $0 }.count }
        let total = counts.reduce(0, +)
        let accumulation = Double(gradientAccumulationSteps)
        func weight(_ s: Int) -> Double {  // d loss / d (one masked token's loss)
            switch lossType {
            case .grpo: return 1 / (batch * Double(max(1, counts[s])) * accumulation)
            case .bnpo: return 1 / (Double(max(1, total)) * accumulation)
            case .drGRPO: return 1 / (batch * Double(maxCompletionLength ?? 1) * accumulation)
            case .dapo: return 1 / (dapoTokenCount ?? 1)
            }
        }
        let low = 1 - epsilonLow, high = 1 + epsilonHigh
        var value = 0.0, klSum = 0.0, sequenceKL = 0.0, clippedLow = 0, clippedHigh = 0
        var gradient = logProbs.map { [Float](repeating: 0, count: $0.count) }
        for (s, sample) in samples.enumerated() {
            let w = weight(s), a = sample.advantage
            var sampleKL = 0.0
            for j in 0..<sample.completionLength where sample.mask[j] {
                let position = sample.promptLength - 1 + j
                let logp = Double(logProbs[s][position])
                let ratio = sample.oldLogProbs.map { exp(logp - Double($0[j])) } ?? 1
                let clipped = min(max(ratio, low), high)
                let unclippedTerm = ratio * a, clippedTerm = clipped * a
                // d/dlogp of -min(r A, clip(r) A); torch.min splits the gradient on ties, clamp passes it inside
                // [low, high] (inclusive).
                let dUnclipped = -a * ratio, dClipped = (low...high).contains(ratio) ? -a * ratio : 0
                var tokenLoss = -min(unclippedTerm, clippedTerm)
                var dToken = unclippedTerm < clippedTerm ? dUnclipped
                    : unclippedTerm > clippedTerm ? dClipped : (dUnclipped + dClipped) / 2
                if beta != 0, let reference = sample.referenceLogProbs {
                    let delta = Double(reference[j]) - logp
                    let kl = exp(delta) - delta - 1
                    tokenLoss += beta * kl
                    dToken += beta * (1 - exp(delta))
                    sampleKL += kl
                }
                if ratio < low && a < 0 { clippedLow += 1 }
                if ratio > high && a > 0 { clippedHigh += 1 }
                value += w * tokenLoss
                gradient[s][position] = Float(w * dToken)
            }
            klSum += sampleKL
            sequenceKL += sampleKL / Double(max(1, counts[s]))
        }
        guard value.isFinite else {
            throw TinaError.invalidArgument("the GRPO loss is \(value) (non-finite log-probs or advantages)")
        }
        let tokens = Double(max(1, total))
        var statistics = GRPOStatistics(sequences: samples.count, maskedTokens: total)
        if beta != 0 {
            statistics.meanKL = klSum / tokens
            statistics.sequenceMeanKL = sequenceKL / batch
        }
        statistics.clipLow = Double(clippedLow) / tokens
        statistics.clipHigh = Double(clippedHigh) / tokens
        statistics.clipRegion = Double(clippedLow + clippedHigh) / tokens
        return GRPOLossEvaluation(value: value, gradient: gradient, statistics: statistics)
    }

    /// `evaluate` as the loss closure `DecoderModel.accumulateGradients(sequences:dropout:loss:)` takes (run it
    /// on `samples.map(\.tokens)`); `record` receives the evaluation (statistics) once the closure has run.
    public func lossFunction(samples: [GRPOSample], record: @escaping (GRPOLossEvaluation) -> Void = { _ in })
        -> ([[Float]]) throws -> (gradient: [[Float]], value: Double) {
        { logProbs in
            let evaluation = try evaluate(samples: samples, logProbs: logProbs)
            record(evaluation)
            return (evaluation.gradient, evaluation.value)
        }
    }

    /// Checks the settings alone (before any forward pass).
    public func validateSettings() throws {
        guard gradientAccumulationSteps >= 1 else {
            throw TinaError.invalidArgument("gradient accumulation steps must be >= 1, got \(gradientAccumulationSteps)")
        }
        guard beta.isFinite, epsilonLow >= 0, epsilonLow < 1, epsilonHigh >= 0, epsilonHigh.isFinite else {
            throw TinaError.invalidArgument("GRPO needs a finite beta and 0 <= epsilon < 1 (beta \(beta), epsilon \(epsilonLow)/\(epsilonHigh))")
        }
        if lossType == .drGRPO, (maxCompletionLength ?? 0) < 1 {
            throw TinaError.invalidArgument("the dr_grpo loss needs maxCompletionLength >= 1")
        }
        if lossType == .dapo {
            guard let count = dapoTokenCount, count > 0, count.isFinite else {
                throw TinaError.invalidArgument("the dapo loss needs dapoTokenCount > 0 (completion tokens of the whole optimizer step)")
            }
        }
    }

    func validate(samples: [GRPOSample], logProbs: [[Float]]) throws {
        try validateSettings()
        guard !samples.isEmpty else { throw TinaError.invalidArgument("no GRPO samples") }
        guard logProbs.count == samples.count else {
            throw TinaError.invalidArgument("\(samples.count) GRPO samples but \(logProbs.count) log-prob rows")
        }
        for (s, sample) in samples.enumerated() {
            let n = sample.completionLength
            guard sample.promptLength >= 1, n >= 1 else {
                throw TinaError.invalidArgument("GRPO sample \(s) needs a prompt and a completion (prompt \(sample.promptLength), completion \(n) tokens)")
            }
            guard logProbs[s].count == sample.tokens.count - 1 else {
                throw TinaError.invalidArgument("GRPO sample \(s) has \(sample.tokens.count) tokens but \(logProbs[s].count) log-probs (needs \(sample.tokens.count - 1))")
            }
            guard sample.mask.count == n else {
                throw TinaError.invalidArgument("GRPO sample \(s): mask has \(sample.mask.count) entries for \(n) completion tokens")
            }
            guard sample.advantage.isFinite else { throw TinaError.invalidArgument("GRPO sample \(s): advantage is \(sample.advantage)") }
            if let old = sample.oldLogProbs, old.count != n {
                throw TinaError.invalidArgument("GRPO sample \(s): \(old.count) old log-probs for \(n) completion tokens")
            }
            if beta != 0 {
                guard let reference = sample.referenceLogProbs else {
                    throw TinaError.invalidArgument("GRPO sample \(s) has no reference log-probs but beta is \(beta)")
                }
                guard reference.count == n else {
                    throw TinaError.invalidArgument("GRPO sample \(s): \(reference.count) reference log-probs for \(n) completion tokens")
                }
            }
        }
    }
}
