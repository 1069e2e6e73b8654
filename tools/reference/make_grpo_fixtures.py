#!/usr/bin/env python3
"""Golden fixtures for the GRPO objective (Tests/Fixtures/grpo/).

Pinned versions: tools/reference/requirements-grpo.txt (torch 2.13.0+cpu, transformers 5.24.0, peft 0.21.2).
TRL itself is not needed: the objective is re-implemented below from TRL's source, line for line where it matters.
Regenerate from the repository root with

    python3 -m venv .venv-ref && .venv-ref/bin/pip install -r tools/reference/requirements-grpo.txt
    .venv-ref/bin/python tools/reference/make_grpo_fixtures.py

Seeded, one CPU thread: a re-run writes the same bytes.

What TRL does (and what trl_* below re-implement)
-------------------------------------------------
Completion mask, TRL 0.15.2 `GRPOTrainer._prepare_inputs` (same in later `_generate_and_score_completions`):
    is_eos = completion_ids == eos_token_id
    eos_idx = first EOS index per row, or the row length when there is none
    completion_mask = (arange(C) <= eos_idx)            # up to and including the first EOS
  TRL >= 0.18 `mask_truncated_completions`: rows without any EOS get an all-zero mask. `num_items_in_batch` (DAPO's
  normaliser) is gathered from completion_mask.sum(1) BEFORE that zeroing, over every process and every micro-batch
  of the generation batch.
Advantages, TRL >= 0.18 `_generate_and_score_completions`:
    mean_grouped = rewards.view(-1, G).mean(1) (repeated G times); advantages = rewards - mean_grouped
    std = rewards.view(-1, G).std(1) ("group" and "none") or rewards.std() ("batch"); torch.std is unbiased (N-1)
    if scale_rewards != "none": advantages /= (std + 1e-4)
    frac_reward_zero_std = isclose(std, 0).float().mean()
  TRL 0.15.2 (Tina) = "group" (scale_rewards=True) or "none" (False).
Loss, TRL >= 0.19 `GRPOTrainer._compute_loss` (0.15.2 is the grpo case with old = logp.detach()):
    per_token_kl = exp(ref - logp) - (ref - logp) - 1                         (beta != 0 only)
    old = old_per_token_logps if given (num_iterations > 1) else logp.detach()
    coef_1 = exp(logp - old); coef_2 = clamp(coef_1, 1 - epsilon_low, 1 + epsilon_high)
    per_token_loss = -min(coef_1 * A, coef_2 * A) (+ beta * per_token_kl)
    grpo:    ((ptl * mask).sum(-1) / mask.sum(-1).clamp(min=1)).mean() / gradient_accumulation_steps
    bnpo:    (ptl * mask).sum() / mask.sum().clamp(min=1) / gradient_accumulation_steps
    dr_grpo: (ptl * mask).sum() / (B * max_completion_length) / gradient_accumulation_steps
    dapo:    (ptl * mask).sum() / (num_items_in_batch / num_processes)      (no division by accumulation steps)
  Metrics: masked_batch_mean(x) = (x * mask).sum() / mask.sum().clamp(min=1);
    kl = masked_batch_mean(per_token_kl) (0.15.2 logged the mean over sequences of per-sequence means instead:
         "kl_seq_mean" below);
    clip_ratio/low_mean = masked_batch_mean((coef_1 < 1 - epsilon_low) & (A < 0)),
    clip_ratio/high_mean = masked_batch_mean((coef_1 > 1 + epsilon_high) & (A > 0)), region = low | high.
  (TRL 0.15.2 trainer: HF Trainer divides the loss by gradient_accumulation_steps; same effect.)

The fixture
-----------
Base decoder/qwen2-mha-tied with a PEFT LoRA (r=4, alpha=8, all seven projections) built exactly as
make_training_fixtures.lora_model does (Kaiming lora_A, lora_B = 0.1 N(0,1)), saved to adapter/. Two prompts x G=3
completions (prompt i's completions consecutive), EOS id 5, completions: EOS mid-way (later tokens masked), EOS last,
truncated (no EOS), EOS only, truncated, EOS mid-way. Each sequence runs alone (batch 1, no padding, eager, f32);
its completion log-probs are right-padded with zeros to [B, Cmax] (mask 0 there) and the TRL formulas above run on
the padded tensors. Reference log-probs: the same model inside `disable_adapter()`. Old log-probs
(num_iterations > 1): the adapter with lora_B perturbed by 0.25 N(0,1), so that some ratios leave [1-eps, 1+eps].
gradient_accumulation_steps = 2 and num_items_in_batch = this micro-batch's unmasked tokens + 13 (a second
micro-batch of the same generation batch), num_processes = 1.

Files
-----
adapter/ (adapter_config.json, adapter_model.safetensors): what PeftModel.save_pretrained writes (README removed,
    target_modules sorted).
expected.json:
  {"base": "decoder/qwen2-mha-tied", "adapter": "adapter", "eos_token_id": 5, "group_size": 3,
   "max_completion_length": 8, "gradient_accumulation_steps": 2, "extra_batch_tokens": 13,
   "prompts": [[int]] (one per group), "completions": [[int]] (one per sequence),
   "rewards": [float] (f32 values),
   "logprobs": [[f32]] per sequence, completion positions only (adapter on),
   "ref_logprobs": [[f32]] (adapter disabled), "old_logprobs": [[f32]] (perturbed adapter),
   "masks": {"plain": [[0/1]], "mask_truncated": [[0/1]]},
   "advantages": {"group": [f32], "batch": [f32], "none": [f32]},
   "frac_reward_zero_std": {"group": f32, ...}, "group_std": [f32], "batch_std": f32,
   "cases": [{"name", "loss_type", "scale_rewards", "beta", "epsilon_low", "epsilon_high", "num_iterations",
              "mask_truncated_completions", "num_items_in_batch",
              "loss": f32, "dloss_dlogp": [[f32]] (d loss / d completion log-prob, per sequence),
              "metrics": {"kl", "kl_seq_mean", "clip_low", "clip_high", "clip_region"}}]}
grads.safetensors: f32 tensor "<case name>/<adapter key>" = d loss / d that LoRA weight (autograd through PEFT), for
    every case and every lora_A / lora_B.
Numbers: f32 values are written as the shortest decimal that round-trips to the same f32.
"""
import json
import os
import shutil
import sys

