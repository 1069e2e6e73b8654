import Foundation
import TinaCore
import TinaFormats

/// New tokens of one sequence for `DecoderModel.forward`.
public struct SequenceChunk: Sendable {
    public var sequence: Int
    public var tokens: [Int]
    public init(sequence: Int, tokens: [Int]) {
        self.sequence = sequence
        self.tokens = tokens
    }
}

/// The Qwen2/Llama decoder: embedding, pre-norm layers (RMSNorm, rotary GQA attention, SwiGLU MLP),
/// final RMSNorm and lm_head. One `forward` serves prefill and decode for many sequences at once: their new
/// tokens are stacked padding-free so every projection is one matmul, and attention runs for every
/// sequence against its own cache in one call. Every operation goes through `backend`; this file never touches memory itself.
public final class DecoderModel: @unchecked Sendable {
    public let config: DecoderConfig
    public let weights: DecoderWeights
    public let backend: any ComputeBackend
    /// The arithmetic of the matrix products (the weights' `BackendMatrix`es were prepared for it).
    public let compute: ComputePrecision
    /// Whether attached LoRA adapters take part in `forward`; off, the model is its own frozen base (GRPO's
    /// reference policy, with no second copy of the weights).
    public var adaptersEnabled = true
    /// Training passes keep only each layer's input and recompute the layer's activations in its backward
    /// (one more forward of compute for activation memory of one layer instead of all of them).
    public var gradientCheckpointing = false
    /// The configuration of the attached LoRA adapters (nil when none).
    public internal(set) var loraConfig: PEFTAdapterConfig?
    /// Every weight by Hugging Face name once `enableFullTraining()` ran (empty otherwise).
    public internal(set) var fullParameters: [String: TrainableParameter] = [:]
    let inverseFrequencies: [Float]

    public init(config: DecoderConfig, weights: DecoderWeights, compute: ComputePrecision,
                backend: any ComputeBackend = CPUBackend.shared) throws {
        try config.validate(source: "decoder config")
        var factor: Float = 1
        if let scaling = config.ropeScaling {
            guard scaling.kind == "linear", let f = scaling.factor, f > 0 else {
                throw TinaError.unsupported(source: "decoder config", reason: "rope scaling '\(scaling.kind)' (none and linear are supported)")
            }
            factor = Float(f)
        }
        guard weights.layers.count == config.layerCount else {
            throw TinaError.invalidArgument("weights have \(weights.layers.count) layers, config \(config.layerCount)")
        }
        self.config = config
        self.weights = weights
        self.compute = compute
        self.backend = backend
        inverseFrequencies = RoPE.inverseFrequencies(headDim: config.headDim, theta: Float(config.ropeTheta), linearFactor: factor)
    }

    var qDim: Int { config.headCount * config.headDim }
    var kvDim: Int { config.kvHeadCount * config.headDim }

    /// A cache sized for this model, limited to `maxBytes`: bf16 for bf16 compute, f32 for the exact path (or `dtype`).
    public func makeCache(maxBytes: Int = 4 << 30, dtype: DType? = nil) -> KVCache {
        KVCache(layerCount: config.layerCount, kvDim: kvDim, maxBytes: maxBytes, dtype: dtype ?? (compute == .bf16 ? .bf16 : .f32),
                backend: backend)
    }

    /// Runs the new tokens of each chunk through the decoder, appending their keys and values to the cache.
    /// Returns final-normed hidden states [total new tokens, hidden], chunks in order.
    public func forward(_ batch: [SequenceChunk], cache: KVCache) throws -> Tensor {
        let c = config
        let total = batch.reduce(0) { $0 + $1.tokens.count }
        guard total > 0 else { throw TinaError.invalidArgument("forward needs at least one token") }
        guard Set(batch.map(\.sequence)).count == batch.count else {
            throw TinaError.invalidArgument("a sequence appears twice in one forward batch")
        }
        guard cache.backend === backend else { throw TinaError.invalidArgument("the KV cache belongs to another backend") }
        var starts: [Int] = [], positions: [Int] = [], tokens: [Int] = []
        for chunk in batch {
            for token in chunk.tokens where token < 0 || token >= c.vocabSize {
                throw TinaError.invalidArgument("token id \(token) is outside the vocabulary (0..<\(c.vocabSize))")
            }
            let start = try cache.length(of: chunk.sequence)
            try cache.reserve(chunk.sequence, positions: start + chunk.tokens.count)
            starts.append(start)
            positions += start..<(start + chunk.tokens.count)
            tokens += chunk.tokens
        }
        let x = try backend.empty([total, c.hiddenSize], dtype: .f32)
        try backend.embed(tokens, table: weights.embedding, into: x)
        let scratch = try LayerScratch(tokens: total, config: c, backend: backend)
        for (index, layer) in weights.layers.enumerated() {
            try runLayer(layer, index: index, x: x, batch: batch, starts: starts, positions: positions, cache: cache, scratch: scratch)
        }
        try backend.rmsNorm(x, weight: weights.finalNorm, eps: Float(c.rmsNormEps), into: x)
        for (chunk, start) in zip(batch, starts) { try cache.setLength(chunk.sequence, start + chunk.tokens.count) }
        return x
    }

