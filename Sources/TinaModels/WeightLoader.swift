import Foundation
import TinaCore
import TinaFormats

/// Builds `DecoderWeights` from a checkpoint, checking every tensor's presence and shape against the
/// configuration and naming the offending tensor when one is wrong.
struct WeightLoader {
    let source: WeightSource
    let config: DecoderConfig
    let precision: WeightPrecision
    let compute: ComputePrecision
    let backend: any ComputeBackend

    func load() throws -> DecoderWeights {
        let c = config
        let q = c.headCount * c.headDim, kv = c.kvHeadCount * c.headDim
        let embedding = try backend.upload(try matrix("model.embed_tokens.weight", [c.vocabSize, c.hiddenSize]))
        var layers: [DecoderLayer] = []
        for i in 0..<c.layerCount {
            let p = "model.layers.\(i)."
            layers.append(DecoderLayer(
                inputNorm: try backend.upload(try vector(p + "input_layernorm.weight", c.hiddenSize)),
                qProj: try linear(p + "self_attn.q_proj", [q, c.hiddenSize], bias: c.qkvBias),
                kProj: try linear(p + "self_attn.k_proj", [kv, c.hiddenSize], bias: c.qkvBias),
                vProj: try linear(p + "self_attn.v_proj", [kv, c.hiddenSize], bias: c.qkvBias),
                oProj: try linear(p + "self_attn.o_proj", [c.hiddenSize, q], bias: c.outputBias),
                postAttentionNorm: try backend.upload(try vector(p + "post_attention_layernorm.weight", c.hiddenSize)),
                gateProj: try linear(p + "mlp.gate_proj", [c.intermediateSize, c.hiddenSize], bias: c.mlpBias),
                upProj: try linear(p + "mlp.up_proj", [c.intermediateSize, c.hiddenSize], bias: c.mlpBias),
                downProj: try linear(p + "mlp.down_proj", [c.hiddenSize, c.intermediateSize], bias: c.mlpBias)))
        }
        let lmHead: Linear
        if c.tieWordEmbeddings {
            lmHead = try Linear(weight: embedding, bias: nil, backend: backend, precision: compute)
        } else {
            lmHead = try linear("lm_head", [c.vocabSize, c.hiddenSize], bias: false)
        }
        return DecoderWeights(embedding: embedding, layers: layers,
                              finalNorm: try backend.upload(try vector("model.norm.weight", c.hiddenSize)), lmHead: lmHead)
    }

    private func fetch(_ name: String, _ shape: [Int]) throws -> Tensor {
        guard source.has(name) else {
            throw TinaError.missing(source: source.description, what: "tensor '\(name)' (required by the config)")
        }
        let t = try source.tensor(name)
        guard t.shape == shape else {
            throw TinaError.malformed(source: source.description,
                                      reason: "tensor '\(name)' has shape \(t.shape) but the config implies \(shape)")
        }
        guard t.dtype.isFloatingPoint else {
            throw TinaError.unsupported(source: source.description, reason: "tensor '\(name)' has dtype \(t.dtype.rawValue)")
        }
        return t
    }

    /// Norm weights and biases: always f32.
    private func vector(_ name: String, _ length: Int) throws -> Tensor {
        let t = try fetch(name, [length])
        return t.dtype == .f32 ? t : try t.asFloat32()
    }

    private func matrix(_ name: String, _ shape: [Int]) throws -> Tensor {
        let t = try fetch(name, shape)
        switch precision {
        case .f32: return t.dtype == .f32 ? t : try t.asFloat32()
        case .bf16: return t.dtype == .bf16 ? t : try t.converted(to: .bf16)
        }
    }

    private func linear(_ prefix: String, _ shape: [Int], bias: Bool) throws -> Linear {
        let w = try matrix(prefix + ".weight", shape)
        let b = bias ? try vector(prefix + ".bias", shape[0]) : nil
        return try Linear(weight: w, bias: b, backend: backend, precision: compute)
    }
}

extension DecoderModel {
    /// Loads a Hugging Face model directory (config.json + safetensors, sharded or not) or a GGUF file.
    /// `precision` nil keeps bf16 checkpoints in bf16 and everything else (f32, f16, quantized GGUF) in f32.
    /// `compute` nil runs bf16 weights with bf16 products and f32 weights with exact f32 products.
    public static func load(path: String, precision: WeightPrecision? = nil, compute: ComputePrecision? = nil,
                            backend: any ComputeBackend = CPUBackend.shared) throws -> DecoderModel {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw TinaError.io(path: path, reason: "no such file or directory")
        }
        if isDirectory.boolValue {
            let config = try DecoderConfig.load(configPath: path + "/config.json")
            return try load(source: SafetensorsWeightSource(checkpoint: try SafetensorsCheckpoint(directory: path)),
                            config: config, path: path, precision: precision, compute: compute, backend: backend)
        }
        return try load(gguf: try GGUFFile(path: path), path: path, precision: precision, compute: compute, backend: backend)
    }

    /// Loads the weights of a GGUF file that is already open (its tokenizer is read from the same parse).
    public static func load(gguf file: GGUFFile, path: String, precision: WeightPrecision? = nil, compute: ComputePrecision? = nil,
                            backend: any ComputeBackend = CPUBackend.shared) throws -> DecoderModel {
        let config = try DecoderConfig.from(gguf: file)
        return try load(source: GGUFWeightSource(file: file, config: config), config: config, path: path,
                        precision: precision, compute: compute, backend: backend)
    }

    static func load(source: WeightSource, config: DecoderConfig, path: String, precision: WeightPrecision?,
                     compute: ComputePrecision?, backend: any ComputeBackend) throws -> DecoderModel {
        if let scaling = config.ropeScaling, scaling.kind != "linear" {
            throw TinaError.unsupported(source: path, reason: "rope scaling '\(scaling.kind)' (none and linear are supported)")
        }
        let stored = source.storedDType("model.layers.0.self_attn.q_proj.weight")
        let chosen = precision ?? (stored == "BF16" ? .bf16 : .f32)
        let arithmetic = compute ?? (chosen == .bf16 ? .bf16 : .f32)
        let weights = try WeightLoader(source: source, config: config, precision: chosen, compute: arithmetic,
                                       backend: backend).load()
        return try DecoderModel(config: config, weights: weights, compute: arithmetic, backend: backend)
    }
}