import numpy as np
import torch
from safetensors.torch import save_file

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_training_fixtures import (f32, f32_list, lora_model, peft_key, sort_target_modules,  # noqa: E402
                                    forward_logp)

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
ROOT = os.path.join(REPO, "Tests", "Fixtures", "grpo")
BASE = "qwen2-mha-tied"
SEED = 5000
EOS = 5
G = 3
MAX_COMPLETION_LENGTH = 8
GRAD_ACCUM = 2
EXTRA_BATCH_TOKENS = 13
# (prompt length) per group; (completion length, index of the EOS or None) per sequence.
PROMPT_LENGTHS = [4, 3]
COMPLETIONS = [(6, 3), (4, 3), (7, None), (1, 0), (7, None), (5, 2)]
REWARDS = [1.0, 0.0, 0.5, 2.0, 0.25, 1.5]

CASES = []
for lt in ["grpo", "bnpo", "dr_grpo", "dapo"]:
    for sr in ["group", "batch", "none"]:
        CASES.append(dict(loss_type=lt, scale_rewards=sr, beta=0.04, epsilon_low=0.2, epsilon_high=0.2,
                          num_iterations=1, mask_truncated_completions=False))
for lt, sr, beta, eh in [("grpo", "group", 0.04, 0.2), ("bnpo", "batch", 0.04, 0.28), ("dr_grpo", "none", 0.04, 0.2),
                         ("dapo", "group", 0.0, 0.28)]:
    CASES.append(dict(loss_type=lt, scale_rewards=sr, beta=beta, epsilon_low=0.2, epsilon_high=eh,
                      num_iterations=2, mask_truncated_completions=False))
