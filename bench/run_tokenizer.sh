#!/usr/bin/env bash
# Tina's tokenizer beside HF tokenizers on the same corpus, in one run. Needs a Python with `tokenizers`
# (PYTHON=..., e.g. the .venv-ref of tools/reference); ../shared must be beside the repository.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
TOKENIZER=${TOKENIZER:-../shared/models/deepseek-r1-distill-qwen-1.5b}
make build
bin="$(swift build -c release --show-bin-path)/tina"
"$bin" bench tokenizer --tokenizer "$TOKENIZER" --data ../shared/data
"$PYTHON" bench/peer_tokenizers.py "$TOKENIZER" ../shared/data
