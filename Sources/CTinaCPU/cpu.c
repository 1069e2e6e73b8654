#include "tina_cpu.h"
#include <cpuid.h>
#include <string.h>

static uint64_t xgetbv0(void) {
    uint32_t lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((uint64_t)hi << 32) | lo;
}

void tina_cpu_detect(tina_cpu_features *f) {
    memset(f, 0, sizeof *f);
    unsigned a, b, c, d;
    if (!__get_cpuid(0, &a, &b, &c, &d)) return;
    unsigned max_leaf = a;
    memcpy(f->vendor, &b, 4); memcpy(f->vendor + 4, &d, 4); memcpy(f->vendor + 8, &c, 4);
    __get_cpuid(1, &a, &b, &c, &d);
    unsigned base_family = (a >> 8) & 0xf, base_model = (a >> 4) & 0xf;
    f->family = (int)(base_family == 0xf ? base_family + ((a >> 20) & 0xff) : base_family);
    f->model = (int)((base_family == 0x6 || base_family == 0xf) ? (((a >> 16) & 0xf) << 4) + base_model : base_model);
    f->stepping = (int)(a & 0xf);
    f->sse42 = (c >> 20) & 1; f->fma = (c >> 12) & 1; f->f16c = (c >> 29) & 1; f->avx = (c >> 28) & 1;
    int osxsave = (c >> 27) & 1;
    if (osxsave) {
        uint64_t xcr0 = xgetbv0();
        f->os_avx = (xcr0 & 0x6) == 0x6;
        f->os_avx512 = (xcr0 & 0xe6) == 0xe6;
        f->os_amx = (xcr0 & 0x60000) == 0x60000;
    }
    if (max_leaf >= 7) {
        __cpuid_count(7, 0, a, b, c, d);
        f->avx2 = (b >> 5) & 1; f->avx512f = (b >> 16) & 1; f->avx512dq = (b >> 17) & 1;
        f->avx512bw = (b >> 30) & 1; f->avx512vl = (b >> 31) & 1; f->avx512_vnni = (c >> 11) & 1;
        f->avx512_fp16 = (d >> 23) & 1; f->amx_bf16 = (d >> 22) & 1; f->amx_tile = (d >> 24) & 1;
        f->amx_int8 = (d >> 25) & 1;
        __cpuid_count(7, 1, a, b, c, d);
        f->avx512_bf16 = (a >> 5) & 1;
    }
    __get_cpuid(0x80000000, &a, &b, &c, &d);
    if (a >= 0x80000004) {
        unsigned regs[12];
        for (unsigned i = 0; i < 3; i++) __get_cpuid(0x80000002 + i, &regs[i * 4], &regs[i * 4 + 1], &regs[i * 4 + 2], &regs[i * 4 + 3]);
        memcpy(f->brand, regs, 48);
        f->brand[48] = 0;
    }
}

#if defined(__GLIBC__)
#include <malloc.h>
#endif

void tina_heap_policy(int mmap_threshold, int trim_threshold) {
#if defined(__GLIBC__)
    mallopt(M_MMAP_THRESHOLD, mmap_threshold);
    mallopt(M_TRIM_THRESHOLD, trim_threshold);
#else
    (void)mmap_threshold;
    (void)trim_threshold;
#endif
}
