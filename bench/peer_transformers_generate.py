#!/usr/bin/env python3
"""transformers generate peer: aggregate tokens/s of `model.generate` on a batch of N sequences, CPU (the peer of
`tina bench generate`, Sources/TinaBench/GenerationBench.swift).

Written against torch 2.13.0+cpu, transformers 5.24.0, gguf 0.19.0 (the /work/venv of the other peers).

    /work/venv/bin/python bench/peer_transformers_generate.py (--random-shape smollm2|1.5b | --model PATH.gguf)
        [--layers L] [--dtype bf16|f32] [--concurrency 1,16,64] [--prompt-tokens 200] [--min-new 64]
        [--max-new 192] [--temperature 0.7] [--seed 1] [--threads 2] [--warmup-new 4] [--output generate.json]

Model (exactly one of; sdpa attention, eval mode, weights and activations in --dtype):
  --random-shape smollm2  LlamaForCausalLM, config read from the metadata of ../shared/models/smollm2-135m-instruct/
                          SmolLM2-135M-Instruct.Q4_1.gguf, random weights normal(0, 0.02) (norms 1), built on the
                          meta device as bench/peer_peft_train.py does (tied lm_head).
  --random-shape 1.5b     Qwen2ForCausalLM at the DeepSeek-R1-Distill-Qwen-1.5B shape (../shared/models/deepseek-r1-
                          distill-qwen-1.5b/config.json), the first --layers L layers (default all 28), random weights.
  --model PATH.gguf       real weights from a GGUF (e.g. /tmp/smollm2-bf16.gguf, what `tina bench generate --model`
                          loads), read by transformers with gguf_file= and GgufConfig(dequantize=True), so every
                          projection is a plain nn.Linear in --dtype. Loading takes ~15 s for SmolLM2.
Speed does not depend on the weight values: random weights of the same shape measure the same work (EOS is disabled
either way, see below, so real weights cannot stop a sequence early).

What one concurrency level N measures, mirroring GenerationBench.swift:
  prompts       N rows of exactly --prompt-tokens token ids, row b = [(t*7919 + b*104729 + 13) % vocab], all the
                same length so no padding is needed (attention_mask all ones). Tina's prompts are
                P + (b*37) % 21 - 10 tokens (P-10..P+10, about the same total).
  per-sequence  "useful" lengths are exactly Tina's: min_new + (b*7919) % max(1, max_new - min_new + 1), b = 0..N-1.
  generate      one model.generate(input_ids [N, P], attention_mask, generation_config) call: do_sample=True,
                temperature --temperature (default 0.7, Tina's rollout bench temperature; the value does not change
                the work), top_k=0, top_p=1.0 (plain temperature sampling, no top-k/top-p warpers),
                max_new_tokens = the longest of the N lengths (--batch-new longest, the default: what a static
                batch needs to finish every row; 64 at N=1, 185 at N=16, 192 at N=64 with 64..192) or --max-new
                (--batch-new max-new), use_cache=True (default DynamicCache), torch.manual_seed(--seed) before each
                level. transformers runs a static batch until its longest row is done, so every row decodes
                max_new_tokens tokens: raw tokens = N * max_new_tokens. Tina's continuous batching drops rows as
                they reach their length, so "useful" tokens (the ones Tina generates) are also counted, and
                useful_tok_per_s is the number to put beside Tina's tokensPerSecond.
  EOS           disabled: model.generation_config.eos_token_id = None as well as eos_token_id=None in the passed
                GenerationConfig. (transformers 5.x fills every None field of a passed GenerationConfig from
                model.generation_config, so eos_token_id=None in the passed config alone would NOT disable it.)
                Every output is checked to be exactly P + max_new_tokens long.
  timing        time.perf_counter around generate (prefill included): seconds. prefill_s = from the call to the
                first logits-processor call (the prompt forward and generate's setup); decode_s = the rest.
                useful_tok_per_s = useful tokens / seconds; raw_tok_per_s = N * max_new_tokens / seconds.
  memory        peak_rss_mib = ru_maxrss during the level (the high-water mark is reset through
                /proc/self/clear_refs before each level, so it is this level's peak with the model resident);
                process_peak_rss_mib = the largest ru_maxrss so far (model loading and earlier levels included),
                which is what Tina's peakResidentMiB is (levels share one process there too).
  other load    CPU cores other processes used during the level (bench/peer_common.OtherLoad); well above 0.1 means
                the level was disturbed ("warning" is set then). No retries: a level can take minutes.
Before the levels, one warm-up generate (1 row, P tokens, --warmup-new tokens; 0 skips it): oneDNN primitive
creation and the first allocations. Levels run in the order given, in one process.

JSON (stdout, and --output): versions, CPU, threads, dtype, model, parameters, settings, and per level: sequences,
prompt tokens, useful and raw tokens, seconds (prefill/decode split), useful and raw tok/s, peak RSS, other load.
Progress lines go to stderr.
"""
import argparse
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
MODELS_DIR = os.path.join(HERE, "..", "..", "shared", "models")
SMOLLM2_DIR = os.path.join(MODELS_DIR, "smollm2-135m-instruct")
SMOLLM2_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
R1_CONFIG = os.path.join(MODELS_DIR, "deepseek-r1-distill-qwen-1.5b", "config.json")


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--random-shape", choices=("smollm2", "1.5b"), help="random weights at this shape")
    src.add_argument("--model", help="a GGUF file (real weights, unpacked to --dtype at load time)")
    p.add_argument("--layers", type=int, default=0, help="--random-shape 1.5b: keep the first L layers (0 = all)")
    p.add_argument("--dtype", choices=("bf16", "f32"), default="bf16")
    p.add_argument("--concurrency", default="1,16,64", help="comma-separated batch sizes (sequences at once)")
    p.add_argument("--prompt-tokens", type=int, default=200)
    p.add_argument("--min-new", type=int, default=64)
    p.add_argument("--max-new", type=int, default=192)
    p.add_argument("--batch-new", choices=("longest", "max-new"), default="longest",
                   help="max_new_tokens of each generate call: the longest of the N lengths, or --max-new")
    p.add_argument("--temperature", type=float, default=0.7)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--threads", type=int, default=2, help="torch threads (also OMP/MKL_NUM_THREADS)")
    p.add_argument("--warmup-new", type=int, default=4, help="tokens of the 1-row warm-up generate (0: none)")
    p.add_argument("--smollm2-config-gguf", default=os.path.join(SMOLLM2_DIR, SMOLLM2_GGUF),
                   help="--random-shape smollm2: the GGUF whose metadata gives the config")
    p.add_argument("--r1-config", default=R1_CONFIG)
    p.add_argument("--max-other-load", type=float, default=0.1)
    p.add_argument("--output", default=None)
    args = p.parse_args()
    try:
        levels = [int(x) for x in args.concurrency.split(",") if x.strip()]
    except ValueError:
        p.error(f"--concurrency must be comma-separated integers, got {args.concurrency!r}")
    if not levels or min(levels) < 1:
        p.error("--concurrency needs positive integers")
    if args.prompt_tokens < 1 or args.min_new < 1:
        p.error("--prompt-tokens and --min-new must be positive")
    if args.layers and args.random_shape != "1.5b":
        p.error("--layers applies to --random-shape 1.5b only")
    args.levels = levels
    args.max_new = max(args.min_new, args.max_new)  # as `tina bench generate` does
    return args


