import ArgumentParser
import Foundation
import TinaCore
import TinaGeneration
import TinaModels
import TinaTokenizers

struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Continue a prompt, greedy or sampled, streaming text as it is generated.",
        discussion: """
        --prompt is sent as a user message through the chat template (the tokenizer's own, or --template); \
        --raw feeds it as plain text instead. --token-ids gives the prompt as ids. The tokenizer comes from the \
        model path (tokenizer.json beside the weights, or the GGUF file) unless --tokenizer names another. \
        Generation stops at the end-of-sequence token, a --stop-token-id, a --stop string (with a tokenizer) or after \
        --max-new-tokens.
        """)

    @OptionGroup var modelOptions: ModelOptions
    @Option(help: "Tokenizer path (default: the model path).") var tokenizer: String?
    @Option(help: "The prompt text.") var prompt: String?
    @Option(help: "A system message placed before the prompt.") var system: String?
    @Option(help: "Chat template: a built-in name or a Jinja file (default: the tokenizer's).") var template: String?
    @Flag(help: "Use --prompt as raw text, without a chat template.") var raw = false
    @Option(name: .customLong("token-ids"), help: "The prompt as comma-separated token ids.") var tokenIDs: String?
    @Option(name: .customLong("max-new-tokens"), help: "Most tokens to generate.") var maxNewTokens = 256
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
    @Option(help: "Seed of the sampling stream.") var seed: UInt64 = 0
    @Flag(help: "Print one JSON object at the end instead of streaming.") var json = false

    struct Report: Encodable {
        var prompt_tokens: [Int]
        var generated_tokens: [Int]
        var text: String?
        var seconds: Double
        var tokens_per_second: Double
    }

    func run() throws {
        guard maxNewTokens > 0 else { throw ValidationError("--max-new-tokens must be positive") }
        guard (prompt == nil) != (tokenIDs == nil) else { throw ValidationError("give exactly one of --prompt or --token-ids") }
        let tok: Tokenizer? = prompt != nil || FileManager.default.fileExists(atPath: tokenizer ?? tokenizerPath)
            ? try Tokenizer.load(path: tokenizer ?? tokenizerPath) : nil
        let promptIDs: [Int]
        if let tokenIDs {
            promptIDs = try parseTokenIDs(tokenIDs)
        } else if let prompt, let tok {
            if raw {
                promptIDs = tok.encode(prompt)
            } else {
                var messages: [(role: String, content: String)] = []
                if let system { messages.append(("system", system)) }
                messages.append(("user", prompt))
                let text = try resolveTemplate(template, tokenizer: tok, tokenizerPath: tokenizer ?? tokenizerPath)
                    .render(messages: messages, addGenerationPrompt: true, bosToken: tok.bosToken, eosToken: tok.eosToken)
                promptIDs = tok.encode(text, addSpecialTokens: false)
            }
        } else {
            throw ValidationError("no tokenizer found for --prompt")
        }
        let model = try modelOptions.load()
        warnIfLongerThanContext(promptIDs.count + maxNewTokens, model: model, what: "prompt + --max-new-tokens")
        var stops = Set(model.config.eosTokenIds)
        if let eos = tok?.eosTokenID { stops.insert(eos) }
        let parameters = try SamplingParameters(
            temperature: temperature, topK: topK, topP: topP, minP: minP, repetitionPenalty: repetitionPenalty,
            presencePenalty: presencePenalty, frequencyPenalty: frequencyPenalty,
            logitBias: try logitBias.map(SamplingParameters.parseLogitBias) ?? [:], seed: seed, maxNewTokens: maxNewTokens,
            stopTokenIDs: Set(stopTokenIDs), stopStrings: stop)
        let generator = Generator(model: model, parameters: parameters, stopTokens: stops)
        var stream = tok.map { StreamingDecoder(tokenizer: $0, skipSpecialTokens: true) }
        let start = Date()
        let decode = tok.map { t in { (ids: [Int]) in t.decode(ids, skipSpecialTokens: true) } }
        let output = try generator.generate(prompt: promptIDs, decode: decode) { token in
            guard !json else { return }
            if stream != nil {
                if let piece = stream?.add(token) { print(piece, terminator: "") }
            } else {
                print(token, terminator: " ")
            }
            fflush(nil)  // all streams: stdout itself is not concurrency-safe to name
        }
        if !json, let rest = stream?.finish() { print(rest, terminator: "") }
        let seconds = Date().timeIntervalSince(start)
        if json {
            print(try jsonText(Report(prompt_tokens: promptIDs, generated_tokens: output,
                                      text: tok?.decode(output, skipSpecialTokens: true), seconds: seconds,
                                      tokens_per_second: Double(output.count) / seconds)))
        } else {
            print("")
            fflush(nil)
            FileHandle.standardError.write(Data(String(format: "%d prompt + %d new tokens in %.2f s (%.1f tokens/s, prefill included)\n",
                                                       promptIDs.count, output.count, seconds, Double(output.count) / seconds).utf8))
        }
    }

    var tokenizerPath: String { modelOptions.model }
}
