import ArgumentParser
import Foundation
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
            guard let data = FileManager.default.contents(atPath: path) else { throw ValidationError("cannot read \(path)") }
            guard let decoded = String(data: data, encoding: .utf8) else { throw ValidationError("\(path) is not valid UTF-8") }
            input = decoded
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
        let tokenizer = try tokenizerOptions.load()
        print(tokenizer.decode(try parseTokenIDs(tokenIDs), skipSpecialTokens: skipSpecialTokens))
    }
}
