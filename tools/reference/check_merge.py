#!/usr/bin/env python3
"""Reference check: `tina merge` writes a checkpoint that transformers loads cleanly and that gives PEFT's logits.

Written against torch 2.13.0+cpu, transformers 5.24.0, peft 0.21.2, safetensors 0.8.0
(tools/reference/requirements-training.txt). Run from the repository root, after a release build:

    /work/venv/bin/python tools/reference/check_merge.py > tools/reference/merge_check.txt

Optional flags: [--tina .build/release/tina] [--threads 2] [--tol 1e-4] [--keep DIR].

For each (base, adapter) fixture pair below (the LoRA fixtures of tools/reference/make_training_fixtures.py):
1. Runs `tina merge --model BASE --adapter ADAPTER --out TMP/merged` (output dtype: auto, i.e. as stored, f32).
2. Loads TMP/merged with AutoModelForCausalLM.from_pretrained(TMP/merged, dtype=torch.float32,
   attn_implementation="eager", output_loading_info=True) and asserts that missing_keys, unexpected_keys,
   mismatched_keys and error_msgs are all empty and that transformers logged no warning while loading.
3. Loads BASE the same way and wraps it with PeftModel.from_pretrained(base, ADAPTER) (adapter on).
4. Runs the input ids of Tests/Fixtures/training/<case>/expected.json ("sequences") through both, batch 1,
   f32, and compares the merged model's logits with PEFT's adapter-on logits (max |diff| <= --tol) and with
   the recorded "logits" in expected.json (also <= --tol). It also prints, for information, how far the
   merged logits are from the adapter-off logits ("logits_disabled"; must exceed 10 x tol, so the comparison
   is not vacuous), and the max |diff| between the merged safetensors and PEFT's merge_and_unload() weights.
Prints "RESULT: PASS" or "RESULT: FAIL (...)"; exit status 0 when every check passes, 1 otherwise.
"""
import argparse
import json
import logging
import os
import shlex
import subprocess
import sys
import tempfile
import time
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
DEFAULT_TINA = os.path.join(ROOT, ".build", "release", "tina")

CASES = [
    ("Tests/Fixtures/decoder/qwen2-gqa2", "Tests/Fixtures/training/qwen2-gqa2-lora/adapter"),
    ("Tests/Fixtures/decoder/llama-gqa4-untied", "Tests/Fixtures/training/llama-gqa4-untied-rslora/adapter"),
]


def show(cmd):
    return " ".join(shlex.quote(c) for c in cmd)


