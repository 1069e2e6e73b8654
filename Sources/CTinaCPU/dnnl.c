// oneDNN bridge, loaded at run time (see tina_cpu.h for why). Only the 2.x C API is used.
#include "tina_cpu.h"
#include <dlfcn.h>
#include <oneapi/dnnl/dnnl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DNNL_FUNCTIONS(X) \
    X(dnnl_engine_create) X(dnnl_stream_create) X(dnnl_stream_wait) X(dnnl_memory_desc_init_by_strides) \
    X(dnnl_matmul_desc_init) X(dnnl_primitive_attr_create) X(dnnl_primitive_attr_destroy) \
    X(dnnl_primitive_attr_set_output_scales) X(dnnl_post_ops_create) X(dnnl_post_ops_destroy) \
    X(dnnl_post_ops_append_sum) X(dnnl_primitive_attr_set_post_ops) X(dnnl_primitive_desc_create) \
    X(dnnl_primitive_desc_destroy) X(dnnl_primitive_desc_query) X(dnnl_primitive_create) \
    X(dnnl_primitive_destroy) X(dnnl_primitive_execute) X(dnnl_memory_create) X(dnnl_memory_destroy) \
    X(dnnl_sgemm) X(dnnl_version)

static struct {
#define DECLARE(name) __typeof__(&name) name;
    DNNL_FUNCTIONS(DECLARE)
#undef DECLARE
} api;

// libgomp's per-thread team size (loaded as oneDNN's dependency).
static void (*omp_set_threads)(int);
static int (*omp_get_threads)(void);

static dnnl_engine_t engine;
static dnnl_stream_t stream;
static int opened = -1; // -1 not tried, 0 failed, 1 loaded
static char open_error[512];
static char version_text[64];
static pthread_mutex_t open_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t run_lock = PTHREAD_MUTEX_INITIALIZER;

