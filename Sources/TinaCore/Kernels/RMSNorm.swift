/// RMSNorm as Qwen2/Llama compute it in f32: y = w * x / sqrt(mean(x^2) + eps).
public enum RMSNorm {
    /// Normalizes `rows` rows of `dim` floats from `input` into `output` (which may equal `input`).
    public static func apply(_ input: UnsafePointer<Float>, weight: UnsafePointer<Float>, eps: Float,
                             rows: Int, dim: Int, output: UnsafeMutablePointer<Float>) {
        for r in 0..<rows {
            let x = input + r * dim, y = output + r * dim
            var acc = SIMD16<Float>()
            var i = 0
            while i + 16 <= dim { let v = load16(x + i); acc.addProduct(v, v); i += 16 }
            var sumSquares = acc.sum()
            while i < dim { sumSquares += x[i] * x[i]; i += 1 }
            let scale = 1 / (sumSquares / Float(dim) + eps).squareRoot()
            i = 0
            while i + 16 <= dim { store16(load16(x + i) * scale * load16(weight + i), y + i); i += 16 }
            while i < dim { y[i] = x[i] * scale * weight[i]; i += 1 }
        }
    }
}
