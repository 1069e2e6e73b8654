// CPU feature detection (CPUID/XGETBV: instructions Swift cannot express) and a run-time loaded bridge to
// oneDNN's matmul and sgemm. oneDNN is opened with dlopen so that its OpenMP threads can be configured
// (OMP_NUM_THREADS, OMP_WAIT_POLICY) before libgomp reads its environment, and so a machine without the
// library still runs (on the f32 path) and says why.
#ifndef TINA_CPU_H
#define TINA_CPU_H
#include <stddef.h>
#include <stdint.h>

typedef struct {
    char vendor[13];
    char brand[49];
    int family, model, stepping;
    int sse42, avx, avx2, fma, f16c;
    int avx512f, avx512bw, avx512vl, avx512dq, avx512_vnni, avx512_bf16, avx512_fp16;
    int amx_tile, amx_bf16, amx_int8;
    int os_avx, os_avx512, os_amx; // XCR0: the OS saves the ymm / zmm / tile state
} tina_cpu_features;

void tina_cpu_detect(tina_cpu_features *out);

// oneDNN (libdnnl.so.2, the 2.x API). Returns 1 when loaded; on failure writes the reason into err.
// threads: sets OMP_NUM_THREADS (and OMP_WAIT_POLICY=PASSIVE unless the user set one) before loading.
int tina_dnnl_open(int threads, char *err, size_t err_len);
// "2.6.3 (cpu runtime omp)" once opened.
const char *tina_dnnl_version(void);

// One matmul primitive: C[M,N] (f32, row stride ldc) (+)= alpha * A[M,K] * B[K,N].
// A and B are described by element strides so transposed and strided operands need no copies:
// element (i,k) of A is at a[i*a_rs + k*a_cs], element (k,j) of B at b[k*b_rs + j*b_cs].
// a_bf16 / b_bf16 choose bf16 (else f32) for each operand; accumulate adds into C (beta = 1).
typedef struct tina_matmul tina_matmul;
tina_matmul *tina_matmul_create(int64_t m, int64_t n, int64_t k,
                                int a_bf16, int64_t a_rs, int64_t a_cs,
                                int b_bf16, int64_t b_rs, int64_t b_cs,
                                int64_t ldc, float alpha, int accumulate, char *err, size_t err_len);
// Returns 0 on success, else a dnnl_status_t.
int tina_matmul_run(tina_matmul *p, const void *a, const void *b, float *c);
// The implementation oneDNN chose, e.g. "brg:avx512_core_bf16".
const char *tina_matmul_impl(const tina_matmul *p);
void tina_matmul_destroy(tina_matmul *p);

// Row-major f32 GEMM through oneDNN's dnnl_sgemm (transa/transb 'N' or 'T'). Returns 0 on success.
int tina_dnnl_sgemm(char transa, char transb, int64_t m, int64_t n, int64_t k, float alpha,
                    const float *a, int64_t lda, const float *b, int64_t ldb, float beta, float *c, int64_t ldc);

// The calling thread's OpenMP team size for the oneDNN calls it makes (an OpenMP per-thread setting); returns
// the previous size (0 when unavailable). threads <= 0 only queries.
int tina_dnnl_thread_team(int threads);
// dnnl_sgemm without the one-caller-at-a-time lock: for threads that each run single-threaded products
// (their team size set to 1 with tina_dnnl_thread_team), e.g. attention tiles on Tina's worker pool.
int tina_dnnl_sgemm_single(char transa, char transb, int64_t m, int64_t n, int64_t k, float alpha,
                           const float *a, int64_t lda, const float *b, int64_t ldb, float beta, float *c, int64_t ldc);
/* Serve allocations up to mmap_threshold bytes from the heap and keep up to trim_threshold bytes of freed heap
   top (glibc mallopt; a no-op elsewhere). */
void tina_heap_policy(int mmap_threshold, int trim_threshold);

// y[m, n] (+)= sum_k x[m, k] * w[n, k] for bf16 x (row stride ldx) and bf16 w (row stride ldw), f32 y (row
// stride ldy), f32 accumulation (vdpbf16ps). Only call where CPUID lists AVX512_BF16 and the OS saves zmm state.
void tina_bf16_small_product(const uint16_t *x, int64_t ldx, const uint16_t *w, int64_t ldw, float *y, int64_t ldy,
                             int64_t m, int64_t n, int64_t k, int accumulate);

#endif
