#!/usr/bin/env python3
"""PyTorch + PEFT LoRA training peer: forward + backward tokens/s and peak RSS on CPU (issue 10's benchmark).

Written against torch 2.13.0+cpu, transformers 5.24.0, peft 0.21.2, gguf 0.19.0
(tools/reference/requirements-bench-train.txt).

    /work/venv/bin/python bench/peer_peft_train.py [--models smollm2,r1-1.5b] [--dtype bf16[,f32]]
        [--shapes 512x4,2048x1 | --seq S --batch B] [--layers 4] [--threads 2] [--runs 2]
        [--lora-dtype peft|model] [--smollm2-weights gguf|random] [--budget 180] [--output peft-train.json]

Models (sdpa attention, use_cache=False, gradient checkpointing off, model.train()):
  smollm2  LlamaForCausalLM from ../shared/models/smollm2-135m-instruct/SmolLM2-135M-Instruct.Q4_1.gguf, loaded by
           transformers with gguf_file= and GgufConfig(dequantize=True): the Q4_1 blocks are unpacked at load time
           into plain nn.Linear weights in --dtype (transformers 5.24 would otherwise keep them packed in GgufLinear
           modules, which PEFT cannot wrap). All 30 layers, tied lm_head. --smollm2-weights random: the same config
           (read from the GGUF metadata) with random weights instead; speed does not depend on the values.
  r1-1.5b  Qwen2ForCausalLM at the DeepSeek-R1-Distill-Qwen-1.5B shape (../shared/models/deepseek-r1-distill-
           qwen-1.5b/config.json), the first --layers L layers (default 4), built on the meta device, to_empty(),
           parameters filled with normal(0, 0.02) (norms 1), as bench/peer_transformers_prefill.py does.
LoRA (peft.get_peft_model, torch.manual_seed(0) first): LoraConfig(r=32, lora_alpha=128, lora_dropout=0.05,
bias="none", target_modules q/k/v/o/gate/up/down_proj) in every layer; the base is frozen (PEFT sets
requires_grad=False on every non-LoRA parameter, including embeddings and lm_head). dtype policy: base weights and
activations in --dtype (no autocast). PEFT's default (get_peft_model(autocast_adapter_dtype=True)) upcasts bf16/f16
adapter weights to f32, and its LoRA forward casts the layer input to the adapter's dtype, so in bf16 the LoRA branch
B(A(dropout(x))) runs in f32 and is added to the bf16 base output, then cast back to bf16. --lora-dtype peft (the
default) keeps that; --lora-dtype model passes autocast_adapter_dtype=False (bf16 adapters, bf16 LoRA branch).

One training step on pseudo-random token ids [batch, seq]: logits = model(ids).logits (all positions, --dtype);
loss = sum over b, t < seq-1 of -log_softmax(logits[b, t].float())[ids[b, t+1]] (F.cross_entropy(reduction="sum") on
logits upcast to f32, as transformers' SFT loss does, but summed rather than averaged, i.e. minus the sum of the
next-token log-probs); loss.backward(); then torch.optim.AdamW(LoRA parameters, lr=1e-4) step and
zero_grad(set_to_none=True). Forward, backward and the optimizer step are timed separately. tokens = batch x seq
(every input position goes through forward and backward). Headline tok/s = tokens / best (forward + backward), the
optimizer step excluded; "tok/s +opt" includes it. One warm-up step (allocates AdamW state, oneDNN primitives), then
--runs timed steps; a step during which other processes used more than --max-other-load cores (/proc/stat) is not
counted and another is made (at most --retries extra steps, --retry-wait s apart); best = the fastest counted step,
and its forward/backward split is reported; other_load_cores = the worst load among the counted steps (the least
disturbed step, with "warning" set, if none is clean). If the warm-up step predicts that the timed steps would take
more than --budget seconds, the configuration is reported with the warm-up only and "skipped" set.

Each configuration (model, dtype, shape) runs in its own child process, so peak RSS is per configuration:
peak_rss_mib = resource.getrusage(RUSAGE_SELF).ru_maxrss over the training steps (warm-up included; the model and
everything resident count), after the high-water mark was reset (write 5 to /proc/self/clear_refs) once the model was
built and wrapped; load_peak_rss_mib = ru_maxrss before that reset (model loading, e.g. the GGUF unpacking); if the
reset is not possible, peak_rss_mib is the whole-process peak and "rss_reset" is false. gflop_est is a model-FLOP
estimate per step: frozen linears 4·T·in·out (forward + input gradient, no weight gradient, lm_head included),
LoRA 6·T·r·(in+out) per adapted projection, attention causal 2·B·S²·heads·head_dim forward and twice that backward.
Prints a table and writes JSON (--output): versions, CPU name, threads, per-configuration results.
"""
import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time

