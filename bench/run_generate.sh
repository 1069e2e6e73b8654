#!/usr/bin/env bash
# Rollout-engine throughput, Tina's `tina bench generate` beside transformers `generate` (bench/peer_transformers_
# generate.py) and llama.cpp batch-1 decode (bench/peer_llamacpp.py), 2 threads each, back to back. N sequences of
# 200-token prompts, completion lengths spread over 64-192 tokens (no EOS); aggregate generated tokens per wall
# second, prefill included. transformers runs a static batch, every row as long as the batch's longest (64 tokens at
# 1 row, 185 at 16, 192 at 64): compare its useful_tok_per_s (Tina's lengths / its wall time) with Tina's
# tokensPerSecond; raw_tok_per_s counts every token it generated.
#   PYTHON  a venv with torch, transformers, gguf and llama-cpp-python (/work/venv has them; default python3)
#   LAYERS  layers of the 1.5B shape for both Tina and transformers (default 28, the whole model; 4 for a quick look)
#   MEMORY  1: also Tina's memory run (1.5B shape, all 28 layers, random bf16 weights, 32 sequences of 200-token
#           prompts x 2,048 tokens, ~2 GB of bf16 KV cache): opt-in, estimated 15-30 min on 2 cores (65,536 decode
#           tokens at 0.4-0.8 s per 32-row step, plus a 6,400-token prefill ~45 s; not measured)
# Duration on 2 quiet Zen 4 cores with LAYERS=28, estimated from short runs of each peer (2026-11-27; the build
# not included): ~13 min in all.
#   Tina SmolLM2 1,16,64                        ~1 min    (BENCHMARKS.md: 1.0 + 13.3 + 39.7 s)
#   transformers SmolLM2 bf16 1,16,64           ~3 min    (GGUF load 15 s; 48 / 142 / 480 ms per decode step;
#                                                          prefill 0.2 / 2.9 / 12.4 s)
#   transformers SmolLM2 f32 1,16,64            ~3 min    (65 / 165 / 400 ms per step; prefill 0.4 / 5.3 / 27 s)
#   Tina 1.5B shape 1,16                        ~2-3 min  (random-weight build; not measured here)
#   transformers 1.5B shape bf16 1,16           ~3 min    (build 12 s; 0.22 / 0.62 s per step; prefill 2 / 27 s)
#   llama.cpp SmolLM2 batch-1 decode, 5 runs    ~15 s
# With LAYERS=4 the two 1.5B-shape runs take well under a minute each.
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
[ -f "$BF16" ] || "$PYTHON" bench/make_dequantized_gguf.py "$SRC" "$BF16" BF16
lengths="--prompt-tokens 200 --min-new 64 --max-new 192"
# SmolLM2-135M, real weights from the BF16 GGUF for both.
"$bin" bench generate --model "$BF16" --precision bf16 --concurrency 1,16,64 $lengths --output "$out/generate-smollm2-bf16-$stamp.json"
# transformers at its best dtype: both (on Zen 4 bf16 prefills ~2x faster, f32 decodes 64 rows ~15 % faster).
for dtype in bf16 f32; do
    "$PYTHON" bench/peer_transformers_generate.py --model "$BF16" --dtype "$dtype" --concurrency 1,16,64 $lengths --threads 2 \
        > "$out/transformers-generate-smollm2-$dtype-$stamp.json"
done
# DeepSeek-R1-Distill-Qwen-1.5B shape, random bf16 weights, the first LAYERS layers.
"$bin" bench generate --precision bf16 --layers "$LAYERS" --concurrency 1,16 $lengths --output "$out/generate-r1-${LAYERS}l-bf16-$stamp.json"
"$PYTHON" bench/peer_transformers_generate.py --random-shape 1.5b --layers "$LAYERS" --dtype bf16 --concurrency 1,16 $lengths --threads 2 \
    > "$out/transformers-generate-r1-${LAYERS}l-bf16-$stamp.json"
# llama.cpp batch-1 decode on the same GGUF: 64 tokens after a 50-token prompt, 5 runs (min/median/max).
"$PYTHON" bench/peer_llamacpp.py "$BF16" 64 5 | tee "$out/llamacpp-decode-smollm2-$stamp.json"
# Peak memory of the rollout engine at the 1.5B shape (all 28 layers): 32 sequences x (200 + 2,048) tokens, bf16
# KV cache. Opt-in (MEMORY=1): see the duration in the header.
if [ "${MEMORY:-0}" = 1 ]; then
    "$bin" bench generate --precision bf16 --concurrency 32 --prompt-tokens 200 --min-new 2048 --max-new 2048 \
        --output "$out/generate-r1-28l-32x2048-$stamp.json"
fi