    /// Per-forward activations, each written in full by the operation that produces it.
    struct LayerScratch {
        let normed, q, k, v, attention, gate, up: Tensor
        init(tokens: Int, config c: DecoderConfig, backend: any ComputeBackend) throws {
            normed = try backend.empty([tokens, c.hiddenSize], dtype: .f32)
            q = try backend.empty([tokens, c.headCount * c.headDim], dtype: .f32)
            k = try backend.empty([tokens, c.kvHeadCount * c.headDim], dtype: .f32)
            v = try backend.empty([tokens, c.kvHeadCount * c.headDim], dtype: .f32)
            attention = try backend.empty([tokens, c.headCount * c.headDim], dtype: .f32)
            gate = try backend.empty([tokens, c.intermediateSize], dtype: .f32)
            up = try backend.empty([tokens, c.intermediateSize], dtype: .f32)
        }
    }

    private func runLayer(_ layer: DecoderLayer, index: Int, x: Tensor, batch: [SequenceChunk], starts: [Int],
                          positions: [Int], cache: KVCache, scratch s: LayerScratch) throws {
        let c = config, b = backend, lora = adaptersEnabled
        let eps = Float(c.rmsNormEps)
        try b.rmsNorm(x, weight: layer.inputNorm, eps: eps, into: s.normed)
        try layer.qProj.forward(s.normed, into: s.q, on: b, adapter: lora)
        try layer.kProj.forward(s.normed, into: s.k, on: b, adapter: lora)
        try layer.vProj.forward(s.normed, into: s.v, on: b, adapter: lora)
        try b.rope(s.q, heads: c.headCount, headDim: c.headDim, positions: positions, inverseFrequencies: inverseFrequencies)
        try b.rope(s.k, heads: c.kvHeadCount, headDim: c.headDim, positions: positions, inverseFrequencies: inverseFrequencies)
        var row = 0, segments: [AttentionSegment] = []
        for (chunk, start) in zip(batch, starts) {
            let n = chunk.tokens.count, rows = row..<(row + n)
            let view = try cache.layer(chunk.sequence, index, positions: start + n)
            let new = (start - view.shared)..<(start - view.shared + n)
            try b.copy(try s.k.rows(rows), into: try view.keys.rows(new))
            try b.copy(try s.v.rows(rows), into: try view.values.rows(new))
            segments.append(AttentionSegment(rows: rows, keys: view.keys, values: view.values, start: start,
                                             prefixKeys: view.sharedKeys, prefixValues: view.sharedValues))
            row += n
        }
        try b.attention(q: s.q, segments: segments, heads: c.headCount, kvHeads: c.kvHeadCount, headDim: c.headDim, into: s.attention)
        try layer.oProj.forward(s.attention, into: s.normed, on: b, adapter: lora)
        try b.add(s.normed, into: x)
        try b.rmsNorm(x, weight: layer.postAttentionNorm, eps: eps, into: s.normed)
        try layer.gateProj.forward(s.normed, into: s.gate, on: b, adapter: lora)
        try layer.upProj.forward(s.normed, into: s.up, on: b, adapter: lora)
        try b.swiglu(gate: s.gate, up: s.up, into: s.gate)
        try layer.downProj.forward(s.gate, into: s.normed, on: b, adapter: lora)
        try b.add(s.normed, into: x)
    }
}