class Collect(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.WARNING)
        self.records = []

    def emit(self, record):
        self.records.append(record)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tina", default=DEFAULT_TINA)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--tol", type=float, default=1e-4)
    ap.add_argument("--keep", help="write the merged directories here instead of a temporary directory")
    args = ap.parse_args()

    os.environ.setdefault("TQDM_DISABLE", "1")
    import numpy as np
    import torch
    import transformers
    import peft
    import safetensors
    from safetensors.numpy import load_file
    from transformers import AutoModelForCausalLM
    from peft import PeftModel

    torch.set_num_threads(args.threads)
    env = dict(os.environ, TINA_NUM_THREADS=str(args.threads))
    tina_version = subprocess.run([args.tina, "--version"], capture_output=True, text=True).stdout.strip()
    commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip()
    print("# tina merge vs PEFT (tools/reference/check_merge.py)")
    print(f"tina {tina_version} (git {commit or '?'}), python {sys.version.split()[0]}, torch {torch.__version__}, "
          f"transformers {transformers.__version__}, peft {peft.__version__}, "
          f"safetensors {safetensors.__version__}, numpy {np.__version__}; threads {args.threads}; tol {args.tol:g}")
    print()

    failures = []

    def check(ok, what):
        print(f"  [{'ok' if ok else 'FAIL'}] {what}")
        if not ok:
            failures.append(what)

    if args.keep:
        os.makedirs(args.keep, exist_ok=True)
        work = args.keep
    else:
        tmp = tempfile.TemporaryDirectory(prefix="tina-merge-check-")
        work = tmp.name

    tf_logger = transformers.utils.logging.get_logger("transformers")

    def load(path):
        """from_pretrained with loading info; returns (model, info, warning lines)."""
        handler = Collect()
        tf_logger.addHandler(handler)
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                model, info = AutoModelForCausalLM.from_pretrained(
                    path, dtype=torch.float32, attn_implementation="eager", output_loading_info=True)
        finally:
            tf_logger.removeHandler(handler)
        lines = [f"log {r.levelname}: {r.getMessage()}" for r in handler.records]
        lines += [f"warning {w.category.__name__}: {w.message}" for w in caught]
        return model.eval(), info, lines

    def logits_of(model, ids):
        with torch.no_grad():
            return model(input_ids=torch.tensor([ids])).logits[0].float().numpy().astype(np.float64)

    for base_rel, adapter_rel in CASES:
        case = os.path.basename(os.path.dirname(adapter_rel))
        base = os.path.join(ROOT, base_rel)
        adapter = os.path.join(ROOT, adapter_rel)
        expected_path = os.path.join(ROOT, "Tests", "Fixtures", "training", case, "expected.json")
        print(f"## {case}: base {base_rel}, adapter {adapter_rel}")
        present = [os.path.join(base, "config.json"), os.path.join(base, "model.safetensors"),
                   os.path.join(adapter, "adapter_config.json"), os.path.join(adapter, "adapter_model.safetensors"),
                   expected_path]
        missing_files = [os.path.relpath(p, ROOT) for p in present if not os.path.isfile(p)]
        check(not missing_files, f"fixture files exist ({len(present)} checked"
              + (f"; missing: {missing_files})" if missing_files else ")"))
        if missing_files:
            print()
            continue
        with open(os.path.join(adapter, "adapter_config.json")) as f:
            acfg = json.load(f)
        with open(expected_path) as f:
            expected = json.load(f)
        print(f"  adapter: r={acfg['r']} lora_alpha={acfg['lora_alpha']} use_rslora={acfg.get('use_rslora', False)} "
              f"(scaling {expected['scaling']}), targets {sorted(acfg['target_modules'])}")

        # 1. tina merge.
        out = os.path.join(work, case, "merged")
        cmd = [args.tina, "merge", "--model", base_rel, "--adapter", adapter_rel, "--out", out]
        print(f"$ {show(cmd)}")
        t = time.time()
        p = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
        print(f"  (exit {p.returncode}, {time.time() - t:.1f} s)")
        for line in p.stderr.splitlines() + p.stdout.splitlines():
            if line.strip():
                print(f"  | {line}")
        check(p.returncode == 0, "tina merge exited 0")
        if p.returncode != 0:
            print()
            continue
        print(f"  merged directory: {sorted(os.listdir(out))}")
        merged_tensors = load_file(os.path.join(out, "model.safetensors"))
        base_tensors = load_file(os.path.join(base, "model.safetensors"))
        check(sorted(merged_tensors) == sorted(base_tensors)
              and all(merged_tensors[k].shape == base_tensors[k].shape for k in base_tensors),
              f"merged model.safetensors has the base's {len(base_tensors)} tensor names and shapes "
              f"(dtypes {sorted({str(v.dtype) for v in merged_tensors.values()})})")

        # 2. transformers loads the merged directory cleanly.
        merged, info, warn_lines = load(out)
        for line in warn_lines:
            print(f"  | {line}")
        info_summary = {k: list(v) for k, v in info.items()}
        print(f"  loading info: {info_summary}")
        check(all(len(v) == 0 for v in info.values()),
              f"{type(merged).__name__}.from_pretrained(merged): no missing/unexpected/mismatched keys, no errors")
        check(not warn_lines, f"no warnings logged while loading the merged directory ({len(warn_lines)})")

        # 3. PEFT, adapter on.
        base_model, _, _ = load(base)
        peft_model = PeftModel.from_pretrained(base_model, adapter).eval()

        # 4. Logits.
        d_peft = d_exp = d_off = 0.0
        for i, ids in enumerate(expected["sequences"]):
            m = logits_of(merged, ids)
            pe = logits_of(peft_model, ids)
            ex = np.array(expected["logits"][i], dtype=np.float64)
            off = np.array(expected["logits_disabled"][i], dtype=np.float64)
            a = float(np.abs(m - pe).max())
            b = float(np.abs(m - ex).max()) if ex.shape == m.shape else float("inf")
            c = float(np.abs(m - off).max()) if off.shape == m.shape else float("inf")
            d_peft, d_exp, d_off = max(d_peft, a), max(d_exp, b), max(d_off, c)
            print(f"  sequence {i + 1} ({len(ids)} tokens, logits {m.shape}): max |merged - peft| {a:.3e}, "
                  f"max |merged - expected.json logits| {b:.3e}, max |merged - logits_disabled| {c:.3e}")
        check(d_peft <= args.tol, f"max |merged - PEFT adapter-on| logits {d_peft:.3e} <= {args.tol:g}")
        check(d_exp <= args.tol, f"max |merged - expected.json \"logits\"| {d_exp:.3e} <= {args.tol:g}")
        check(d_off > 10 * args.tol, f"adapter effect: max |merged - \"logits_disabled\"| {d_off:.3e} > 10 x tol "
              f"(the comparison is not vacuous)")

        # For information: weights vs PEFT's own merge.
        with torch.no_grad():
            ref = {k: v.detach().float().numpy() for k, v in peft_model.merge_and_unload().state_dict().items()}
        common = [k for k in merged_tensors if k in ref]
        w_gap = max(float(np.abs(merged_tensors[k].astype(np.float64) - ref[k]).max()) for k in common)
        adapted = [k for k in common if k.endswith(".weight") and any(f".{t}." in k for t in acfg["target_modules"])]
        moved = min(float(np.abs(merged_tensors[k].astype(np.float64) - base_tensors[k]).max()) for k in adapted)
        print(f"  info: max |merged weight - PEFT merge_and_unload weight| over {len(common)} tensors: {w_gap:.3e}; "
              f"the {len(adapted)} adapted weights differ from the base's by max |d| >= {moved:.3e} each")
        print()

    print("## summary")
    print("RESULT:", "PASS" if not failures else f"FAIL ({len(failures)} checks: {'; '.join(failures)})")
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main())
