import ArgumentParser
import TinaGeneration

/// The sampler flags shared by the commands that generate.
struct SamplingOptions: ParsableArguments {
    @Option(name: .customLong("max-new-tokens"), help: "Most tokens to generate per sample.") var maxNewTokens = 256
    @Option(help: "Sampling temperature; 0 is greedy.") var temperature: Float = 0
    @Option(name: .customLong("top-p"), help: "Nucleus sampling threshold (1 = off).") var topP: Float = 1
    @Option(name: .customLong("top-k"), help: "Keep only the k most likely tokens (0 = off).") var topK = 0
    @Option(name: .customLong("min-p"), help: "Drop tokens less likely than this fraction of the best one (0 = off).") var minP: Float = 0
    @Option(name: .customLong("repetition-penalty"), help: "transformers' repetition penalty over prompt and output tokens (1 = off).")
    var repetitionPenalty: Float = 1
    @Option(name: .customLong("presence-penalty"), help: "vLLM/OpenAI presence penalty over output tokens, in [-2, 2].") var presencePenalty: Float = 0
    @Option(name: .customLong("frequency-penalty"), help: "vLLM/OpenAI frequency penalty over output tokens, in [-2, 2].") var frequencyPenalty: Float = 0
    @Option(name: .customLong("logit-bias"), help: "Comma-separated id:bias pairs added to the logits.") var logitBias: String?
    @Option(name: .customLong("stop-token-id"), help: "Also stop at this token id (repeatable).") var stopTokenIDs: [Int] = []
    @Option(name: .customLong("stop"), help: "Stop once the output text contains this string (repeatable).") var stop: [String] = []
    @Option(help: "Seed of the sampling streams (sample s of request r draws from stream (r, s)).") var seed: UInt64 = 0

    func parameters() throws -> SamplingParameters {
        try SamplingParameters(
            temperature: temperature, topK: topK, topP: topP, minP: minP, repetitionPenalty: repetitionPenalty,
            presencePenalty: presencePenalty, frequencyPenalty: frequencyPenalty,
            logitBias: try logitBias.map(SamplingParameters.parseLogitBias) ?? [:], seed: seed, maxNewTokens: maxNewTokens,
            stopTokenIDs: Set(stopTokenIDs), stopStrings: stop)
    }
}
