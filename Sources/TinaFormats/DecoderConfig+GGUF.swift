import TinaCore

extension DecoderConfig {
    /// Builds the configuration from GGUF metadata (`{arch}.*` keys as llama.cpp's converter writes them).
    /// Tied embeddings and q/k/v bias are read from which tensors the file holds.
    public static func from(gguf file: GGUFFile) throws -> DecoderConfig {
        let source = file.source
        guard let arch = file.value("general.architecture")?.string else {
            throw TinaError.missing(source: source, what: "metadata 'general.architecture'")
        }
        let family: Family
        switch arch {
        case "qwen2": family = .qwen2
        case "llama": family = .llama
        default: throw TinaError.unsupported(source: source, reason: "architecture '\(arch)' (qwen2 and llama are supported)")
        }
        func int(_ key: String) throws -> Int? {
            guard let value = file.value("\(arch).\(key)") else { return nil }
            guard let number = value.int else {
                throw TinaError.malformed(source: source, reason: "metadata '\(arch).\(key)' must be an integer")
            }
            return number
        }
        func required(_ key: String) throws -> Int {
            guard let value = try int(key) else { throw TinaError.missing(source: source, what: "metadata '\(arch).\(key)'") }
            return value
        }
        func double(_ key: String) throws -> Double? {
            guard let value = file.value("\(arch).\(key)") else { return nil }
            guard let number = value.double else {
                throw TinaError.malformed(source: source, reason: "metadata '\(arch).\(key)' must be a number")
            }
            return number
        }
        let hidden = try required("embedding_length")
        let heads = try required("attention.head_count")
        let vocab = try int("vocab_size") ?? file.value("tokenizer.ggml.tokens")?.array?.count
            ?? file.tensorInfo("token_embd.weight")?.shape.first
        guard let vocab else { throw TinaError.missing(source: source, what: "vocabulary size (\(arch).vocab_size)") }
        let hasBias = file.tensorInfo("blk.0.attn_q.bias") != nil
        var scaling: RopeScaling?
        if let kind = file.value("\(arch).rope.scaling.type")?.string, kind != "none" {
            scaling = RopeScaling(kind: kind, factor: try double("rope.scaling.factor"))
        }
        var eos: [Int] = []
        if let id = file.value("tokenizer.ggml.eos_token_id")?.int { eos = [id] }
        let config = DecoderConfig(
            family: family,
            vocabSize: vocab,
            hiddenSize: hidden,
            intermediateSize: try required("feed_forward_length"),
            layerCount: try required("block_count"),
            headCount: heads,
            kvHeadCount: try int("attention.head_count_kv") ?? heads,
            headDim: try int("attention.key_length") ?? (heads > 0 ? hidden / heads : 0),
            rmsNormEps: try double("attention.layer_norm_rms_epsilon") ?? 1e-6,
            ropeTheta: try double("rope.freq_base") ?? 10000,
            ropeScaling: scaling,
            maxPositionEmbeddings: try int("context_length") ?? 2048,
            tieWordEmbeddings: file.tensorInfo("output.weight") == nil,
            qkvBias: family == .qwen2 || hasBias,
            outputBias: file.tensorInfo("blk.0.attn_output.bias") != nil,
            mlpBias: file.tensorInfo("blk.0.ffn_up.bias") != nil,
            hiddenAct: "silu",
            bosTokenId: file.value("tokenizer.ggml.bos_token_id")?.int,
            eosTokenIds: eos,
            storedDType: nil)
        try config.validate(source: source)
        return config
    }
}