ARGS = parse_args()
# Before torch (and its OpenMP / MKL runtimes) is imported.
for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ[var] = str(ARGS.threads)
os.environ.setdefault("TQDM_DISABLE", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import json  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

import torch  # noqa: E402

torch.set_num_threads(ARGS.threads)
import transformers  # noqa: E402
from transformers import AutoConfig, AutoModelForCausalLM, GenerationConfig, LogitsProcessor  # noqa: E402

sys.path.insert(0, HERE)
from peer_common import OtherLoad, cpu_name, peak_rss_mib  # noqa: E402
from peer_peft_train import build_random, reset_peak_rss, rss_mib, versions  # noqa: E402

transformers.utils.logging.set_verbosity_error()
transformers.utils.logging.disable_progress_bar()
warnings.filterwarnings("ignore", category=UserWarning)

DTYPES = {"bf16": torch.bfloat16, "f32": torch.float32}


def log(msg):
    print(f"# {msg}", file=sys.stderr, flush=True)


def build(args, dtype):
    """The model and a description; layers, full layers."""
    if args.model:
        from transformers import GgufConfig
        folder, name = os.path.split(os.path.abspath(args.model))
        model = AutoModelForCausalLM.from_pretrained(
            folder, gguf_file=name, dtype=dtype, attn_implementation="sdpa",
            quantization_config=GgufConfig(gguf_file=name, dequantize=True))
        layers = full = model.config.num_hidden_layers
        desc = f"{name} (real weights, unpacked to {args.dtype} by transformers at load time)"
    elif args.random_shape == "smollm2":
        folder, name = os.path.split(os.path.abspath(args.smollm2_config_gguf))
        config = AutoConfig.from_pretrained(folder, gguf_file=name)
        layers = full = config.num_hidden_layers
        model = build_random(config, dtype, torch)
        desc = f"random SmolLM2-135M shape (config from the metadata of {name})"
    else:
        config = AutoConfig.from_pretrained(os.path.dirname(os.path.abspath(args.r1_config)))
        full = config.num_hidden_layers
        layers = min(args.layers or full, full)
        config.num_hidden_layers = layers
        if getattr(config, "layer_types", None):
            config.layer_types = config.layer_types[:layers]
        model = build_random(config, dtype, torch)
        desc = f"random DeepSeek-R1-Distill-Qwen-1.5B shape, {layers}/{full} layers"
    for pname, p in model.named_parameters():
        assert p.dtype == dtype and p.device.type == "cpu" and not p.is_meta, (pname, p.dtype, p.device)
    return model.eval(), desc, layers, full


class FirstCall(LogitsProcessor):
    """Records when generate first asks for the next-token scores: the end of the prompt forward."""

    def __init__(self):
        self.at = None

    def __call__(self, input_ids, scores):
        if self.at is None:
            self.at = time.perf_counter()
        return scores


def useful_lengths(n, min_new, max_new):
    """Tina's per-sequence completion lengths (GenerationBench.swift)."""
    return [min_new + (i * 7919) % max(1, max_new - min_new + 1) for i in range(n)]


def prompts(n, length, vocab):
    return torch.tensor([[(t * 7919 + b * 104729 + 13) % vocab for t in range(length)] for b in range(n)])


def generate(model, ids, new_tokens, args):
    config = GenerationConfig(do_sample=True, temperature=args.temperature, top_k=0, top_p=1.0,
                              max_new_tokens=new_tokens, min_new_tokens=None, eos_token_id=None,
                              pad_token_id=0, use_cache=True)
    first = FirstCall()
    torch.manual_seed(args.seed)
    with torch.inference_mode():
        t0 = time.perf_counter()
        out = model.generate(input_ids=ids, attention_mask=torch.ones_like(ids), generation_config=config,
                             logits_processor=[first])
        seconds = time.perf_counter() - t0
    assert out.shape == (ids.shape[0], ids.shape[1] + new_tokens), (tuple(out.shape), new_tokens)
    return seconds, (first.at - t0) if first.at else float("nan")


def main():
    args = ARGS
    dtype = DTYPES[args.dtype]
    start = time.perf_counter()
    model, desc, layers, full = build(args, dtype)
    build_s = time.perf_counter() - start
    # transformers 5.x fills a passed GenerationConfig's None fields from model.generation_config: unset it there.
    model.generation_config.eos_token_id = None
    params = sum(p.numel() for p in model.parameters())
    vocab = model.config.vocab_size
    load_peak = peak_rss_mib()
    process_peak = load_peak
    log(f"model: {desc}, {type(model).__name__}, {params / 1e6:.1f} M params, {args.dtype}, built in {build_s:.1f} s; "
        f"torch {torch.__version__}, transformers {transformers.__version__}, {torch.get_num_threads()} threads")

    warmup_s = None
    if args.warmup_new > 0:
        warmup_s, _ = generate(model, prompts(1, args.prompt_tokens, vocab), args.warmup_new, args)
        log(f"warm-up: 1 x ({args.prompt_tokens} + {args.warmup_new}) tokens in {warmup_s:.2f} s")
    process_peak = max(process_peak, peak_rss_mib())

    results = []
    for n in args.levels:
        ids = prompts(n, args.prompt_tokens, vocab)
        lengths = useful_lengths(n, args.min_new, args.max_new)
        batch_new = max(lengths) if args.batch_new == "longest" else args.max_new
        useful, raw = sum(lengths), n * batch_new
        rss_reset = reset_peak_rss()
        load = OtherLoad()
        seconds, prefill = generate(model, ids, batch_new, args)
        other = load.cores()
        level_peak = peak_rss_mib()
        process_peak = max(process_peak, level_peak)
        r = {"sequences": n, "prompt_tokens": n * args.prompt_tokens, "max_new_tokens": batch_new,
             "useful_tokens": useful, "raw_tokens": raw, "seconds": round(seconds, 3),
             "prefill_s": round(prefill, 3), "decode_s": round(seconds - prefill, 3),
             "useful_tok_per_s": round(useful / seconds, 2), "raw_tok_per_s": round(raw / seconds, 2),
             "peak_rss_mib": round(level_peak, 1), "process_peak_rss_mib": round(process_peak, 1),
             "rss_reset": rss_reset, "rss_after_mib": round(rss_mib(), 1), "other_load_cores": round(other, 3)}
        if other > args.max_other_load:
            r["warning"] = f"other processes used {other:.2f} cores (> {args.max_other_load})"
        results.append(r)
        log(f"generate {n} x ({args.prompt_tokens} + {batch_new}) tokens: {seconds:.2f} s "
            f"(prefill {prefill:.2f} s, decode {seconds - prefill:.2f} s): useful {useful} tokens = "
            f"{r['useful_tok_per_s']:.1f} tok/s, raw {raw} = {r['raw_tok_per_s']:.1f} tok/s, "
            f"peak RSS {level_peak:.0f} MiB, other load {other:.2f} cores")

    result = {"peer": f"transformers {transformers.__version__} generate (CPU)", **versions(),
              "cpu": cpu_name(platform_fallback=False), "threads": torch.get_num_threads(),
              "omp_num_threads_env": os.environ.get("OMP_NUM_THREADS"),
              "model": desc, "architecture": type(model).__name__, "dtype": args.dtype,
              "attn_implementation": model.config._attn_implementation, "layers": layers, "full_layers": full,
              "params": params, "vocab_size": vocab,
              "prompt_tokens": args.prompt_tokens, "min_new": args.min_new, "max_new": args.max_new,
              "sampling": {"do_sample": True, "temperature": args.temperature, "top_k": 0, "top_p": 1.0,
                           "seed": args.seed},
              "eos": "disabled (generation_config.eos_token_id = None)", "kv_cache": "DynamicCache (default)",
              "batching": f"static: every row runs max_new_tokens ({args.batch_new}); "
                          "useful tokens = Tina's per-sequence lengths",
              "build_s": round(build_s, 3), "warmup_new_tokens": args.warmup_new,
              "warmup_s": round(warmup_s, 3) if warmup_s is not None else None,
              "load_peak_rss_mib": round(load_peak, 1), "levels": results}
    print(json.dumps(result), flush=True)
    if args.output:
        with open(args.output, "w") as f:
            json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()
