import ArgumentParser
import Foundation
import TinaCore
import TinaModels
import TinaTokenizers

struct Score: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the log-probability of each token given the ones before it.",
        discussion: """
        Runs one forward pass over the tokens and reports log p(token[i] | token[..<i]) and the entropy of the \
        model's distribution at each position (the first token has no context and is not scored). \
        --text is tokenized with the model's tokenizer (adding its special tokens, e.g. BOS), or pass --token-ids.
        """)

    @OptionGroup var modelOptions: ModelOptions

    @Option(name: .customLong("token-ids"), help: "Comma-separated token ids, e.g. 1,2,3.")
    var tokenIDs: String?

    @Option(help: "Text to score (tokenized with the model's tokenizer).")
    var text: String?

    @Option(help: "Tokenizer path (default: the model path).")
    var tokenizer: String?

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    struct Report: Encodable {
        var model: String
        var tokens: [Int]
        var token_strings: [String]?
        var logprobs: [Float]
        var entropies: [Float]
        var total_logprob: Float
    }

    func run() throws {
        guard (text == nil) != (tokenIDs == nil) else { throw ValidationError("give exactly one of --text or --token-ids") }
        let tok = text != nil ? try Tokenizer.load(path: tokenizer ?? modelOptions.model) : nil
        let ids = try tokenIDs.map(parseTokenIDs) ?? tok?.encode(text ?? "") ?? []
        guard ids.count >= 2 else {
            throw ValidationError(text != nil ? "--text gives \(ids.count) token\(ids.count == 1 ? "" : "s"); scoring needs at least two"
                                              : "--token-ids needs at least two tokens to score")
        }
        let model = try modelOptions.load()
        warnIfLongerThanContext(ids.count, model: model, what: "the scored sequence")
        let cache = model.makeCache()
        let hidden = try model.forward([SequenceChunk(sequence: cache.newSequence(), tokens: ids)], cache: cache)
        let (logProbs, entropies) = try model.tokenLogProbs(hidden, rows: Array(0..<(ids.count - 1)),
                                                            targets: Array(ids[1...]), withEntropy: true)
        let report = Report(model: modelOptions.model, tokens: ids, token_strings: tok.map { t in ids.map { t.decode([$0]) } }, logprobs: logProbs, entropies: entropies ?? [],
                            total_logprob: logProbs.reduce(0, +))
        if json {
            print(try jsonText(report))
            return
        }
        print("position  token     logprob   entropy  text")
        for (i, lp) in logProbs.enumerated() {
            let piece = report.token_strings?[i + 1].debugDescription ?? ""
            print(String(format: "%8d  %7d  %9.4f  %8.4f  ", i + 1, ids[i + 1], lp, report.entropies[i]) + piece)
        }
        print(String(format: "total log-prob %.4f over %d tokens (perplexity %.3f)", report.total_logprob,
                     logProbs.count, Foundation.exp(-Double(report.total_logprob) / Double(logProbs.count))))
    }
}
