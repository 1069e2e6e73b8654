#!/usr/bin/env python3
"""Golden fixtures for the training core (issue 10): Tests/Fixtures/training/.

Pinned versions: tools/reference/requirements-training.txt (torch 2.13.0+cpu, transformers 5.24.0, peft 0.21.2,
accelerate 1.15.0, safetensors 0.8.0, numpy 2.4.6). Regenerate from the repository root with

    python3 -m venv .venv-ref && .venv-ref/bin/pip install -r tools/reference/requirements-training.txt
    .venv-ref/bin/python tools/reference/make_training_fixtures.py

Everything is seeded and runs on one CPU thread, so a re-run writes the same bytes. The base models are the tiny
random checkpoints of Tests/Fixtures/decoder/ (written by make_decoder_fixtures.py); they are read, not copied.

Number format: every f32 tensor value (logits, log-probs, gradients, weights, AdamW parameters) is written as the
shortest decimal that round-trips to the same f32 (numpy's float32 repr, at most 9 significant digits): parse it as
Float and you have torch's exact f32 bits. Python floats (LRs, schedule factors, AdamW f64 trajectory) are written
with Python's repr (shortest round-trip f64). Tensors are {"shape": [...], "values": [flat, row-major]}.

Files
-----
qwen2-gqa2-lora/, llama-gqa4-untied-rslora/  (PEFT LoRA on decoder/qwen2-gqa2 and decoder/llama-gqa4-untied)
    adapter/adapter_config.json, adapter/adapter_model.safetensors: exactly what PeftModel.save_pretrained writes
        (its model-card README.md is deleted; target_modules, which PEFT writes in set/hash order, is sorted).
        LoraConfig(r=4, lora_alpha=8, lora_dropout=0.0, bias="none",
        target_modules=q,k,v,o,gate,up,down _proj; use_rslora=True for the llama case). lora_A keeps PEFT's
        Kaiming-uniform init (torch.manual_seed(seed) before get_peft_model); lora_B is overwritten with
        0.1 * N(0, 1) so the adapter changes the outputs. base_model_name_or_path is the repository-relative path
        of the base checkpoint.
    expected.json: sequences, weights, logits/log-probs with adapter on and off, loss, the gradient of the loss
        w.r.t. every lora_A/lora_B (keys = adapter_model.safetensors keys), and merged weights (merge_and_unload).
full-qwen2-mha-tied/expected.json
    Full fine-tuning (no LoRA) of decoder/qwen2-mha-tied (the smallest model, tied embeddings): the same kind of
    loss and its gradient w.r.t. every base parameter (HF names from named_parameters(); lm_head.weight is tied to
    model.embed_tokens.weight, so its gradient is folded into that one entry and has no key of its own).
schedules.json
    transformers.get_scheduler for constant, constant_with_warmup, linear, cosine, cosine_with_min_lr
    (min_lr_rate=0.1), base LR 1e-6, warmup ratio 0.1, for 50, 13 and 7 total steps.
adamw.json
    torch.optim.AdamW(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01) for 10 steps over two f32 tensors
    with given micro-batch gradients, 2 micro-batches accumulated per step, clip_grad_norm_(max_norm=1.0) before
    each step.

The loss (LoRA and full cases)
------------------------------
Each sequence is run alone (batch 1, no padding, eager attention, f32). For a sequence of n tokens, position
t = 0 ... n-2 predicts target ids[t+1]; logp[t] = log_softmax(logits[t])[ids[t+1]]. The loss is
    L = sum over sequences s, sum over t of weights[s][t] * logp_s[t]
(a plain sum, not a mean, no sign flip), so d(L)/d(logp_s[t]) = weights[s][t]: this is exactly the per-position
"d(loss)/d(logp of chosen token)" the Swift backward takes. Weights are multiples of 1/8 in [-1, 1] (exact in f32).
Gradients are f32 (torch's f32 autograd); "grad_f64_check" records how far they are from the same computation in
f64 (max over tensors of max|g32 - g64| / max|g64|), a guide to how tight a Swift comparison can be.

expected.json schema (LoRA cases)
---------------------------------
{
  "base": "decoder/qwen2-gqa2",               # relative to Tests/Fixtures/
  "adapter": "adapter",                       # relative to this case's directory
  "r": 4, "lora_alpha": 8, "use_rslora": bool, "scaling": float,   # scaling = alpha/r or alpha/sqrt(r)
  "sequences": [[int]] (3 sequences, lengths 9, 6, 3),
  "weights": [[float]] (per sequence, length n-1),
  "logits": [[[f32]]] [seq][position][vocab], adapter on (all n positions),
  "logits_disabled": same, inside `with model.disable_adapter()` (= the base model),
  "logprobs": [[f32]] [seq][t], t = 0..n-2, adapter on,
  "logprobs_disabled": same, adapter off,
  "entropies": [[f32]] [seq][position], adapter on, all n positions,
  "loss": f32,
  "grads": {"base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight": {"shape": [r, in], "values": [...]},
            ... one per lora_A / lora_B (lora_B shape [out, r]), 28 keys for 2 layers x 7 projections x {A, B}},
  "grad_f64_check": float,
  "merged": {"model.layers.0.self_attn.q_proj.weight": {"shape": [out, in], "values": [...]},
             "model.layers.0.mlp.down_proj.weight": {...}}   # W + scaling * (B @ A), from merge_and_unload()
}
full-qwen2-mha-tied/expected.json has "base", "sequences", "weights", "logprobs", "loss", "grad_f64_check" and
"grads" keyed by HF parameter names (model.embed_tokens.weight, model.layers.L.self_attn.q_proj.weight/.bias,
..., model.layers.L.input_layernorm.weight, model.norm.weight).

schedules.json
--------------
{"base_lr": 1e-06, "warmup_ratio": 0.1, "min_lr_rate": 0.1,
 "cases": [{"name": "cosine_with_min_lr", "num_training_steps": 50, "num_warmup_steps": 5,
            "factors": [N floats], "lr_applied": [N floats], "lr_after_step": [N floats]}, ...]}
num_warmup_steps = TrainingArguments(warmup_steps=0.1).get_warmup_steps(N) = ceil(N * 0.1) (transformers 5
folded warmup_ratio into a float warmup_steps < 1; older versions compute the same ceil(N * warmup_ratio)).
For optimizer step k = 1 ... N (index i = k - 1):
    factors[i]       = the LambdaLR multiplier lambda(k - 1)
    lr_applied[i]    = optimizer.param_groups[0]["lr"] during step k = base_lr * lambda(k - 1). This is also what
                       transformers 5.24's Trainer logs as "learning_rate" at global_step k (it reads the LR after
                       optimizer.step() and before lr_scheduler.step()).
    lr_after_step[i] = scheduler.get_last_lr()[0] after the k-th scheduler.step() = base_lr * lambda(k), i.e. the LR
                       step k + 1 will use (what older Trainers logged): lr_after_step[i] == lr_applied[i + 1].
The cases are all five names for N = 50 (warmup 5), and cosine_with_min_lr, linear and constant_with_warmup for
N = 13 (ceil(1.3) = 2: round would give 1) and N = 7 (ceil(0.7) = 1).

adamw.json
----------
{"lr": 0.001, "betas": [0.9, 0.999], "eps": 1e-08, "weight_decay": 0.01, "max_grad_norm": 1.0,
 "grad_accumulation": 2, "shapes": {"w": [4, 3], "b": [3]},
 "initial": {"w": [12 f32], "b": [3 f32]},
 "steps": [{"micro_grads": [{"w": [12], "b": [3]}, {"w": [12], "b": [3]}],   # the loss gradient of each micro-batch
            "grad": {"w": [...], "b": [...]},          # accumulated: (g1 + g2) / 2, before clipping
            "grad_norm": f32,                          # clip_grad_norm_'s return: global L2 norm before clipping
            "clipped_grad": {"w": [...], "b": [...]},  # what optimizer.step() sees
            "params": {"w": [...], "b": [...]},        # after the step
            "exp_avg": {...}, "exp_avg_sq": {...}},    # optimizer state after the step
           ... 10 steps],
 "params_f64": [{"w": [...], "b": [...]}, ... 10]}      # the same run with f64 tensors (Python floats)
Accumulation follows HF Trainer (and TRL's GRPOTrainer, which sets model_accepts_loss_kwargs = False): each
micro-batch loss is divided by gradient_accumulation_steps before backward, so the .grad seen by clipping is the
MEAN of the micro-batch gradients. Clipping: total = sqrt(sum of squares over all tensors);
coef = min(1, max_norm / (total + 1e-6)); grads *= coef (always multiplied, also when coef = 1). AdamW step t:
p *= 1 - lr*wd; m = b1*m + (1-b1)*g (torch uses lerp); v = b2*v + (1-b2)*g*g;
p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps). Some steps' gradient norms are above 1 (clipped),
some below.
"""
import json
import math
import os
import shutil
import tempfile

