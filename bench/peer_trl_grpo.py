#!/usr/bin/env python3
"""TRL GRPOTrainer + PEFT LoRA peer on the CPU: seconds per GRPO optimizer step (generation split out) and peak RSS.

Runs in its own venv so that /work/venv (transformers 5.24 / peft 0.21.2 for the other peers) is left alone:

    python3 -m venv /work/venv-trl
    /work/venv-trl/bin/pip install /opt/wheels/torch-2.13.0+cpu-*.whl -r bench/requirements-peer-trl.txt

    /work/venv-trl/bin/python bench/peer_trl_grpo.py --random-shape smollm2 --steps 3 --threads 2
    /work/venv-trl/bin/python bench/peer_trl_grpo.py --smollm2-gguf --steps 3 --threads 2
    /work/venv-trl/bin/python bench/peer_trl_grpo.py --random-shape 1.5b --steps 3 --threads 2
    /work/venv-trl/bin/python bench/peer_trl_grpo.py --model /path/to/hf-dir --steps 3 --threads 2

Model (exactly one of):
  --random-shape smollm2  LlamaForCausalLM, config read from the metadata of the SmolLM2-135M-Instruct GGUF, random
                          weights normal(0, 0.02) (norms 1), built on the meta device as bench/peer_peft_train.py does;
                          tokenizer (and its ChatML chat template) from the same GGUF.
  --random-shape 1.5b     Qwen2ForCausalLM at the DeepSeek-R1-Distill-Qwen-1.5B shape (../shared/models/deepseek-r1-
                          distill-qwen-1.5b/config.json), all 28 layers unless --layers, random weights; that
                          directory's tokenizer. It ships no chat template, so Tina's "deepseek-r1-early" template
                          (Sources/TinaTokenizers/ChatTemplate.swift) is set on the tokenizer.
  --smollm2-gguf          the real SmolLM2-135M-Instruct weights: the Q4_1 GGUF unpacked by transformers at load time
                          (GgufConfig(dequantize=True)) into plain nn.Linear weights in --dtype.
  --model DIR             a local Hugging Face directory (config, safetensors, tokenizer).
Random weights make the logits nearly uniform over the vocabulary, so EOS is (almost) never sampled and every
completion runs the full --max-completion-length tokens: a fixed, worst-case amount of work per step. With real
weights completions can stop early (completion_mean_length in the JSON says how long they were).

Training (TRL's GRPOTrainer, peft_config= so TRL itself calls get_peft_model): LoRA r=16, alpha=64, dropout 0.05,
bias none, q/k/v/o/gate/up/down_proj. 4 prompts x 4 generations per optimizer step (per_device_train_batch_size=16,
num_generations=4, gradient_accumulation_steps=1, so steps_per_generation=1 and generation_batch_size=16: one
generate call of 16 sequences per step), max_completion_length 64, temperature 0.7 (top_p 1, top_k 0: plain
temperature sampling), beta 0.04 (so each step also runs a reference forward with the adapter disabled),
num_iterations 1, epsilon 0.2, loss_type "grpo" and scale_rewards "group" (Tina's TRL 0.15.2 semantics; TRL >= 0.20
defaults to "dapo"), lr 5e-5, AdamW (TRL/transformers default adamw_torch), seed 42, no vLLM (transformers
generate, dynamic KV cache), gradient checkpointing off unless --gradient-checkpointing (TRL >= 0.2x GRPOConfig
defaults it to True; Trainer's and TRL 0.15.2's default was False), bf16=True (torch.autocast bf16 on the CPU) iff
--dtype bf16, use_cpu=True, report_to none, save_strategy no, logging_steps 1, dataloader_num_workers 0.
max_prompt_length 256 is passed only when the installed GRPOConfig still has it (TRL 1.x removed prompt truncation;
the arithmetic prompts are ~40-60 tokens, so it never truncates anyway).

Data: ../data/arithmetic/train.jsonl, prompt = [{"role": "user", "content": problem}] (optionally a system message,
--system-prompt open_r1); reward = 1.0 if the last number in the completion equals the "answer" column, else 0.0
(microseconds: reward cost is negligible).

Timing (a TrainerCallback plus two wrappers, all time.perf_counter):
  seconds_per_step      on_step_begin -> on_step_end of each optimizer step: prompt tokenization, generate, the
                        reward, the reference (adapter-disabled) log-prob forward, the policy forward + backward,
                        gradient clipping, AdamW step and LR scheduler step. Excludes the dataloader fetch and the
                        logging that happens after on_step_end (step_interval_s, end to end between consecutive
                        on_step_end calls, includes them).
  generate_s_per_step   time inside the policy's generate (the PeftModel instance's generate method is wrapped
                        before train(); TRL calls it through accelerator.unwrap_model, which returns the same object).
  rollout_s_per_step    time inside GRPOTrainer._generate_and_score_completions: generate + decode + reward +
                        reference log-probs + advantages (everything before the loss forward).
  train_s_per_step      seconds_per_step - rollout_s_per_step: policy forward + backward + optimizer.
  median_step_s         median of steps 2..N (step 1 includes one-time warm-up: oneDNN primitive creation,
                        AdamW state allocation); with --steps 1 it is step 1.
  peak_rss_gb           resource.getrusage(RUSAGE_SELF).ru_maxrss at the end (whole process, model load included), GiB.
  other_load_cores      CPU used by other processes during train() (bench/peer_common.OtherLoad), in cores; well
                        above 0.1 means the timings are disturbed (on 2 threads, tiny decode GEMMs wait at every
                        OpenMP barrier when a neighbour is busy).
The last line printed is one JSON object (indent-free); all other output goes before it.
"""
import argparse
import json
import os
import re
import resource
import statistics
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
MODELS_DIR = os.path.join(ROOT, "..", "shared", "models")
SMOLLM2_DIR = os.path.join(MODELS_DIR, "smollm2-135m-instruct")
SMOLLM2_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
R1_DIR = os.path.join(MODELS_DIR, "deepseek-r1-distill-qwen-1.5b")
DATA = os.path.join(ROOT, "data", "arithmetic", "train.jsonl")
TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]

