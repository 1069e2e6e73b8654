import Foundation

/// Backward passes of the row operations, each the derivative of its forward twin in `CPUBackend` (checked by
/// finite differences in TinaCoreTests/BackwardTests and, through the whole model, against PyTorch's autograd).
/// Written for clarity first: reductions accumulate in Double.
extension CPUBackend {
    public func rmsNormBackward(_ x: Tensor, weight: Tensor, eps: Float, outputGradient dy: Tensor, into dx: Tensor,
                                accumulate: Bool) throws {
        try OpProfile.measure("rms norm backward") { try rmsNormBackwardBody(x, weight: weight, eps: eps, outputGradient: dy, into: dx, accumulate: accumulate) }
    }

    private func rmsNormBackwardBody(_ x: Tensor, weight: Tensor, eps: Float, outputGradient dy: Tensor, into dx: Tensor,
                                accumulate: Bool) throws {
        let dim = weight.count
        for (t, name) in [(x, "x"), (dy, "dy"), (dx, "dx")] {
            try checkF32(t, "rms norm backward \(name)")
            guard t.count == x.count, dim > 0, t.count % dim == 0 else {
                throw TinaError.shapeMismatch(what: "rms norm backward \(name)", expected: x.shape, actual: t.shape)
            }
        }
        let rows = x.count / dim
        let args = UnsafeSendable((x.floats, weight.floats, dy.floats, dx.floats))
        Parallel.forChunks(of: rows, minChunk: 8) { range in
            let (x, g, dy, dx) = args.value
            for r in range {
                let xr = x + r * dim, dyr = dy + r * dim, dxr = dx + r * dim
                var squares = 0.0, dot = 0.0
                for i in 0..<dim {
                    squares += Double(xr[i]) * Double(xr[i])
                    dot += Double(g[i]) * Double(dyr[i]) * Double(xr[i])
                }
                let inv = 1 / (squares / Double(dim) + Double(eps)).squareRoot()
                let c = inv * inv * inv * dot / Double(dim)
                for i in 0..<dim {
                    let v = Float(inv * Double(g[i]) * Double(dyr[i]) - c * Double(xr[i]))
                    dxr[i] = accumulate ? dxr[i] + v : v
                }
            }
        }
    }

    public func rmsNormWeightGradient(_ x: Tensor, eps: Float, outputGradient dy: Tensor, into dWeight: Tensor) throws {
        let dim = dWeight.count
        for (t, name) in [(x, "x"), (dy, "dy"), (dWeight, "weight gradient")] { try checkF32(t, "rms norm weight gradient \(name)") }
        guard dim > 0, x.count == dy.count, x.count % dim == 0 else {
            throw TinaError.shapeMismatch(what: "rms norm weight gradient", expected: [-1, dim], actual: x.shape)
        }
        var sums = [Double](repeating: 0, count: dim)
        for r in 0..<(x.count / dim) {
            let xr = x.floats + r * dim, dyr = dy.floats + r * dim
            var squares = 0.0
            for i in 0..<dim { squares += Double(xr[i]) * Double(xr[i]) }
            let inv = 1 / (squares / Double(dim) + Double(eps)).squareRoot()
            for i in 0..<dim { sums[i] += Double(dyr[i]) * Double(xr[i]) * inv }
        }
        for i in 0..<dim { dWeight.floats[i] += Float(sums[i]) }
    }

    public func embedBackward(_ tokens: [Int], outputGradient dOut: Tensor, into tableGradient: Tensor) throws {
        try checkF32(dOut, "embedding backward"); try checkF32(tableGradient, "embedding gradient")
        guard tableGradient.rank == 2, dOut.count == tokens.count * tableGradient.shape[1] else {
            throw TinaError.shapeMismatch(what: "embedding backward", expected: [tokens.count, tableGradient.shape.last ?? 0], actual: dOut.shape)
        }
        let (vocab, hidden) = (tableGradient.shape[0], tableGradient.shape[1])
        for (i, token) in tokens.enumerated() {
            guard token >= 0, token < vocab else { throw TinaError.invalidArgument("token id \(token) is outside the vocabulary (0..<\(vocab))") }
            Elementwise.add(dOut.floats + i * hidden, into: tableGradient.floats + token * hidden, count: hidden)
        }
    }

