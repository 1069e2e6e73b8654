#ifndef TINA_PEAK_H
#define TINA_PEAK_H

// The FP32 FMA peak of this CPU, measured with the widest vectors it has. Swift cannot pick an ISA per
// function at run time, and the Swift code is compiled for a portable target (haswell), so this tiny C
// kernel uses target attributes and a CPU check to reach AVX-512 where the CPU has it.

/// 1 when the CPU supports AVX-512F, else 0.
int tina_peak_has_avx512(void);

/// Runs `iterations` rounds of 12 independent vector FMA chains (16 lanes with AVX-512, else 8 with AVX2+FMA).
/// Returns a value derived from the chains so the work cannot be optimized away.
float tina_peak_fma_loop(long iterations, int use_avx512);

/// Floating-point operations per iteration of `tina_peak_fma_loop` (12 chains x lanes x 2).
long tina_peak_flops_per_iteration(int use_avx512);

/// 1 when the CPU has AVX512_BF16 (vdpbf16ps), else 0.
int tina_peak_has_avx512_bf16(void);

/// Runs `iterations` rounds of 12 independent vdpbf16ps chains (16 lanes x 2 products each); only call when
/// `tina_peak_has_avx512_bf16()` is 1. 768 floating-point operations per iteration.
float tina_peak_bf16_dot_loop(long iterations);

#endif
