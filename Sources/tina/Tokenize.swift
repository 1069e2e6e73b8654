import ArgumentParser
import Foundation
import TinaCore
import TinaTokenizers

/// Where a tokenizer comes from: a model directory / tokenizer.json, or a GGUF file.
struct TokenizerOptions: ParsableArguments {
    @Option(help: "A directory with tokenizer.json (and tokenizer_config.json), a tokenizer.json, or a .gguf file.")
    var tokenizer: String

    func load() throws -> Tokenizer { try Tokenizer.load(path: tokenizer) }
}

struct Tokenize: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Encode text into token ids (with tokens and byte offsets).")

    @OptionGroup var tokenizerOptions: TokenizerOptions
    @Option(help: "The text to encode.") var text: String?
    @Option(help: "Encode this file's contents instead.") var file: String?
    @Flag(name: .customLong("no-special-tokens"), help: "Do not add the post-processor's special tokens (e.g. BOS).")
    var noSpecialTokens = false
    @Flag(help: "Print JSON: ids, tokens and offsets.") var json = false

    func run() throws {
        let input: String
        switch (text, file) {
        case let (text?, nil): input = text
        case let (nil, path?):
            input = try readTextFile(path)
        default: throw ValidationError("give exactly one of --text or --file")
        }
        let tokenizer = try tokenizerOptions.load()
        let encoded = tokenizer.encodeDetailed(input, addSpecialTokens: !noSpecialTokens)
        if json {
            struct Report: Encodable { var ids: [Int]; var tokens: [String]; var offsets: [[Int]] }
            print(try jsonText(Report(ids: encoded.map(\.id), tokens: encoded.map(\.token), offsets: encoded.map { [$0.start, $0.end] })))
        } else {
            print(encoded.map { String($0.id) }.joined(separator: " "))
            FileHandle.standardError.write(Data("\(encoded.count) tokens\n".utf8))
        }
    }
}

struct Detokenize: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Decode token ids into text.")

    @OptionGroup var tokenizerOptions: TokenizerOptions
    @Option(name: .customLong("token-ids"), help: "Comma-separated token ids.") var tokenIDs: String
    @Flag(name: .customLong("skip-special-tokens"), help: "Leave out special tokens (BOS, EOS, ...).")
    var skipSpecialTokens = false

    func run() throws {
        let ids = try parseTokenIDs(tokenIDs)
        let tokenizer = try tokenizerOptions.load()
        // Unknown ids were silently dropped: an id the tokenizer does not have is an error naming it.
        if let bad = ids.first(where: { tokenizer.token(of: $0) == nil }) {
            throw TinaError.invalidArgument("token id \(bad) is not in the tokenizer \(tokenizerOptions.tokenizer) "
                                            + "(vocabulary size \(tokenizer.vocabularySize))")
        }
        print(tokenizer.decode(ids, skipSpecialTokens: skipSpecialTokens))
    }
}
