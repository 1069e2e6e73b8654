import ArgumentParser
import Foundation
import TinaCore
import TinaFormats
import TinaGeneration
import TinaModels

/// A warning on stderr when `tokens` exceeds the model's context (max_position_embeddings).
func warnIfLongerThanContext(_ tokens: Int, model: DecoderModel, what: String) {
    let context = model.config.maxPositionEmbeddings
    if context > 0 && tokens > context {
        ExitStatus.printError("warning: \(what) is \(tokens) tokens, longer than the model's context of \(context)")
    }
}

/// Options shared by the commands that load a model.
struct ModelOptions: ParsableArguments {
    @Option(help: "A Hugging Face model directory (config.json + safetensors) or a .gguf file.")
    var model: String

    @Option(help: "Weight precision: f32 or bf16 (default: bf16 for bf16 checkpoints, else f32).")
    var precision: String?

    @Option(help: "Product arithmetic: f32 (exact) or bf16 (bf16 inputs, f32 accumulation). Default: bf16 for bf16 weights, else f32.")
    var compute: String?

    @Option(help: "A PEFT LoRA adapter directory (adapter_config.json + adapter_model.safetensors) to apply.")
    var adapter: String?

    /// The checkpoint with its tokenizer (from `tokenizer` when given) and the adapter attached.
    func open(tokenizer: String? = nil) throws -> Checkpoint {
        let (chosen, arithmetic) = try precisions()
        return try Checkpoint.open(model, precision: chosen, compute: arithmetic, adapter: adapter, tokenizerPath: tokenizer)
    }

    func load() throws -> DecoderModel { try open().model }

    private func precisions() throws -> (WeightPrecision?, ComputePrecision?) {
        var chosen: WeightPrecision?
        if let precision {
            guard let value = WeightPrecision(rawValue: precision) else {
                throw ValidationError("--precision must be f32 or bf16, got '\(precision)'")
            }
            chosen = value
        }
        var arithmetic: ComputePrecision?
        if let compute {
            guard let value = ComputePrecision(rawValue: compute) else {
                throw ValidationError("--compute must be f32 or bf16, got '\(compute)'")
            }
            arithmetic = value
        }
        return (chosen, arithmetic)
    }
}

/// "1, 2,3" -> [1, 2, 3], with a clear error for anything else.
func parseTokenIDs(_ text: String) throws -> [Int] {
    let parts = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
    let ids = parts.compactMap { Int($0) }
    guard !ids.isEmpty, ids.count == parts.count, ids.allSatisfy({ $0 >= 0 }) else {
        throw ValidationError("--token-ids must be comma-separated non-negative integers, got '\(text)'")
    }
    return ids
}
