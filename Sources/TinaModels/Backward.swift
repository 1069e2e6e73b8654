import TinaCore

/// The training pass: a forward over whole sequences that keeps each layer's activations, then the backward,
/// op by op in reverse (the llm.c way), for a loss given as d(loss)/d(log p of each chosen token). SFT
/// cross-entropy and every GRPO objective are such losses. Gradients flow to the attached LoRA adapters, with
/// the base frozen (no base-weight gradient is computed), or after `enableFullTraining()` to every weight.
extension DecoderModel {
    /// Runs sequences (each from position 0) through the model, then accumulates into every trainable parameter's
    /// `gradient` (the adapters', or all weights' in full fine-tuning) the gradient of L = sum over s, t of weights[s][t] * log p(sequences[s][t + 1] | prefix).
    /// Returns L and the log-probs. `weights[s]` has one entry per predicted position (count - 1).
    public func accumulateGradients(sequences: [[Int]], logProbWeights lossWeights: [[Float]], dropout: LoRADropout? = nil) throws
        -> (loss: Double, logProbs: [[Float]]) {
        guard sequences.count == lossWeights.count else {
            throw TinaError.invalidArgument("\(sequences.count) sequences but \(lossWeights.count) weight lists")
        }
        for (s, w) in zip(sequences, lossWeights) where w.count != s.count - 1 {
            throw TinaError.invalidArgument("a sequence of \(s.count) tokens needs \(s.count - 1) log-prob weights, got \(w.count)")
        }
        // The weights are known before the forward: each chunk of logits serves the log-probs and their gradient.
        return try trainingPass(sequences: sequences, dropout: dropout, lossFrom: nil, knownWeights: lossWeights) { logProbs in
            var loss = 0.0
            for (lp, w) in zip(logProbs, lossWeights) {
                for (a, b) in zip(lp, w) { loss += Double(a) * Double(b) }
            }
            return (lossWeights, loss)
        }
    }

    /// The general form: `loss` receives every predicted position's log-prob (log p(sequences[s][t + 1] | prefix),
    /// per sequence) and returns d(loss)/d(log-prob) for each and the loss value; then the backward runs. GRPO's
    /// objectives (importance ratios, clipping, KL to the reference) and SFT's masked cross-entropy are closures
    /// here. The logits are computed twice (once for the log-probs, once for their gradient) so memory never
    /// holds [tokens x vocab] (once when the weights are known up front: `accumulateGradients(logProbWeights:)`).
    /// `dropout` draws the adapters' dropout masks (their configured probability) for this pass; nil disables it.
    /// `lossFrom[s]`, when given, is sequence s's first predicted position the loss reads (GRPO: the prompt length - 1):
    /// earlier positions get log-prob 0, skip lm_head and log-softmax both ways, and must get gradient 0.
    public func accumulateGradients(sequences: [[Int]], dropout: LoRADropout? = nil, lossFrom: [Int]? = nil,
                                    loss lossFunction: (_ logProbs: [[Float]]) throws -> (gradient: [[Float]], value: Double)) throws
        -> (loss: Double, logProbs: [[Float]]) {
        try trainingPass(sequences: sequences, dropout: dropout, lossFrom: lossFrom, knownWeights: nil, loss: lossFunction)
    }

