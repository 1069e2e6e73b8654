// bf16 products for a few rows (decode: M = 1..64) with AVX512_BF16 dot products (vdpbf16ps), an
// instruction Swift cannot express. Weights stay row-major [N, K] (the layout every other path reads), so each
// output is a dot product along K: weight rows x activation rows (4 x 4, or 16 x 1 at batch 1) share every load
// in a 16-accumulator block, and each block ends with one transposing reduction (16 vectors -> 16 sums) rather
// than 16 horizontal sums. Why not oneDNN here: at M = 16 on SmolLM2's 576-wide matrices its brgemm ran at 30-90
// GFLOP/s per call inside the model, and from DRAM this kernel beat it at every row count up to 64 (BENCHMARKS.md,
// session 5, "Decode-sized products"). Scalar twin: ScalarReference.bf16Product (Swift).
#include "tina_cpu.h"

#if defined(__x86_64__)
#include <immintrin.h>

#define TINA_BF16_TARGET __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,avx512bf16")))
#define TINA_INLINE __attribute__((always_inline)) static inline

// Sums each of 16 vectors: returns lane j = sum of v[j]'s lanes (in order). Four rounds of pairwise unpack-and-add halve the
// vector count while folding lanes (15 adds instead of 16 full horizontal reductions).
TINA_INLINE TINA_BF16_TARGET __m512 sum16(__m512 v[16]) {
    __m512 a[8], b[4], c[2];
    // Round 1: pairs (2i, 2i+1) -> 8 vectors; lane layout interleaves the two sources by 32-bit element.
    for (int i = 0; i < 8; i++) {
        __m512 lo = _mm512_unpacklo_ps(v[2 * i], v[2 * i + 1]);
        __m512 hi = _mm512_unpackhi_ps(v[2 * i], v[2 * i + 1]);
        a[i] = _mm512_add_ps(lo, hi);
    }
    // Round 2: 64-bit interleave of pairs -> 4 vectors, each 128-bit lane holds partial sums of 4 sources.
    for (int i = 0; i < 4; i++) {
        __m512d x = _mm512_castps_pd(a[2 * i]), y = _mm512_castps_pd(a[2 * i + 1]);
        __m512 lo = _mm512_castpd_ps(_mm512_unpacklo_pd(x, y));
        __m512 hi = _mm512_castpd_ps(_mm512_unpackhi_pd(x, y));
        b[i] = _mm512_add_ps(lo, hi);
    }
    // Round 3: 128-bit lanes (0,2 | 1,3) of pairs -> 2 vectors.
    for (int i = 0; i < 2; i++) {
        __m512 lo = _mm512_shuffle_f32x4(b[2 * i], b[2 * i + 1], 0x88); // lanes 0,2 of x then 0,2 of y
        __m512 hi = _mm512_shuffle_f32x4(b[2 * i], b[2 * i + 1], 0xDD); // lanes 1,3 of x then 1,3 of y
        c[i] = _mm512_add_ps(lo, hi);
    }
    // Round 4: 256-bit halves.
    __m512 lo = _mm512_shuffle_f32x4(c[0], c[1], 0x88);
    __m512 hi = _mm512_shuffle_f32x4(c[0], c[1], 0xDD);
    return _mm512_add_ps(lo, hi);
}

