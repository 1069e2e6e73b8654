import TinaCore

/// Activations of one layer that its backward reads.
struct SavedLayer {
    let input, normed1, q, k, v, attention, mid, normed2, gate, up, hidden: Tensor
}

/// What one training pass shares between its forward and backward: the stacked sequences' geometry and the
/// dropout masks' keys. `layerForward` runs one decoder layer keeping its activations; with gradient
/// checkpointing the backward calls it again from the saved layer input (the masks are drawn again from the
/// same keys, so the recomputed activations are the forward's exactly).
struct TrainingPass {
    let model: DecoderModel
    let tokens: Int
    /// Each row's position in its sequence.
    let positions: [Int]
    /// Each sequence's rows in the stacked matrices.
    let sequenceRows: [Range<Int>]
    let dropout: LoRADropout?

    func mask(_ layer: Int, _ module: Int) -> (seed: UInt64, stream: UInt64)? {
        dropout.map { ($0.seed, $0.stream(layer: layer, module: module)) }
    }

    /// Layer `index` on x [tokens, hidden]: its saved activations and its output (a new tensor).
    func layerForward(_ index: Int, input x: Tensor) throws -> (saved: SavedLayer, output: Tensor) {
        let c = model.config, b = model.backend, lora = model.adaptersEnabled, layer = model.weights.layers[index]
        let eps = Float(c.rmsNormEps), qDim = c.headCount * c.headDim, kvDim = c.kvHeadCount * c.headDim
        // Every activation below is written in full by the operation that produces it.
        func matrix(_ width: Int) throws -> Tensor { try b.empty([tokens, width], dtype: .f32) }
        let s = SavedLayer(input: x, normed1: try matrix(c.hiddenSize), q: try matrix(qDim), k: try matrix(kvDim),
                           v: try matrix(kvDim), attention: try matrix(qDim), mid: try matrix(c.hiddenSize),
                           normed2: try matrix(c.hiddenSize), gate: try matrix(c.intermediateSize),
                           up: try matrix(c.intermediateSize), hidden: try matrix(c.intermediateSize))
        try b.rmsNorm(x, weight: layer.inputNorm, eps: eps, into: s.normed1)
        try layer.qProj.forward(s.normed1, into: s.q, on: b, adapter: lora, dropout: mask(index, 0))
        try layer.kProj.forward(s.normed1, into: s.k, on: b, adapter: lora, dropout: mask(index, 1))
        try layer.vProj.forward(s.normed1, into: s.v, on: b, adapter: lora, dropout: mask(index, 2))
        try b.rope(s.q, heads: c.headCount, headDim: c.headDim, positions: positions, inverseFrequencies: model.inverseFrequencies)
        try b.rope(s.k, heads: c.kvHeadCount, headDim: c.headDim, positions: positions, inverseFrequencies: model.inverseFrequencies)
        let segments = try sequenceRows.map { rows in
            AttentionSegment(rows: rows, keys: try s.k.rows(rows), values: try s.v.rows(rows), start: 0)
        }
        try b.attention(q: s.q, segments: segments, heads: c.headCount, kvHeads: c.kvHeadCount, headDim: c.headDim, into: s.attention)
        try layer.oProj.forward(s.attention, into: s.mid, on: b, adapter: lora, dropout: mask(index, 3))
        try b.add(x, into: s.mid)
        try b.rmsNorm(s.mid, weight: layer.postAttentionNorm, eps: eps, into: s.normed2)
        try layer.gateProj.forward(s.normed2, into: s.gate, on: b, adapter: lora, dropout: mask(index, 4))
        try layer.upProj.forward(s.normed2, into: s.up, on: b, adapter: lora, dropout: mask(index, 5))
        try b.swiglu(gate: s.gate, up: s.up, into: s.hidden)
        let out = try matrix(c.hiddenSize)
        try layer.downProj.forward(s.hidden, into: out, on: b, adapter: lora, dropout: mask(index, 6))
        try b.add(s.mid, into: out)
        return (s, out)
    }
}
