import Dispatch
import TinaCore

/// The machine's ceilings, measured in the same run as the benchmarks they are compared with.
public struct MachineLimits: Codable, Sendable {
    public var threads: Int
    /// FP32 FMA throughput over all threads, GFLOP/s.
    public var fp32PeakGFLOPS: Double
    /// Streaming read bandwidth from DRAM over all threads, GB/s (buffer far larger than the caches).
    public var dramReadGBps: Double

    public static func measure(threads: Int = Parallel.threadCount, bufferMiB: Int = 256) -> MachineLimits {
        MachineLimits(threads: threads, fp32PeakGFLOPS: fp32Peak(threads: threads),
                      dramReadGBps: dramRead(threads: threads, bufferMiB: bufferMiB))
    }

    /// 12 independent FMA chains of 8 lanes per thread keep both FMA pipes of a core busy.
    public static func fp32Peak(threads: Int) -> Double {
        let iterations = 20_000_000
        let sink = UnsafeMutablePointer<Float>.allocate(capacity: threads * 16)
        defer { sink.deallocate() }
        let out = UnsafeSendable(sink)
        let seconds = Stopwatch.best(minSeconds: 0.5, minRuns: 3, maxRuns: 10) {
            DispatchQueue.concurrentPerform(iterations: threads) { t in
                let m = SIMD8<Float>(repeating: 0.999_999), c = SIMD8<Float>(repeating: 1e-7)
                var a0 = SIMD8<Float>(repeating: Float(t)), a1 = a0 + 1, a2 = a0 + 2, a3 = a0 + 3
                var a4 = a0 + 4, a5 = a0 + 5, a6 = a0 + 6, a7 = a0 + 7, a8 = a0 + 8, a9 = a0 + 9
                var a10 = a0 + 10, a11 = a0 + 11
                for _ in 0..<(iterations / 12) {
                    a0 = a0 * m + c; a1 = a1 * m + c; a2 = a2 * m + c; a3 = a3 * m + c
                    a4 = a4 * m + c; a5 = a5 * m + c; a6 = a6 * m + c; a7 = a7 * m + c
                    a8 = a8 * m + c; a9 = a9 * m + c; a10 = a10 * m + c; a11 = a11 * m + c
                }
                let total = ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7)) + ((a8 + a9) + (a10 + a11))
                out.value[t * 16] = total.sum()
            }
        }
        let flops = Double(threads) * Double(iterations / 12) * 12 * 8 * 2
        return flops / seconds / 1e9
    }

    /// SIMD sum of a large buffer, rows split across threads.
    public static func dramRead(threads: Int, bufferMiB: Int) -> Double {
        let count = bufferMiB * 1024 * 1024 / 4
        let buffer = UnsafeMutablePointer<Float>.allocate(capacity: count)
        defer { buffer.deallocate() }
        buffer.initialize(repeating: 1, count: count)
        let shared = UnsafeSendable(buffer)
        let seconds = Stopwatch.best(minSeconds: 1.0, minRuns: 4, maxRuns: 20) {
            let chunk = count / threads
            DispatchQueue.concurrentPerform(iterations: threads) { t in
                let p = shared.value + t * chunk
                var s0 = SIMD16<Float>(), s1 = SIMD16<Float>(), s2 = SIMD16<Float>(), s3 = SIMD16<Float>()
                var i = 0
                while i + 64 <= chunk {
                    s0 += UnsafeRawPointer(p + i).loadUnaligned(as: SIMD16<Float>.self)
                    s1 += UnsafeRawPointer(p + i + 16).loadUnaligned(as: SIMD16<Float>.self)
                    s2 += UnsafeRawPointer(p + i + 32).loadUnaligned(as: SIMD16<Float>.self)
                    s3 += UnsafeRawPointer(p + i + 48).loadUnaligned(as: SIMD16<Float>.self)
                    i += 64
                }
                shared.value[t * chunk] = ((s0 + s1) + (s2 + s3)).sum() * 0 + 1
            }
        }
        return Double(count * 4) / seconds / 1e9
    }
}
