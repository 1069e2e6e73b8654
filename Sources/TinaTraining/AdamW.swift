import TinaCore

/// AdamW with PyTorch's semantics (decoupled weight decay, bias correction, eps outside the square root), plus
/// global gradient-norm clipping as `torch.nn.utils.clip_grad_norm_` does it. Checked against torch's trajectory
/// over 10 steps (Tests/Fixtures/training/adamw.json).
public final class AdamW: @unchecked Sendable {
    public var beta1: Double, beta2: Double, eps: Double, weightDecay: Double
    public private(set) var step = 0
    let backend: any ComputeBackend
    private var moments: [ObjectIdentifier: (m: Tensor, v: Tensor)] = [:]

    public init(backend: any ComputeBackend, beta1: Double = 0.9, beta2: Double = 0.999, eps: Double = 1e-8,
                weightDecay: Double = 0.01) {
        self.backend = backend
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps
        self.weightDecay = weightDecay
    }

    /// The global L2 norm of all gradients (before clipping).
    public func gradientNorm(_ parameters: [TrainableParameter]) throws -> Double {
        try parameters.reduce(0.0) { $0 + (try backend.sumOfSquares($1.gradient)) }.squareRoot()
    }

    /// Scales every gradient by min(1, maxNorm / (norm + 1e-6)) (always multiplies, as torch does); returns
    /// the norm before clipping.
    @discardableResult
    public func clipGradients(_ parameters: [TrainableParameter], maxNorm: Double) throws -> Double {
        let norm = try gradientNorm(parameters)
        let coefficient = Float(min(1, maxNorm / (norm + 1e-6)))
        for p in parameters { try backend.scale(p.gradient, by: coefficient) }
        return norm
    }

    /// One optimizer step at `learningRate` over every parameter.
    public func update(_ parameters: [TrainableParameter], learningRate: Double) throws {
        step += 1
        for p in parameters {
            let key = ObjectIdentifier(p)
            if moments[key] == nil {
                moments[key] = (try backend.zeros(p.value.shape, dtype: .f32), try backend.zeros(p.value.shape, dtype: .f32))
            }
            guard let (m, v) = moments[key] else { continue }
            try backend.adamW(p.value, gradient: p.gradient, firstMoment: m, secondMoment: v, step: step,
                              learningRate: learningRate, beta1: beta1, beta2: beta2, eps: eps, weightDecay: weightDecay)
        }
    }

    /// The moments of a parameter (nil before its first update): for checkpoints and tests.
    public func moments(of parameter: TrainableParameter) -> (m: Tensor, v: Tensor)? { moments[ObjectIdentifier(parameter)] }

    /// Puts back a checkpoint's step count and moments (host tensors of each parameter's shape).
    public func restore(step: Int, moments saved: [(parameter: TrainableParameter, m: Tensor, v: Tensor)]) throws {
        for (p, m, v) in saved {
            guard m.shape == p.value.shape, v.shape == p.value.shape else {
                throw TinaError.shapeMismatch(what: "optimizer moments of \(p.name)", expected: p.value.shape, actual: m.shape)
            }
            moments[ObjectIdentifier(p)] = (try backend.upload(m), try backend.upload(v))
        }
        self.step = step
    }
}

/// Plain SGD, p -= lr * g: the optimizer whose effect tests can predict by hand.
public struct SGD: Sendable {
    let backend: any ComputeBackend
    public init(backend: any ComputeBackend) { self.backend = backend }

    public func update(_ parameters: [TrainableParameter], learningRate: Double) throws {
        for p in parameters { try backend.addScaled(p.gradient, alpha: Float(-learningRate), into: p.value) }
    }
}
