import Foundation
import TinaCore

/// Pure metric functions over per-problem sample verdicts.
public enum Metrics {
    /// Unbiased pass@k of one problem with `c` correct among `n` samples (Chen et al. 2021):
    /// 1 - C(n-c, k) / C(n, k), computed as 1 - prod_{i=n-c+1..n} (1 - k/i) so no binomial overflows. NaN unless 0 <= c <= n and 1 <= k <= n.
    public static func passAtK(n: Int, c: Int, k: Int) -> Double {
        guard n >= 1, c >= 0, c <= n, k >= 1, k <= n else { return .nan }
        if c == 0 { return 0 }
        if n - c < k { return 1 }
        var product = 1.0
        for i in (n - c + 1)...n { product *= 1 - Double(k) / Double(i) }
        return 1 - product
    }

    public static func mean(_ xs: [Double]) -> Double {
        xs.isEmpty ? .nan : xs.reduce(0, +) / Double(xs.count)
    }

    /// Sample standard deviation over sqrt(count) (0 for fewer than two values).
    public static func standardError(_ xs: [Double]) -> Double {
        guard xs.count > 1 else { return 0 }
        let m = mean(xs)
        let variance = xs.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(xs.count - 1)
        return (variance / Double(xs.count)).squareRoot()
    }

    /// The index of a representative of the largest group of equivalent items (nil items do not vote); ties go
    /// to the group whose first member comes first. nil when no item votes.
    public static func majorityIndex<T>(_ items: [T?], equivalent: (T, T) -> Bool) -> Int? {
        var groups: [(first: Int, count: Int)] = []
        for (i, item) in items.enumerated() {
            guard let item else { continue }
            if let g = groups.firstIndex(where: { items[$0.first].map { equivalent($0, item) } ?? false }) {
                groups[g].count += 1
            } else {
                groups.append((i, 1))
            }
        }
        var best: (first: Int, count: Int)?
        for g in groups where g.count > (best?.count ?? 0) { best = g }
        return best?.first
    }

    /// Bootstrap replicates of the mean over problems of each problem's mean score: problems drawn with
    /// replacement and, with `resampleSamples`, each drawn problem's samples drawn with replacement too.
    /// Deterministic for a (seed, stream).
    public static func bootstrapMeans(_ scores: [[Double]], replicates: Int, seed: UInt64, stream: UInt64 = 0,
                                      resampleSamples: Bool = true) -> [Double] {
        let problems = scores.filter { !$0.isEmpty }
        guard !problems.isEmpty, replicates > 0 else { return [] }
        var rng = Philox(seed: seed, stream: stream)
        var out: [Double] = []
        out.reserveCapacity(replicates)
        for _ in 0..<replicates {
            var total = 0.0
            for _ in 0..<problems.count {
                let s = problems[Int.random(in: 0..<problems.count, using: &rng)]
                if resampleSamples && s.count > 1 {
                    var sum = 0.0
                    for _ in 0..<s.count { sum += s[Int.random(in: 0..<s.count, using: &rng)] }
                    total += sum / Double(s.count)
                } else {
                    total += mean(s)
                }
            }
            out.append(total / Double(problems.count))
        }
        return out
    }

    /// The q-quantile with linear interpolation between order statistics (numpy's default).
    public static func quantile(_ xs: [Double], _ q: Double) -> Double {
        guard !xs.isEmpty else { return .nan }
        let sorted = xs.sorted()
        let position = q * Double(sorted.count - 1)
        let lower = Int(position.rounded(.down)), upper = min(lower + 1, sorted.count - 1)
        return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - Double(lower))
    }

    /// The central `level` percentile interval of bootstrap replicates.
    public static func percentileInterval(_ replicates: [Double], level: Double = 0.95) -> (low: Double, high: Double) {
        ((quantile(replicates, (1 - level) / 2)), quantile(replicates, 1 - (1 - level) / 2))
    }
}
