import Foundation
import TinaCore
import TinaFormats
import TinaModels
import TinaTokenizers

/// Sampling defaults a checkpoint ships in `generation_config.json` (nil where it says nothing).
public struct GenerationDefaults: Sendable, Equatable {
    public var temperature: Float?
    public var topP: Float?
    public var topK: Int?
    public var eosTokenIDs: [Int] = []
    public init() {}
}

/// One way to open a model: the format is sniffed once by its magic bytes (a GGUF file is parsed once for weights
/// and tokenizer); config, weights, tokenizer, chat template, end-of-sequence ids and generation defaults come
/// back together. Every command, the rollout engine, evaluation and GRPO open models through here.
public struct Checkpoint {
    public enum Format: String, Sendable { case huggingFace = "hf", gguf }

    public let path: String
    public let format: Format
    public let model: DecoderModel
    /// nil when the checkpoint has no tokenizer (a bare safetensors directory).
    public let tokenizer: Tokenizer?
    public let generationDefaults: GenerationDefaults

    public var config: DecoderConfig { model.config }

    /// Ids that end a completion: the config's, generation_config.json's and the tokenizer's EOS.
    public var stopTokenIDs: Set<Int> {
        var ids = Set(model.config.eosTokenIds).union(generationDefaults.eosTokenIDs)
        if let eos = tokenizer?.eosTokenID { ids.insert(eos) }
        return ids
    }

    /// Opens `path` (a Hugging Face directory or a GGUF file); `tokenizerPath` overrides where the tokenizer
    /// comes from; `adapter` attaches a PEFT LoRA adapter directory.
    public static func open(_ path: String, precision: WeightPrecision? = nil, compute: ComputePrecision? = nil,
                            adapter: String? = nil, tokenizerPath: String? = nil,
                            backend: any ComputeBackend = CPUBackend.shared) throws -> Checkpoint {
        let format = try sniff(path)
        let model: DecoderModel
        var tokenizer: Tokenizer?
        var defaults = GenerationDefaults()
        switch format {
        case .gguf:
            let file = try GGUFFile(path: path)
            model = try DecoderModel.load(gguf: file, path: path, precision: precision, compute: compute, backend: backend)
            if tokenizerPath == nil { tokenizer = try Tokenizer.from(gguf: file) }
        case .huggingFace:
            model = try DecoderModel.load(path: path, precision: precision, compute: compute, backend: backend)
            if tokenizerPath == nil, FileManager.default.fileExists(atPath: path + "/tokenizer.json") {
                tokenizer = try Tokenizer.load(path: path)
            }
            defaults = try generationDefaults(path + "/generation_config.json")
        }
        if let tokenizerPath { tokenizer = try Tokenizer.load(path: tokenizerPath) }
        if let adapter { try model.attachLoRA(try PEFTAdapterFile.read(directory: adapter), source: adapter) }
        return Checkpoint(path: path, format: format, model: model, tokenizer: tokenizer, generationDefaults: defaults)
    }

    /// A directory is a Hugging Face checkpoint; a file must start with the GGUF magic.
    public static func sniff(_ path: String) throws -> Format {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw TinaError.io(path: path, reason: "no such file or directory")
        }
        if isDirectory.boolValue { return .huggingFace }
        guard let handle = FileHandle(forReadingAtPath: path) else { throw TinaError.io(path: path, reason: "cannot read") }
        defer { try? handle.close() }
        let magic = (try? handle.read(upToCount: 4)) ?? nil
        guard magic == Data("GGUF".utf8) else {
            throw TinaError.malformed(source: path, reason: "neither a model directory nor a GGUF file (no GGUF magic)")
        }
        return .gguf
    }

    static func generationDefaults(_ path: String) throws -> GenerationDefaults {
        var defaults = GenerationDefaults()
        guard let data = FileManager.default.contents(atPath: path) else { return defaults }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw TinaError.malformed(source: path, reason: "not a JSON object")
        }
        func number(_ key: String) throws -> Double? {
            guard let value = object[key], !(value is NSNull) else { return nil }
            guard let n = value as? NSNumber else {
                throw TinaError.malformed(source: path, reason: "'\(key)' must be a number")
            }
            return n.doubleValue
        }
        defaults.temperature = try number("temperature").map(Float.init)
        defaults.topP = try number("top_p").map(Float.init)
        defaults.topK = try number("top_k").map { Int($0) }
        if let one = try? number("eos_token_id") {
            defaults.eosTokenIDs = [Int(one)]
        } else if let many = object["eos_token_id"] as? [NSNumber] {
            defaults.eosTokenIDs = many.map(\.intValue)
        }
        return defaults
    }

    /// The tokenizer, or an error saying the checkpoint has none.
    public func requireTokenizer() throws -> Tokenizer {
        guard let tokenizer else {
            throw TinaError.invalidArgument("\(path) has no tokenizer.json; pass a tokenizer path")
        }
        return tokenizer
    }

    /// The chat template: `choice` is a built-in name or a Jinja file; nil takes the tokenizer's own.
    public func chatTemplate(_ choice: String? = nil) throws -> ChatTemplate {
        try ChatTemplate.resolve(choice, tokenizer: try requireTokenizer(), source: path)
    }
}

extension ChatTemplate {
    /// `choice` is a built-in name or a Jinja file; nil takes the tokenizer's own template.
    public static func resolve(_ choice: String?, tokenizer: Tokenizer, source: String) throws -> ChatTemplate {
        if let choice {
            if let builtIn = try ChatTemplate.named(choice) { return builtIn }
            guard let data = FileManager.default.contents(atPath: choice) else {
                throw TinaError.invalidArgument("chat template '\(choice)' is neither a built-in (\(ChatTemplate.builtIn.keys.sorted().joined(separator: ", "))) nor a readable file")
            }
            guard let text = String(data: data, encoding: .utf8) else {
                throw TinaError.malformed(source: choice, reason: "the template file is not UTF-8")
            }
            return try ChatTemplate(text, name: choice)
        }
        guard let text = tokenizer.chatTemplate else {
            throw TinaError.invalidArgument("the tokenizer of \(source) has no chat template; name one")
        }
        return try ChatTemplate(text, name: "\(source) (chat template)")
    }

    /// Renders `messages` with the generation prompt on and tokenizes the text without adding special tokens
    /// (the template writes BOS itself), as lighteval and TRL do.
    public func promptTokens(_ messages: [(role: String, content: String)], tokenizer: Tokenizer) throws -> [Int] {
        let text = try render(messages: messages, addGenerationPrompt: true, bosToken: tokenizer.bosToken, eosToken: tokenizer.eosToken)
        return tokenizer.encode(text, addSpecialTokens: false)
    }
}