# Tina's OPEN_R1 system prompt (Sources/TinaRL/SystemPrompts.swift).
OPEN_R1 = ("\nYou are a helpful AI Assistant that provides well-reasoned and detailed responses.\n"
           "You first think about the reasoning process as an internal monologue and then provide the user with the "
           "answer.\nRespond in the following format: <think>\n...\n</think>\n<answer>\n...\n</answer>\n")
# Tina's "deepseek-r1-early" template (Sources/TinaTokenizers/ChatTemplate.swift), for the R1 tokenizer, which
# ships none in ../shared.
DEEPSEEK_R1_EARLY = (
    "{% set ns = namespace(system_prompt='') %}{% for message in messages %}{% if message['role'] == 'system' %}"
    "{% set ns.system_prompt = message['content'] %}{% endif %}{% endfor %}{{ bos_token }}{{ ns.system_prompt }}"
    "{% for message in messages %}{% if message['role'] == 'user' %}{{ '<｜User｜>' + message['content'] }}"
    "{% elif message['role'] == 'assistant' %}{{ '<｜Assistant｜>' + message['content'] + '<｜end▁of▁sentence｜>' }}"
    "{% endif %}{% endfor %}{% if add_generation_prompt %}{{ '<｜Assistant｜>' }}{% endif %}")


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--model", help="local Hugging Face model directory")
    src.add_argument("--random-shape", choices=("1.5b", "smollm2"), help="random weights at this shape")
    src.add_argument("--smollm2-gguf", action="store_true", help="real SmolLM2 weights, GGUF unpacked at load time")
    p.add_argument("--dtype", choices=("bf16", "f32"), default="bf16",
                   help="model weights; bf16 also sets GRPOConfig(bf16=True) (CPU autocast)")
    p.add_argument("--steps", type=int, default=3, help="optimizer steps (max_steps)")
    p.add_argument("--threads", type=int, default=2, help="torch threads (also OMP/MKL_NUM_THREADS)")
    p.add_argument("--layers", type=int, default=0, help="--random-shape: keep the first L layers (0 = all)")
    p.add_argument("--max-completion-length", type=int, default=64)
    p.add_argument("--system-prompt", choices=("none", "open_r1"), default="none")
    p.add_argument("--gradient-checkpointing", action="store_true")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--data", default=DATA)
    return p.parse_args()


