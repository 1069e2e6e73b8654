import TinaCore
import TinaFormats

/// Where decoder tensors come from, addressed by their Hugging Face names.
protocol WeightSource {
    var description: String { get }
    func has(_ name: String) -> Bool
    /// The tensor as stored (f32, bf16, f16 ...), shaped row-major like PyTorch.
    func tensor(_ name: String) throws -> Tensor
    /// Stored dtype (nil when absent): decides the default precision.
    func storedDType(_ name: String) -> String?
}

struct SafetensorsWeightSource: WeightSource {
    let checkpoint: SafetensorsCheckpoint
    var description: String { checkpoint.directory }
    func has(_ name: String) -> Bool { checkpoint.entry(name) != nil }
    func tensor(_ name: String) throws -> Tensor { try checkpoint.tensor(name) }
    func storedDType(_ name: String) -> String? { checkpoint.entry(name)?.dtype.rawValue }
}

/// GGUF tensors under their HF names (llama.cpp's converter renames them), dequantized to f32.
/// Llama q/k projections are stored with rows permuted for interleaved rotary pairs; they are permuted
/// back to the rotate-half layout, as transformers does when it loads a GGUF file.
struct GGUFWeightSource: WeightSource {
    let file: GGUFFile
    let config: DecoderConfig
    var description: String { file.source }

    static func ggufName(_ hf: String) -> String? {
        let fixed = ["model.embed_tokens.weight": "token_embd.weight", "model.norm.weight": "output_norm.weight",
                     "lm_head.weight": "output.weight"]
        if let name = fixed[hf] { return name }
        let parts = hf.split(separator: ".")
        guard parts.count >= 5, parts[0] == "model", parts[1] == "layers", let layer = Int(parts[2]) else { return nil }
        let module = parts[3..<(parts.count - 1)].joined(separator: ".")
        let map = ["input_layernorm": "attn_norm", "post_attention_layernorm": "ffn_norm",
                   "self_attn.q_proj": "attn_q", "self_attn.k_proj": "attn_k", "self_attn.v_proj": "attn_v",
                   "self_attn.o_proj": "attn_output", "mlp.gate_proj": "ffn_gate", "mlp.up_proj": "ffn_up",
                   "mlp.down_proj": "ffn_down"]
        guard let short = map[module] else { return nil }
        return "blk.\(layer).\(short).\(parts[parts.count - 1])"
    }

    func has(_ name: String) -> Bool { Self.ggufName(name).flatMap { file.tensorInfo($0) } != nil }

    func storedDType(_ name: String) -> String? { Self.ggufName(name).flatMap { file.tensorInfo($0)?.type.name } }

    func tensor(_ name: String) throws -> Tensor {
        guard let gguf = Self.ggufName(name) else { throw TinaError.missing(source: file.source, what: "tensor for '\(name)'") }
        let t = try file.dequantized(gguf)
        guard config.family == .llama else { return t }
        if name.hasSuffix("self_attn.q_proj.weight") || name.hasSuffix("self_attn.q_proj.bias") {
            return try Self.unpermute(t, heads: config.headCount, name: name, source: file.source)
        }
        if name.hasSuffix("self_attn.k_proj.weight") || name.hasSuffix("self_attn.k_proj.bias") {
            return try Self.unpermute(t, heads: config.kvHeadCount, name: name, source: file.source)
        }
        return t
    }

    /// Inverse of convert_hf_to_gguf's `permute`: GGUF row h*d + 2j + t holds HF row h*d + t*(d/2) + j.
    static func unpermute(_ t: Tensor, heads: Int, name: String, source: String) throws -> Tensor {
        let rows = t.shape[0], width = t.rowLength
        guard heads > 0, rows % (2 * heads) == 0 else {
            throw TinaError.malformed(source: source, reason: "tensor '\(name)' has \(rows) rows, not a multiple of 2 x \(heads) heads")
        }
        let d = rows / heads, half = d / 2
        let out = try Tensor(zeros: t.shape)
        for h in 0..<heads {
            for j in 0..<half {
                for s in 0..<2 {
                    (out.floats + (h * d + s * half + j) * width).update(from: t.floats + (h * d + 2 * j + s) * width, count: width)
                }
            }
        }
        return out
    }
}
