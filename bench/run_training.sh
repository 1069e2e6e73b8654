#!/usr/bin/env bash
# LoRA training speed, Tina beside PyTorch + PEFT (BENCHMARKS.md "LoRA training"), 2 threads each, back to back.
#   PYTHON  a venv with torch, transformers, peft and gguf (tools/reference/requirements-bench-train.txt)
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
SRC=${SRC:-../shared/models/smollm2-135m-instruct/SmolLM2-135M-Instruct.Q4_1.gguf}
BF16=${BF16:-/tmp/smollm2-bf16.gguf}
export TINA_NUM_THREADS=2
make build
bin="$(swift build -c release --show-bin-path)/tina"
out=bench/results
mkdir -p "$out"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
[ -f "$BF16" ] || "$PYTHON" bench/make_dequantized_gguf.py "$SRC" "$BF16" BF16
for shape in "4 512" "1 2048"; do
    set -- $shape
    "$bin" bench train --model "$BF16" --precision bf16 --batch "$1" --sequence "$2" --output "$out/train-smollm2-bf16-$1x$2-$stamp.json"
    "$bin" bench train --precision bf16 --layers 4 --batch "$1" --sequence "$2" --output "$out/train-r1-4l-bf16-$1x$2-$stamp.json"
done
"$bin" bench train --model "$BF16" --precision f32 --batch 4 --sequence 512 --output "$out/train-smollm2-f32-4x512-$stamp.json"
"$PYTHON" bench/peer_peft_train.py --models smollm2 --dtype bf16,f32 --output "$out/peft-smollm2-$stamp.json"
"$PYTHON" bench/peer_peft_train.py --models r1-1.5b --dtype bf16 --layers 4 --output "$out/peft-r1-4l-$stamp.json"
