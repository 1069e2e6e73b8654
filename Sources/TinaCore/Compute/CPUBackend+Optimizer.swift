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

    public func addScaled(_ x: Tensor, alpha: Float, into y: Tensor) throws {
        try checkF32(x, "add scaled"); try checkF32(y, "add scaled")
        guard x.count == y.count else { throw TinaError.shapeMismatch(what: "add scaled", expected: y.shape, actual: x.shape) }
        Elementwise.addScaled(x.floats, alpha: alpha, into: y.floats, count: x.count)
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

    public func dropout(_ x: Tensor, probability: Float, seed: UInt64, stream: UInt64, into out: Tensor) throws {
        try OpProfile.measure("dropout") { try dropoutBody(x, probability: probability, seed: seed, stream: stream, into: out) }
    }

    private func dropoutBody(_ x: Tensor, probability: Float, seed: UInt64, stream: UInt64, into out: Tensor) throws {
        try checkF32(x, "dropout input"); try checkF32(out, "dropout output")
        guard x.count == out.count else { throw TinaError.shapeMismatch(what: "dropout", expected: x.shape, actual: out.shape) }
        guard probability >= 0, probability < 1 else { throw TinaError.invalidArgument("dropout probability must be in [0, 1), got \(probability)") }
        if probability == 0 {
            if x.rawPointer != out.rawPointer { out.floats.update(from: x.floats, count: x.count) }
            return
        }
        let keep = 1 / (1 - probability)
        // Keep an element when its 32-bit hash is at or above probability * 2^32.
        let threshold = UInt64((Double(probability) * 4_294_967_296).rounded(.down))
        let base = DropoutHash.base(seed: seed, stream: stream)
        let args = UnsafeSendable((x.floats, out.floats))
        let count = x.count
        Parallel.forChunks(of: (count + 1) / 2, minChunk: 8192) { pairs in
            let (x, out) = args.value
            var pair = pairs.lowerBound
            // 8 hashes (16 elements) at a time: the same bits as the scalar loop, lane j's low and high halves
            // are elements 2j and 2j + 1 (little-endian), as one SIMD16<UInt32>.
            let limit = SIMD16<UInt32>(repeating: UInt32(threshold)), scale = SIMD16<Float>(repeating: keep)
            let lanes = SIMD8<UInt64>(0, 1, 2, 3, 4, 5, 6, 7)
            while pair + 8 <= pairs.upperBound && 2 * (pair + 8) <= count {
                let bits = DropoutHash.mix(SIMD8<UInt64>(repeating: base) &+ (SIMD8<UInt64>(repeating: UInt64(pair)) &+ lanes) &* DropoutHash.step)
                let halves = unsafeBitCast(bits, to: SIMD16<UInt32>.self)
                let i = pair * 2
                let kept = load16(x + i) * scale
                store16(kept.replacing(with: 0, where: halves .< limit), out + i)
                pair += 8
            }
            while pair < pairs.upperBound {
                let bits = DropoutHash.mix(base &+ UInt64(pair) &* DropoutHash.step)
                let i = pair * 2
                out[i] = bits & 0xFFFF_FFFF >= threshold ? x[i] * keep : 0
                if i + 1 < count { out[i + 1] = bits >> 32 >= threshold ? x[i + 1] * keep : 0 }
                pair += 1
            }
        }
    }

    func checkF32(_ t: Tensor, _ what: String) throws {
        guard t.device == .cpu, t.dtype == .f32 else {
            throw TinaError.invalidArgument("\(what): needs an f32 tensor on the CPU, got \(t.dtype.rawValue) on \(t.device)")
        }
    }
}

/// The counter-based hash behind dropout masks: SplitMix64's finalizer over (seed, stream, index), 32 bits per
/// element. Philox4x32-10 gave the same guarantees (same mask for the same key, on any thread count) but cost
/// ~10x more per element, and a SmolLM2 LoRA step draws ~900 M mask elements (forward and backward).
enum DropoutHash {
    static let step: UInt64 = 0x9E37_79B9_7F4A_7C15

    static func base(seed: UInt64, stream: UInt64) -> UInt64 {
        mix(seed ^ mix(stream &+ 0xD1B5_4A32_D192_ED03))
    }

    @inline(__always)
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ step
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// `mix` on 8 values at once (AVX-512's 64-bit multiplies): the dropout mask's bits, 8 lanes per instruction instead of one.
    @inline(__always)
    static func mix(_ value: SIMD8<UInt64>) -> SIMD8<UInt64> {
        var z = value &+ step
        z = (z ^ (z &>> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z &>> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z &>> 31)
    }
}
