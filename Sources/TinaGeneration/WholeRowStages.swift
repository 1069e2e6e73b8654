import Foundation

/// The stages that see the whole vocabulary (no top-k before them), done in passes over the row instead of
/// candidate arrays or a sort. Their arithmetic is the candidate stages' (`SamplerMath` weights, summed in Double), so they pick what those would.
extension SamplerStages {
    static let buckets = 1024
    /// Buckets cover weights down to e^-32; lighter tokens share the last bucket.
    static let bucketSpan: Float = 32

    /// Top-p over the whole row without sorting it (llama.cpp's bucket idea): one pass finds the maximum, one
    /// sums the weights into buckets of (max - l)/T; only the tokens of the buckets that reach `p` (plus one bucket
    /// of margin for rounding) are collected and sorted. A bucket holds whole logit values, so what is collected is
    /// a prefix of the best-first order.
    public static func topP(_ logits: UnsafePointer<Float>, count: Int, p: Float, temperature: Float) -> Candidates {
        guard count > 0 else { return Candidates(ids: [], logits: [], bestFirst: true) }
        let top = SamplerMath.maxLogit(logits, count: count) / temperature
        let scale = Float(buckets) / bucketSpan
        func bucket(_ scaled: Float) -> Int {
            let d = top - scaled
            return d < bucketSpan ? min(Int(d * scale), buckets - 1) : buckets
        }
        var mass = [Double](repeating: 0, count: buckets + 1)
        var total = 0.0
        let weights = SamplerMath.rowWeights(logits, count: count, temperature: temperature, top: top)
        var bucketOf = [UInt16](repeating: 0, count: count)
        for i in 0..<count {
            let w = Double(weights[i])
            let b = bucket(logits[i] / temperature)
            bucketOf[i] = UInt16(b)
            total += w
            mass[b] += w
        }
        let target = Double(p) * total
        var last = buckets, cumulative = 0.0
        for b in 0...buckets {
            cumulative += mass[b]
            if cumulative >= target { last = min(b + 1, buckets); break }
        }
        var ids: [Int32] = []
        for i in 0..<count where Int(bucketOf[i]) <= last { ids.append(Int32(i)) }
        let best = { (a: Int32, b: Int32) in PartialSelection.better(a, logits[Int(a)], than: b, logits[Int(b)]) }
        ids.sort(by: best)
        var scaled = ids.map { logits[Int($0)] / temperature }
        var keep = prefixReaching(target, weights: ids.map { Double(weights[Int($0)]) })
        if keep == ids.count && ids.count < count {
            // Rounding kept the target out of the collected prefix: fall back to every token.
            ids = (0..<Int32(count)).sorted(by: best)
            scaled = ids.map { logits[Int($0)] / temperature }
            keep = prefixReaching(target, weights: ids.map { Double(weights[Int($0)]) })
        }
        return Candidates(ids: Array(ids.prefix(keep)), logits: Array(scaled.prefix(keep)), bestFirst: true)
    }

    /// Temperature, min-p and the draw over the whole row in two passes, without candidate arrays: the same token
    /// as `draw(minP(all(logits, T), minP), u)`.
    public static func drawWholeRow(_ logits: UnsafePointer<Float>, count: Int, temperature: Float, minP: Float,
                                    u: Float) -> Int {
        guard count > 0 else { return 0 }
        let top = SamplerMath.maxLogit(logits, count: count) / temperature
        var weights = SamplerMath.rowWeights(logits, count: count, temperature: temperature, top: top)
        var total = 0.0
        for i in 0..<count {
            if weights[i] >= minP { total += Double(weights[i]) } else { weights[i] = 0 }
        }
        let target = Double(u) * total
        var cumulative = 0.0, lastPositive = 0
        // Tokens min-p removed weigh 0 here, so they can never be drawn.
        for i in 0..<count {
            cumulative += Double(weights[i])
            if target < cumulative { return i }
            if weights[i] > 0 { lastPositive = i }
        }
        return lastPositive
    }
}
