#!/usr/bin/env bash
# Runs the foundation benchmarks (release build) the way BENCHMARKS.md reports them. JSON reports land in
# bench/results/.
set -euo pipefail
cd "$(dirname "$0")/.."
make build
bin="$(swift build -c release --show-bin-path)/tina"
mkdir -p bench/results
stamp=$(date -u +%Y%m%dT%H%M%SZ)
"$bin" bench gemm --output "bench/results/gemm-$stamp.json"
"$bin" bench gemv --output "bench/results/gemv-$stamp.json"
"$bin" bench kernels --output "bench/results/kernels-$stamp.json"
