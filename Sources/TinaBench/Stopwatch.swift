import Dispatch

/// Wall-clock timing for benchmarks: runs a closure until a time budget is spent and keeps the best run,
/// the usual way to read a kernel's speed on a noisy VM.
public enum Stopwatch {
    public static func now() -> Double {
        Double(DispatchTime.now().uptimeNanoseconds) * 1e-9
    }

    /// Best (shortest) seconds per call of `body` after one warm-up, over at least `minRuns` runs and
    /// `minSeconds` of total time.
    public static func best(minSeconds: Double = 0.3, minRuns: Int = 3, maxRuns: Int = 1000,
                            _ body: () throws -> Void) rethrows -> Double {
        try body()
        var best = Double.infinity
        var total = 0.0
        var runs = 0
        while runs < maxRuns && (runs < minRuns || total < minSeconds) {
            let start = now()
            try body()
            let elapsed = now() - start
            best = min(best, elapsed)
            total += elapsed
            runs += 1
        }
        return best
    }
}