import numpy as np
import torch
from peft import LoraConfig, PeftModel, get_peft_model
from transformers import AutoModelForCausalLM, TrainingArguments, get_scheduler

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
FIXTURES = os.path.join(REPO, "Tests", "Fixtures")
ROOT = os.path.join(FIXTURES, "training")

TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
LENGTHS = [9, 6, 3]

LORA_CASES = {
    # name: (base under Tests/Fixtures/decoder, use_rslora, seed)
    "qwen2-gqa2-lora": ("qwen2-gqa2", False, 1000),
    "llama-gqa4-untied-rslora": ("llama-gqa4-untied", True, 2000),
}
FULL_CASE = ("full-qwen2-mha-tied", "qwen2-mha-tied", 3000)
MERGED_KEYS = ["model.layers.0.self_attn.q_proj.weight", "model.layers.0.mlp.down_proj.weight"]


def f32(x):
    """Shortest decimal that round-trips to the same float32."""
    return float(str(np.float32(x)))


def f32_list(t):
    return [f32(v) for v in t.detach().to(torch.float32).reshape(-1).numpy()]


def tensor_entry(t):
    return {"shape": list(t.shape), "values": f32_list(t)}


def load_base(name, dtype=torch.float32):
    # A repository-relative path, so base_model_name_or_path in adapter_config.json does not depend on the machine.
    rel = os.path.join("Tests", "Fixtures", "decoder", name)
    model = AutoModelForCausalLM.from_pretrained(rel, dtype=dtype, attn_implementation="eager").eval()
    return model