CASES.append(dict(loss_type="grpo", scale_rewards="group", beta=0.0, epsilon_low=0.2, epsilon_high=0.2,
                  num_iterations=1, mask_truncated_completions=False))
CASES.append(dict(loss_type="grpo", scale_rewards="group", beta=0.04, epsilon_low=0.2, epsilon_high=0.2,
                  num_iterations=2, mask_truncated_completions=True))
CASES.append(dict(loss_type="dapo", scale_rewards="none", beta=0.04, epsilon_low=0.2, epsilon_high=0.2,
                  num_iterations=1, mask_truncated_completions=True))
for c in CASES:
    c["name"] = "{loss_type}-{scale_rewards}-beta{beta}-iter{num_iterations}".format(**c) + \
        ("-masktrunc" if c["mask_truncated_completions"] else "") + (f"-eh{c['epsilon_high']}" if c["epsilon_high"] != 0.2 else "")


def make_sequences(vocab):
    g = torch.Generator().manual_seed(SEED + 2)

    def tokens(n):  # random non-EOS ids
        t = torch.randint(0, vocab - 1, (n,), generator=g)
        return (t + (t >= EOS).long()).tolist()

    prompts = [tokens(n) for n in PROMPT_LENGTHS]
    completions = []
    for n, eos_at in COMPLETIONS:
        c = tokens(n)
        if eos_at is not None:
            c[eos_at] = EOS
        completions.append(c)
    return prompts, completions


def trl_completion_mask(completion_ids, mask_truncated):
    """TRL 0.15.2 _prepare_inputs (mask up to and including the first EOS); TRL >= 0.18 mask_truncated_completions."""
    is_eos = completion_ids == EOS
    eos_idx = torch.full((is_eos.size(0),), is_eos.size(1), dtype=torch.long)
    eos_idx[is_eos.any(dim=1)] = is_eos.int().argmax(dim=1)[is_eos.any(dim=1)]
    sequence_indices = torch.arange(is_eos.size(1)).expand(is_eos.size(0), -1)
    completion_mask = (sequence_indices <= eos_idx.unsqueeze(1)).int()
    if mask_truncated:
        truncated = ~is_eos.any(dim=1)
        completion_mask = completion_mask * (~truncated).unsqueeze(1).int()
    return completion_mask


def trl_advantages(rewards, scale_rewards):
    """TRL >= 0.18 _generate_and_score_completions (f32, like TRL's rewards tensor)."""
    mean_grouped = rewards.view(-1, G).mean(dim=1).repeat_interleave(G, dim=0)
    advantages = rewards - mean_grouped
    if scale_rewards in ["group", "none"]:
        std = rewards.view(-1, G).std(dim=1).repeat_interleave(G, dim=0)
    else:
        std = rewards.std().expand_as(rewards)
    is_std_zero = torch.isclose(std, torch.zeros_like(std))
    if scale_rewards != "none":
        advantages = advantages / (std + 1e-4)
    return advantages, is_std_zero.float().mean()


