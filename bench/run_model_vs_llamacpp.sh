#!/usr/bin/env bash
# SmolLM2-135M at BF16: Tina's decoder beside llama.cpp in one run. PYTHON needs gguf and llama-cpp-python
# (pip builds llama.cpp from source, ~6 minutes on 2 cores).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
SRC=${SRC:-../shared/models/smollm2-135m-instruct/SmolLM2-135M-Instruct.Q4_1.gguf}
BF16=${BF16:-/tmp/smollm2-bf16.gguf}
[ -f "$BF16" ] || "$PYTHON" bench/make_dequantized_gguf.py "$SRC" "$BF16" BF16
make build
bin="$(swift build -c release --show-bin-path)/tina"
"$bin" bench model --model "$BF16" --precision bf16 --decode 64
"$PYTHON" bench/peer_llamacpp.py "$BF16" 64
