#!/usr/bin/env bash
# Runs the foundation benchmarks (release build) the way BENCHMARKS.md reports them: each suite with the
# OpenBLAS kernel this machine's environment selects, then GEMM again with OpenBLAS choosing its own kernel
# (OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE unset for that command only). JSON reports land in bench/results/.
set -euo pipefail
cd "$(dirname "$0")/.."
make build
bin="$(swift build -c release --show-bin-path)/tina"
mkdir -p bench/results
stamp=$(date -u +%Y%m%dT%H%M%SZ)
"$bin" bench gemm --output "bench/results/gemm-env-$stamp.json"
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$bin" bench gemm --output "bench/results/gemm-auto-$stamp.json"
"$bin" bench gemv --output "bench/results/gemv-$stamp.json"
"$bin" bench kernels --output "bench/results/kernels-$stamp.json"