    public func ropeBackward(_ dx: Tensor, heads: Int, headDim: Int, positions: [Int], inverseFrequencies: [Float]) throws {
        let width = heads * headDim, half = headDim / 2
        try checkF32(dx, "rope backward")
        guard dx.count == positions.count * width, inverseFrequencies.count == half else {
            throw TinaError.shapeMismatch(what: "rope backward", expected: [positions.count, width], actual: dx.shape)
        }
        // The inverse rotation: the angles of -position (cos unchanged, sin negated).
        var cos = [Float](repeating: 0, count: half), sin = [Float](repeating: 0, count: half)
        for (row, position) in positions.enumerated() {
            RoPE.angles(position: -position, inverseFrequencies: inverseFrequencies, cos: &cos, sin: &sin)
            RoPE.apply(dx.floats + row * width, heads: heads, headDim: headDim, cos: cos, sin: sin)
        }
    }

    public func swigluBackward(gate: Tensor, up: Tensor, outputGradient dOut: Tensor, gateGradient: Tensor,
                               upGradient: Tensor) throws {
        try OpProfile.measure("swiglu backward") { try swigluBackwardBody(gate: gate, up: up, outputGradient: dOut, gateGradient: gateGradient, upGradient: upGradient) }
    }

    private func swigluBackwardBody(gate: Tensor, up: Tensor, outputGradient dOut: Tensor, gateGradient: Tensor,
                               upGradient: Tensor) throws {
        for (t, name) in [(gate, "gate"), (up, "up"), (dOut, "output gradient"), (gateGradient, "gate gradient"), (upGradient, "up gradient")] {
            try checkF32(t, "swiglu backward \(name)")
            guard t.count == gate.count else { throw TinaError.shapeMismatch(what: "swiglu backward \(name)", expected: gate.shape, actual: t.shape) }
        }
        let args = UnsafeSendable((gate.floats, up.floats, dOut.floats, gateGradient.floats, upGradient.floats))
        // Parallel SIMD: the scalar loop (expf per element, one thread) took 17 ms per SmolLM2 layer at 1,824 tokens.
        Parallel.forChunks(of: (gate.count + 15) / 16, minChunk: 1024) { blocks in
            let (g, u, d, dg, du) = args.value
            let first = blocks.lowerBound * 16, count = min(gate.count, blocks.upperBound * 16) - first
            SwiGLU.backward(gate: g + first, up: u + first, outputGradient: d + first, gateGradient: dg + first,
                            upGradient: du + first, count: count)
        }
    }

    public func attentionBackward(q: Tensor, keys: Tensor, values: Tensor, outputGradient dOut: Tensor, sequences: [Range<Int>],
                                  heads: Int, kvHeads: Int, headDim: Int, queryGradient dq: Tensor, keyGradient dk: Tensor,
                                  valueGradient dv: Tensor) throws {
        try OpProfile.measure("attention backward") {
            try attentionBackwardBody(q: q, keys: keys, values: values, outputGradient: dOut, sequences: sequences, heads: heads,
                                      kvHeads: kvHeads, headDim: headDim, queryGradient: dq, keyGradient: dk, valueGradient: dv)
        }
    }