def make_inputs(vocab, seed):
    g = torch.Generator().manual_seed(seed)
    sequences = [torch.randint(0, vocab, (n,), generator=g).tolist() for n in LENGTHS]
    weights = [(torch.randint(-8, 9, (n - 1,), generator=g).to(torch.float64) / 8).tolist() for n in LENGTHS]
    return sequences, weights


def forward_logp(model, ids):
    logits = model(torch.tensor([ids])).logits[0]
    logp_all = torch.log_softmax(logits, dim=-1)
    targets = torch.tensor(ids[1:])
    logp = logp_all[:-1].gather(-1, targets[:, None])[:, 0] if len(ids) > 1 else logp_all[:0, 0]
    return logits, logp_all, logp


def weighted_loss(model, sequences, weights, dtype):
    total = None
    for ids, w in zip(sequences, weights):
        _, _, logp = forward_logp(model, ids)
        term = (torch.tensor(w, dtype=dtype) * logp).sum()
        total = term if total is None else total + term
    return total


def grad_gap(g32, g64):
    return max((g32[k].double() - g64[k]).abs().max().item() / g64[k].abs().max().item() for k in g32)


def peft_key(param_name):
    # named_parameters: ...q_proj.lora_A.default.weight; saved state dict: ...q_proj.lora_A.weight
    return param_name.replace(".default.", ".")


def lora_model(base_name, use_rslora, seed, dtype=torch.float32):
    base = load_base(base_name, dtype)
    config = LoraConfig(r=4, lora_alpha=8, lora_dropout=0.0, bias="none", target_modules=TARGETS,
                        use_rslora=use_rslora, task_type="CAUSAL_LM")
    torch.manual_seed(seed)
    model = get_peft_model(base, config)
    g = torch.Generator().manual_seed(seed + 1)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "lora_B" in name:
                p.copy_((0.1 * torch.randn(p.shape, generator=g, dtype=torch.float32)).to(dtype))
    model.eval()
    return model


