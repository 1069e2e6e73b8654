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
}