    private func attentionBackwardBody(q: Tensor, keys: Tensor, values: Tensor, outputGradient dOut: Tensor, sequences: [Range<Int>],
                                       heads: Int, kvHeads: Int, headDim: Int, queryGradient dq: Tensor, keyGradient dk: Tensor,
                                       valueGradient dv: Tensor) throws {
        guard kvHeads > 0, heads % kvHeads == 0, headDim > 0 else {
            throw TinaError.invalidArgument("\(heads) heads do not group over \(kvHeads) KV heads")
        }
        let qDim = heads * headDim, kvDim = kvHeads * headDim
        let tokens = q.count / qDim
        for (t, name, width) in [(q, "q", qDim), (dOut, "output gradient", qDim), (dq, "dq", qDim),
                                 (keys, "keys", kvDim), (values, "values", kvDim), (dk, "dk", kvDim), (dv, "dv", kvDim)] {
            try checkF32(t, "attention backward \(name)")
            guard t.count == tokens * width else {
                throw TinaError.shapeMismatch(what: "attention backward \(name)", expected: [tokens, width], actual: t.shape)
            }
        }
        var next = 0
        for range in sequences {
            guard range.lowerBound == next, range.upperBound <= tokens else {
                throw TinaError.invalidArgument("attention backward: sequence rows \(range) do not follow row \(next) within \(tokens) rows")
            }
            next = range.upperBound
        }
        guard next == tokens else { throw TinaError.invalidArgument("attention backward: sequences cover \(next) of \(tokens) rows") }
        try CPUAttentionBackward.apply(q: q.floats, keys: keys.floats, values: values.floats, dOut: dOut.floats,
                                       sequences: sequences.filter { !$0.isEmpty }, heads: heads, kvHeads: kvHeads, headDim: headDim,
                                       dq: dq.floats, dk: dk.floats, dv: dv.floats)
    }

    public func logProbBackward(_ logits: Tensor, targets: [Int], weights: [Float], into dLogits: Tensor) throws {
        try OpProfile.measure("log-prob backward") { try logProbBackwardBody(logits, targets: targets, weights: weights, into: dLogits) }
    }

    public func releaseCachedMemory() { LargeBlockCache.shared.drain() }

    public func logProbsAndBackward(_ logits: Tensor, targets: [Int], weights: [Float], into dLogits: Tensor) throws -> [Float] {
        var logProbs = [Float](repeating: 0, count: targets.count)
        try OpProfile.measure("log-probs and backward") {
            try logProbs.withUnsafeMutableBufferPointer { lp in
                try logProbBackwardBody(logits, targets: targets, weights: weights, into: dLogits, logProbs: lp.baseAddress)
            }
        }
        return logProbs
    }

    /// With `logProbs`, also writes each row's log-prob of its target (read before the row is overwritten).
    private func logProbBackwardBody(_ logits: Tensor, targets: [Int], weights: [Float], into dLogits: Tensor,
                                     logProbs: UnsafeMutablePointer<Float>? = nil) throws {
        try checkF32(logits, "log-prob backward logits"); try checkF32(dLogits, "log-prob backward gradient")
        guard logits.rank == 2, logits.shape[0] == targets.count, weights.count == targets.count, dLogits.shape == logits.shape else {
            throw TinaError.shapeMismatch(what: "log-prob backward", expected: [targets.count, -1], actual: logits.shape)
        }
        let vocab = logits.shape[1]
        for target in targets where target < 0 || target >= vocab {
            throw TinaError.invalidArgument("target token \(target) outside the vocabulary (0..<\(vocab))")
        }
        // Rows are independent: split across threads (1.5B shape, 2,048 rows x 151,936: 0.79 s on one thread).
        let args = UnsafeSendable((logits.floats, dLogits.floats, targets, weights, logProbs))
        Parallel.forChunks(of: targets.count, minChunk: max(1, (1 << 16) / max(vocab, 1))) { range in
            let (logits, dLogits, targets, weights, logProbs) = args.value
            for i in range {
                let z = logits + i * vocab, d = dLogits + i * vocab
                // Two reads for the normalizer, one read and write for the gradient (in place when d == z): the
                // softmax, then two scalings, had taken 4 reads and 3 writes of each 0.6 MB row (0.46 s per 2,048
                // rows at the 1.5B shape).
                let lse = Softmax.logSumExp(z, count: vocab)
                logProbs?[i] = z[targets[i]] - lse
                Softmax.scaledProbabilities(z, count: vocab, logSumExp: lse, scale: -weights[i], output: d)
                d[targets[i]] += weights[i]
            }
        }
    }
}