    /// `knownWeights`: the loss's gradient when it does not depend on the log-probs (a weighted sum of them, as
    /// SFT's): one lm_head pass per chunk instead of two.
    private func trainingPass(sequences: [[Int]], dropout: LoRADropout?, lossFrom: [Int]?, knownWeights: [[Float]]?,
                              loss lossFunction: (_ logProbs: [[Float]]) throws -> (gradient: [[Float]], value: Double)) throws
        -> (loss: Double, logProbs: [[Float]]) {
        guard !sequences.isEmpty else { throw TinaError.invalidArgument("no sequences to train on") }
        for s in sequences where s.count < 2 {
            throw TinaError.invalidArgument("a training sequence needs at least 2 tokens, got \(s.count)")
        }
        let c = config, b = backend
        let total = sequences.reduce(0) { $0 + $1.count }
        var offsets: [Int] = [], row = 0
        for s in sequences { offsets.append(row); row += s.count }
        let pass = TrainingPass(model: self, tokens: total, positions: sequences.flatMap { Array(0..<$0.count) },
                                sequenceRows: zip(offsets, sequences).map { $0..<($0 + $1.count) }, dropout: dropout)
        let eps = Float(c.rmsNormEps)
        // Outputs written in full by their operation (dFinal, whose rows are copied in one by one, is zeroed).
        func matrix(_ width: Int) throws -> Tensor { try b.empty([total, width], dtype: .f32) }

        // Forward, keeping each layer's activations (or, checkpointing, only its input: recomputed in backward).
        var x = try matrix(c.hiddenSize)
        try b.embed(sequences.flatMap { $0 }, table: weights.embedding, into: x)
        var saved: [SavedLayer?] = [], inputs: [Tensor] = []
        for index in weights.layers.indices {
            let (layerSaved, out) = try pass.layerForward(index, input: x)
            inputs.append(x)
            saved.append(gradientCheckpointing ? nil : layerSaved)
            x = out
        }
        let finalNormed = try matrix(c.hiddenSize)
        try b.rmsNorm(x, weight: weights.finalNorm, eps: eps, into: finalNormed)

        // Log-probs, the loss, and its gradient at the final norm, a few rows of logits at a time.
        if let lossFrom {
            guard lossFrom.count == sequences.count, zip(lossFrom, sequences).allSatisfy({ $0 >= 0 && $0 < $1.count }) else {
                throw TinaError.invalidArgument("lossFrom needs one position per sequence inside it")
            }
        }
        let predicted = sequences.indices.flatMap { s in ((lossFrom?[s] ?? 0)..<(sequences[s].count - 1)).map { (s, $0) } }
        var logProbs = sequences.map { [Float](repeating: 0, count: $0.count - 1) }
        let dFinal = try b.zeros([total, c.hiddenSize], dtype: .f32)
        func chunks() -> [[(Int, Int)]] {
            stride(from: 0, to: predicted.count, by: logitsChunkRows).map { Array(predicted[$0..<min(predicted.count, $0 + logitsChunkRows)]) }
        }
        func logProbsOf(_ chunk: [(Int, Int)], _ logits: Tensor) throws {
            let lp = try b.tokenLogProbs(logits, targets: chunk.map { sequences[$0.0][$0.1 + 1] }, withEntropy: false).logProbs
            for (i, (s, t)) in chunk.enumerated() { logProbs[s][t] = lp[i] }
        }
        // d(loss)/d(final norm output) of a chunk's rows, from its logits and the loss's weights.
        // With `keepingLogProbs`, the chunk's log-probs are taken from the same pass over its logits.
        func backwardThroughHead(_ chunk: [(Int, Int)], _ logits: Tensor, _ lossWeights: [[Float]], keepingLogProbs: Bool = false) throws {
            let hiddenRows = chunk.map { offsets[$0.0] + $0.1 }
            let targets = chunk.map { sequences[$0.0][$0.1 + 1] }, chunkWeights = chunk.map { lossWeights[$0.0][$0.1] }
            // In place: the logits are not needed after (one 67 MB chunk fewer at the 1.5B shape).
            let dLogits = logits
            if keepingLogProbs {
                let lp = try b.logProbsAndBackward(logits, targets: targets, weights: chunkWeights, into: dLogits)
                for (i, (s, t)) in chunk.enumerated() { logProbs[s][t] = lp[i] }
            } else {
                try b.logProbBackward(logits, targets: targets, weights: chunkWeights, into: dLogits)
            }
            let dRows = try b.empty([chunk.count, c.hiddenSize], dtype: .f32)
            try b.linearInputGradient(dLogits, weights.lmHead.matrix, into: dRows, accumulate: false)
            if let head = lmHeadParameter {
                let gathered = try b.empty([chunk.count, c.hiddenSize], dtype: .f32)
                for (i, r) in hiddenRows.enumerated() { try b.copy(try finalNormed.rows(r..<(r + 1)), into: try gathered.rows(i..<(i + 1))) }
                try b.linearWeightGradient(dLogits, gathered, into: head.gradient, accumulate: true)
            }
            for (i, r) in hiddenRows.enumerated() { try b.copy(try dRows.rows(i..<(i + 1)), into: try dFinal.rows(r..<(r + 1))) }
        }
        let loss: Double
        if let knownWeights {
            for chunk in chunks() {
                let logits = try self.logits(finalNormed, rows: chunk.map { offsets[$0.0] + $0.1 })
                try backwardThroughHead(chunk, logits, knownWeights, keepingLogProbs: true)
            }
            loss = try lossFunction(logProbs).value
        } else {
            for chunk in chunks() { try logProbsOf(chunk, try self.logits(finalNormed, rows: chunk.map { offsets[$0.0] + $0.1 })) }
            let (lossWeights, value) = try lossFunction(logProbs)
            guard lossWeights.count == sequences.count, zip(lossWeights, logProbs).allSatisfy({ $0.count == $1.count }) else {
                throw TinaError.invalidArgument("the loss returned gradients of the wrong shape (one per predicted position of each sequence)")
            }
            if let lossFrom {
                for (s, first) in lossFrom.enumerated() where lossWeights[s].prefix(first).contains(where: { $0 != 0 }) {
                    throw TinaError.invalidArgument("the loss has a gradient before position \(first) of sequence \(s), which lossFrom skips")
                }
            }
            for chunk in chunks() { try backwardThroughHead(chunk, try self.logits(finalNormed, rows: chunk.map { offsets[$0.0] + $0.1 }), lossWeights) }
            loss = value
        }
        // The head's logits chunks were kept for reuse chunk to chunk; the layers' backward needs other sizes.
        b.releaseCachedMemory()

        // Backward through the layers.
        let dx = try matrix(c.hiddenSize)
        try b.rmsNormBackward(x, weight: weights.finalNorm, eps: eps, outputGradient: dFinal, into: dx, accumulate: false)
        if let p = fullParameters["model.norm.weight"] { try b.rmsNormWeightGradient(x, eps: eps, outputGradient: dFinal, into: p.gradient) }
        for index in weights.layers.indices.reversed() {
            let layer = weights.layers[index], prefix = "model.layers.\(index)."
            let s = try saved[index] ?? pass.layerForward(index, input: inputs[index]).saved
            saved[index] = nil  // each layer's activations are freed once its backward is done
            let lora = adaptersEnabled, mask = pass.mask
            let dHidden = try matrix(c.intermediateSize)
            try backward(layer.downProj, input: s.hidden, outputGradient: dx, into: dHidden, accumulate: false, adapter: lora, dropout: mask(index, 6))
            // The gradients overwrite gate and up, which nothing reads afterwards: two [tokens x intermediate]
            // buffers less at the backward's peak (0.3 GB at the 1.5B shape, 4 x 1,074 tokens).
            let dGate = s.gate, dUp = s.up
            try b.swigluBackward(gate: s.gate, up: s.up, outputGradient: dHidden, gateGradient: dGate, upGradient: dUp)
            let dNormed2 = try matrix(c.hiddenSize)
            try backward(layer.gateProj, input: s.normed2, outputGradient: dGate, into: dNormed2, accumulate: false, adapter: lora, dropout: mask(index, 4))
            try backward(layer.upProj, input: s.normed2, outputGradient: dUp, into: dNormed2, accumulate: true, adapter: lora, dropout: mask(index, 5))
            try b.rmsNormBackward(s.mid, weight: layer.postAttentionNorm, eps: eps, outputGradient: dNormed2, into: dx, accumulate: true)
            if let p = fullParameters[prefix + "post_attention_layernorm.weight"] {
                try b.rmsNormWeightGradient(s.mid, eps: eps, outputGradient: dNormed2, into: p.gradient)
            }
            let dAttention = try matrix(qDim)
            try backward(layer.oProj, input: s.attention, outputGradient: dx, into: dAttention, accumulate: false, adapter: lora, dropout: mask(index, 3))
            let dq = try matrix(qDim), dk = try matrix(kvDim), dv = try matrix(kvDim)
            try b.attentionBackward(q: s.q, keys: s.k, values: s.v, outputGradient: dAttention, sequences: pass.sequenceRows,
                                    heads: c.headCount, kvHeads: c.kvHeadCount, headDim: c.headDim, queryGradient: dq,
                                    keyGradient: dk, valueGradient: dv)
            try b.ropeBackward(dq, heads: c.headCount, headDim: c.headDim, positions: pass.positions, inverseFrequencies: inverseFrequencies)
            try b.ropeBackward(dk, heads: c.kvHeadCount, headDim: c.headDim, positions: pass.positions, inverseFrequencies: inverseFrequencies)
            let dNormed1 = try matrix(c.hiddenSize)
            try backward(layer.qProj, input: s.normed1, outputGradient: dq, into: dNormed1, accumulate: false, adapter: lora, dropout: mask(index, 0))
            try backward(layer.kProj, input: s.normed1, outputGradient: dk, into: dNormed1, accumulate: true, adapter: lora, dropout: mask(index, 1))
            try backward(layer.vProj, input: s.normed1, outputGradient: dv, into: dNormed1, accumulate: true, adapter: lora, dropout: mask(index, 2))
            try b.rmsNormBackward(s.input, weight: layer.inputNorm, eps: eps, outputGradient: dNormed1, into: dx, accumulate: true)
            if let p = fullParameters[prefix + "input_layernorm.weight"] {
                try b.rmsNormWeightGradient(s.input, eps: eps, outputGradient: dNormed1, into: p.gradient)
            }
        }
        if let p = fullParameters["model.embed_tokens.weight"] {
            try b.embedBackward(sequences.flatMap { $0 }, outputGradient: dx, into: p.gradient)
        }
        return (loss, logProbs)
    }

