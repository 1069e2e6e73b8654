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
/// tokens are stacked padding-free so every projection is one matmul, and attention runs per sequence
/// against its own cache.
public final class DecoderModel: @unchecked Sendable {
    public let config: DecoderConfig
    public let weights: DecoderWeights
    let inverseFrequencies: [Float]

    public init(config: DecoderConfig, weights: DecoderWeights) throws {
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
        inverseFrequencies = RoPE.inverseFrequencies(headDim: config.headDim, theta: Float(config.ropeTheta), linearFactor: factor)
    }

    var qDim: Int { config.headCount * config.headDim }
    var kvDim: Int { config.kvHeadCount * config.headDim }

    /// A cache sized for this model, limited to `maxBytes`.
    public func makeCache(maxBytes: Int = 4 << 30) -> KVCache {
        KVCache(layerCount: config.layerCount, kvDim: kvDim, maxBytes: maxBytes)
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
        var starts: [Int] = []
        for chunk in batch {
            for token in chunk.tokens where token < 0 || token >= c.vocabSize {
                throw TinaError.invalidArgument("token id \(token) is outside the vocabulary (0..<\(c.vocabSize))")
            }
            let start = try cache.length(of: chunk.sequence)
            try cache.reserve(chunk.sequence, positions: start + chunk.tokens.count)
            starts.append(start)
        }
        let hidden = c.hiddenSize
        let x = try Tensor(zeros: [total, hidden])
        var row = 0
        for chunk in batch {
            for token in chunk.tokens { embed(token, into: x.floats + row * hidden); row += 1 }
        }
        // cos/sin of every new token's position, [total, headDim / 2] each.
        let half = c.headDim / 2
        let cos = UnsafeMutablePointer<Float>.allocate(capacity: total * half)
        let sin = UnsafeMutablePointer<Float>.allocate(capacity: total * half)
        defer { cos.deallocate(); sin.deallocate() }
        row = 0
        for (chunk, start) in zip(batch, starts) {
            for i in 0..<chunk.tokens.count {
                RoPE.angles(position: start + i, inverseFrequencies: inverseFrequencies, cos: cos + row * half, sin: sin + row * half)
                row += 1
            }
        }
        var scratch = try LayerScratch(tokens: total, config: c)
        for (index, layer) in weights.layers.enumerated() {
            try runLayer(layer, index: index, x: x, batch: batch, starts: starts, cos: cos, sin: sin, cache: cache, scratch: &scratch)
        }
        RMSNorm.apply(x.floats, weight: weights.finalNorm.floats, eps: Float(c.rmsNormEps), rows: total, dim: hidden, output: x.floats)
        for (chunk, start) in zip(batch, starts) { try cache.setLength(chunk.sequence, start + chunk.tokens.count) }
        return x
    }

    private func embed(_ token: Int, into destination: UnsafeMutablePointer<Float>) {
        let e = weights.embedding, hidden = config.hiddenSize
        if e.dtype == .bf16 {
            HalfPrecision.bf16ToFloat(e.halfBits + token * hidden, destination, count: hidden)
        } else {
            destination.update(from: e.floats + token * hidden, count: hidden)
        }
    }

    struct LayerScratch {
        let normed, q, k, v, attention, gate, up: Tensor
        init(tokens: Int, config c: DecoderConfig) throws {
            normed = try Tensor(zeros: [tokens, c.hiddenSize])
            q = try Tensor(zeros: [tokens, c.headCount * c.headDim])
            k = try Tensor(zeros: [tokens, c.kvHeadCount * c.headDim])
            v = try Tensor(zeros: [tokens, c.kvHeadCount * c.headDim])
            attention = try Tensor(zeros: [tokens, c.headCount * c.headDim])
            gate = try Tensor(zeros: [tokens, c.intermediateSize])
            up = try Tensor(zeros: [tokens, c.intermediateSize])
        }
    }

    private func runLayer(_ layer: DecoderLayer, index: Int, x: Tensor, batch: [SequenceChunk], starts: [Int],
                          cos: UnsafePointer<Float>, sin: UnsafePointer<Float>, cache: KVCache,
                          scratch s: inout LayerScratch) throws {
        let c = config
        let total = x.shape[0], hidden = c.hiddenSize, half = c.headDim / 2
        let eps = Float(c.rmsNormEps)
        RMSNorm.apply(x.floats, weight: layer.inputNorm.floats, eps: eps, rows: total, dim: hidden, output: s.normed.floats)
        layer.qProj.forward(s.normed.floats, rows: total, into: s.q.floats)
        layer.kProj.forward(s.normed.floats, rows: total, into: s.k.floats)
        layer.vProj.forward(s.normed.floats, rows: total, into: s.v.floats)
        for t in 0..<total {
            RoPE.apply(s.q.floats + t * qDim, heads: c.headCount, headDim: c.headDim, cos: cos + t * half, sin: sin + t * half)
            RoPE.apply(s.k.floats + t * kvDim, heads: c.kvHeadCount, headDim: c.headDim, cos: cos + t * half, sin: sin + t * half)
        }
        var row = 0
        for (chunk, start) in zip(batch, starts) {
            let n = chunk.tokens.count
            let keys = try cache.keys(chunk.sequence, layer: index), values = try cache.values(chunk.sequence, layer: index)
            (keys + start * kvDim).update(from: s.k.floats + row * kvDim, count: n * kvDim)
            (values + start * kvDim).update(from: s.v.floats + row * kvDim, count: n * kvDim)
            Attention.apply(q: s.q.floats + row * qDim, tokens: n, start: start, keys: keys, values: values,
                            heads: c.headCount, kvHeads: c.kvHeadCount, headDim: c.headDim,
                            out: s.attention.floats + row * qDim)
            row += n
        }
        layer.oProj.forward(s.attention.floats, rows: total, into: s.normed.floats)
        Elementwise.add(s.normed.floats, into: x.floats, count: total * hidden)
        RMSNorm.apply(x.floats, weight: layer.postAttentionNorm.floats, eps: eps, rows: total, dim: hidden, output: s.normed.floats)
        layer.gateProj.forward(s.normed.floats, rows: total, into: s.gate.floats)
        layer.upProj.forward(s.normed.floats, rows: total, into: s.up.floats)
        SwiGLU.apply(gate: s.gate.floats, up: s.up.floats, output: s.gate.floats, count: total * c.intermediateSize)
        layer.downProj.forward(s.gate.floats, rows: total, into: s.normed.floats)
        Elementwise.add(s.normed.floats, into: x.floats, count: total * hidden)
    }
}
