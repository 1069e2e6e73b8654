import TinaCore
import TinaFormats

extension DecoderModel {
    /// A model of `config`'s exact shape with random weights (uniform with std 0.02; norms 1), for benchmarks
    /// and memory estimates where no checkpoint is available. Speed does not depend on the values; uniform
    /// draws are ~5x cheaper than normal ones (no log/cos), which made building the 1.5B shape take minutes.
    /// `compute` nil follows the weights (bf16 products for bf16 weights).
    public static func random(config: DecoderConfig, precision: WeightPrecision, compute: ComputePrecision? = nil,
                              seed: UInt64 = 0, backend: any ComputeBackend = CPUBackend.shared) throws -> DecoderModel {
        let arithmetic = compute ?? (precision == .bf16 ? .bf16 : .f32)
        var stream: UInt64 = 0
        func matrix(_ rows: Int, _ columns: Int) throws -> Tensor {
            stream += 1
            let matrixID = stream
            let t = try Tensor(zeros: [rows, columns], dtype: precision == .bf16 ? .bf16 : .f32)
            // Rows are filled in parallel, each from its own sub-stream, so the result does not depend on threads.
            let shared = UnsafeSendable(t)
            Parallel.forChunks(of: rows, minChunk: 256) { range in
                for r in range {
                    var local = Philox(seed: seed, stream: (matrixID << 32) | UInt64(r))
                    for c in 0..<columns {
                        let v = (local.nextUniform() * 2 - 1) * 0.0346  // std 0.02 = 0.0346 / sqrt(3)
                        if precision == .bf16 {
                            shared.value.halfBits[r * columns + c] = HalfPrecision.floatToBF16(v)
                        } else {
                            shared.value.floats[r * columns + c] = v
                        }
                    }
                }
            }
            return t
        }
        func ones(_ n: Int) throws -> Tensor { try backend.upload(try Tensor(shape: [n], values: Array(repeating: 1, count: n))) }
        func zeros(_ n: Int) throws -> Tensor { try Tensor(zeros: [n]) }
        func linear(_ rows: Int, _ columns: Int, bias: Bool) throws -> Linear {
            try Linear(weight: try matrix(rows, columns), bias: bias ? try zeros(rows) : nil, backend: backend, precision: arithmetic)
        }
        let c = config
        let q = c.headCount * c.headDim, kv = c.kvHeadCount * c.headDim
        let embedding = try backend.upload(try matrix(c.vocabSize, c.hiddenSize))
        var layers: [DecoderLayer] = []
        for _ in 0..<c.layerCount {
            layers.append(DecoderLayer(
                inputNorm: try ones(c.hiddenSize),
                qProj: try linear(q, c.hiddenSize, bias: c.qkvBias), kProj: try linear(kv, c.hiddenSize, bias: c.qkvBias),
                vProj: try linear(kv, c.hiddenSize, bias: c.qkvBias), oProj: try linear(c.hiddenSize, q, bias: c.outputBias),
                postAttentionNorm: try ones(c.hiddenSize),
                gateProj: try linear(c.intermediateSize, c.hiddenSize, bias: c.mlpBias),
                upProj: try linear(c.intermediateSize, c.hiddenSize, bias: c.mlpBias),
                downProj: try linear(c.hiddenSize, c.intermediateSize, bias: c.mlpBias)))
        }
        let lmHead = c.tieWordEmbeddings
            ? try Linear(weight: embedding, bias: nil, backend: backend, precision: arithmetic)
            : try linear(c.vocabSize, c.hiddenSize, bias: false)
        return try DecoderModel(config: c, weights: DecoderWeights(embedding: embedding, layers: layers,
                                                                     finalNorm: try ones(c.hiddenSize), lmHead: lmHead),
                                compute: arithmetic, backend: backend)
    }
}