    /// dx (+)= dy W for a frozen base weight, plus the adapter's part; accumulates the adapter's gradients:
    /// with t = x A^T: dB += s dy^T t, dt = s dy B, dA += dt^T x, dx += dt A.
    func backward(_ linear: Linear, input x: Tensor, outputGradient dy: Tensor, into dx: Tensor, accumulate: Bool,
                  adapter enabled: Bool, dropout: (seed: UInt64, stream: UInt64)? = nil) throws {
        let b = backend
        try b.linearInputGradient(dy, linear.matrix, into: dx, accumulate: accumulate)
        if let weight = linear.trainables.weight {
            try b.linearWeightGradient(dy, x, into: weight.gradient, accumulate: true)
        }
        if let bias = linear.trainables.bias {
            // db += column sums of dy, as ones[1, M] x dy.
            let rows = dy.count / linear.outFeatures
            let ones = try b.upload(try Tensor(shape: [1, rows], values: [Float](repeating: 1, count: rows)))
            try b.matmul(ones, transposeA: false, dy, transposeB: false, into: try bias.gradient.reshaped([1, linear.outFeatures]),
                         alpha: 1, accumulate: true)
        }
        guard enabled, let adapter = linear.trainables.adapter else { return }
        let rows = x.count / linear.inFeatures
        // The adapter saw dropout(x): the same mask is drawn again (same seed and stream).
        let xa = try adapter.input(x, rows: rows, on: b, dropout: dropout)
        let t = try b.empty([rows, adapter.rank], dtype: .f32), dt = try b.empty([rows, adapter.rank], dtype: .f32)
        try b.matmul(xa, transposeA: false, adapter.a.value, transposeB: true, into: t, alpha: 1, accumulate: false)
        try b.matmul(dy, transposeA: true, t, transposeB: false, into: adapter.b.gradient, alpha: adapter.scaling, accumulate: true)
        try b.matmul(dy, transposeA: false, adapter.b.value, transposeB: false, into: dt, alpha: adapter.scaling, accumulate: false)
        try b.matmul(dt, transposeA: true, xa, transposeB: false, into: adapter.a.gradient, alpha: 1, accumulate: true)
        if let dropout, adapter.dropout > 0 {
            // d dropout(x) / dx is the same mask and scale: apply the dropout op to dt A. The dropped copy of x is
            // not read again, so dt A goes into its buffer ([tokens x in] less at the backward's peak: 0.15 GB for
            // down_proj at the 1.5B shape, 4 x 1,074 tokens).
            let through = xa
            try b.matmul(dt, transposeA: false, adapter.a.value, transposeB: false, into: through, alpha: 1, accumulate: false)
            try b.dropout(through, probability: adapter.dropout, seed: dropout.seed, stream: dropout.stream, into: through)
            try b.add(through, into: dx)
        } else {
            try b.matmul(dt, transposeA: false, adapter.a.value, transposeB: false, into: dx, alpha: 1, accumulate: true)
        }
    }
}
