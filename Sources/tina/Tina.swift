import ArgumentParser

@main
struct Tina: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tina",
        abstract: "Tiny reasoning models via LoRA: models, tokenizers, chat templates and generation, natively in Swift.",
        discussion: """
        Tina reads Hugging Face model directories (config.json + safetensors, sharded or not) and GGUF files. \
        Environment: TINA_NUM_THREADS sets the thread count of everything (Tina's kernels and oneDNN's OpenMP \
        threads; default: all cores). `tina info` prints the CPU, its features and the kernel paths in use.
        """,
        version: "0.1.0",
        subcommands: [Info.self, Inspect.self, Tokenize.self, Detokenize.self, ChatTemplateCommand.self, Score.self, Generate.self, Grade.self, Bench.self]
    )
}
