import Foundation

/// Softmax and log-softmax over one row, numerically stable (max subtracted first). -inf entries
/// (masked positions) get probability 0.
public enum Softmax {
    /// Largest element of the row (or -inf for an empty row).
    @inline(__always)
    public static func max(_ x: UnsafePointer<Float>, count: Int) -> Float {
        var m = SIMD16<Float>(repeating: -.infinity)
        var i = 0
        // `pointwiseMax` is not vectorized (150x slower, measured); a masked replace is.
        while i + 16 <= count { let v = load16(x + i); m.replace(with: v, where: v .> m); i += 16 }
        var result = m.max()
        while i < count { result = Swift.max(result, x[i]); i += 1 }
        return result
    }

    /// log(sum(exp(x))), the normalizer of log-softmax.
    public static func logSumExp(_ x: UnsafePointer<Float>, count: Int) -> Float {
        let m = max(x, count: count)
        if m == -.infinity { return -.infinity }
        var acc = SIMD16<Float>()
        var i = 0
        while i + 16 <= count { acc += simdExp(load16(x + i) - m); i += 16 }
        var sum = acc.sum()
        while i < count { sum += expf(x[i] - m); i += 1 }
        return m + logf(sum)
    }

    /// In place (output may equal input): y = exp(x - max) / sum.
    public static func apply(_ x: UnsafePointer<Float>, count: Int, output: UnsafeMutablePointer<Float>) {
        let m = max(x, count: count)
        var acc = SIMD16<Float>()
        var i = 0
        while i + 16 <= count {
            let e = simdExp(load16(x + i) - m)
            store16(e, output + i)
            acc += e
            i += 16
        }
        var sum = acc.sum()
        while i < count { output[i] = expf(x[i] - m); sum += output[i]; i += 1 }
        Elementwise.scale(output, by: 1 / sum, count: count)
    }

    /// In place (output may equal input): y = scale * exp(x - lse), one pass given the row's `logSumExp`.
    public static func scaledProbabilities(_ x: UnsafePointer<Float>, count: Int, logSumExp lse: Float, scale: Float,
                                           output: UnsafeMutablePointer<Float>) {
        guard lse > -.infinity else {  // an all-masked row has no probability anywhere
            output.update(repeating: 0, count: count)
            return
        }
        let shift = SIMD16<Float>(repeating: lse), factor = SIMD16<Float>(repeating: scale)
        var i = 0
        while i + 16 <= count { store16(simdExp(load16(x + i) - shift) * factor, output + i); i += 16 }
        while i < count { output[i] = scale * expf(x[i] - lse); i += 1 }
    }

    /// y = x - logSumExp(x).
    public static func logApply(_ x: UnsafePointer<Float>, count: Int, output: UnsafeMutablePointer<Float>) {
        let lse = logSumExp(x, count: count)
        var i = 0
        let shift = SIMD16<Float>(repeating: lse)
        while i + 16 <= count { store16(load16(x + i) - shift, output + i); i += 16 }
        while i < count { output[i] = x[i] - lse; i += 1 }
    }
}
