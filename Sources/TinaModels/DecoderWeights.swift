import TinaCore
import TinaFormats

/// How decoder weights are held in memory for a run. Norm weights and biases are always f32.
public enum WeightPrecision: String, Sendable, CaseIterable {
    /// Matrices as f32 (exact for f32 checkpoints and dequantized GGUF values; twice the memory of bf16).
    case f32
    /// Matrices as bf16 (the published dtype of most checkpoints; decode streams half the bytes).
    case bf16
}

/// The weights of one decoder layer, named after the HF modules they come from.
public struct DecoderLayer: Sendable {
    public var inputNorm: Tensor
    public var qProj: Linear, kProj: Linear, vProj: Linear, oProj: Linear
    public var postAttentionNorm: Tensor
    public var gateProj: Linear, upProj: Linear, downProj: Linear
}

/// All weights of a Qwen2/Llama decoder.
public struct DecoderWeights: Sendable {
    /// [vocab, hidden], f32 or bf16.
    public var embedding: Tensor
    public var layers: [DecoderLayer]
    public var finalNorm: Tensor
    /// The output projection; shares the embedding's storage when embeddings are tied.
    public var lmHead: Linear

    public var bytes: Int {
        var total = embedding.byteCount + finalNorm.byteCount
        for l in layers {
            total += l.inputNorm.byteCount + l.postAttentionNorm.byteCount
            for p in [l.qProj, l.kProj, l.vProj, l.oProj, l.gateProj, l.upProj, l.downProj] {
                total += p.weightBytes + (p.bias?.byteCount ?? 0)
            }
        }
        return total
    }
}
