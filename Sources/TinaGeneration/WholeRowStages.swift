import Foundation

/// The stages that see the whole vocabulary (no top-k before them), done in passes over the row instead of
/// candidate arrays or a sort. Their arithmetic is the candidate stages' (weights exp(l/T - max/T) in Float,
/// summed in Double), so they pick what those would.
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
        let top = maxLogit(logits, count: count) / temperature
        let scale = Float(buckets) / bucketSpan
        func bucket(_ scaled: Float) -> Int {
            let d = top - scaled
            return d < bucketSpan ? min(Int(d * scale), buckets - 1) : buckets
        }
        var mass = [Double](repeating: 0, count: buckets + 1)
        var total = 0.0
        for i in 0..<count {
            let s = logits[i] / temperature
            let w = Double(Foundation.exp(s - top))
            total += w
            mass[bucket(s)] += w
        }
        let target = Double(p) * total
        var last = buckets, cumulative = 0.0
        for b in 0...buckets {
            cumulative += mass[b]
            if cumulative >= target { last = min(b + 1, buckets); break }
        }
        var ids: [Int32] = []
        for i in 0..<count where bucket(logits[i] / temperature) <= last { ids.append(Int32(i)) }
        let best = { (a: Int32, b: Int32) in PartialSelection.better(a, logits[Int(a)], than: b, logits[Int(b)]) }
        ids.sort(by: best)
        var scaled = ids.map { logits[Int($0)] / temperature }
        var keep = prefixReaching(target, weights: scaled.map { Double(Foundation.exp($0 - top)) })
        if keep == ids.count && ids.count < count {
            // Rounding kept the target out of the collected prefix: fall back to every token.
            ids = (0..<Int32(count)).sorted(by: best)
            scaled = ids.map { logits[Int($0)] / temperature }
            keep = prefixReaching(target, weights: scaled.map { Double(Foundation.exp($0 - top)) })
        }
        return Candidates(ids: Array(ids.prefix(keep)), logits: Array(scaled.prefix(keep)), bestFirst: true)
    }

    /// Temperature, min-p and the draw over the whole row in two passes, without candidate arrays: the same token
    /// as `draw(minP(all(logits, T), minP), u)`.
    public static func drawWholeRow(_ logits: UnsafePointer<Float>, count: Int, temperature: Float, minP: Float,
                                    u: Float) -> Int {
        guard count > 0 else { return 0 }
        let top = maxLogit(logits, count: count) / temperature
        let floor = Double(minP)
        var weights = [Double](repeating: 0, count: count)
        var total = 0.0
        for i in 0..<count {
            let w = Double(Foundation.exp(logits[i] / temperature - top))
            if w >= floor {
                weights[i] = w
                total += w
            }
        }
        let target = Double(u) * total
        var cumulative = 0.0, lastPositive = 0
        // Tokens min-p removed weigh 0 here, so they can never be drawn.
        for i in 0..<count {
            cumulative += weights[i]
            if target < cumulative { return i }
            if weights[i] > 0 { lastPositive = i }
        }
        return lastPositive
    }

    static func maxLogit(_ logits: UnsafePointer<Float>, count: Int) -> Float {
        var m = logits[0]
        for i in 1..<max(count, 1) where logits[i] > m { m = logits[i] }
        return m
    }
}
