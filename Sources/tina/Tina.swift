import ArgumentParser

@main
struct Tina: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tina",
        abstract: "Tiny reasoning models via LoRA: models, tokenizers, chat templates and generation, natively in Swift.",
        discussion: """
        Tina reads Hugging Face model directories (config.json + safetensors, sharded or not) and GGUF files. \
        Environment: TINA_NUM_THREADS sets the worker count of Tina's kernels (default: all cores); \
        OPENBLAS_NUM_THREADS sets OpenBLAS's.
        """,
        version: "0.1.0",
        subcommands: [Inspect.self, Tokenize.self, Detokenize.self, ChatTemplateCommand.self, Score.self, Generate.self, Grade.self, Bench.self]
    )
}
