#!/usr/bin/env bash
# GRPO step time, Tina beside TRL's GRPOTrainer + PEFT (BENCHMARKS.md "GRPO step"), 2 threads each, back to back:
# 4 prompts x 4 completions of exactly 64 tokens, LoRA r=16 (alpha 64) on all seven projections, beta 0.04.
#   PYTHON  a venv with trl, peft, transformers, torch, gguf (bench/requirements-peer-trl.txt)
#   LAYERS  layers of the 1.5B shape for both (default 4; 28 = the whole model, hours for TRL on 2 cores)
#   MEMORY  1 (default): also the 28-layer memory run (G = 4 x 1,024 tokens, gradient checkpointing; ~10 min)
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
LAYERS=${LAYERS:-4}
SRC=${SRC:-../shared/models/smollm2-135m-instruct/SmolLM2-135M-Instruct.Q4_1.gguf}
BF16=${BF16:-/tmp/smollm2-bf16.gguf}
export TINA_NUM_THREADS=2
make build
bin="$(swift build -c release --show-bin-path)/tina"
out=bench/results
mkdir -p "$out"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
[ -f "$BF16" ] || "$PYTHON" bench/make_dequantized_gguf.py "$SRC" "$BF16" BF16
# Prompts of ~50 tokens, as the peer's chat-templated arithmetic problems.
"$bin" bench grpo --model "$BF16" --precision bf16 --prompt-tokens 50 --steps 3 --output "$out/grpo-smollm2-bf16-$stamp.json"
"$PYTHON" bench/peer_trl_grpo.py --random-shape smollm2 --dtype bf16 --steps 3 --threads 2 > "$out/trl-grpo-smollm2-$stamp.json"
"$bin" bench grpo --precision bf16 --layers "$LAYERS" --prompt-tokens 50 --steps 3 --output "$out/grpo-r1-${LAYERS}l-bf16-$stamp.json"
"$PYTHON" bench/peer_trl_grpo.py --random-shape 1.5b --layers "$LAYERS" --dtype bf16 --steps 3 --threads 2 > "$out/trl-grpo-r1-${LAYERS}l-$stamp.json"
# Peak memory at the 1.5B shape, all 28 layers (random bf16 weights, 3.55 GB): 1 prompt x G = 4 completions of
# 1,024 tokens, one step, gradient checkpointing (issue 11's memory target: the bf16 weights plus 3 GB). MEMORY=0 skips it.
if [ "${MEMORY:-1}" = 1 ]; then
    "$bin" bench grpo --precision bf16 --prompts 1 --generations 4 --prompt-tokens 50 --completion-tokens 1024 --steps 1 \
        --gradient-checkpointing --output "$out/grpo-r1-28l-g4x1024-ckpt-$stamp.json"
fi
