import CTinaCPU

/// bf16 products for decode (1-64 rows): y[m, n] (+)= x[m, :] · W[n, :]ᵀ with bf16 operands and f32
/// accumulation, on AVX512_BF16 dot products (`vdpbf16ps`, the C kernel in CTinaCPU/bf16_small.c; Swift cannot
/// express the instruction). Measured on Zen 4, one thread, weights streamed from DRAM: 21 GB/s at 4-8 rows (the
/// core's read limit) and 155-180 GFLOP/s from 16 rows, where oneDNN 2.6.3 ran the same products at 30-150
/// (BENCHMARKS.md, session 5, "Decode-sized products"). Scalar twin: `ScalarReference.bf16Product`.
public enum BF16SmallProduct {
    /// The CPU has the instructions and the OS saves the zmm state.
    public static let isAvailable: Bool = {
        let cpu = CPUInfo.current
        return cpu.avx512BF16 && cpu.avx512f && cpu.avx512bw && cpu.avx512vl && cpu.avx512dq && cpu.osSavesAVX512
    }()

    /// One column block of the product: `x` is [m, k] bf16 with row stride `ldx`, `w` [n, k] with row stride `ldw`,
    /// `y` [m, n] f32 with row stride `ldy`. Weight rows are split across threads in multiples of 4.
    /// Callers check `isAvailable` first (the instructions fault elsewhere).
    public static func apply(x: UnsafePointer<UInt16>, ldx: Int, w: UnsafePointer<UInt16>, ldw: Int,
                             y: UnsafeMutablePointer<Float>, ldy: Int, m: Int, n: Int, k: Int, accumulate: Bool) {
        guard m > 0, n > 0 else { return }
        if k == 0 {
            if !accumulate { for r in 0..<m { (y + r * ldy).update(repeating: 0, count: n) } }
            return
        }
        let args = UnsafeSendable((x, w, y))
        // At least 2^14 multiply-adds per chunk (32 KB of weights at one row, ~1.5 us on one core, about a pool
        // hand-out). The 2^18 used before kept SmolLM2's 576 x 576 products on one thread and split 1536 x 576 ones
        // 2:1 at batch 1: SmolLM2 decode of 128 tokens 1.97-2.34 s -> 1.75-1.90 s, runs interleaved (2^13-2^16 alike).
        let quads = (n + 3) / 4
        Parallel.forChunks(of: quads, minChunk: max(1, (1 << 14) / max(1, 4 * m * k))) { range in
            let (x, w, y) = args.value
            let first = range.lowerBound * 4, count = min(n, range.upperBound * 4) - first
            tina_bf16_small_product(x, Int64(ldx), w + first * ldw, Int64(ldw), y + first, Int64(ldy),
                                    Int64(m), Int64(count), Int64(k), accumulate ? 1 : 0)
        }
    }
}
