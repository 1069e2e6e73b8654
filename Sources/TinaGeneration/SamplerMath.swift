import TinaCore

/// The one weight function of every stage: exp(l/T - max/T) by TinaCore's vectorized exp. It is lane-wise, so a
/// token's weight is the same bits whether it is computed in a whole-row pass or among a few candidates, and the
/// whole-row stages pick exactly what the candidate stages pick.
enum SamplerMath {
    /// exp(x - top) for already scaled logits.
    static func weights(_ scaled: [Float], top: Float) -> [Float] {
        var shifted = scaled.map { $0 - top }
        shifted.withUnsafeMutableBufferPointer { b in
            if let p = b.baseAddress { vectorExp(p, p, count: b.count) }
        }
        return shifted
    }

    /// exp(logits[i] / temperature - top) for the whole row.
    static func rowWeights(_ logits: UnsafePointer<Float>, count: Int, temperature: Float, top: Float) -> [Float] {
        var out = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            for i in 0..<count { buffer[i] = logits[i] / temperature - top }
            initialized = count
        }
        out.withUnsafeMutableBufferPointer { b in
            if let p = b.baseAddress { vectorExp(p, p, count: b.count) }
        }
        return out
    }

    /// The largest logit (4 running maxima so the loop vectorizes; NaN never wins).
    static func maxLogit(_ logits: UnsafePointer<Float>, count: Int) -> Float {
        guard count > 0 else { return 0 }
        var m = (logits[0], logits[0], logits[0], logits[0])
        var i = 0
        while i + 4 <= count {
            m.0 = logits[i] > m.0 ? logits[i] : m.0
            m.1 = logits[i + 1] > m.1 ? logits[i + 1] : m.1
            m.2 = logits[i + 2] > m.2 ? logits[i + 2] : m.2
            m.3 = logits[i + 3] > m.3 ? logits[i + 3] : m.3
            i += 4
        }
        while i < count {
            m.0 = logits[i] > m.0 ? logits[i] : m.0
            i += 1
        }
        let a = m.0 > m.1 ? m.0 : m.1, b = m.2 > m.3 ? m.2 : m.3
        return a > b ? a : b
    }
}
