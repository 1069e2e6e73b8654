#!/usr/bin/env python3
"""Reference check: a LoRA adapter written by `tina sft` loads in Python PEFT and gives Tina's log-probs.

Written against torch 2.13.0+cpu, transformers 5.24.0, peft 0.21.2, gguf 0.19.0, safetensors 0.8.0
(tools/reference/requirements-bench-train.txt). Run from the repository root, after a release build:

    /work/venv/bin/python tools/reference/check_peft_roundtrip.py \
        [--tina .build/release/tina] \
        [--gguf ../shared/models/smollm2-135m-instruct/SmolLM2-135M-Instruct.Q4_1.gguf] \
        [--threads 2] [--tol 1e-3] [--keep DIR] > tools/reference/peft_roundtrip.txt

What it does (the recorded output is tools/reference/peft_roundtrip.txt):
1. Writes a 4-line prompt/completion JSONL into a temporary directory and trains a LoRA adapter with
       tina sft --model GGUF --data data.jsonl --out adapter --max-steps 3 --epochs 3 --batch 2 --micro-batch 2
                --lr 1e-3 --lora-r 8 --lora-dropout 0.0 --seed 1
   (warmup-ratio 0.1 makes step 1's LR 0; steps 2 and 3 move the weights). Asserts that every lora_B tensor
   in adapter_model.safetensors is non-zero, i.e. the adapter actually changes the model.
2. Scores fixed texts with `tina score --model GGUF [--adapter adapter] --text TEXT --json`, with and without
   the adapter, and reads "tokens", "logprobs" (log p(token[i] | token[..<i]), i >= 1) and "entropies".
3. Loads the base in transformers from the same GGUF (gguf_file=, GgufConfig(dequantize=True), f32: the Q4_1
   blocks are unpacked exactly, so both sides see the same f32 weights), wraps it with
   PeftModel.from_pretrained(model, adapter), checks that PEFT's config (r, lora_alpha, lora_dropout,
   target_modules, use_rslora, use_dora, bias) equals adapter_config.json, that it wrapped one LoRA module
   per (layer, target) and that its loaded lora_A/lora_B weights equal the safetensors bit for bit. Then runs
   Tina's token ids (from its JSON, so tokenizers cannot differ) through the model with the adapter enabled
   and with it disabled (PeftModel.disable_adapter()), takes log_softmax of the f32 logits, and compares the
   next-token log-probs (and entropies) with Tina's. Passes when max |delta logp| <= --tol both on and off.
   It also prints how much the adapter moves the log-probs (so the comparison is not vacuous). Entropies are
   compared for information only (not asserted): Tina computes them as lse - sum(p * z) on the unshifted
   logits (CPUBackend.tokenLogProbs), which loses a few 1e-4 to f32 cancellation when the largest logit is
   ~20-30 (SmolLM2); the same formula in torch f32 is as far from an f64 reference, max(z)-shifted logits are not.
4. `tina merge` is not exercised: it needs a Hugging Face directory (config.json + safetensors) as --model and
   the base here is a GGUF file.
Exit status 0 when every check passes, 1 otherwise.
"""
import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
DEFAULT_TINA = os.path.join(ROOT, ".build", "release", "tina")
DEFAULT_GGUF = os.path.normpath(os.path.join(
    ROOT, "..", "shared", "models", "smollm2-135m-instruct", "SmolLM2-135M-Instruct.Q4_1.gguf"))

DATA = [
    {"prompt": "What is the capital of France?", "completion": "The capital of France is Paris."},
    {"prompt": "Name a primary color.", "completion": "Red is a primary color."},
    {"prompt": "What is 2 + 3?", "completion": "2 + 3 = 5."},
    {"prompt": "Say hello in Spanish.", "completion": "Hola, amigo."},
]
TEXTS = [
    "The capital of France is Paris. Red is a primary color, and 2 + 3 = 5.",
    "<|im_start|>user\nSay hello in Spanish.<|im_end|>\n<|im_start|>assistant\nHola, amigo.<|im_end|>\n",
]
SFT_ARGS = ["--max-steps", "3", "--epochs", "3", "--batch", "2", "--micro-batch", "2", "--lr", "1e-3",
            "--lora-r", "8", "--lora-dropout", "0.0", "--seed", "1"]


def show(cmd):
    return " ".join(shlex.quote(c) for c in cmd)


