import ArgumentParser
import Foundation
import TinaCore
import TinaModels

struct Score: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the log-probability of each token given the ones before it.",
        discussion: """
        Runs one forward pass over the tokens and reports log p(token[i] | token[..<i]) and the entropy of the
        model's distribution at each position (the first token has no context and is not scored).
        Text input arrives with the tokenizer; for now pass token ids.
        """)

    @OptionGroup var modelOptions: ModelOptions

    @Option(name: .customLong("token-ids"), help: "Comma-separated token ids, e.g. 1,2,3.")
    var tokenIDs: String

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    struct Report: Encodable {
        var model: String
        var tokens: [Int]
        var logprobs: [Float]
        var entropies: [Float]
        var total_logprob: Float
    }

    func run() throws {
        let ids = try parseTokenIDs(tokenIDs)
        guard ids.count >= 2 else { throw ValidationError("--token-ids needs at least two tokens to score") }
        let model = try modelOptions.load()
        let cache = model.makeCache()
        let hidden = try model.forward([SequenceChunk(sequence: cache.newSequence(), tokens: ids)], cache: cache)
        let (logProbs, entropies) = try model.tokenLogProbs(hidden, rows: Array(0..<(ids.count - 1)),
                                                            targets: Array(ids[1...]), withEntropy: true)
        let report = Report(model: modelOptions.model, tokens: ids, logprobs: logProbs, entropies: entropies ?? [],
                            total_logprob: logProbs.reduce(0, +))
        if json {
            print(try jsonText(report))
            return
        }
        print("position  token     logprob   entropy")
        for (i, lp) in logProbs.enumerated() {
            print(String(format: "%8d  %7d  %9.4f  %8.4f", i + 1, ids[i + 1], lp, report.entropies[i]))
        }
        print(String(format: "total log-prob %.4f over %d tokens (perplexity %.3f)", report.total_logprob,
                     logProbs.count, Foundation.exp(-Double(report.total_logprob) / Double(logProbs.count))))
    }
}
