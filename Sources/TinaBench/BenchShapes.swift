import TinaFormats

/// The matmul shapes of one decoder layer (N x K of each projection) and its lm_head.
public struct ProjectionShape: Codable, Sendable {
    public var name: String
    public var n: Int
    public var k: Int

    public static func of(_ config: DecoderConfig, includeLMHead: Bool = false) -> [ProjectionShape] {
        let q = config.headCount * config.headDim, kv = config.kvHeadCount * config.headDim
        var shapes = [
            ProjectionShape(name: "q_proj", n: q, k: config.hiddenSize),
            ProjectionShape(name: "k_proj/v_proj", n: kv, k: config.hiddenSize),
            ProjectionShape(name: "o_proj", n: config.hiddenSize, k: q),
            ProjectionShape(name: "gate_proj/up_proj", n: config.intermediateSize, k: config.hiddenSize),
            ProjectionShape(name: "down_proj", n: config.hiddenSize, k: config.intermediateSize),
        ]
        if includeLMHead { shapes.append(ProjectionShape(name: "lm_head", n: config.vocabSize, k: config.hiddenSize)) }
        return shapes
    }
}

/// DeepSeek-R1-Distill-Qwen-1.5B's architecture (its published config.json), used when no config is given.
public let r1Distill15BConfig = DecoderConfig(
    family: .qwen2, vocabSize: 151_936, hiddenSize: 1536, intermediateSize: 8960, layerCount: 28, headCount: 12,
    kvHeadCount: 2, headDim: 128, rmsNormEps: 1e-6, ropeTheta: 10000, ropeScaling: nil,
    maxPositionEmbeddings: 131_072, tieWordEmbeddings: false, qkvBias: true, outputBias: false, mlpBias: false,
    hiddenAct: "silu", bosTokenId: 151_643, eosTokenIds: [151_643], storedDType: "bfloat16")
