import Foundation

extension CPUBackend {
    public func sumOfSquares(_ x: Tensor) throws -> Double {
        try checkF32(x, "sum of squares")
        var total = 0.0
        let p = x.floats
        for i in 0..<x.count { total += Double(p[i]) * Double(p[i]) }
        return total
    }

    public func scale(_ x: Tensor, by alpha: Float) throws {
        try checkF32(x, "scale")
        Elementwise.scale(x.floats, by: alpha, count: x.count)
    }

    public func adamW(_ parameter: Tensor, gradient: Tensor, firstMoment m: Tensor, secondMoment v: Tensor, step: Int,
                      learningRate lr: Double, beta1: Double, beta2: Double, eps: Double, weightDecay: Double) throws {
        for (t, name) in [(parameter, "parameter"), (gradient, "gradient"), (m, "first moment"), (v, "second moment")] {
            try checkF32(t, "AdamW \(name)")
            guard t.count == parameter.count else {
                throw TinaError.shapeMismatch(what: "AdamW \(name)", expected: parameter.shape, actual: t.shape)
            }
        }
        guard step >= 1 else { throw TinaError.invalidArgument("AdamW step counts from 1, got \(step)") }
        // torch.optim.AdamW on the CPU (single-tensor path): scalars computed in Double as Python does, then
        // converted to f32 by each tensor op.
        let correction1 = 1 - pow(beta1, Double(step))
        let correction2 = 1 - pow(beta2, Double(step))
        let stepSize = Float(lr / correction1)
        let correction2Sqrt = Float(correction2.squareRoot())
        let decay = Float(1 - lr * weightDecay)
        let w1 = Float(1 - beta1), b2 = Float(beta2), w2 = Float(1 - beta2), e = Float(eps)
        let p = parameter.floats, g = gradient.floats, mp = m.floats, vp = v.floats
        for i in 0..<parameter.count {
            p[i] *= decay
            mp[i] += w1 * (g[i] - mp[i])  // exp_avg.lerp_(grad, 1 - beta1)
            vp[i] = vp[i] * b2 + w2 * g[i] * g[i]  // exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
            let denom = vp[i].squareRoot() / correction2Sqrt + e
            p[i] += -stepSize * (mp[i] / denom)  // param.addcdiv_(exp_avg, denom, value=-step_size)
        }
    }

    func checkF32(_ t: Tensor, _ what: String) throws {
        guard t.device == .cpu, t.dtype == .f32 else {
            throw TinaError.invalidArgument("\(what): needs an f32 tensor on the CPU, got \(t.dtype.rawValue) on \(t.device)")
        }
    }
}
