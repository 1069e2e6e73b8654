#!/usr/bin/env bash
# Rebuilds the demo's base model (demo/base) from nothing: the task's data, a byte-level BPE tokenizer learned
# on it, random initial weights, and full-parameter SFT with tina itself on the imperfect teacher's traces.
# See demo/README.md for what each step does, the seeds and the measured timings.
#
#   demo/make_base.sh [OUT_DIR]        (default: demo/base; work files go to $WORK, default /tmp/tina-demo-base)
#
# Needs: swift, python3 with PyPI `tokenizers` (PYTHON=/path/to/venv/bin/python), 2+ cores.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-demo/base}
WORK=${WORK:-/tmp/tina-demo-base}
PYTHON=${PYTHON:-python3}
SEED=${SEED:-1}                  # stage 1 data, teacher, initial weights, shuffling; stage 2 uses SEED + 1
COUNT=${COUNT:-40000}            # teacher traces per stage (one epoch each, no repeats)
NOISE=${NOISE:-0.3}              # flawed traces: slips 16.5 %, skips 7.5 %, format breaks 6 %
BATCH=${BATCH:-32}

swift build -c release --product tina
TINA=$(swift build -c release --product tina --show-bin-path)/tina
mkdir -p "$WORK"

# 1. Teacher traces for SFT (train split only; held-out and harder never appear in it), fresh ones per stage.
"$TINA" demo-data --split train --count "$COUNT" --seed "$SEED" --teacher-noise "$NOISE" --out "$WORK/train.jsonl"
"$TINA" demo-data --split train --count "$COUNT" --seed $((SEED + 1)) --teacher-noise "$NOISE" --out "$WORK/train2.jsonl"

# 2. The tokenizer: 256 byte tokens + merges learned on the traces + DeepSeek-R1's chat tokens.
"$PYTHON" tools/demo/make_tokenizer.py "$WORK/train.jsonl" "$WORK/tokenizer"

# 3. Random initial weights (std 0.02, norms 1, biases 0) for demo/config.json.
"$TINA" init-model --config demo/config.json --tokenizer "$WORK/tokenizer" --out "$WORK/init" --seed "$SEED"

# 4. Full-parameter SFT from scratch (f32): stage 1 at a high learning rate, stage 2 (fresh traces) at a lower
#    one. Two runs of one epoch each rather than one long run, so each stage's output can be inspected. A rerun
#    starts the stages over (sft refuses an --out that holds another run's checkpoints).
rm -rf "$WORK/sft1" "$WORK/sft"
"$TINA" sft --model "$WORK/init" --data "$WORK/train.jsonl" --out "$WORK/sft1" --full \
    --lr 3e-3 --batch "$BATCH" --micro-batch "$BATCH" --warmup-ratio 0.03 --seed "$SEED"
"$TINA" sft --model "$WORK/sft1" --data "$WORK/train2.jsonl" --out "$WORK/sft" --full \
    --lr 1e-3 --batch "$BATCH" --micro-batch "$BATCH" --warmup-ratio 0.03 --seed $((SEED + 1))

# 5. Ship it in bf16 (half the size; held-out accuracy unchanged within noise, see demo/README.md).
python3 tools/demo/to_bf16.py "$WORK/sft"

mkdir -p "$OUT"
for f in config.json model.safetensors tokenizer.json tokenizer_config.json generation_config.json; do
    cp "$WORK/sft/$f" "$OUT/$f"
done
echo "base model written to $OUT"