def run(cmd, env):
    print(f"$ {show(cmd)}", flush=True)
    t = time.time()
    p = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if p.returncode != 0:
        print(p.stdout, p.stderr, sep="\n")
        raise SystemExit(f"command failed with exit status {p.returncode}")
    print(f"  ({time.time() - t:.1f} s)", flush=True)
    return p


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tina", default=DEFAULT_TINA)
    ap.add_argument("--gguf", default=DEFAULT_GGUF)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--tol", type=float, default=1e-3)
    ap.add_argument("--keep", help="write the data and adapter here instead of a temporary directory")
    args = ap.parse_args()

    os.environ.setdefault("TQDM_DISABLE", "1")
    import numpy as np
    import torch
    import transformers
    import peft
    import safetensors
    from importlib.metadata import version
    from safetensors.numpy import load_file
    from transformers import AutoModelForCausalLM, GgufConfig
    from peft import PeftModel

    torch.set_num_threads(args.threads)
    env = dict(os.environ, TINA_NUM_THREADS=str(args.threads))
    tina_version = subprocess.run([args.tina, "--version"], capture_output=True, text=True).stdout.strip()
    commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip()
    print("# PEFT round trip of a `tina sft` LoRA adapter (tools/reference/check_peft_roundtrip.py)")
    print(f"tina {tina_version} (git {commit or '?'}), python {sys.version.split()[0]}, torch {torch.__version__}, "
          f"transformers {transformers.__version__}, peft {peft.__version__}, gguf {version('gguf')}, "
          f"safetensors {safetensors.__version__}, numpy {np.__version__}; threads {args.threads}")
    print(f"base: {os.path.relpath(args.gguf, ROOT)}")
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
        tmp = tempfile.TemporaryDirectory(prefix="tina-peft-roundtrip-")
        work = tmp.name
    data_path = os.path.join(work, "data.jsonl")
    adapter = os.path.join(work, "adapter")
    with open(data_path, "w") as f:
        for row in DATA:
            f.write(json.dumps(row) + "\n")

    # 1. Train.
    print("## 1. tina sft (data.jsonl: 4 prompt/completion lines, in a temporary directory)")
    p = run([args.tina, "sft", "--model", args.gguf, "--data", data_path, "--out", adapter] + SFT_ARGS, env)
    for line in p.stderr.splitlines() + p.stdout.splitlines():
        if line.strip():
            print(f"  | {line}")
    with open(os.path.join(adapter, "adapter_config.json")) as f:
        cfg = json.load(f)
    tensors = load_file(os.path.join(adapter, "adapter_model.safetensors"))
    b_keys = sorted(k for k in tensors if ".lora_B." in k)
    a_keys = sorted(k for k in tensors if ".lora_A." in k)
    b_max = [float(np.abs(tensors[k]).max()) for k in b_keys]
    print(f"  adapter: {len(tensors)} tensors ({len(a_keys)} lora_A, {len(b_keys)} lora_B), dtypes "
          f"{sorted({str(t.dtype) for t in tensors.values()})}; r={cfg['r']} lora_alpha={cfg['lora_alpha']} "
          f"targets={cfg['target_modules']}")
    print(f"  lora_B max |w| over tensors: min {min(b_max):.3e}, max {max(b_max):.3e}")
    check(len(b_keys) > 0 and min(b_max) > 0, "every lora_B tensor is non-zero after training")
    print()

    # 2. Score with Tina.
    print("## 2. tina score --json, with and without the adapter")
    tina = []
    for text in TEXTS:
        row = {}
        for name, extra in (("on", ["--adapter", adapter]), ("off", [])):
            p = run([args.tina, "score", "--model", args.gguf] + extra + ["--text", text, "--json"], env)
            row[name] = json.loads(p.stdout)
        check(row["on"]["tokens"] == row["off"]["tokens"], f"same token ids with and without the adapter "
              f"({len(row['on']['tokens'])} tokens, {len(row['on']['logprobs'])} scored)")
        tina.append(row)
    print()

    # 3. Python: transformers + PEFT.
    print("## 3. transformers (GGUF, dequantize=True, f32) + PeftModel.from_pretrained(model, adapter)")
    t = time.time()
    gguf_dir, gguf_name = os.path.split(args.gguf)
    model = AutoModelForCausalLM.from_pretrained(
        gguf_dir, gguf_file=gguf_name, dtype=torch.float32, attn_implementation="eager",
        quantization_config=GgufConfig(gguf_file=gguf_name, dequantize=True))
    model.eval()
    model = PeftModel.from_pretrained(model, adapter)
    model.eval()
    print(f"  loaded {type(model.get_base_model()).__name__} and the adapter in {time.time() - t:.1f} s")

    pc = model.peft_config["default"]
    fields = {
        "r": (pc.r, cfg["r"]),
        "lora_alpha": (pc.lora_alpha, cfg["lora_alpha"]),
        "lora_dropout": (float(pc.lora_dropout), float(cfg["lora_dropout"])),
        "target_modules": (sorted(pc.target_modules), sorted(cfg["target_modules"])),
        "use_rslora": (pc.use_rslora, cfg.get("use_rslora", False)),
        "use_dora": (pc.use_dora, cfg.get("use_dora", False)),
        "bias": (pc.bias, cfg.get("bias", "none")),
        "peft_type": (str(pc.peft_type.value if hasattr(pc.peft_type, "value") else pc.peft_type), cfg["peft_type"]),
    }
    for k, (got, want) in fields.items():
        check(got == want, f"PEFT {k} = {got!r} (adapter_config.json: {want!r})")

    from peft.tuners.lora import LoraLayer
    wrapped = {n: m for n, m in model.named_modules() if isinstance(m, LoraLayer)}
    n_layers = model.get_base_model().config.num_hidden_layers
    suffixes = sorted({n.rsplit(".", 1)[-1] for n in wrapped})
    check(len(wrapped) == n_layers * len(cfg["target_modules"]) and suffixes == sorted(cfg["target_modules"]),
          f"PEFT wrapped {len(wrapped)} modules ({n_layers} layers x {len(cfg['target_modules'])} targets: {suffixes})")
    scalings = {m.scaling["default"] for m in wrapped.values()}
    want_scaling = cfg["lora_alpha"] / cfg["r"]
    check(scalings == {want_scaling}, f"PEFT scaling {sorted(scalings)} = lora_alpha / r = {want_scaling}")
    dropouts = {type(m.lora_dropout["default"]).__name__ for m in wrapped.values()}
    check(dropouts == {"Identity"}, f"PEFT lora_dropout modules: {sorted(dropouts)}")

    sd = model.state_dict()
    mismatched, missing = [], []
    for k, v in tensors.items():
        pk = k.replace(".lora_A.weight", ".lora_A.default.weight").replace(".lora_B.weight", ".lora_B.default.weight")
        if pk not in sd:
            missing.append(k)
        elif not np.array_equal(sd[pk].detach().cpu().numpy(), v):
            mismatched.append(k)
    extra = [k for k in sd if ".lora_" in k and k.replace(".default.weight", ".weight") not in tensors]
    check(not missing and not mismatched and not extra,
          f"PEFT's lora_A/lora_B equal adapter_model.safetensors bit for bit ({len(tensors)} tensors; "
          f"missing {len(missing)}, differing {len(mismatched)}, unloaded PEFT tensors {len(extra)})")
    print()

    def torch_scores(ids):
        with torch.no_grad():
            logits = model(input_ids=torch.tensor([ids])).logits[0].float()
        lp = torch.log_softmax(logits, dim=-1)
        nxt = lp[:-1].gather(1, torch.tensor(ids[1:]).unsqueeze(1)).squeeze(1)
        ent = -(lp[:-1].exp() * lp[:-1]).sum(-1)
        return nxt.numpy().astype(np.float64), ent.numpy().astype(np.float64)

    print("## 4. next-token log-probs, Tina vs PEFT (Tina's token ids)")
    worst = {"on": 0.0, "off": 0.0}
    worst_ent = {"on": 0.0, "off": 0.0}
    effect = 0.0
    for i, (text, row) in enumerate(zip(TEXTS, tina)):
        ids = row["on"]["tokens"]
        print(f"  text {i + 1}: {json.dumps(text)} -> {len(ids)} tokens")
        res = {}
        for name in ("on", "off"):
            if name == "on":
                lp, ent = torch_scores(ids)
            else:
                with model.disable_adapter():
                    lp, ent = torch_scores(ids)
            t_lp = np.array(row[name]["logprobs"], dtype=np.float64)
            t_ent = np.array(row[name]["entropies"], dtype=np.float64)
            if t_lp.shape != lp.shape:
                check(False, f"text {i + 1} adapter {name}: Tina scored {t_lp.shape[0]} tokens, PEFT {lp.shape[0]}")
                continue
            d = float(np.abs(t_lp - lp).max())
            de = float(np.abs(t_ent - ent).max())
            dt = abs(float(t_lp.sum()) - float(lp.sum()))
            worst[name] = max(worst[name], d)
            worst_ent[name] = max(worst_ent[name], de)
            res[name] = lp
            print(f"    adapter {name:3s}: total logp tina {t_lp.sum():.6f} peft {lp.sum():.6f} (|d| {dt:.2e}); "
                  f"max |d logp| {d:.3e}, max |d entropy| {de:.3e}")
        if "on" in res and "off" in res:
            e = float(np.abs(res["on"] - res["off"]).max())
            effect = max(effect, e)
            print(f"    adapter effect (PEFT on vs off): max |d logp| {e:.3e}")
    print()
    print("## summary")
    check(worst["on"] <= args.tol, f"max |d logp| with the adapter    {worst['on']:.3e} <= {args.tol:g}"
          f"  (max |d entropy| {worst_ent['on']:.3e})")
    check(worst["off"] <= args.tol, f"max |d logp| without the adapter {worst['off']:.3e} <= {args.tol:g}"
          f"  (max |d entropy| {worst_ent['off']:.3e})")
    check(effect > 10 * args.tol, f"the adapter moves the log-probs by up to {effect:.3e} (> 10 x tol), "
          f"so the comparison is not vacuous")
    print("  [skip] tina merge: needs a Hugging Face directory as --model; the base here is a GGUF file")
    print()
    print("RESULT:", "PASS" if not failures else f"FAIL ({len(failures)} checks: {'; '.join(failures)})")
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main())
