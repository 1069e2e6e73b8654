import ArgumentParser
import TinaCore
import TinaTraining

struct Merge: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Merge a PEFT LoRA adapter into its base model and write an ordinary checkpoint.",
        discussion: """
        W' = W + scaling * B A for every adapted projection, computed in f32. The output directory gets \
        model.safetensors plus the base's config, generation config and tokenizer files, and loads in transformers \
        (and in tina) without the adapter.
        """)

    @Option(help: "The base model directory (config.json + safetensors).") var model: String
    @Option(help: "The PEFT adapter directory (adapter_config.json + adapter_model.safetensors).") var adapter: String
    @Option(help: "Output directory (created if missing).") var out: String
    @Option(help: "Output dtype: auto (as stored), f32 or bf16.") var dtype = "auto"

    func run() throws {
        let chosen: DType?
        switch dtype {
        case "auto": chosen = nil
        case "f32": chosen = .f32
        case "bf16": chosen = .bf16
        default: throw ValidationError("--dtype must be auto, f32 or bf16, got '\(dtype)'")
        }
        let merged = try LoRAMerge.merge(base: model, adapter: adapter, output: out, dtype: chosen)
        print("merged \(merged) projections into \(out)")
    }
}
