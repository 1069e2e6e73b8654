import ArgumentParser
import Foundation
import TinaCore
import TinaGeneration
import TinaModels
import TinaTokenizers

struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Continue prompts, greedy or sampled: one prompt streamed, or many in a batch (--n, --input).",
        discussion: """
        --prompt is sent as a user message through the chat template (the tokenizer's own, or --template); \
        --raw feeds it as plain text instead. --token-ids gives the prompt as ids. The tokenizer comes from the \
        model path (tokenizer.json beside the weights, or the GGUF file) unless --tokenizer names another. \
        Generation stops at an end-of-sequence token, a --stop-token-id, a --stop string or after --max-new-tokens. \
        One prompt with --n 1 streams its text; --n N samples N completions, and --input FILE.jsonl (one \
        {"prompt": ...}, {"messages": [...]} or {"token_ids": [...]} per line, optional "id") runs every line \
        through the batched engine with continuous batching, writing one JSON row per completion to --output \
        (or stdout) with the input's index and id.
        """)

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var sampling: SamplingOptions
    @Option(help: "Tokenizer path (default: the model path).") var tokenizer: String?
    @Option(help: "The prompt text.") var prompt: String?
    @Option(help: "A system message placed before each prompt.") var system: String?
    @Option(help: "Chat template: a built-in name or a Jinja file (default: the tokenizer's).") var template: String?
    @Flag(help: "Use prompts as raw text, without a chat template.") var raw = false
    @Option(name: .customLong("token-ids"), help: "The prompt as comma-separated token ids.") var tokenIDs: String?
    @Option(help: "Samples per prompt.") var n = 1
    @Option(help: "JSONL file of prompts for batch mode.") var input: String?
    @Option(help: "Where batch mode writes its JSONL rows (default: stdout).") var output: String?
    @Option(help: "Sequences decoded together (continuous batching slots).") var slots = 32
    @Option(name: .customLong("kv-budget-mb"), help: "KV cache budget in MiB; samples wait for room instead of failing.") var kvBudgetMB = 4096
    @Flag(help: "Print one JSON object at the end instead of streaming (single prompt).") var json = false

    struct Report: Encodable {
        var prompt_tokens: [Int]
        var generated_tokens: [Int]
        var text: String?
        var seconds: Double
        var tokens_per_second: Double
    }

    func validate() throws {
        guard n > 0, slots > 0, kvBudgetMB > 0 else { throw ValidationError("--n, --slots and --kv-budget-mb must be positive") }
        let sources = [prompt != nil, tokenIDs != nil, input != nil].filter { $0 }.count
        guard sources == 1 else { throw ValidationError("give exactly one of --prompt, --token-ids or --input") }
        if output != nil && input == nil { throw ValidationError("--output goes with --input") }
    }

    func run() throws {
        let parameters = try sampling.parameters()
        let checkpoint = try modelOptions.open(tokenizer: tokenizer)
        let builder = ChatPromptBuilder(checkpoint: checkpoint, template: template, system: system, raw: raw)
        if let input {
            let rows = try BatchInput.read(input, builder: builder)
            try runBatch(rows, checkpoint: checkpoint, parameters: parameters)
            return
        }
        let promptIDs = try tokenIDs.map(parseTokenIDs) ?? builder.tokens(text: prompt ?? "")
        if n > 1 {
            try runBatch([BatchInput(index: 0, id: nil, tokens: promptIDs)], checkpoint: checkpoint, parameters: parameters)
        } else {
            try stream(promptIDs, checkpoint: checkpoint, parameters: parameters)
        }
    }

    private func stream(_ promptIDs: [Int], checkpoint: Checkpoint, parameters: SamplingParameters) throws {
        let model = checkpoint.model, tok = checkpoint.tokenizer
        warnIfLongerThanContext(promptIDs.count + parameters.maxNewTokens, model: model, what: "prompt + --max-new-tokens")
        let generator = Generator(model: model, parameters: parameters, stopTokens: checkpoint.stopTokenIDs)
        var stream = tok.map { StreamingDecoder(tokenizer: $0, skipSpecialTokens: true) }
        let start = Date()
        var firstToken: Date?
        let decode = tok.map { t in { (ids: [Int]) in t.decode(ids, skipSpecialTokens: true) } }
        let output = try generator.generate(prompt: promptIDs, decode: decode) { token in
            if firstToken == nil { firstToken = Date() }
            guard !json else { return }
            if stream != nil {
                if let piece = stream?.add(token) { print(piece, terminator: "") }
            } else {
                print(token, terminator: " ")
            }
            fflush(nil)  // all streams: stdout itself is not concurrency-safe to name
        }
        if !json, let rest = stream?.finish() { print(rest, terminator: "") }
        let end = Date()
        let seconds = end.timeIntervalSince(start)
        if json {
            print(try jsonText(Report(prompt_tokens: promptIDs, generated_tokens: output,
                                      text: tok?.decode(output, skipSpecialTokens: true), seconds: seconds,
                                      tokens_per_second: Double(output.count) / seconds)))
        } else {
            print("")
            fflush(nil)
            // The first token comes out of the prefill; the rest are decode steps.
            let prefill = (firstToken ?? end).timeIntervalSince(start)
            let decodeSeconds = end.timeIntervalSince(firstToken ?? end)
            ExitStatus.printError(String(format: "prefill %d tokens in %.2f s (%.0f tok/s); decode %d tokens in %.2f s (%.1f tok/s)",
                                         promptIDs.count, prefill, Double(promptIDs.count) / max(prefill, 1e-9),
                                         max(0, output.count - 1), decodeSeconds, Double(max(0, output.count - 1)) / max(decodeSeconds, 1e-9)))
        }
    }

    private func runBatch(_ rows: [BatchInput], checkpoint: Checkpoint, parameters: SamplingParameters) throws {
        let tok = checkpoint.tokenizer
        let decode: @Sendable ([Int]) -> String = { ids in tok?.decode(ids, skipSpecialTokens: true) ?? ids.map(String.init).joined(separator: " ") }
        let engine = RolloutEngine(model: checkpoint.model, stopTokens: checkpoint.stopTokenIDs, decode: decode,
                                   maxSlots: slots, cacheBytes: kvBudgetMB << 20)
        let requests = rows.map { RolloutRequest(id: $0.index, prompt: $0.tokens, samples: n, parameters: parameters) }
        let writer = try output.map { try JSONLWriter(path: $0) }
        var printed = Date.distantPast
        let results = try engine.run(requests, onProgress: { p in
            guard Date().timeIntervalSince(printed) > 1 || p.completed == p.total else { return }
            printed = Date()
            ExitStatus.printError(String(format: "\r%d/%d done  %d active  prefill %.0f tok/s  decode %.1f tok/s  ETA %.0f s   ",
                                         p.completed, p.total, p.activeSequences, Double(p.promptTokens) / max(p.prefillSeconds, 1e-9),
                                         p.decodeTokensPerSecond, p.etaSeconds), newline: false)
        }, onCompletion: { c in
            let row = BatchOutput(index: rows[c.requestIndex].index, id: rows[c.requestIndex].id, sample: c.sample, text: c.text,
                                  tokens: c.tokens, finish_reason: c.finishReason.rawValue, prompt_tokens: c.promptTokens,
                                  log_probs: c.logProbs)
            try writer?.write(row)
        })
        ExitStatus.printError("")
        try writer?.close()
        if writer == nil {
            for c in results {
                let row = BatchOutput(index: rows[c.requestIndex].index, id: rows[c.requestIndex].id, sample: c.sample, text: c.text,
                                      tokens: c.tokens, finish_reason: c.finishReason.rawValue, prompt_tokens: c.promptTokens,
                                      log_probs: c.logProbs)
                if input == nil && !json {
                    print("--- sample \(c.sample) (\(c.tokens.count) tokens, \(c.finishReason.rawValue)) ---")
                    print(c.text)
                } else {
                    print(try jsonText(row, pretty: false))
                }
            }
        }
    }
}

/// Turns prompt text into token ids the way `tina generate` was asked to (chat template or raw).
struct ChatPromptBuilder {
    let checkpoint: Checkpoint
    let template: String?
    let system: String?
    let raw: Bool

    func tokens(text: String) throws -> [Int] {
        let tok = try checkpoint.requireTokenizer()
        if raw { return tok.encode(text) }
        var messages: [(role: String, content: String)] = []
        if let system { messages.append(("system", system)) }
        messages.append(("user", text))
        return try checkpoint.chatTemplate(template).promptTokens(messages, tokenizer: tok)
    }

    func tokens(messages: [(role: String, content: String)]) throws -> [Int] {
        try checkpoint.chatTemplate(template).promptTokens(messages, tokenizer: try checkpoint.requireTokenizer())
    }
}
