import ArgumentParser
import Foundation
import TinaCore
import TinaFormats
import TinaModels
import TinaTokenizers
import TinaTraining

struct InitModel: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init-model",
        abstract: "Write a model with random initial weights (f32), to train from scratch with `tina sft --full`.",
        discussion: """
        Reads an HF config.json and a tokenizer directory; writes --out/model.safetensors (every weight under its \
        Hugging Face name), config.json and the tokenizer files. Initialization as transformers' for Qwen2/Llama: \
        matrices with std 0.02 (initializer_range; uniform draws of that std), norms 1, biases 0. The same seed \
        gives the same weights.
        """)

    @Option(help: "Hugging Face config.json of the model to create.") var config: String
    @Option(help: "Tokenizer directory (tokenizer.json, tokenizer_config.json, generation_config.json are copied).") var tokenizer: String
    @Option(help: "Output directory (created if missing).") var out: String
    @Option(help: "Seed of the initial weights.") var seed: UInt64 = 0

    func run() throws {
        let decoderConfig = try DecoderConfig.load(configPath: config)
        let tok = try Tokenizer.load(path: tokenizer)
        guard decoderConfig.vocabSize >= tok.vocabularySize else {
            throw TinaError.invalidArgument("\(config): vocab_size \(decoderConfig.vocabSize) is smaller than the tokenizer's \(tok.vocabularySize) tokens")
        }
        if let eos = tok.eosTokenID, !decoderConfig.eosTokenIds.isEmpty, !decoderConfig.eosTokenIds.contains(eos) {
            throw TinaError.invalidArgument("\(config): eos_token_id \(decoderConfig.eosTokenIds) is not the tokenizer's EOS (\(eos))")
        }
        let model = try DecoderModel.random(config: decoderConfig, precision: .f32, compute: .f32, seed: seed)
        let parameters = try model.enableFullTraining()
        do {
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        } catch {
            throw TinaError.io(path: out, reason: "cannot create the output directory")
        }
        try SafetensorsWriter.write(parameters.map { (name: $0.name, tensor: $0.value) }, metadata: ["format": "pt"],
                                    to: out + "/" + SafetensorsCheckpoint.singleFileName)
        try copy(config, to: out + "/config.json")
        var isDirectory: ObjCBool = false
        let tokenizerDirectory = FileManager.default.fileExists(atPath: tokenizer, isDirectory: &isDirectory) && isDirectory.boolValue
            ? tokenizer : (tokenizer as NSString).deletingLastPathComponent
        for name in ["tokenizer.json", "tokenizer_config.json", "generation_config.json"]
        where FileManager.default.fileExists(atPath: tokenizerDirectory + "/" + name) {
            try copy(tokenizerDirectory + "/" + name, to: out + "/" + name)
        }
        print("wrote \(decoderConfig.parameterCount) random parameters (seed \(seed)) to \(out)")
    }

    private func copy(_ source: String, to destination: String) throws {
        guard let data = FileManager.default.contents(atPath: source) else { throw TinaError.io(path: source, reason: "cannot read") }
        let writer = try AtomicFileWriter(path: destination)
        try writer.write(Array(data))
        try writer.commit()
    }
}