from peer_common import OtherLoad, cpu_name, peak_rss_mib, init_random_

HERE = os.path.dirname(os.path.abspath(__file__))
MODELS_DIR = os.path.join(HERE, "..", "..", "shared", "models")
SMOLLM2_DIR = os.path.join(MODELS_DIR, "smollm2-135m-instruct")
SMOLLM2_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
R1_CONFIG = os.path.join(MODELS_DIR, "deepseek-r1-distill-qwen-1.5b", "config.json")
MODELS = ("smollm2", "r1-1.5b")
TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
LORA = {"r": 32, "lora_alpha": 128, "lora_dropout": 0.05}


def rss_mib():
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    return float("nan")


def reset_peak_rss():
    """Reset the RSS high-water mark (Linux >= 4.0); True when ru_maxrss now starts from the current RSS."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        return False
    return peak_rss_mib() <= rss_mib() * 1.05 + 16


# ---------------------------------------------------------------- worker: one configuration in this process

def build_random(config, dtype, torch):
    from transformers import AutoModelForCausalLM
    config._attn_implementation = "sdpa"
    with torch.device("meta"):
        model = AutoModelForCausalLM.from_config(config, dtype=dtype, attn_implementation="sdpa")
    model.to_empty(device="cpu")
    if getattr(config, "tie_word_embeddings", False):
        model.tie_weights()
    init_random_(model, torch)
    return model


def build(args, torch):
    from transformers import AutoConfig, AutoModelForCausalLM
    dtype = {"bf16": torch.bfloat16, "f32": torch.float32}[args.dtype]
    if args.model == "smollm2":
        if args.smollm2_weights == "gguf":
            from transformers import GgufConfig
            model = AutoModelForCausalLM.from_pretrained(
                args.smollm2_dir, gguf_file=args.smollm2_gguf, dtype=dtype, attn_implementation="sdpa",
                quantization_config=GgufConfig(gguf_file=args.smollm2_gguf, dequantize=True))
            weights = f"{args.smollm2_gguf} (Q4_1 unpacked by transformers at load time, GgufConfig(dequantize=True))"
        else:
            config = AutoConfig.from_pretrained(args.smollm2_dir, gguf_file=args.smollm2_gguf)
            model = build_random(config, dtype, torch)
            weights = f"random normal(0, 0.02), config from the metadata of {args.smollm2_gguf}"
        layers = model.config.num_hidden_layers
        full_layers = layers
    else:
        config = AutoConfig.from_pretrained(os.path.dirname(os.path.abspath(args.r1_config)))
        full_layers = config.num_hidden_layers
        layers = args.layers or full_layers
        config.num_hidden_layers = layers
        if getattr(config, "layer_types", None):
            config.layer_types = config.layer_types[:layers]
        model = build_random(config, dtype, torch)
        weights = f"random normal(0, 0.02), config {os.path.relpath(args.r1_config)}"
    for name, p in model.named_parameters():
        assert p.dtype == dtype, (name, p.dtype)
        assert p.device.type == "cpu" and not p.is_meta, name
    return model, weights, layers, full_layers


def gflop_estimate(model, cfg, batch, seq, r):
    """Model FLOPs of one LoRA step (frozen base): see the module docstring."""
    import torch.nn as nn
    tokens = batch * seq
    frozen = lora = 0
    for name, module in model.named_modules():
        if isinstance(module, nn.Linear) and "lora_" not in name:
            frozen += 4 * tokens * module.in_features * module.out_features
    for name, module in model.named_modules():
        if hasattr(module, "lora_A") and hasattr(module, "base_layer") and len(module.lora_A):
            lora += 6 * tokens * r * (module.in_features + module.out_features)
    head_dim = getattr(cfg, "head_dim", None) or cfg.hidden_size // cfg.num_attention_heads
    attn_fwd = 2 * batch * seq * seq * cfg.num_attention_heads * head_dim * cfg.num_hidden_layers  # causal half
    return (frozen + lora + 3 * attn_fwd) / 1e9


def worker(args):
    import warnings
    os.environ.setdefault("TQDM_DISABLE", "1")  # the GGUF unpacking progress bar
    warnings.filterwarnings("ignore", message=".*is_gradient_checkpointing.*", category=FutureWarning)  # peft
    import torch
    import torch.nn.functional as F
    import transformers
    import peft
    from peft import LoraConfig, get_peft_model
    transformers.utils.logging.disable_progress_bar()
    torch.set_num_threads(args.threads)

    start = time.perf_counter()
    model, weights, layers, full_layers = build(args, torch)
    build_s = time.perf_counter() - start
    base_params = sum(p.numel() for p in model.parameters())
    torch.manual_seed(0)
    lora_config = LoraConfig(r=LORA["r"], lora_alpha=LORA["lora_alpha"], lora_dropout=LORA["lora_dropout"],
                             bias="none", target_modules=TARGETS, task_type="CAUSAL_LM")
    model = get_peft_model(model, lora_config, autocast_adapter_dtype=(args.lora_dtype == "peft"))
    model.config.use_cache = False
    model.train()
    base = model.get_base_model()
    # gradient checkpointing off (is_gradient_checkpointing is a deprecated alias in transformers 5.x)
    assert not (base.is_activation_checkpointing if hasattr(type(base), "is_activation_checkpointing")
                else base.is_gradient_checkpointing)
    cfg = base.config
    trainable = [p for p in model.parameters() if p.requires_grad]
    names = [n for n, p in model.named_parameters() if p.requires_grad]
    assert names and all("lora_A" in n or "lora_B" in n for n in names), names[:4]
    adapted = sum(1 for m in model.modules() if hasattr(m, "lora_A") and len(getattr(m, "lora_A", {})))
    assert adapted == 7 * layers, (adapted, layers)
    lora_dtypes = sorted({str(p.dtype).replace("torch.", "") for p in trainable})
    optimizer = torch.optim.AdamW(trainable, lr=1e-4)
    ids = torch.tensor([[(i * 7919 + b * 104729 + 13) % cfg.vocab_size for i in range(args.seq)]
                        for b in range(args.batch)])
    targets = ids[:, 1:].reshape(-1)
    tokens = args.batch * args.seq
    rss_built = rss_mib()
    load_peak = peak_rss_mib()
    rss_reset = reset_peak_rss()

    def step():
        t0 = time.perf_counter()
        logits = model(input_ids=ids, use_cache=False).logits
        loss = F.cross_entropy(logits[:, :-1].float().reshape(-1, logits.shape[-1]), targets, reduction="sum")
        t1 = time.perf_counter()
        loss.backward()
        t2 = time.perf_counter()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        t3 = time.perf_counter()
        assert logits.dtype == next(base.parameters()).dtype and torch.isfinite(loss), (logits.dtype, loss)
        return {"forward_s": t1 - t0, "backward_s": t2 - t1, "optimizer_s": t3 - t2, "loss": loss.item()}

    warm = step()
    warm_fb = warm["forward_s"] + warm["backward_s"]
    result = {"model": args.model, "dtype": args.dtype, "seq": args.seq, "batch": args.batch, "tokens": tokens,
              "weights": weights, "architecture": type(base).__name__, "layers": layers, "full_layers": full_layers,
              "attn_implementation": cfg._attn_implementation, "vocab_size": cfg.vocab_size,
              "base_params": base_params, "lora_params": sum(p.numel() for p in trainable),
              "lora_modules": adapted, "lora_param_dtypes": lora_dtypes, "lora_dtype_policy": args.lora_dtype,
              "build_s": round(build_s, 3), "warmup": {k: round(v, 4) for k, v in warm.items()},
              "rss_after_build_mib": round(rss_built, 1), "load_peak_rss_mib": round(load_peak, 1),
              "rss_reset": rss_reset}
    predicted = (warm_fb + warm["optimizer_s"]) * args.runs
    if predicted > args.budget:
        result["skipped"] = (f"warm-up step took {warm_fb + warm['optimizer_s']:.1f} s: {args.runs} timed steps "
                             f"predicted {predicted:.0f} s > --budget {args.budget:.0f} s")
        result["peak_rss_mib"] = round(peak_rss_mib(), 1)
        result["warmup_tok_per_s"] = round(tokens / warm_fb, 2)
        return result

    runs, loads = [], []
    while sum(l <= args.max_other_load for l in loads) < args.runs and len(runs) < args.runs + args.retries:
        if loads and loads[-1] > args.max_other_load:
            time.sleep(args.retry_wait)
        load = OtherLoad(children=True)
        runs.append(step())
        loads.append(load.cores())
    counted = [i for i, l in enumerate(loads) if l <= args.max_other_load]
    other = max(loads[i] for i in counted) if counted else min(loads)
    pool = counted or list(range(len(runs)))
    best_i = min(pool, key=lambda i: runs[i]["forward_s"] + runs[i]["backward_s"])
    best = runs[best_i]
    best_fb = best["forward_s"] + best["backward_s"]
    best_opt = min(runs[i]["optimizer_s"] for i in pool)
    gflop = gflop_estimate(model, cfg, args.batch, args.seq, LORA["r"])
    result.update({
        "runs": [{k: round(v, 4) for k, v in r.items()} for r in runs],
        "runs_other_load_cores": [round(l, 3) for l in loads], "clean_runs": len(counted),
        "best_forward_s": round(best["forward_s"], 4), "best_backward_s": round(best["backward_s"], 4),
        "best_fwd_bwd_s": round(best_fb, 4), "best_optimizer_s": round(best_opt, 5),
        "tok_per_s": round(tokens / best_fb, 2), "tok_per_s_with_optimizer": round(tokens / (best_fb + best_opt), 2),
        "gflop_est": round(gflop, 1), "gflops_est": round(gflop / best_fb, 1),
        "peak_rss_mib": round(peak_rss_mib(), 1), "other_load_cores": round(other, 3)})
    if not counted:
        result["warning"] = f"every timed step saw other processes use more than {args.max_other_load} cores"
    return result


# ---------------------------------------------------------------- driver: one child process per configuration

def versions():
    from importlib import metadata
    out = {"python": platform.python_version()}
    for dist in ("torch", "transformers", "peft", "gguf", "safetensors", "accelerate", "numpy"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[dist] = None
    return out


def parse_shapes(args):
    if args.seq or args.batch:
        return [(args.seq or 512, args.batch or 1)]
    shapes = []
    for item in args.shapes.split(","):
        seq, batch = item.lower().split("x")
        shapes.append((int(seq), int(batch)))
    return shapes


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default="smollm2,r1-1.5b", help=f"comma-separated, of {', '.join(MODELS)}")
    parser.add_argument("--dtype", default="bf16", help="bf16, f32 or both comma-separated (weights and compute)")
    parser.add_argument("--shapes", default="512x4,2048x1", help="comma-separated SEQxBATCH")
    parser.add_argument("--seq", type=int, default=None, help="one shape: sequence length (overrides --shapes)")
    parser.add_argument("--batch", type=int, default=None, help="one shape: batch (overrides --shapes)")
    parser.add_argument("--layers", type=int, default=4, help="r1-1.5b: keep the first L layers (0 = all 28)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--runs", type=int, default=2, help="timed steps after the warm-up (best reported)")
    parser.add_argument("--lora-dtype", choices=("peft", "model"), default="peft",
                        help="peft: PEFT's default (bf16 adapters upcast to f32); model: adapters in --dtype")
    parser.add_argument("--smollm2-weights", choices=("gguf", "random"), default="gguf")
    parser.add_argument("--smollm2-dir", default=SMOLLM2_DIR)
    parser.add_argument("--smollm2-gguf", default=SMOLLM2_GGUF)
    parser.add_argument("--r1-config", default=R1_CONFIG)
    parser.add_argument("--budget", type=float, default=180.0,
                        help="skip the timed steps of a configuration predicted (from its warm-up) to exceed this (s)")
    parser.add_argument("--max-other-load", type=float, default=0.1,
                        help="a step during which other processes used more cores than this is not counted")
    parser.add_argument("--retries", type=int, default=2, help="extra steps allowed to replace disturbed ones")
    parser.add_argument("--retry-wait", type=float, default=5.0)
    parser.add_argument("--output", default=None, help="JSON path (default: none)")
    parser.add_argument("--worker", default=None, help=argparse.SUPPRESS)  # internal: MODEL,DTYPE,SEQ,BATCH,OUT
    args = parser.parse_args()

    if args.worker:
        model, dtype, seq, batch, out = args.worker.split(",", 4)
        args.model, args.dtype, args.seq, args.batch = model, dtype, int(seq), int(batch)
        result = worker(args)
        with open(out, "w") as f:
            json.dump(result, f)
        return

    models = args.models.split(",")
    dtypes = args.dtype.split(",")
    for m in models:
        if m not in MODELS:
            parser.error(f"unknown model {m!r} (choose from {', '.join(MODELS)})")
    for d in dtypes:
        if d not in ("bf16", "f32"):
            parser.error(f"unknown dtype {d!r} (bf16 or f32)")
    shapes = parse_shapes(args)
    info = {"peer": "PyTorch + PEFT LoRA forward + backward (CPU)", **versions(), "cpu": cpu_name(),
            "threads": args.threads, "omp_num_threads_env": os.environ.get("OMP_NUM_THREADS"),
            "lora": {**LORA, "target_modules": TARGETS, "bias": "none"}, "lora_dtype_policy": args.lora_dtype,
            "loss": "sum over positions of -log p(next token), logits upcast to f32 (F.cross_entropy, sum)",
            "gradient_checkpointing": False, "runs": args.runs, "max_other_load": args.max_other_load,
            "r1_layers": args.layers or "all", "smollm2_weights": args.smollm2_weights, "results": []}
    print(f"# torch {info['torch']}, transformers {info['transformers']}, peft {info['peft']}, "
          f"threads {args.threads}, CPU {info['cpu']}", flush=True)
    header = (f"{'model':8} {'dtype':5} {'seq':>5} {'batch':>5} {'fwd s':>8} {'bwd s':>8} {'fwd+bwd s':>9} "
              f"{'tok/s':>8} {'opt ms':>7} {'tok/s+opt':>9} {'GFLOP/s':>8} {'peak RSS MiB':>12} {'load':>5}")
    rows = []
    total_load = OtherLoad(children=True)  # the driver's work is done by its (reaped) worker processes
    for model in models:
        for dtype in dtypes:
            for seq, batch in shapes:
                fd, path = tempfile.mkstemp(prefix="peft-train-", suffix=".json")
                os.close(fd)
                cmd = [sys.executable, os.path.abspath(__file__), *sys.argv[1:],
                       "--worker", f"{model},{dtype},{seq},{batch},{path}"]
                print(f"# {model} {dtype} seq {seq} batch {batch} ...", flush=True)
                start = time.perf_counter()
                proc = subprocess.run(cmd)
                wall = time.perf_counter() - start
                try:
                    with open(path) as f:
                        row = json.load(f)
                except (OSError, ValueError):
                    row = {"model": model, "dtype": dtype, "seq": seq, "batch": batch,
                           "error": f"worker exited with status {proc.returncode}"}
                finally:
                    os.unlink(path)
                row["wall_s"] = round(wall, 1)
                info["results"].append(row)
                rows.append(row)
                print(f"# done in {wall:.0f} s: " + json.dumps({k: row.get(k) for k in (
                    "tok_per_s", "peak_rss_mib", "lora_param_dtypes", "other_load_cores", "skipped", "error")
                    if k in row}), flush=True)
    info["other_load_cores"] = round(total_load.cores(), 3)
    print(header)
    print("-" * len(header))
    for r in rows:
        lead = f"{r['model']:8} {r['dtype']:5} {r['seq']:5} {r['batch']:5} "
        if "error" in r or "skipped" in r:
            print(lead + (r.get("error") or f"skipped ({r['skipped']}); peak RSS {r.get('peak_rss_mib')} MiB"))
            continue
        print(lead + f"{r['best_forward_s']:8.3f} {r['best_backward_s']:8.3f} {r['best_fwd_bwd_s']:9.3f} "
              f"{r['tok_per_s']:8.1f} {r['best_optimizer_s'] * 1e3:7.1f} {r['tok_per_s_with_optimizer']:9.1f} "
              f"{r['gflops_est']:8.1f} {r['peak_rss_mib']:12.1f} {r['other_load_cores']:5.2f}"
              + ("  (disturbed)" if "warning" in r else ""))
    print(f"# other processes used {info['other_load_cores']:.2f} cores on average during the run"
          + (" (NOT a clean measurement)" if info["other_load_cores"] > args.max_other_load else ""))
    if args.output:
        with open(args.output, "w") as f:
            json.dump(info, f, indent=1)
        print("wrote", args.output)


if __name__ == "__main__":
    main()