def trl_compute_loss(per_token_logps, completion_mask, advantages, old_per_token_logps, ref_per_token_logps, case,
                     num_items_in_batch):
    """TRL >= 0.19 GRPOTrainer._compute_loss (token-level importance sampling, no liger, no entropy mask, no vLLM
    importance-sampling correction), plus the 0.15.2 per-sequence KL metric."""
    beta, eps_low, eps_high = case["beta"], case["epsilon_low"], case["epsilon_high"]
    if beta != 0.0:
        per_token_kl = torch.exp(ref_per_token_logps - per_token_logps) - (ref_per_token_logps - per_token_logps) - 1
    old = per_token_logps.detach() if old_per_token_logps is None else old_per_token_logps
    coef_1 = torch.exp(per_token_logps - old)
    coef_2 = torch.clamp(coef_1, 1 - eps_low, 1 + eps_high)
    per_token_loss1 = coef_1 * advantages.unsqueeze(1)
    per_token_loss2 = coef_2 * advantages.unsqueeze(1)
    per_token_loss = -torch.min(per_token_loss1, per_token_loss2)
    if beta != 0.0:
        per_token_loss = per_token_loss + beta * per_token_kl
    m = completion_mask
    lt = case["loss_type"]
    if lt == "grpo":
        loss = ((per_token_loss * m).sum(-1) / m.sum(-1).clamp(min=1.0)).mean() / GRAD_ACCUM
    elif lt == "bnpo":
        loss = (per_token_loss * m).sum() / m.sum().clamp(min=1.0) / GRAD_ACCUM
    elif lt == "dr_grpo":
        loss = (per_token_loss * m).sum() / (per_token_loss.size(0) * MAX_COMPLETION_LENGTH) / GRAD_ACCUM
    elif lt == "dapo":
        loss = (per_token_loss * m).sum() / (num_items_in_batch / 1)  # num_processes = 1
    else:
        raise ValueError(lt)

    count = m.sum().clamp(min=1.0)

    def masked_batch_mean(x):
        return (x * m).sum() / count

    with torch.no_grad():
        metrics = {}
        if beta != 0.0:
            metrics["kl"] = f32(masked_batch_mean(per_token_kl).item())
            # TRL 0.15.2: ((kl * mask).sum(1) / mask.sum(1)).mean() (no clamp there: rows are never empty in 0.15.2)
            metrics["kl_seq_mean"] = f32(((per_token_kl * m).sum(1) / m.sum(1).clamp(min=1.0)).mean().item())
        a = advantages.unsqueeze(1)
        low = (coef_1 < 1 - eps_low) & (a < 0)
        high = (coef_1 > 1 + eps_high) & (a > 0)
        metrics["clip_low"] = f32(masked_batch_mean(low.float()).item())
        metrics["clip_high"] = f32(masked_batch_mean(high.float()).item())
        metrics["clip_region"] = f32(masked_batch_mean((low | high).float()).item())
    return loss, metrics


def padded(rows, width):
    return torch.stack([torch.cat([r, r.new_zeros(width - r.numel())]) for r in rows])


