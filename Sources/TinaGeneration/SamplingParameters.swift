import Foundation
import TinaCore

/// Everything that decides how one request is sampled, validated once at construction (each invalid field is a
/// `TinaError.invalidArgument` that names it). Neutral values switch a stage off: temperature 0 is greedy,
/// top-k 0, top-p 1, min-p 0, repetition penalty 1, presence/frequency penalty 0, no logit bias.
///
/// Penalty semantics (applied in this order, as vLLM does):
/// - `repetitionPenalty` (transformers' `RepetitionPenaltyLogitsProcessor`, vLLM's `repetition_penalty`): each
///   distinct token seen in the prompt or the output so far has its logit divided by the penalty when positive,
///   multiplied by it when negative. Must be > 0.
/// - `frequencyPenalty` and `presencePenalty` (OpenAI / vLLM): over the *output* tokens only,
///   `logit -= frequency * count + presence * (count > 0 ? 1 : 0)`. Each in [-2, 2] as vLLM and OpenAI require.
public struct SamplingParameters: Sendable, Equatable {
    public let temperature: Float
    public let topK: Int
    public let topP: Float
    public let minP: Float
    public let repetitionPenalty: Float
    public let presencePenalty: Float
    public let frequencyPenalty: Float
    /// Token id -> value added to its logit after the penalties.
    public let logitBias: [Int: Float]
    public let seed: UInt64
    public let maxNewTokens: Int
    public let stopTokenIDs: Set<Int>
    public let stopStrings: [String]

    public init(temperature: Float = 0, topK: Int = 0, topP: Float = 1, minP: Float = 0,
                repetitionPenalty: Float = 1, presencePenalty: Float = 0, frequencyPenalty: Float = 0,
                logitBias: [Int: Float] = [:], seed: UInt64 = 0, maxNewTokens: Int = 256,
                stopTokenIDs: Set<Int> = [], stopStrings: [String] = []) throws {
        func fail(_ message: String) -> TinaError { TinaError.invalidArgument(message) }
        guard temperature.isFinite, temperature >= 0 else { throw fail("temperature must be a finite number >= 0, got \(temperature)") }
        guard topK >= 0 else { throw fail("top-k must be >= 0 (0 = off), got \(topK)") }
        guard topP.isFinite, topP > 0, topP <= 1 else { throw fail("top-p must be in (0, 1], got \(topP)") }
        guard minP.isFinite, minP >= 0, minP <= 1 else { throw fail("min-p must be in [0, 1], got \(minP)") }
        guard repetitionPenalty.isFinite, repetitionPenalty > 0 else {
            throw fail("repetition penalty must be a finite number > 0 (1 = off), got \(repetitionPenalty)")
        }
        guard presencePenalty.isFinite, abs(presencePenalty) <= 2 else { throw fail("presence penalty must be in [-2, 2], got \(presencePenalty)") }
        guard frequencyPenalty.isFinite, abs(frequencyPenalty) <= 2 else { throw fail("frequency penalty must be in [-2, 2], got \(frequencyPenalty)") }
        for (id, bias) in logitBias.sorted(by: { $0.key < $1.key }) {
            guard id >= 0 else { throw fail("logit bias token id must be >= 0, got \(id)") }
            guard bias.isFinite else { throw fail("logit bias for token \(id) must be finite, got \(bias)") }
        }
        guard maxNewTokens > 0 else { throw fail("max new tokens must be > 0, got \(maxNewTokens)") }
        if let bad = stopTokenIDs.filter({ $0 < 0 }).min() { throw fail("stop token id must be >= 0, got \(bad)") }
        guard !stopStrings.contains("") else { throw fail("stop strings must not be empty") }
        self.temperature = temperature
        self.topK = topK
        self.topP = topP
        self.minP = minP
        self.repetitionPenalty = repetitionPenalty
        self.presencePenalty = presencePenalty
        self.frequencyPenalty = frequencyPenalty
        self.logitBias = logitBias
        self.seed = seed
        self.maxNewTokens = maxNewTokens
        self.stopTokenIDs = stopTokenIDs
        self.stopStrings = stopStrings
    }

    /// Greedy decoding, no penalties, 256 new tokens, no stops: valid by construction.
    public static let greedy = SamplingParameters(neutral: ())

    private init(neutral: Void) {
        temperature = 0; topK = 0; topP = 1; minP = 0
        repetitionPenalty = 1; presencePenalty = 0; frequencyPenalty = 0
        logitBias = [:]; seed = 0; maxNewTokens = 256; stopTokenIDs = []; stopStrings = []
    }

    /// Checks the token ids against a vocabulary (the sizes are only known once a model is open).
    public func validate(vocabSize: Int) throws {
        if let bad = logitBias.keys.filter({ $0 >= vocabSize }).min() {
            throw TinaError.invalidArgument("logit bias token id \(bad) is outside the vocabulary of \(vocabSize)")
        }
        if let bad = stopTokenIDs.filter({ $0 >= vocabSize }).min() {
            throw TinaError.invalidArgument("stop token id \(bad) is outside the vocabulary of \(vocabSize)")
        }
    }

    var usesPenalties: Bool { repetitionPenalty != 1 || presencePenalty != 0 || frequencyPenalty != 0 }

    /// Reads logit bias written as comma-separated `id:bias` pairs (`"50256:-100,13:2.5"`).
    public static func parseLogitBias(_ text: String) throws -> [Int: Float] {
        var bias: [Int: Float] = [:]
        for pair in text.split(separator: ",", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2, let id = Int(parts[0].trimmingCharacters(in: .whitespaces)),
                  let value = Float(parts[1].trimmingCharacters(in: .whitespaces)) else {
                throw TinaError.invalidArgument("logit bias must be id:bias pairs separated by commas, got '\(pair)'")
            }
            bias[id] = value
        }
        return bias
    }
}
