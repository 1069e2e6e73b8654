import Foundation
import TinaCore
import TinaFormats
import TinaModels

/// What a training run saves of its model and loads back on resume: the LoRA adapter in PEFT's format
/// (adapter_config.json + adapter_model.safetensors), or, for full fine-tuning, every trained weight in f32
/// (model.safetensors, Hugging Face names) with the base's config and tokenizer files, so the folder loads as a model.
public enum TrainedWeights {
    /// Where the files beside full weights come from: the base model directory (config, generation config,
    /// tokenizer) and, when the tokenizer was taken from elsewhere, that directory's tokenizer files.
    public struct ModelFiles: Sendable {
        public var baseDirectory: String?
        public var tokenizerDirectory: String?
        public init(baseDirectory: String?, tokenizerDirectory: String? = nil) {
            self.baseDirectory = baseDirectory
            self.tokenizerDirectory = tokenizerDirectory
        }

        /// Copies the files that exist; a source that is not a directory (a GGUF file) contributes none.
        func copy(into folder: String) throws {
            if let base = baseDirectory, Self.isDirectory(base) { try LoRAMerge.copyModelFiles(from: base, to: folder) }
            if let tokenizer = tokenizerDirectory, tokenizer != baseDirectory, Self.isDirectory(tokenizer) {
                try LoRAMerge.copyModelFiles(from: tokenizer, to: folder, only: LoRAMerge.tokenizerFiles)
            }
        }

        public static func isDirectory(_ path: String) -> Bool {
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
        }
    }

    /// Writes the model's trained weights into `folder`: its adapter (with `baseModel` as PEFT's
    /// base_model_name_or_path) or, after `enableFullTraining()`, its full weights and `modelFiles`.
    public static func write(_ model: DecoderModel, to folder: String, baseModel: String?, modelFiles: ModelFiles) throws {
        if model.fullParameters.isEmpty {
            guard let adapter = try model.exportLoRA(baseModel: baseModel) else {
                throw TinaError.invalidArgument("the model has neither a LoRA adapter nor full training enabled: nothing to save")
            }
            try adapter.write(directory: folder)
        } else {
            let tensors = try model.fullParameters.keys.sorted().compactMap { name -> (name: String, tensor: Tensor)? in
                guard let p = model.fullParameters[name] else { return nil }
                return (name, try Tensor(shape: p.value.shape, values: try model.backend.download(p.value)))
            }
            try SafetensorsWriter.write(tensors, metadata: ["format": "pt"], to: folder + "/" + SafetensorsCheckpoint.singleFileName)
            try modelFiles.copy(into: folder)
        }
    }

    /// Loads weights saved by `write` into the model's trainable tensors in place (the optimizer's state stays
    /// attached to them); the adapter or weight set must match the model's.
    public static func restore(_ model: DecoderModel, from folder: String) throws {
        if model.fullParameters.isEmpty {
            let adapter = try PEFTAdapterFile.read(directory: folder)
            guard let current = try model.exportLoRA() else {
                throw TinaError.invalidArgument("resume: the model has no LoRA adapter attached")
            }
            guard current.config.rank == adapter.config.rank, Set(current.modules.keys) == Set(adapter.modules.keys) else {
                throw TinaError.malformed(source: folder, reason: "the checkpoint's adapter (rank \(adapter.config.rank), \(adapter.modules.count) modules) does not match the run's (rank \(current.config.rank), \(current.modules.count) modules)")
            }
            try model.loadLoRAWeights(adapter, source: folder)
        } else {
            let path = folder + "/" + SafetensorsCheckpoint.singleFileName
            let file = try SafetensorsFile(path: path)
            for (name, p) in model.fullParameters.sorted(by: { $0.key < $1.key }) {
                guard file.entry(name) != nil else { throw TinaError.missing(source: path, what: "tensor '\(name)'") }
                let saved = try file.tensor(name)
                guard saved.shape == p.value.shape, saved.dtype == .f32 else {
                    throw TinaError.malformed(source: path, reason: "tensor '\(name)' is \(saved.dtype.rawValue) \(saved.shape), the model trains f32 \(p.value.shape)")
                }
                try model.backend.copy(try model.backend.upload(saved), into: p.value)
            }
        }
    }
}
