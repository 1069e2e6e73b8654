import Foundation

/// Rotary position embedding in the rotate-half form of Qwen2/Llama (HF `rotate_half`): dimension i pairs
/// with i + headDim/2. Angles are computed in f32 the way transformers does, so logits match at long positions.
public enum RoPE {
    /// inv_freq[i] = 1 / (theta ^ (2i / headDim)), divided by `linearFactor` for linear rope scaling.
    public static func inverseFrequencies(headDim: Int, theta: Float, linearFactor: Float = 1) -> [Float] {
        (0..<(headDim / 2)).map { i in
            let exponent = Float(2 * i) / Float(headDim)
            return (1 / powf(theta, exponent)) / linearFactor
        }
    }

    /// cos and sin of position * inv_freq, each of length headDim/2.
    public static func angles(position: Int, inverseFrequencies: [Float],
                              cos cosOut: UnsafeMutablePointer<Float>, sin sinOut: UnsafeMutablePointer<Float>) {
        let p = Float(position)
        for (i, f) in inverseFrequencies.enumerated() {
            let angle = p * f
            cosOut[i] = cosf(angle)
            sinOut[i] = sinf(angle)
        }
    }

    /// Rotates `heads` consecutive head vectors of `headDim` floats in place with the given cos/sin.
    public static func apply(_ x: UnsafeMutablePointer<Float>, heads: Int, headDim: Int,
                             cos: UnsafePointer<Float>, sin: UnsafePointer<Float>) {
        let half = headDim / 2
        for h in 0..<heads {
            let lo = x + h * headDim, hi = lo + half
            var i = 0
            while i + 16 <= half {
                let a = load16(lo + i), b = load16(hi + i), c = load16(cos + i), s = load16(sin + i)
                store16(a * c - b * s, lo + i)
                store16(b * c + a * s, hi + i)
                i += 16
            }
            while i < half {
                let a = lo[i], b = hi[i]
                lo[i] = a * cos[i] - b * sin[i]
                hi[i] = b * cos[i] + a * sin[i]
                i += 1
            }
        }
    }
}