def sort_target_modules(path):
    """PEFT holds target_modules as a set and writes it in hash order (varies with PYTHONHASHSEED): sort it, in
    PEFT's own formatting (json.dumps(indent=2, sort_keys=True)), so the file is the same on every run."""
    with open(path) as f:
        text = f.read()
    config = json.loads(text)
    assert text == json.dumps(config, indent=2, sort_keys=True)
    config["target_modules"] = sorted(config["target_modules"])
    with open(path, "w") as f:
        f.write(json.dumps(config, indent=2, sort_keys=True))


def lora_grads(model, sequences, weights, dtype):
    model.zero_grad()
    loss = weighted_loss(model, sequences, weights, dtype)
    loss.backward()
    grads = {peft_key(n): p.grad.detach().clone() for n, p in model.named_parameters() if p.requires_grad}
    return loss, grads


def lora_case(name, base_name, use_rslora, seed):
    out = os.path.join(ROOT, name)
    os.makedirs(out, exist_ok=True)
    model = lora_model(base_name, use_rslora, seed)
    adapter_dir = os.path.join(out, "adapter")
    if os.path.exists(adapter_dir):
        shutil.rmtree(adapter_dir)
    model.save_pretrained(adapter_dir)
    readme = os.path.join(adapter_dir, "README.md")
    if os.path.exists(readme):
        os.remove(readme)
    sort_target_modules(os.path.join(adapter_dir, "adapter_config.json"))

    config = model.base_model.model.config
    sequences, weights = make_inputs(config.vocab_size, seed + 2)
    scaling = 8 / math.sqrt(4) if use_rslora else 8 / 4
    layer = model.base_model.model.model.layers[0].self_attn.q_proj
    assert layer.scaling["default"] == scaling, layer.scaling
    expected = {"base": f"decoder/{base_name}", "adapter": "adapter", "r": 4, "lora_alpha": 8,
                "use_rslora": use_rslora, "scaling": scaling, "sequences": sequences, "weights": weights,
                "logits": [], "logits_disabled": [], "logprobs": [], "logprobs_disabled": [], "entropies": []}
    with torch.no_grad():
        for ids in sequences:
            logits, logp_all, logp = forward_logp(model, ids)
            expected["logits"].append([f32_list(row) for row in logits])
            expected["logprobs"].append(f32_list(logp))
            expected["entropies"].append(f32_list(-(logp_all.exp() * logp_all).sum(-1)))
            with model.disable_adapter():
                logits_off, _, logp_off = forward_logp(model, ids)
            expected["logits_disabled"].append([f32_list(row) for row in logits_off])
            expected["logprobs_disabled"].append(f32_list(logp_off))
    # The adapter must visibly change the outputs.
    assert max(abs(a - b) for s, t in zip(expected["logprobs"], expected["logprobs_disabled"])
               for a, b in zip(s, t)) > 1e-2

    loss, grads = lora_grads(model, sequences, weights, torch.float32)
    saved = set(_safetensors_keys(os.path.join(adapter_dir, "adapter_model.safetensors")))
    assert saved == set(grads), (saved ^ set(grads))
    model64 = lora_model(base_name, use_rslora, seed, torch.float64)
    _, grads64 = lora_grads(model64, sequences, weights, torch.float64)
    expected["loss"] = f32(loss.item())
    expected["grads"] = {k: tensor_entry(grads[k]) for k in sorted(grads)}
    expected["grad_f64_check"] = float(f"{grad_gap(grads, grads64):.3g}")

    with torch.no_grad():
        merged = model.merge_and_unload()
        state = merged.state_dict()
        expected["merged"] = {k: tensor_entry(state[k]) for k in MERGED_KEYS}
        # Sanity: the merged model reproduces the adapter-on logits.
        gap = max((merged(torch.tensor([ids])).logits[0].reshape(-1)
                   - torch.tensor([v for row in rows for v in row])).abs().max().item()
                  for ids, rows in zip(sequences, expected["logits"]))
        assert gap < 1e-4, gap
    # Round trip: PEFT loads the saved adapter onto a fresh base and reproduces the recorded log-probs; the
    # adapter-disabled log-probs are the plain base model's.
    base = load_base(base_name)
    with torch.no_grad():
        for ids, on, off in zip(sequences, expected["logprobs"], expected["logprobs_disabled"]):
            assert f32_list(forward_logp(base, ids)[2]) == off
        reloaded = PeftModel.from_pretrained(load_base(base_name), adapter_dir).eval()
        for ids, on in zip(sequences, expected["logprobs"]):
            assert f32_list(forward_logp(reloaded, ids)[2]) == on
    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump(expected, f)
    return expected["grad_f64_check"], gap


