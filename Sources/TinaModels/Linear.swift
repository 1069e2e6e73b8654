import TinaCore

/// A linear layer y = x W^T (+ b) with W stored [out, in] as transformers stores it, held by a backend in the
/// layout its products want. The product itself (GEMV for decode, oneDNN for many rows, bf16 or f32) is the
/// backend's choice; a LoRA adapter (`trainables.adapter`) is applied here, beside the base product.
public struct Linear: Sendable {
    public let matrix: any BackendMatrix
    /// f32 [out] or nil.
    public let bias: Tensor?
    /// What training updates in this layer: a LoRA adapter (applied unmerged after the base product), or in
    /// full fine-tuning the weight and bias themselves.
    public let trainables = LinearTrainables()
    public var inFeatures: Int { matrix.columns }
    public var outFeatures: Int { matrix.rows }

    public init(weight: Tensor, bias: Tensor?, backend: any ComputeBackend, precision: ComputePrecision) throws {
        guard weight.rank == 2 else { throw TinaError.invalidArgument("Linear weight must be 2-D, got \(weight.shape)") }
        if let bias, bias.count != weight.shape[0] || bias.dtype != .f32 {
            throw TinaError.shapeMismatch(what: "Linear bias", expected: [weight.shape[0]], actual: bias.shape)
        }
        matrix = try backend.matrix(weight, precision: precision)
        self.bias = try bias.map { try backend.upload($0) }
    }

    /// y[m, out] = x[m, in] W^T + b (+ the adapter's scaling * B A x when attached and `adapter` is true).
    public func forward(_ x: Tensor, into y: Tensor, on backend: any ComputeBackend, adapter: Bool = true,
                        dropout: (seed: UInt64, stream: UInt64)? = nil) throws {
        try backend.linear(x, matrix, bias: bias, into: y)
        try applyAdapter(x, into: y, on: backend, enabled: adapter, dropout: dropout)
    }

    /// Bytes the weights occupy.
    public var weightBytes: Int { matrix.byteCount }
}
