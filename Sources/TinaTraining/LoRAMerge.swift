import Foundation
import TinaCore
import TinaFormats

/// `tina merge`: a base checkpoint plus a PEFT LoRA adapter written as one ordinary checkpoint, W' = W + s B A for
/// every adapted projection, that transformers loads without PEFT. Merged in f32, written in `dtype` (default:
/// each tensor's stored dtype), one matrix at a time; the other tensors are copied; config, generation config and
/// tokenizer files are copied beside it.
public enum LoRAMerge {
    public static let tokenizerFiles = ["tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "chat_template.jinja",
                                        "vocab.json", "merges.txt"]
    public static let copiedFiles = ["config.json", "generation_config.json"] + tokenizerFiles

    /// Returns the number of merged matrices.
    @discardableResult
    public static func merge(base: String, adapter: String, output: String, dtype: DType? = nil) throws -> Int {
        if let dtype, dtype != .f32, dtype != .bf16 {
            throw TinaError.unsupported(source: "merge", reason: "output dtype \(dtype.rawValue) (f32 or bf16)")
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: base, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw TinaError.unsupported(source: base, reason: "the base must be a Hugging Face model directory (config.json + safetensors)")
        }
        let checkpoint = try SafetensorsCheckpoint(directory: base)
        let file = try PEFTAdapterFile.read(directory: adapter)
        let scaling = Float(file.config.scaling)
        var tensors: [(name: String, tensor: Tensor)] = []
        var merged = 0
        for name in checkpoint.tensorNames {
            var tensor = try checkpoint.tensor(name)
            let module = name.hasSuffix(".weight") ? String(name.dropLast(".weight".count)) : nil
            if let module, let (a, b) = file.modules[module] {
                guard tensor.rank == 2, a.shape == [file.config.rank, tensor.shape[1]], b.shape == [tensor.shape[0], file.config.rank] else {
                    throw TinaError.malformed(source: adapter, reason: "module '\(module)': lora_A \(a.shape) and lora_B \(b.shape) do not fit the base weight \(tensor.shape)")
                }
                let wide = try tensor.asFloat32()
                // W += s * B[out, r] A[r, in]
                try OneDNN.sgemm(m: tensor.shape[0], n: tensor.shape[1], k: file.config.rank, a: b.floats, lda: file.config.rank,
                                 b: a.floats, ldb: tensor.shape[1], c: wide.floats, ldc: tensor.shape[1], alpha: scaling, beta: 1)
                tensor = try wide.converted(to: dtype ?? tensor.dtype)
                merged += 1
            } else if let dtype, tensor.dtype.isFloatingPoint, tensor.dtype != dtype {
                tensor = try tensor.converted(to: dtype)
            }
            tensors.append((name, tensor))
        }
        let unknown = Set(file.modules.keys).subtracting(checkpoint.tensorNames.map { String($0.dropLast(".weight".count)) })
        if let module = unknown.sorted().first {
            throw TinaError.malformed(source: adapter, reason: "module '\(module)' has no weight in the base checkpoint \(base)")
        }
        do {
            try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        } catch {
            throw TinaError.io(path: output, reason: "cannot create the output directory")
        }
        try SafetensorsWriter.write(tensors, metadata: ["format": "pt"], to: output + "/" + SafetensorsCheckpoint.singleFileName)
        try copyModelFiles(from: base, to: output)
        return merged
    }

    /// Copies the config, generation config and tokenizer files (or just the files named in `only`) that exist in
    /// `base` into `output`.
    public static func copyModelFiles(from base: String, to output: String, only names: [String] = copiedFiles) throws {
        for name in names where FileManager.default.fileExists(atPath: base + "/" + name) {
            guard let data = FileManager.default.contents(atPath: base + "/" + name) else {
                throw TinaError.io(path: base + "/" + name, reason: "cannot read")
            }
            let writer = try AtomicFileWriter(path: output + "/" + name)
            try writer.write(Array(data))
            try writer.commit()
        }
    }
}
