/// The SwiGLU gate of Qwen2/Llama MLPs: out = silu(gate) * up, silu(g) = g / (1 + exp(-g)).
public enum SwiGLU {
    public static func apply(gate: UnsafePointer<Float>, up: UnsafePointer<Float>,
                             output: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        while i + 16 <= count {
            let g = load16(gate + i)
            store16(g / (1 + simdExp(-g)) * load16(up + i), output + i)
            i += 16
        }
        while i < count {
            let g = gate[i]
            var lane = SIMD16<Float>(repeating: 0)
            lane[0] = -g
            output[i] = g / (1 + simdExp(lane)[0]) * up[i]
            i += 1
        }
    }

    /// The backward of `apply` for one output gradient d: with s = sigmoid(g),
    /// dUp = d * g * s, dGate = d * up * s * (1 + g * (1 - s)). dGate may be gate and dUp up (in place).
    public static func backward(gate: UnsafePointer<Float>, up: UnsafePointer<Float>, outputGradient d: UnsafePointer<Float>,
                                gateGradient dGate: UnsafeMutablePointer<Float>, upGradient dUp: UnsafeMutablePointer<Float>,
                                count: Int) {
        let one = SIMD16<Float>(repeating: 1)
        var i = 0
        // Every input is read before either output is written: the gradients may overwrite gate and up.
        while i + 16 <= count {
            let g = load16(gate + i), u = load16(up + i), dy = load16(d + i)
            let s = one / (one + simdExp(-g))
            store16(dy * g * s, dUp + i)
            store16(dy * u * s * (one + g * (one - s)), dGate + i)
            i += 16
        }
        while i < count {
            var lane = SIMD16<Float>(repeating: 0)
            lane[0] = -gate[i]
            let g = gate[i], u = up[i], dy = d[i], s = 1 / (1 + simdExp(lane)[0])
            dUp[i] = dy * g * s
            dGate[i] = dy * u * s * (1 + g * (1 - s))
            i += 1
        }
    }
}
