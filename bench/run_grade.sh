#!/usr/bin/env bash
# Tina's grader beside math-verify on the same pairs, in one run. PYTHON must have math-verify 0.9.0.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
SETS="../shared/reference/answer_equivalence_dev.jsonl ../shared/data/math500.jsonl"
make build
bin="$(swift build -c release --show-bin-path)/tina"
"$bin" bench grade --sets $SETS
"$PYTHON" bench/peer_math_verify.py $SETS