static int open_locked(int threads) {
    if (threads > 0) {
        char value[16];
        snprintf(value, sizeof value, "%d", threads);
        setenv("OMP_NUM_THREADS", value, 1);
    }
    // Idle OpenMP threads must sleep, not spin: Tina's own worker pool runs the memory-bound kernels between
    // oneDNN calls on the same cores, and spinning threads steal them.
    setenv("OMP_WAIT_POLICY", "PASSIVE", 0);
    void *lib = dlopen("libdnnl.so.2", RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        snprintf(open_error, sizeof open_error, "cannot load libdnnl.so.2 (install libdnnl-dev or libdnnl2): %s", dlerror());
        return 0;
    }
#define LOAD(name)                                                                              \
    api.name = (__typeof__(&name))dlsym(lib, #name);                                            \
    if (!api.name) {                                                                            \
        snprintf(open_error, sizeof open_error, "libdnnl.so.2 lacks %s (oneDNN 2.x expected)", #name); \
        return 0;                                                                               \
    }
    DNNL_FUNCTIONS(LOAD)
#undef LOAD
    omp_set_threads = (void (*)(int))dlsym(lib, "omp_set_num_threads");
    omp_get_threads = (int (*)(void))dlsym(lib, "omp_get_max_threads");
    if (api.dnnl_engine_create(&engine, dnnl_cpu, 0) != dnnl_success ||
        api.dnnl_stream_create(&stream, engine, dnnl_stream_default_flags) != dnnl_success) {
        snprintf(open_error, sizeof open_error, "oneDNN could not create a CPU engine");
        return 0;
    }
    const dnnl_version_t *v = api.dnnl_version();
    snprintf(version_text, sizeof version_text, "%d.%d.%d", v->major, v->minor, v->patch);
    return 1;
}

int tina_dnnl_open(int threads, char *err, size_t err_len) {
    pthread_mutex_lock(&open_lock);
    if (opened < 0) opened = open_locked(threads);
    int ok = opened;
    pthread_mutex_unlock(&open_lock);
    if (!ok && err && err_len) snprintf(err, err_len, "%s", open_error);
    return ok;
}

const char *tina_dnnl_version(void) { return opened == 1 ? version_text : ""; }

struct tina_matmul {
    dnnl_primitive_t primitive;
    dnnl_memory_desc_t a, b, c;
    char impl[96];
};

static void fail(char *err, size_t err_len, const char *what, dnnl_status_t s) {
    if (err && err_len) snprintf(err, err_len, "oneDNN %s failed (status %d)", what, (int)s);
}

tina_matmul *tina_matmul_create(int64_t m, int64_t n, int64_t k, int a_bf16, int64_t a_rs, int64_t a_cs,
                                int b_bf16, int64_t b_rs, int64_t b_cs, int64_t ldc, float alpha, int accumulate,
                                char *err, size_t err_len) {
    if (opened != 1) { fail(err, err_len, "library (not loaded)", dnnl_runtime_error); return NULL; }
    tina_matmul *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    dnnl_dims_t ad = {m, k}, as = {a_rs, a_cs}, bd = {k, n}, bs = {b_rs, b_cs}, cd = {m, n}, cs = {ldc, 1};
    dnnl_status_t s;
    if ((s = api.dnnl_memory_desc_init_by_strides(&p->a, 2, ad, a_bf16 ? dnnl_bf16 : dnnl_f32, as)) ||
        (s = api.dnnl_memory_desc_init_by_strides(&p->b, 2, bd, b_bf16 ? dnnl_bf16 : dnnl_f32, bs)) ||
        (s = api.dnnl_memory_desc_init_by_strides(&p->c, 2, cd, dnnl_f32, cs))) {
        fail(err, err_len, "memory descriptor", s); free(p); return NULL;
    }
    dnnl_matmul_desc_t desc;
    if ((s = api.dnnl_matmul_desc_init(&desc, &p->a, &p->b, NULL, &p->c))) {
        fail(err, err_len, "matmul descriptor", s); free(p); return NULL;
    }
    dnnl_primitive_attr_t attr;
    api.dnnl_primitive_attr_create(&attr);
    if (alpha != 1.0f) api.dnnl_primitive_attr_set_output_scales(attr, 1, 0, &alpha);
    dnnl_post_ops_t ops = NULL;
    if (accumulate) {
        api.dnnl_post_ops_create(&ops);
        api.dnnl_post_ops_append_sum(ops, 1.0f);
        api.dnnl_primitive_attr_set_post_ops(attr, ops);
    }
    dnnl_primitive_desc_t pd;
    s = api.dnnl_primitive_desc_create(&pd, &desc, attr, engine, NULL);
    api.dnnl_primitive_attr_destroy(attr);
    if (ops) api.dnnl_post_ops_destroy(ops);
    if (s) { fail(err, err_len, "matmul primitive descriptor", s); free(p); return NULL; }
    const char *impl = NULL;
    api.dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &impl);
    snprintf(p->impl, sizeof p->impl, "%s", impl ? impl : "unknown");
    s = api.dnnl_primitive_create(&p->primitive, pd);
    api.dnnl_primitive_desc_destroy(pd);
    if (s) { fail(err, err_len, "matmul primitive", s); free(p); return NULL; }
    return p;
}

int tina_matmul_run(tina_matmul *p, const void *a, const void *b, float *c) {
    dnnl_memory_t ma = NULL, mb = NULL, mc = NULL;
    dnnl_status_t s;
    // Memory objects per call (a few microseconds) keep one primitive usable from several threads.
    if ((s = api.dnnl_memory_create(&ma, &p->a, engine, (void *)a)) ||
        (s = api.dnnl_memory_create(&mb, &p->b, engine, (void *)b)) ||
        (s = api.dnnl_memory_create(&mc, &p->c, engine, c))) goto done;
    dnnl_exec_arg_t args[3] = {{DNNL_ARG_SRC, ma}, {DNNL_ARG_WEIGHTS, mb}, {DNNL_ARG_DST, mc}};
    // One stream, one caller at a time: two concurrent products would only oversubscribe the cores.
    pthread_mutex_lock(&run_lock);
    s = api.dnnl_primitive_execute(p->primitive, stream, 3, args);
    if (s == dnnl_success) s = api.dnnl_stream_wait(stream);
    pthread_mutex_unlock(&run_lock);
done:
    if (ma) api.dnnl_memory_destroy(ma);
    if (mb) api.dnnl_memory_destroy(mb);
    if (mc) api.dnnl_memory_destroy(mc);
    return (int)s;
}

const char *tina_matmul_impl(const tina_matmul *p) { return p->impl; }

void tina_matmul_destroy(tina_matmul *p) {
    if (!p) return;
    if (p->primitive) api.dnnl_primitive_destroy(p->primitive);
    free(p);
}

int tina_dnnl_thread_team(int threads) {
    if (opened != 1 || !omp_set_threads || !omp_get_threads) return 0;
    int previous = omp_get_threads();
    if (threads > 0) omp_set_threads(threads);
    return previous;
}

int tina_dnnl_sgemm_single(char transa, char transb, int64_t m, int64_t n, int64_t k, float alpha,
                           const float *a, int64_t lda, const float *b, int64_t ldb, float beta, float *c, int64_t ldc) {
    if (opened != 1) return (int)dnnl_runtime_error;
    return (int)api.dnnl_sgemm(transa, transb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

int tina_dnnl_sgemm(char transa, char transb, int64_t m, int64_t n, int64_t k, float alpha,
                    const float *a, int64_t lda, const float *b, int64_t ldb, float beta, float *c, int64_t ldc) {
    if (opened != 1) return (int)dnnl_runtime_error;
    pthread_mutex_lock(&run_lock);
    int s = (int)api.dnnl_sgemm(transa, transb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    pthread_mutex_unlock(&run_lock);
    return s;
}
