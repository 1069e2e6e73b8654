import Dispatch
import CTinaPeak
import TinaCore

/// The machine's ceilings, measured in the same run as the benchmarks they are compared with.
public struct MachineLimits: Codable, Sendable {
    public var threads: Int
    /// FP32 FMA throughput over all threads with the CPU's widest vectors (AVX-512 where present), GFLOP/s.
    public var fp32PeakGFLOPS: Double
    /// The same with 256-bit AVX2 vectors: the ceiling of Swift SIMD code built for the haswell target.
    public var fp32PeakAVX2GFLOPS: Double
    public var hasAVX512: Bool
    /// bf16 dot-product throughput (AVX512_BF16 `vdpbf16ps`, 2 products per f32 lane) over all threads, GFLOP/s;
    /// nil where the CPU lacks the instruction. The ceiling of Tina's and oneDNN's bf16 products there.
    public var bf16PeakGFLOPS: Double?
    /// Streaming read bandwidth from DRAM over all threads, GB/s (buffer far larger than the caches).
    public var dramReadGBps: Double

    public static func measure(threads: Int = Parallel.threadCount, bufferMiB: Int = 256) -> MachineLimits {
        let avx512 = tina_peak_has_avx512() == 1
        let avx2Peak = fp32Peak(threads: threads, avx512: false)
        return MachineLimits(threads: threads, fp32PeakGFLOPS: avx512 ? fp32Peak(threads: threads, avx512: true) : avx2Peak,
                             fp32PeakAVX2GFLOPS: avx2Peak, hasAVX512: avx512, bf16PeakGFLOPS: bf16Peak(threads: threads),
                             dramReadGBps: dramRead(threads: threads, bufferMiB: bufferMiB))
    }

    /// FMA throughput of 12 independent vector chains per thread, with AVX-512 when the CPU has it
    /// (`avx512: false` gives the AVX2 peak, the ceiling of code compiled for the portable haswell target).
    public static func fp32Peak(threads: Int, avx512: Bool = tina_peak_has_avx512() == 1) -> Double {
        let iterations = 10_000_000
        let use512: Int32 = avx512 ? 1 : 0
        let sink = UnsafeMutablePointer<Float>.allocate(capacity: threads * 16)
        defer { sink.deallocate() }
        let out = UnsafeSendable(sink)
        let seconds = Stopwatch.best(minSeconds: 0.5, minRuns: 5, maxRuns: 50) {
            DispatchQueue.concurrentPerform(iterations: threads) { t in
                out.value[t * 16] = tina_peak_fma_loop(iterations, use512)
            }
        }
        let flops = Double(threads) * Double(iterations) * Double(tina_peak_flops_per_iteration(use512))
        return flops / seconds / 1e9
    }

    /// `vdpbf16ps` throughput of 12 independent chains per thread, or nil without AVX512_BF16.
    public static func bf16Peak(threads: Int) -> Double? {
        guard tina_peak_has_avx512_bf16() == 1, CPUInfo.current.osSavesAVX512 else { return nil }
        let iterations = 10_000_000
        let sink = UnsafeMutablePointer<Float>.allocate(capacity: threads * 16)
        defer { sink.deallocate() }
        let out = UnsafeSendable(sink)
        let seconds = Stopwatch.best(minSeconds: 0.5, minRuns: 5, maxRuns: 50) {
            DispatchQueue.concurrentPerform(iterations: threads) { t in out.value[t * 16] = tina_peak_bf16_dot_loop(iterations) }
        }
        return Double(threads) * Double(iterations) * 768 / seconds / 1e9
    }

    /// SIMD sum of a large buffer. Each thread reads its half as four interleaved streams, which measured
    /// ~15% more bandwidth on this VM than one stream (the prefetchers track several streams per core).
    public static func dramRead(threads: Int, bufferMiB: Int) -> Double {
        let count = bufferMiB * 1024 * 1024 / 4
        let buffer = UnsafeMutablePointer<Float>.allocate(capacity: count)
        defer { buffer.deallocate() }
        buffer.initialize(repeating: 1, count: count)
        let shared = UnsafeSendable(buffer)
        let seconds = Stopwatch.best(minSeconds: 1.5, minRuns: 10, maxRuns: 200) {
            let chunk = count / threads
            DispatchQueue.concurrentPerform(iterations: threads) { t in
                let base = shared.value + t * chunk
                let sub = chunk / 4
                var s0 = SIMD16<Float>(), s1 = SIMD16<Float>(), s2 = SIMD16<Float>(), s3 = SIMD16<Float>()
                var i = 0
                while i + 16 <= sub {
                    s0 += UnsafeRawPointer(base + i).loadUnaligned(as: SIMD16<Float>.self)
                    s1 += UnsafeRawPointer(base + sub + i).loadUnaligned(as: SIMD16<Float>.self)
                    s2 += UnsafeRawPointer(base + 2 * sub + i).loadUnaligned(as: SIMD16<Float>.self)
                    s3 += UnsafeRawPointer(base + 3 * sub + i).loadUnaligned(as: SIMD16<Float>.self)
                    i += 16
                }
                base[0] = ((s0 + s1) + (s2 + s3)).sum() * 0 + 1
            }
        }
        return Double(count * 4) / seconds / 1e9
    }
}
