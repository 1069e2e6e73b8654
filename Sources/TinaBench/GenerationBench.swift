import Foundation
import TinaCore
import TinaGeneration
import TinaModels

/// Aggregate generation speed of the rollout engine: `concurrency` sequences decoded together (continuous
/// batching), each with a ~`promptTokens` prompt and its own completion length drawn between `minNew` and
/// `maxNew` (RL completions vary; no EOS on random weights, so lengths are exactly these).
public struct GenerationBenchResult: Codable, Sendable {
    public var model: String
    public var precision: String
    public var concurrency: Int
    public var sequences: Int
    public var promptTokens: Int
    public var generatedTokens: Int
    public var seconds: Double
    public var prefillSeconds: Double
    public var decodeSeconds: Double
    /// Generated tokens per wall second (prefill included): what a rollout phase sees.
    public var tokensPerSecond: Double
    public var peakResidentMiB: Double
}

public enum GenerationBench {
    public static func run(name: String, model: DecoderModel, concurrency: Int, sequences: Int? = nil, promptTokens: Int = 200,
                           minNew: Int = 64, maxNew: Int = 256, progress: (String) -> Void = { _ in }) throws -> GenerationBenchResult {
        let count = sequences ?? concurrency
        let vocab = model.config.vocabSize
        var requests: [RolloutRequest] = []
        for i in 0..<count {
            let length = promptTokens + (i * 37) % 21 - 10
            let prompt = (0..<max(1, length)).map { ($0 * 7919 + i * 104_729 + 13) % vocab }
            let maxNewTokens = minNew + (i * 7_919) % max(1, maxNew - minNew + 1)
            requests.append(RolloutRequest(id: i, prompt: prompt, samples: 1,
                                           parameters: try SamplingParameters(temperature: 0.7, seed: 1, maxNewTokens: maxNewTokens)))
        }
        let engine = RolloutEngine(model: model, stopTokens: [], decode: { _ in "" }, maxSlots: concurrency, cacheBytes: 16 << 30)
        var last: RolloutProgress?
        let start = Stopwatch.now()
        let completions = try engine.run(requests, onProgress: { last = $0 })
        let seconds = Stopwatch.now() - start
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let generated = completions.reduce(0) { $0 + $1.tokens.count }
        let result = GenerationBenchResult(model: name, precision: "\(model.compute.rawValue) products", concurrency: concurrency, sequences: count,
                                           promptTokens: requests.reduce(0) { $0 + $1.prompt.count }, generatedTokens: generated,
                                           seconds: seconds, prefillSeconds: last?.prefillSeconds ?? 0, decodeSeconds: last?.decodeSeconds ?? 0,
                                           tokensPerSecond: Double(generated) / seconds, peakResidentMiB: Double(usage.ru_maxrss) / 1024)
        progress(String(format: "generate %@: %d sequences, %d at a time: %d tokens in %.2f s = %.1f tok/s (prefill %.2f s, decode %.2f s), peak RSS %.0f MiB",
                        name, count, concurrency, generated, seconds, result.tokensPerSecond, result.prefillSeconds, result.decodeSeconds,
                        result.peakResidentMiB))
        return result
    }
}