def main():
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    os.chdir(REPO)
    os.makedirs(ROOT, exist_ok=True)
    model = lora_model(BASE, False, SEED)
    adapter_dir = os.path.join(ROOT, "adapter")
    if os.path.exists(adapter_dir):
        shutil.rmtree(adapter_dir)
    model.save_pretrained(adapter_dir)
    readme = os.path.join(adapter_dir, "README.md")
    if os.path.exists(readme):
        os.remove(readme)
    sort_target_modules(os.path.join(adapter_dir, "adapter_config.json"))
    os.chmod(os.path.join(adapter_dir, "adapter_model.safetensors"), 0o644)  # safetensors writes 0600

    vocab = model.base_model.model.config.vocab_size
    prompts, completions = make_sequences(vocab)
    sequences = [prompts[i // G] + c for i, c in enumerate(completions)]
    plens = [len(prompts[i // G]) for i in range(len(completions))]
    cmax = max(len(c) for c in completions)
    completion_ids = padded([torch.tensor(c) for c in completions], cmax)
    # Pads (id 0) never matter: every row shorter than cmax has an EOS, so positions after it are masked.
    masks = {"plain": trl_completion_mask(completion_ids, False),
             "mask_truncated": trl_completion_mask(completion_ids, True)}
    assert masks["plain"].sum(1).tolist() == [4, 4, 7, 1, 7, 3]
    # num_items_in_batch counts the mask before mask_truncated_completions zeroes rows.
    num_items = int(masks["plain"].sum().item()) + EXTRA_BATCH_TOKENS

    def completion_logps(m):
        rows = []
        for ids, p in zip(sequences, plens):
            rows.append(forward_logp(m, ids)[2][p - 1:])  # log p(ids[t+1] | ids[..t]) for t >= p-1
        return rows

    with torch.no_grad():
        with model.disable_adapter():
            ref = padded(completion_logps(model), cmax)
        old_model = lora_model(BASE, False, SEED)
        g = torch.Generator().manual_seed(SEED + 3)
        for name, p in old_model.named_parameters():
            if "lora_B" in name:
                p.add_(0.25 * torch.randn(p.shape, generator=g))
        old = padded(completion_logps(old_model), cmax)

    rewards = torch.tensor(REWARDS, dtype=torch.float32)
    advantages, frac_zero = {}, {}
    for sr in ["group", "batch", "none"]:
        advantages[sr], frac_zero[sr] = trl_advantages(rewards, sr)

    expected = {"base": f"decoder/{BASE}", "adapter": "adapter", "eos_token_id": EOS, "group_size": G,
                "max_completion_length": MAX_COMPLETION_LENGTH, "gradient_accumulation_steps": GRAD_ACCUM,
                "extra_batch_tokens": EXTRA_BATCH_TOKENS, "prompts": prompts, "completions": completions,
                "rewards": f32_list(rewards),
                "advantages": {k: f32_list(v) for k, v in advantages.items()},
                "frac_reward_zero_std": {k: f32(v.item()) for k, v in frac_zero.items()},
                "group_std": f32_list(rewards.view(-1, G).std(dim=1)), "batch_std": f32(rewards.std().item()),
                "masks": {k: v.tolist() for k, v in masks.items()}, "cases": []}
    with torch.no_grad():
        expected["logprobs"] = [f32_list(r) for r in completion_logps(model)]
    expected["ref_logprobs"] = [f32_list(r[:len(c)]) for r, c in zip(ref, completions)]
    expected["old_logprobs"] = [f32_list(r[:len(c)]) for r, c in zip(old, completions)]

    grads_out = {}
    for case in CASES:
        model.zero_grad()
        rows = completion_logps(model)
        logps = padded(rows, cmax)
        logps.retain_grad()
        mask = masks["mask_truncated" if case["mask_truncated_completions"] else "plain"]
        loss, metrics = trl_compute_loss(logps, mask, advantages[case["scale_rewards"]],
                                         old if case["num_iterations"] > 1 else None,
                                         ref if case["beta"] != 0.0 else None, case, num_items)
        loss.backward()
        dlogp = [f32_list(logps.grad[i, :len(c)]) for i, c in enumerate(completions)]
        entry = dict(case, num_items_in_batch=num_items, loss=f32(loss.item()), dloss_dlogp=dlogp, metrics=metrics)
        expected["cases"].append(entry)
        for n, p in model.named_parameters():
            if p.requires_grad:
                grads_out[f"{case['name']}/{peft_key(n)}"] = p.grad.detach().clone().contiguous()
        if case["num_iterations"] > 1:
            # The perturbed adapter must make clipping happen, or the clipped branch goes untested.
            assert metrics["clip_region"] > 0, (case["name"], metrics)
        print(f"{case['name']}: loss {entry['loss']:.6g} {metrics}")
    assert any(c["metrics"]["clip_low"] > 0 for c in expected["cases"])
    assert any(c["metrics"]["clip_high"] > 0 for c in expected["cases"])
    with open(os.path.join(ROOT, "expected.json"), "w") as f:
        json.dump(expected, f)
    path = os.path.join(ROOT, "grads.safetensors")
    save_file(grads_out, path)
    os.chmod(path, 0o644)  # safetensors writes 0600


if __name__ == "__main__":
    main()