def _safetensors_keys(path):
    from safetensors import safe_open
    with safe_open(path, "pt") as f:
        return list(f.keys())


def full_grads(model, sequences, weights, dtype):
    model.zero_grad()
    loss = weighted_loss(model, sequences, weights, dtype)
    loss.backward()
    return loss, {n: p.grad.detach().clone() for n, p in model.named_parameters()}


def full_case(name, base_name, seed):
    out = os.path.join(ROOT, name)
    os.makedirs(out, exist_ok=True)
    model = load_base(base_name)
    sequences, weights = make_inputs(model.config.vocab_size, seed)
    with torch.no_grad():
        logprobs = [f32_list(forward_logp(model, ids)[2]) for ids in sequences]
    loss, grads = full_grads(model, sequences, weights, torch.float32)
    assert "lm_head.weight" not in grads and model.config.tie_word_embeddings
    _, grads64 = full_grads(load_base(base_name, torch.float64), sequences, weights, torch.float64)
    expected = {"base": f"decoder/{base_name}", "sequences": sequences, "weights": weights, "logprobs": logprobs,
                "loss": f32(loss.item()), "grads": {k: tensor_entry(grads[k]) for k in sorted(grads)},
                "grad_f64_check": float(f"{grad_gap(grads, grads64):.3g}")}
    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump(expected, f)
    return expected["grad_f64_check"]


def schedules():
    base_lr, ratio, min_lr_rate = 1e-6, 0.1, 0.1
    plan = [(50, ["constant", "constant_with_warmup", "linear", "cosine", "cosine_with_min_lr"]),
            (13, ["constant_with_warmup", "linear", "cosine_with_min_lr"]),
            (7, ["constant_with_warmup", "linear", "cosine_with_min_lr"])]
    cases = []
    with tempfile.TemporaryDirectory() as tmp:
        args = TrainingArguments(output_dir=tmp, warmup_steps=ratio, report_to="none")
        for n, names in plan:
            warmup = args.get_warmup_steps(n)
            assert warmup == math.ceil(n * ratio)
            for sname in names:
                param = torch.nn.Parameter(torch.zeros(1))
                optimizer = torch.optim.SGD([param], lr=base_lr)
                kwargs = {"min_lr_rate": min_lr_rate} if sname == "cosine_with_min_lr" else None
                scheduler = get_scheduler(sname, optimizer, num_warmup_steps=warmup, num_training_steps=n,
                                          scheduler_specific_kwargs=kwargs)
                factors, applied, after = [], [], []
                for k in range(1, n + 1):
                    applied.append(optimizer.param_groups[0]["lr"])
                    factors.append(scheduler.lr_lambdas[0](k - 1))
                    optimizer.step()
                    scheduler.step()
                    after.append(scheduler.get_last_lr()[0])
                assert applied[1:] == after[:-1]
                assert all(a == base_lr * f for a, f in zip(applied, factors))
                cases.append({"name": sname, "num_training_steps": n, "num_warmup_steps": warmup,
                              "factors": [float(f) for f in factors], "lr_applied": applied,
                              "lr_after_step": after})
    data = {"base_lr": base_lr, "warmup_ratio": ratio, "min_lr_rate": min_lr_rate, "cases": cases}
    with open(os.path.join(ROOT, "schedules.json"), "w") as f:
        json.dump(data, f, indent=1)


