#!/usr/bin/env bash
# The compute-backend comparison of BENCHMARKS.md ("Products" and "Whole model vs peers"), in one run on one
# machine: Tina and its peers back to back, each with 2 threads, JSON reports in bench/results/.
#   PYTHON  a venv with torch, transformers, gguf and llama-cpp-python (see tools/reference/requirements-bf16.txt;
#           llama-cpp-python builds llama.cpp from source, ~6 minutes on 2 cores)
#   LAYERS  layers of the random R1-shape model (default 28, the real depth)
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
LAYERS=${LAYERS:-28}
SRC=${SRC:-../shared/models/smollm2-135m-instruct/SmolLM2-135M-Instruct.Q4_1.gguf}
BF16=${BF16:-/tmp/smollm2-bf16.gguf}
export TINA_NUM_THREADS=2
make build
bin="$(swift build -c release --show-bin-path)/tina"
out=bench/results
mkdir -p "$out"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
"$bin" info --check | tee "$out/info-$stamp.txt"
# 1. Products at the DeepSeek-R1-Distill-Qwen-1.5B shapes (M = 16 and 2048): Tina bf16 / f32 vs torch F.linear.
"$bin" bench gemm --rows 16,2048 --output "$out/gemm-$stamp.json"
"$PYTHON" bench/peer_torch_linear.py --threads 2 --ms 2048,16 --lm-head-budget 0 --output "$out/torch-linear-$stamp.json"
# 2. R1 shape, random bf16 weights: prefill 512 (and batch-1 decode), Tina vs transformers bf16.
"$bin" bench model --precision bf16 --layers "$LAYERS" --prefill 512 --decode 16 --runs 3 --profile \
    --output "$out/model-r1-$stamp.json"
"$PYTHON" bench/peer_transformers_prefill.py --dtype bf16 --layers "$LAYERS" --tokens 512 --threads 2 \
    --output "$out/transformers-r1-$stamp.json"
# 3. SmolLM2-135M as a BF16 GGUF: prefill 512 and decode, 5 runs (min/median/max), Tina vs llama.cpp.
[ -f "$BF16" ] || "$PYTHON" bench/make_dequantized_gguf.py "$SRC" "$BF16" BF16
"$bin" bench model --model "$BF16" --precision bf16 --decode 64 --runs 5 --profile --output "$out/model-smollm2-$stamp.json"
"$PYTHON" bench/peer_llamacpp.py "$BF16" 64 | tee "$out/llamacpp-smollm2-$stamp.json"
