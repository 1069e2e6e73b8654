import TinaCore

/// Rotary-embedding scaling as named in HF `rope_scaling` / `rope_parameters` or GGUF `rope.scaling.*`.
/// Kept as data here; the decoder decides which kinds it can run.
public struct RopeScaling: Sendable, Equatable, Codable {
    /// "linear", "dynamic", "yarn", "llama3", ... ("default" is represented by no scaling at all).
    public var kind: String
    public var factor: Double?

    public init(kind: String, factor: Double?) {
        self.kind = kind
        self.factor = factor
    }
}

/// The one configuration of the Qwen2/Llama decoder family, decoded from HF `config.json` or GGUF metadata
/// with the defaults transformers applies when a field is absent.
public struct DecoderConfig: Sendable, Equatable, Codable {
    public enum Family: String, Sendable, Codable { case qwen2, llama }

    public var family: Family
    public var vocabSize: Int
    public var hiddenSize: Int
    public var intermediateSize: Int
    public var layerCount: Int
    public var headCount: Int
    public var kvHeadCount: Int
    public var headDim: Int
    public var rmsNormEps: Double
    public var ropeTheta: Double
    public var ropeScaling: RopeScaling?
    public var maxPositionEmbeddings: Int
    public var tieWordEmbeddings: Bool
    /// Bias on the q, k and v projections (always on for Qwen2; `attention_bias` for Llama).
    public var qkvBias: Bool
    /// Bias on the output projection (Llama `attention_bias` puts it on o_proj too; Qwen2 never does).
    public var outputBias: Bool
    /// Bias on gate/up/down (Llama `mlp_bias`).
    public var mlpBias: Bool
    public var hiddenAct: String
    public var bosTokenId: Int?
    public var eosTokenIds: [Int]
    /// The dtype the checkpoint was saved in (`torch_dtype` / `dtype`), if stated.
    public var storedDType: String?

    public init(family: Family, vocabSize: Int, hiddenSize: Int, intermediateSize: Int, layerCount: Int,
                headCount: Int, kvHeadCount: Int, headDim: Int, rmsNormEps: Double, ropeTheta: Double,
                ropeScaling: RopeScaling?, maxPositionEmbeddings: Int, tieWordEmbeddings: Bool, qkvBias: Bool,
                outputBias: Bool, mlpBias: Bool, hiddenAct: String, bosTokenId: Int?, eosTokenIds: [Int],
                storedDType: String?) {
        self.family = family
        self.vocabSize = vocabSize
        self.hiddenSize = hiddenSize
        self.intermediateSize = intermediateSize
        self.layerCount = layerCount
        self.headCount = headCount
        self.kvHeadCount = kvHeadCount
        self.headDim = headDim
        self.rmsNormEps = rmsNormEps
        self.ropeTheta = ropeTheta
        self.ropeScaling = ropeScaling
        self.maxPositionEmbeddings = maxPositionEmbeddings
        self.tieWordEmbeddings = tieWordEmbeddings
        self.qkvBias = qkvBias
        self.outputBias = outputBias
        self.mlpBias = mlpBias
        self.hiddenAct = hiddenAct
        self.bosTokenId = bosTokenId
        self.eosTokenIds = eosTokenIds
        self.storedDType = storedDType
    }

    /// Parameter count of the decoder as configured (embeddings, layers, final norm, lm_head unless tied).
    public var parameterCount: Int {
        let q = hiddenSize * headCount * headDim, kv = hiddenSize * kvHeadCount * headDim
        var attention = q + 2 * kv + headCount * headDim * hiddenSize
        if qkvBias { attention += headCount * headDim + 2 * kvHeadCount * headDim }
        if outputBias { attention += hiddenSize }
        var mlp = 3 * hiddenSize * intermediateSize
        if mlpBias { mlp += 2 * intermediateSize + hiddenSize }
        let layer = attention + mlp + 2 * hiddenSize
        let embeddings = vocabSize * hiddenSize
        return embeddings + layerCount * layer + hiddenSize + (tieWordEmbeddings ? 0 : embeddings)
    }

    /// Checks the relations the decoder relies on, naming the offending field.
    public func validate(source: String) throws {
        func positive(_ value: Int, _ field: String) throws {
            guard value > 0 else { throw TinaError.malformed(source: source, reason: "\(field) must be positive, got \(value)") }
        }
        try positive(vocabSize, "vocab_size")
        try positive(hiddenSize, "hidden_size")
        try positive(intermediateSize, "intermediate_size")
        try positive(layerCount, "num_hidden_layers")
        try positive(headCount, "num_attention_heads")
        try positive(kvHeadCount, "num_key_value_heads")
        try positive(headDim, "head_dim")
        guard headCount % kvHeadCount == 0 else {
            throw TinaError.malformed(source: source, reason: "num_attention_heads \(headCount) is not a multiple of num_key_value_heads \(kvHeadCount)")
        }
        guard headDim % 2 == 0 else {
            throw TinaError.malformed(source: source, reason: "head_dim \(headDim) must be even for rotary embeddings")
        }
        guard rmsNormEps > 0, ropeTheta > 0 else {
            throw TinaError.malformed(source: source, reason: "rms_norm_eps and rope_theta must be positive")
        }
    }
}
