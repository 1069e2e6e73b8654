import TinaCore
import TinaFormats
import TinaModels

/// Whole-model speed: prefill of one prompt and greedy-shaped decode of one sequence, beside the limits
/// they imply (prefill: matmul FLOPs at the FP32 peak; decode: weight bytes per token at the DRAM bandwidth).
public struct ModelBenchResult: Codable, Sendable {
    public var model: String
    public var precision: String
    public var parameters: Int
    public var weightBytes: Int
    public var prefillTokens: Int
    public var prefillSeconds: Double
    public var prefillTokensPerSecond: Double
    public var prefillGFLOPS: Double
    public var prefillPercentOfPeak: Double
    public var decodeTokens: Int
    public var decodeSeconds: Double
    public var decodeTokensPerSecond: Double
    /// Tokens per second if every decode step only had to stream the weights once at the measured DRAM bandwidth.
    public var decodeLimitTokensPerSecond: Double
}

public enum ModelBench {
    public static func run(name: String, model: DecoderModel, precision: String, prefillTokens: Int, decodeTokens: Int,
                           limits: MachineLimits, progress: (String) -> Void = { _ in }) throws -> ModelBenchResult {
        let c = model.config
        let prompt = (0..<prefillTokens).map { ($0 * 7919 + 13) % c.vocabSize }
        // Matmul FLOPs per token: 2 x (layer projections + lm_head for the last position only in prefill).
        let layerParams = c.layerCount * (c.hiddenSize * (c.headCount + 2 * c.kvHeadCount) * c.headDim
            + c.headCount * c.headDim * c.hiddenSize + 3 * c.hiddenSize * c.intermediateSize)
        var best = Double.infinity
        for _ in 0..<2 {
            let cache = model.makeCache(maxBytes: 8 << 30)
            let start = Stopwatch.now()
            let hidden = try model.forward([SequenceChunk(sequence: cache.newSequence(), tokens: prompt)], cache: cache)
            _ = try model.logits(hidden, rows: [prefillTokens - 1])
            best = min(best, Stopwatch.now() - start)
        }
        let prefillFLOPs = 2 * Double(layerParams) * Double(prefillTokens) + 2 * Double(c.vocabSize * c.hiddenSize)
        let cache = model.makeCache(maxBytes: 8 << 30)
        let sequence = cache.newSequence()
        _ = try model.forward([SequenceChunk(sequence: sequence, tokens: Array(prompt.prefix(16)))], cache: cache)
        var token = 1
        let decodeStart = Stopwatch.now()
        for _ in 0..<decodeTokens {
            let hidden = try model.forward([SequenceChunk(sequence: sequence, tokens: [token])], cache: cache)
            let logits = try model.logits(hidden, rows: [0])
            token = Softmax.argmaxLike(logits.floats, count: c.vocabSize)
        }
        let decodeSeconds = Stopwatch.now() - decodeStart
        let bytes = model.weights.bytes
        let result = ModelBenchResult(
            model: name, precision: precision, parameters: c.parameterCount, weightBytes: bytes,
            prefillTokens: prefillTokens, prefillSeconds: best, prefillTokensPerSecond: Double(prefillTokens) / best,
            prefillGFLOPS: prefillFLOPs / best / 1e9, prefillPercentOfPeak: 100 * prefillFLOPs / best / 1e9 / limits.fp32PeakGFLOPS,
            decodeTokens: decodeTokens, decodeSeconds: decodeSeconds,
            decodeTokensPerSecond: Double(decodeTokens) / decodeSeconds,
            decodeLimitTokensPerSecond: limits.dramReadGBps * 1e9 / Double(bytes))
        progress(String(format: "model %@ (%@, %.2f GB): prefill %d tokens %.2f s = %.1f tok/s (%.0f GFLOP/s, %.0f%% of peak); decode %.2f tok/s (DRAM limit %.1f)",
                        name, precision, Double(bytes) / 1e9, prefillTokens, best, result.prefillTokensPerSecond,
                        result.prefillGFLOPS, result.prefillPercentOfPeak, result.decodeTokensPerSecond,
                        result.decodeLimitTokensPerSecond))
        return result
    }
}

extension ModelBench {
    /// One prefill of `tokens` tokens with every backend operation timed: (operation, seconds, calls).
    public static func profilePrefill(model: DecoderModel, tokens: Int) throws -> [(name: String, seconds: Double, calls: Int)] {
        let prompt = (0..<tokens).map { ($0 * 7919 + 13) % model.config.vocabSize }
        let cache = model.makeCache(maxBytes: 8 << 30)
        OpProfile.start()
        let start = Stopwatch.now()
        let hidden = try model.forward([SequenceChunk(sequence: cache.newSequence(), tokens: prompt)], cache: cache)
        _ = try model.logits(hidden, rows: [tokens - 1])
        let total = Stopwatch.now() - start
        let ops = OpProfile.stop()
        return ops + [("total (wall)", total, 1)]
    }
}

extension Softmax {
    /// Index of the largest value (the benchmark's greedy step).
    static func argmaxLike(_ x: UnsafePointer<Float>, count: Int) -> Int {
        var best = 0
        for i in 1..<count where x[i] > x[best] { best = i }
        return best
    }
}
