import TinaCore

/// What a training step will hold in memory, printed before a run (`tina sft`, `tina bench train`), from the
/// shapes alone: the weights as loaded, the trainable state (value, gradient and AdamW's two moments, f32), the
/// activations the backward keeps (per layer: the inputs of every product, q/k/v, attention output, gate, up and
/// their product; with gradient checkpointing only each layer's input and one layer's
/// activations; nothing of [tokens x vocab]), and the transient buffers of one layer's backward plus a chunk of logits.
public struct TrainingMemoryEstimate: Codable, Sendable {
    public var weightBytes: Int
    public var trainableStateBytes: Int
    public var activationBytes: Int
    public var transientBytes: Int
    public var totalBytes: Int { weightBytes + trainableStateBytes + activationBytes + transientBytes }

    public var summary: String {
        func gb(_ b: Int) -> String { String(format: "%.2f GB", Double(b) / 1e9) }
        return "memory estimate: weights \(gb(weightBytes)), trainable state \(gb(trainableStateBytes)), "
            + "activations \(gb(activationBytes)), transient \(gb(transientBytes)); about \(gb(totalBytes)) in all"
    }
}

extension DecoderModel {
    /// The estimate for one forward + backward over `tokens` tokens whose longest sequence has `longest` tokens,
    /// with the parameters trained now (attached adapters, or all weights after `enableFullTraining()`).
    public func trainingMemoryEstimate(tokens: Int, longest: Int) -> TrainingMemoryEstimate {
        let c = config, f = MemoryLayout<Float>.size
        let h = c.hiddenSize, q = qDim, kv = kvDim, i = c.intermediateSize
        let trainable = fullParameters.isEmpty ? loraParameters.reduce(0) { $0 + $1.value.count } : fullParameters.values.reduce(0) { $0 + $1.value.count }
        let perLayer = 4 * h + 2 * q + 2 * kv + 3 * i
        // Checkpointing keeps each layer's input and one layer's recomputed activations at a time.
        let activations = gradientCheckpointing ? tokens * f * (c.layerCount * h + perLayer + 3 * h)
                                                : tokens * f * (c.layerCount * perLayer + 3 * h)
        let backwardScratch = tokens * f * (3 * i + 4 * h + 2 * q + 2 * kv)
        let logits = logitsChunkRows * c.vocabSize * (f + 2)  // f32 logits (their gradient in place) and its bf16 copy
        let attentionTiles = 2 * Parallel.threadCount * (q / max(1, c.headDim)) * 64 * longest * f
        return TrainingMemoryEstimate(weightBytes: weights.bytes, trainableStateBytes: 4 * trainable * f,
                                      activationBytes: activations, transientBytes: backwardScratch + logits + attentionTiles)
    }
}
