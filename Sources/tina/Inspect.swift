import ArgumentParser
import Foundation
import TinaFormats

struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Describe a model: architecture, parameters, dtypes, size, tensors, tokenizer and chat template.",
        discussion: "PATH is a Hugging Face model directory, a .safetensors file or a .gguf file.")

    @Argument(help: "Model directory, .safetensors file or .gguf file.")
    var path: String

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    @Flag(name: .customLong("all-tensors"), help: "List every tensor instead of folding layers into patterns.")
    var allTensors = false

    func run() throws {
        let summary = try ModelInspection.inspect(path: path)
        if json {
            print(try jsonText(summary))
            return
        }
        print(InspectReport.text(summary, allTensors: allTensors, path: path))
    }
}

func jsonText<T: Encodable>(_ value: T) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(value), as: UTF8.self)
}