ARGS = parse_args()
# Before torch (and its OpenMP / MKL runtimes) is imported.
for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ[var] = str(ARGS.threads)
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("TQDM_DISABLE", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("WANDB_DISABLED", "true")

import dataclasses  # noqa: E402
import warnings  # noqa: E402

import torch  # noqa: E402

torch.set_num_threads(ARGS.threads)
import datasets  # noqa: E402
import peft  # noqa: E402
import transformers  # noqa: E402
import trl  # noqa: E402
from peft import LoraConfig  # noqa: E402
from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer, TrainerCallback  # noqa: E402
from trl import GRPOConfig, GRPOTrainer  # noqa: E402

sys.path.insert(0, HERE)
from peer_common import OtherLoad, cpu_name  # noqa: E402
from peer_peft_train import build_random  # noqa: E402  (meta device -> to_empty -> init_random_)

transformers.utils.logging.set_verbosity_error()
transformers.utils.logging.disable_progress_bar()
warnings.filterwarnings("ignore", category=FutureWarning)
warnings.filterwarnings("ignore", category=UserWarning)


def log(msg):
    print(f"# {msg}", file=sys.stderr, flush=True)


def load_model_and_tokenizer(args, dtype):
    if args.model:
        tok = AutoTokenizer.from_pretrained(args.model)
        model = AutoModelForCausalLM.from_pretrained(args.model, dtype=dtype, attn_implementation="sdpa")
        desc = os.path.abspath(args.model)
    elif args.smollm2_gguf:
        from transformers import GgufConfig
        tok = AutoTokenizer.from_pretrained(SMOLLM2_DIR, gguf_file=SMOLLM2_GGUF)
        model = AutoModelForCausalLM.from_pretrained(
            SMOLLM2_DIR, gguf_file=SMOLLM2_GGUF, dtype=dtype, attn_implementation="sdpa",
            quantization_config=GgufConfig(gguf_file=SMOLLM2_GGUF, dequantize=True))
        desc = f"SmolLM2-135M-Instruct ({SMOLLM2_GGUF} unpacked to {args.dtype} at load time)"
    else:
        if args.random_shape == "smollm2":
            tok = AutoTokenizer.from_pretrained(SMOLLM2_DIR, gguf_file=SMOLLM2_GGUF)
            config = AutoConfig.from_pretrained(SMOLLM2_DIR, gguf_file=SMOLLM2_GGUF)
            name = "SmolLM2-135M-Instruct shape (config from the GGUF metadata)"
        else:
            tok = AutoTokenizer.from_pretrained(R1_DIR)
            config = AutoConfig.from_pretrained(R1_DIR)
            name = "DeepSeek-R1-Distill-Qwen-1.5B shape (../shared config.json)"
        full = config.num_hidden_layers
        if args.layers:
            config.num_hidden_layers = args.layers
            if getattr(config, "layer_types", None):
                config.layer_types = config.layer_types[:args.layers]
        model = build_random(config, dtype, torch)
        # from_config gives a GenerationConfig derived from the model config (bos/eos/pad ids); keep it.
        desc = f"random {name}, {config.num_hidden_layers}/{full} layers"
    if not tok.chat_template:
        tok.chat_template = DEEPSEEK_R1_EARLY
        desc += "; chat template: Tina's deepseek-r1-early (tokenizer had none)"
    tok.padding_side = "left"
    return model, tok, desc


_NUM = re.compile(r"-?\d+(?:\.\d+)?")


def final_number_reward(prompts, completions, answer, **kwargs):
    """1.0 when the last number in the completion equals the answer column, else 0.0."""
    out = []
    for completion, ans in zip(completions, answer):
        text = completion[0]["content"] if isinstance(completion, list) else completion
        nums = _NUM.findall(text.replace(",", ""))
        try:
            ok = bool(nums) and float(nums[-1]) == float(ans)
        except ValueError:
            ok = False
        out.append(1.0 if ok else 0.0)
    return out


class Timer:
    """Wraps a callable; accumulates its wall time and call count."""

    def __init__(self, fn, on_result=None):
        self.fn, self.on_result, self.total, self.calls = fn, on_result, 0.0, 0

    def __call__(self, *a, **kw):
        t0 = time.perf_counter()
        try:
            result = self.fn(*a, **kw)
        finally:
            self.total += time.perf_counter() - t0
            self.calls += 1
        if self.on_result is not None:
            self.on_result(a, kw, result)
        return result


class StepTimes(TrainerCallback):
    def __init__(self, gen_timer, rollout_timer):
        self.gen, self.rollout = gen_timer, rollout_timer
        self.steps, self.intervals, self.gen_s, self.rollout_s, self.gen_calls, self.logs = [], [], [], [], [], []
        self.t_begin = self.last_end = None

    def on_train_begin(self, args, state, control, **kw):
        self.last_end = time.perf_counter()

    def on_step_begin(self, args, state, control, **kw):
        self.t_begin = time.perf_counter()
        self.g0, self.r0, self.c0 = self.gen.total, self.rollout.total, self.gen.calls

    def on_step_end(self, args, state, control, **kw):
        now = time.perf_counter()
        self.steps.append(now - self.t_begin)
        self.intervals.append(now - self.last_end)
        self.last_end = now
        self.gen_s.append(self.gen.total - self.g0)
        self.rollout_s.append(self.rollout.total - self.r0)
        self.gen_calls.append(self.gen.calls - self.c0)
        log(f"step {state.global_step}: {self.steps[-1]:.2f} s (generate {self.gen_s[-1]:.2f} s, "
            f"rollout {self.rollout_s[-1]:.2f} s)")

    def on_log(self, args, state, control, logs=None, **kw):
        if logs:
            self.logs.append(dict(logs))


def main():
    args = ARGS
    dtype = {"bf16": torch.bfloat16, "f32": torch.float32}[args.dtype]
    t0 = time.perf_counter()
    model, tok, desc = load_model_and_tokenizer(args, dtype)
    load_s = time.perf_counter() - t0
    log(f"model: {desc} ({sum(p.numel() for p in model.parameters()) / 1e6:.1f} M params, "
        f"{type(model).__name__}, {load_s:.1f} s to build)")

    rows = []
    with open(args.data) as f:
        for line in f:
            if line.strip():
                r = json.loads(line)
                prompt = [{"role": "user", "content": r["problem"]}]
                if args.system_prompt == "open_r1":
                    prompt.insert(0, {"role": "system", "content": OPEN_R1})
                rows.append({"prompt": prompt, "answer": str(r["answer"])})
    dataset = datasets.Dataset.from_list(rows)

    wanted = dict(
        output_dir=tempfile.mkdtemp(prefix="peer-trl-grpo-"),
        per_device_train_batch_size=16, num_generations=4, gradient_accumulation_steps=1,
        max_completion_length=args.max_completion_length, max_prompt_length=256,
        temperature=0.7, top_p=1.0, top_k=0, beta=0.04, num_iterations=1, epsilon=0.2,
        loss_type="grpo", scale_rewards="group",
        learning_rate=5e-5, max_steps=args.steps, seed=args.seed,
        use_vllm=False, bf16=(args.dtype == "bf16"), fp16=False, use_cpu=True,
        gradient_checkpointing=args.gradient_checkpointing,
        report_to="none", logging_steps=1, save_strategy="no", dataloader_num_workers=0,
        disable_tqdm=True, log_completions=False, remove_unused_columns=False,
    )
    fields = {f.name for f in dataclasses.fields(GRPOConfig)}
    dropped = sorted(k for k in wanted if k not in fields)
    config = GRPOConfig(**{k: v for k, v in wanted.items() if k in fields})
    if dropped:
        log(f"GRPOConfig of TRL {trl.__version__} has no {', '.join(dropped)}: not set")

    lora = LoraConfig(r=16, lora_alpha=64, lora_dropout=0.05, bias="none", target_modules=TARGETS,
                      task_type="CAUSAL_LM")
    gen_lengths = []

    def note_generate(a, kw, result):
        ids = kw.get("input_ids", a[0] if a else None)
        seqs = getattr(result, "sequences", result)
        if ids is not None and hasattr(seqs, "shape"):
            gen_lengths.append(int(seqs.shape[1] - ids.shape[1]))

    trainer = GRPOTrainer(model=model, reward_funcs=final_number_reward, args=config, train_dataset=dataset,
                          processing_class=tok, peft_config=lora)
    # Wrap the policy's generate (instance attribute on the PeftModel; TRL reaches it via unwrap_model) and the
    # whole rollout phase.
    gen_timer = Timer(trainer.model.generate, note_generate)
    trainer.model.generate = gen_timer
    rollout_timer = Timer(trainer._generate_and_score_completions)
    trainer._generate_and_score_completions = rollout_timer
    cb = StepTimes(gen_timer, rollout_timer)
    trainer.add_callback(cb)
    # disable_tqdm=True makes Trainer print every log dict to stdout; keep stdout for the final JSON only.
    trainer.remove_callback(transformers.trainer_callback.PrinterCallback)

    lora_params = sum(p.numel() for p in trainer.model.parameters() if p.requires_grad)
    lora_dtypes = sorted({str(p.dtype).replace("torch.", "") for p in trainer.model.parameters() if p.requires_grad})
    log(f"TRL {trl.__version__}, transformers {transformers.__version__}, torch {torch.__version__}, "
        f"peft {peft.__version__}; {args.threads} threads; LoRA params {lora_params} ({', '.join(lora_dtypes)})")
    t_train = time.perf_counter()
    other = OtherLoad()
    trainer.train()
    other_cores = other.cores()
    train_s = time.perf_counter() - t_train

    steps = cb.steps
    rest = steps[1:] if len(steps) > 1 else steps
    train_only = [s - r for s, r in zip(steps, cb.rollout_s)]
    step_logs = [l for l in cb.logs if "loss" in l or "reward" in l]
    comp_len = [l.get("completions/mean_length") for l in step_logs if "completions/mean_length" in l]
    result = {
        "peer": "trl",
        "trl_version": trl.__version__,
        "transformers_version": transformers.__version__,
        "torch_version": torch.__version__,
        "peft_version": peft.__version__,
        "accelerate_version": __import__("accelerate").__version__,
        "model": desc,
        "model_class": type(trainer.model.get_base_model()).__name__,
        "dtype": args.dtype,
        "bf16_autocast": bool(config.bf16),
        "lora_param_dtypes": lora_dtypes,
        "lora_params": lora_params,
        "threads": args.threads,
        "cpu": cpu_name(),
        "steps": len(steps),
        "prompts_x_generations": "4x4",
        "max_completion_length": args.max_completion_length,
        "loss_type": getattr(config, "loss_type", None),
        "gradient_checkpointing": bool(config.gradient_checkpointing),
        "grpo_config_fields_not_set": dropped,
        "seconds_per_step": [round(s, 3) for s in steps],
        "median_step_s": round(statistics.median(rest), 3) if rest else None,
        "generate_s_per_step": [round(s, 3) for s in cb.gen_s] if gen_timer.calls else None,
        "generate_calls_per_step": cb.gen_calls,
        "generated_tokens_per_call": gen_lengths,
        "rollout_s_per_step": [round(s, 3) for s in cb.rollout_s],
        "train_s_per_step": [round(s, 3) for s in train_only],
        "step_interval_s": [round(s, 3) for s in cb.intervals],
        "completion_mean_length": comp_len,
        "reward": [l.get("reward") for l in step_logs],
        "kl": [l.get("kl") for l in step_logs],
        "model_build_s": round(load_s, 2),
        "train_wall_s": round(train_s, 2),
        "other_load_cores": round(other_cores, 2),
        "peak_rss_gb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 ** 2, 3),
    }
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
