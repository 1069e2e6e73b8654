import ArgumentParser
import Foundation
import TinaCore
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
        // A config.json that exists but does not load is an error, not "config none".
        if summary.config == nil, let configPath = configPath, FileManager.default.fileExists(atPath: configPath) {
            _ = try DecoderConfig.load(configPath: configPath)
        }
        // In a GGUF file the metadata is the config: metadata that describes no supported model is an error too.
        if summary.format == "gguf", summary.config == nil, let problem = summary.configProblem {
            throw TinaError.malformed(source: path, reason: "its metadata does not describe a supported model: \(problem)")
        }
        if json {
            print(try jsonText(summary))
            return
        }
        print(InspectReport.text(summary, allTensors: allTensors, path: path))
    }
}

extension Inspect {
    /// The config.json that belongs to `path`: inside a directory, beside a .safetensors file.
    var configPath: String? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return nil }
        if isDirectory.boolValue { return (path as NSString).appendingPathComponent("config.json") }
        if path.hasSuffix(".safetensors") { return ((path as NSString).deletingLastPathComponent as NSString).appendingPathComponent("config.json") }
        return nil
    }
}

func jsonText<T: Encodable>(_ value: T, pretty: Bool = true) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(value), as: UTF8.self)
}