def adamw_run(dtype, initial, micro_grads, hp):
    params = {k: torch.nn.Parameter(torch.tensor(v, dtype=dtype).reshape(hp["shapes"][k])) for k, v in initial.items()}
    optimizer = torch.optim.AdamW(list(params.values()), lr=hp["lr"], betas=tuple(hp["betas"]), eps=hp["eps"],
                                  weight_decay=hp["weight_decay"])
    records = []
    for step in micro_grads:
        optimizer.zero_grad()
        for micro in step:
            # A linear "loss" whose gradient is the given micro-batch gradient, scaled as the Trainer does.
            loss = sum((params[k] * torch.tensor(micro[k], dtype=dtype).reshape(params[k].shape)).sum()
                       for k in params)
            (loss / hp["grad_accumulation"]).backward()
        grad = {k: p.grad.detach().clone() for k, p in params.items()}
        norm = torch.nn.utils.clip_grad_norm_(list(params.values()), max_norm=hp["max_grad_norm"])
        clipped = {k: p.grad.detach().clone() for k, p in params.items()}
        optimizer.step()
        state = {k: optimizer.state[p] for k, p in params.items()}
        records.append({"grad": grad, "grad_norm": norm.item(), "clipped_grad": clipped,
                        "params": {k: p.detach().clone() for k, p in params.items()},
                        "exp_avg": {k: s["exp_avg"].clone() for k, s in state.items()},
                        "exp_avg_sq": {k: s["exp_avg_sq"].clone() for k, s in state.items()}})
    return records


def adamw():
    hp = {"lr": 1e-3, "betas": [0.9, 0.999], "eps": 1e-8, "weight_decay": 0.01, "max_grad_norm": 1.0,
          "grad_accumulation": 2, "shapes": {"w": [4, 3], "b": [3]}}
    g = torch.Generator().manual_seed(4000)
    initial = {k: f32_list(torch.randn(math.prod(s), generator=g)) for k, s in hp["shapes"].items()}
    # Per-step scale of the gradients: norms from well below to well above max_grad_norm = 1.
    scales = [0.05, 2.0, 0.2, 5.0, 0.1, 1.5, 0.02, 3.0, 0.3, 0.8]
    micro_grads = [[{k: f32_list(scale * torch.randn(math.prod(s), generator=g)) for k, s in hp["shapes"].items()}
                    for _ in range(hp["grad_accumulation"])] for scale in scales]
    run32 = adamw_run(torch.float32, initial, micro_grads, hp)
    run64 = adamw_run(torch.float64, initial, micro_grads, hp)
    clipped = [r["grad_norm"] > hp["max_grad_norm"] for r in run32]
    assert any(clipped) and not all(clipped)

    def flat(d):
        return {k: f32_list(v) for k, v in d.items()}

    steps = [{"micro_grads": mg, "grad": flat(r["grad"]), "grad_norm": f32(r["grad_norm"]),
              "clipped_grad": flat(r["clipped_grad"]), "params": flat(r["params"]), "exp_avg": flat(r["exp_avg"]),
              "exp_avg_sq": flat(r["exp_avg_sq"])} for mg, r in zip(micro_grads, run32)]
    params64 = [{k: v.reshape(-1).tolist() for k, v in r["params"].items()} for r in run64]
    data = dict(hp, initial=initial, steps=steps, params_f64=params64)
    with open(os.path.join(ROOT, "adamw.json"), "w") as f:
        json.dump(data, f, indent=1)
    return sum(clipped)


if __name__ == "__main__":
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    os.chdir(REPO)
    os.makedirs(ROOT, exist_ok=True)
    for name, (base_name, use_rslora, seed) in LORA_CASES.items():
        check, gap = lora_case(name, base_name, use_rslora, seed)
        print(f"wrote {name} (f32 vs f64 grads {check}, merged-vs-adapter logits {gap:.2g})")
    check = full_case(*FULL_CASE)
    print(f"wrote {FULL_CASE[0]} (f32 vs f64 grads {check})")
    schedules()
    print("wrote schedules.json")
    n = adamw()
    print(f"wrote adamw.json ({n} of 10 steps clipped)")