// One block of MB activation rows x NB weight rows (MB * NB <= 16 accumulators) over the whole K. `prefetch`:
// also fetch the NB weight rows after this block into L2 (the first activation block of each weight slice does),
// so the next slice streams in while this one computes. Into L1 (T0) the prefetches evicted the operands in use
// (16 x 1536 x 576 from DRAM: 6.7 GB/s); into L2 one core reached its 21 GB/s read limit.
TINA_INLINE TINA_BF16_TARGET void block(const uint16_t *x, int64_t ldx, const uint16_t *w, int64_t ldw,
                                        float *y, int64_t ldy, int64_t k, int accumulate, int prefetch,
                                        const int MB, const int NB) {
    __m512 acc[16];
    for (int i = 0; i < 16; i++) acc[i] = _mm512_setzero_ps();
    int64_t kk = 0;
    for (; kk + 32 <= k; kk += 32) {
        __m512bh wv[16], xv;
        if (prefetch) for (int j = 0; j < NB; j++) _mm_prefetch((const char *)(w + (NB + j) * ldw + kk), _MM_HINT_T1);
        for (int j = 0; j < NB; j++) wv[j] = (__m512bh)_mm512_loadu_si512(w + j * ldw + kk);
        for (int i = 0; i < MB; i++) {
            xv = (__m512bh)_mm512_loadu_si512(x + i * ldx + kk);
            for (int j = 0; j < NB; j++) acc[i * NB + j] = _mm512_dpbf16_ps(acc[i * NB + j], xv, wv[j]);
        }
    }
    if (kk < k) {
        __mmask32 mask = (__mmask32)((1ull << (k - kk)) - 1);
        __m512bh wv[16], xv;
        for (int j = 0; j < NB; j++) wv[j] = (__m512bh)_mm512_maskz_loadu_epi16(mask, w + j * ldw + kk);
        for (int i = 0; i < MB; i++) {
            xv = (__m512bh)_mm512_maskz_loadu_epi16(mask, x + i * ldx + kk);
            for (int j = 0; j < NB; j++) acc[i * NB + j] = _mm512_dpbf16_ps(acc[i * NB + j], xv, wv[j]);
        }
    }
    float sums[16];
    _mm512_storeu_ps(sums, sum16(acc));
    for (int i = 0; i < MB; i++) {
        for (int j = 0; j < NB; j++) {
            float s = sums[i * NB + j];
            y[i * ldy + j] = accumulate ? y[i * ldy + j] + s : s;
        }
    }
}

#define C(mb, nb) case (mb) * 32 + (nb): block(x, ldx, w, ldw, y, ldy, k, accumulate, prefetch, mb, nb); break;

TINA_BF16_TARGET static void block_any(const uint16_t *x, int64_t ldx, const uint16_t *w, int64_t ldw, float *y,
                                       int64_t ldy, int64_t k, int accumulate, int prefetch, int mb, int nb) {
    switch (mb * 32 + nb) {
        C(1, 1) C(1, 2) C(1, 3) C(1, 4) C(1, 5) C(1, 6) C(1, 7) C(1, 8)
        C(1, 9) C(1, 10) C(1, 11) C(1, 12) C(1, 13) C(1, 14) C(1, 15) C(1, 16)
        C(2, 1) C(2, 2) C(2, 3) C(2, 4) C(2, 5) C(2, 6) C(2, 7) C(2, 8)
        C(3, 1) C(3, 2) C(3, 3) C(3, 4)
        C(4, 1) C(4, 2) C(4, 3) C(4, 4)
        default: break;
    }
}
#undef C

TINA_BF16_TARGET void tina_bf16_small_product(const uint16_t *x, int64_t ldx, const uint16_t *w, int64_t ldw,
                                              float *y, int64_t ldy, int64_t m, int64_t n, int64_t k, int accumulate) {
    // Weight rows outermost: a slice of W stays in L1/L2 while every activation block passes over it, so W streams
    // from memory once per call. A slice has 16, 8 or 4 rows for 1, 2 or more activation rows so one row also fills the 16
    // accumulators (decode at batch 1: 4-row slices left 12 of them idle). Every block then has mb * nb <= 16.
    int64_t slice = m >= 4 ? 4 : 16 / (m == 3 ? 4 : m);
    for (int64_t j = 0; j < n; j += slice) {
        int nb = n - j < slice ? (int)(n - j) : (int)slice;
        for (int64_t i = 0; i < m; i += 4) {
            int mb = m - i < 4 ? (int)(m - i) : 4;
            block_any(x + i * ldx, ldx, w + j * ldw, ldw, y + i * ldy + j, ldy, k, accumulate, i == 0 && j + nb < n, mb, nb);
        }
    }
}

#else
void tina_bf16_small_product(const uint16_t *x, int64_t ldx, const uint16_t *w, int64_t ldw, float *y, int64_t ldy,
                             int64_t m, int64_t n, int64_t k, int accumulate) {
    (void)x; (void)ldx; (void)w; (void)ldw; (void)y; (void)ldy; (void)m; (void)n; (void)k; (void)accumulate;
}
#endif
