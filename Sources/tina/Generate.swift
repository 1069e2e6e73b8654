import ArgumentParser
import Foundation
import TinaCore
import TinaGeneration
import TinaModels

struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Continue a prompt, greedy or sampled, printing tokens as they are chosen.",
        discussion: "Text prompts and chat templates arrive with the tokenizer; for now pass token ids.")

    @OptionGroup var modelOptions: ModelOptions

    @Option(name: .customLong("token-ids"), help: "The prompt as comma-separated token ids.")
    var tokenIDs: String

    @Option(name: .customLong("max-new-tokens"), help: "Most tokens to generate.")
    var maxNewTokens = 64

    @Option(help: "Sampling temperature; 0 is greedy.")
    var temperature: Float = 0

    @Option(name: .customLong("top-p"), help: "Nucleus sampling threshold (1 = off).")
    var topP: Float = 1

    @Option(name: .customLong("top-k"), help: "Keep only the k most likely tokens (0 = off).")
    var topK = 0

    @Option(help: "Seed of the sampling stream.")
    var seed: UInt64 = 0

    @Flag(help: "Print one JSON object at the end instead of streaming.")
    var json = false

    struct Report: Encodable {
        var prompt: [Int]
        var generated: [Int]
        var seconds: Double
        var tokens_per_second: Double
    }

    func run() throws {
        let prompt = try parseTokenIDs(tokenIDs)
        guard maxNewTokens > 0 else { throw ValidationError("--max-new-tokens must be positive") }
        let model = try modelOptions.load()
        let generator = Generator(model: model, sampler: try Sampler(temperature: temperature, topK: topK, topP: topP),
                                  stopTokens: Set(model.config.eosTokenIds))
        let start = Date()
        let output = try generator.generate(prompt: prompt, maxNewTokens: maxNewTokens, seed: seed) { token in
            if !json {
                print(token, terminator: " ")
                fflush(nil)  // all streams: stdout itself is not concurrency-safe to name
            }
        }
        let seconds = Date().timeIntervalSince(start)
        if json {
            print(try jsonText(Report(prompt: prompt, generated: output, seconds: seconds,
                                      tokens_per_second: Double(output.count) / seconds)))
        } else {
            print("")
            FileHandle.standardError.write(Data(String(format: "%d tokens in %.2f s (%.1f tokens/s, prefill included)\n",
                                                       output.count, seconds, Double(output.count) / seconds).utf8))
        }
    }
}
