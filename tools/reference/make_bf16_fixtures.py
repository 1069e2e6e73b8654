#!/usr/bin/env python3
"""bf16-compute fixtures for the Qwen2/Llama decoder (Tests/Fixtures/decoder-bf16/<name>.json).

Generated with (tools/reference/requirements-bf16.txt): torch 2.13.0+cpu, transformers 5.24.0, safetensors 0.8.0,
numpy 2.4.6 (Python 3, CPU only, torch.set_num_threads(2)). The exact torch/transformers versions used for a run
are also written into every JSON file.

    python3 -m venv /work/venv && /work/venv/bin/pip install -r tools/reference/requirements-bf16.txt
    /work/venv/bin/python tools/reference/make_bf16_fixtures.py

For each tiny f32 model under Tests/Fixtures/decoder/<name>/ (config.json + model.safetensors, written by
make_decoder_fixtures.py) it loads the model twice with transformers (attn_implementation="eager"):
  - in torch.bfloat16 (from_pretrained(dtype=torch.bfloat16): every parameter, norm weights and biases included,
    is bf16 and all matmuls/activations run in bf16, i.e. what transformers does when asked for bf16; only the
    non-persistent rotary buffer inv_freq stays f32, as transformers keeps it: cos/sin are computed in f32 and
    cast to bf16; RMSNorm upcasts to f32 internally and casts back; eager softmax runs in f32), and
  - in torch.float32 (the same weights; its logits match expected.json's "logits").
It runs the three sequences of expected.json ("sequences") and writes <name>.json with
  model, torch, transformers, sequences (input ids), logits_bf16 (per sequence, per position, the bf16 model's
  logits as floats with 6 significant digits; they are exact bf16 values), and
  bf16_vs_f32: how far bf16 computation drifts from f32 for this model on these inputs:
    mean_abs_logprob_diff / max_abs_logprob_diff: |log_softmax(bf16 logits) - log_softmax(f32 logits)| over
        every position of every sequence and every vocabulary entry (log-softmax taken in f32 on both),
    next_token_mean_abs_logprob_diff / next_token_max_abs_logprob_diff: the same restricted to the log-prob of
        the actual next token (the entries expected.json's "logprobs" holds),
    top1_agreement: fraction of positions (all sequences) where argmax(bf16) == argmax(f32),
    top1_disagreements: for each such position: sequence, position, f32_top1, bf16_top1 and f32_margin (the f32
        log-prob gap between the f32 top-1 and the bf16 top-1 token: small means a near-tie),
    positions: how many positions were compared,
    f32_vs_expected_max_abs_logit_diff: sanity check that the f32 run reproduces expected.json's "logits".
The f32 reference log-probs are not copied: the Swift test reads expected.json itself.
"""
import argparse
import json
import os

os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")

import torch
import transformers
from transformers import AutoModelForCausalLM

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "..", "Tests", "Fixtures")
SOURCE = os.path.join(FIXTURES, "decoder")
DEST = os.path.join(FIXTURES, "decoder-bf16")


def rounded(values, digits=6):
    return [float(f"{v:.{digits}g}") for v in values]


def load(path, dtype):
    return AutoModelForCausalLM.from_pretrained(path, dtype=dtype, attn_implementation="eager").eval()


def fixture(name):
    path = os.path.join(SOURCE, name)
    with open(os.path.join(path, "expected.json")) as f:
        expected = json.load(f)
    sequences = expected["sequences"]
    bf16 = load(path, torch.bfloat16)
    f32 = load(path, torch.float32)
    non_bf16 = sorted(k for k, v in bf16.state_dict().items() if v.dtype != torch.bfloat16)
    assert not non_bf16, f"{name}: parameters not in bf16: {non_bf16}"

    out = {"model": name, "torch": torch.__version__, "transformers": transformers.__version__,
           "dtype": "bfloat16", "attn_implementation": "eager", "sequences": sequences, "logits_bf16": []}
    abs_diffs, next_diffs, agree, positions, sanity, flips = [], [], 0, 0, 0.0, []
    with torch.no_grad():
        for s, ids in enumerate(sequences):
            x = torch.tensor([ids])
            logits_b = bf16(x).logits[0]
            assert logits_b.dtype == torch.bfloat16, logits_b.dtype
            logits_b = logits_b.float()
            logits_f = f32(x).logits[0].float()
            sanity = max(sanity, (logits_f - torch.tensor(expected["logits"][s])).abs().max().item())
            out["logits_bf16"].append([rounded(row.tolist()) for row in logits_b])
            lp_b = torch.log_softmax(logits_b, dim=-1)
            lp_f = torch.log_softmax(logits_f, dim=-1)
            d = (lp_b - lp_f).abs()
            abs_diffs.append(d.flatten())
            if len(ids) > 1:
                nxt = torch.tensor(ids[1:])
                pos = torch.arange(len(ids) - 1)
                next_diffs.append(d[pos, nxt])
            top_b, top_f = lp_b.argmax(-1), lp_f.argmax(-1)
            agree += (top_b == top_f).sum().item()
            for t in (top_b != top_f).nonzero().flatten().tolist():
                flips.append({"sequence": s, "position": t, "f32_top1": top_f[t].item(), "bf16_top1": top_b[t].item(),
                              "f32_margin": float(f"{(lp_f[t, top_f[t]] - lp_f[t, top_b[t]]).item():.3g}")})
            positions += len(ids)
    all_d = torch.cat(abs_diffs)
    nd = torch.cat(next_diffs)
    out["bf16_vs_f32"] = {
        "mean_abs_logprob_diff": float(f"{all_d.mean().item():.6g}"),
        "max_abs_logprob_diff": float(f"{all_d.max().item():.6g}"),
        "top1_agreement": float(f"{agree / positions:.6g}"),
        "next_token_mean_abs_logprob_diff": float(f"{nd.mean().item():.6g}"),
        "next_token_max_abs_logprob_diff": float(f"{nd.max().item():.6g}"),
        "positions": positions,
        "top1_disagreements": flips,
        "f32_vs_expected_max_abs_logit_diff": float(f"{sanity:.3g}"),
    }
    with open(os.path.join(DEST, f"{name}.json"), "w") as f:
        json.dump(out, f)
    return out["bf16_vs_f32"]


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("names", nargs="*", help="models under Tests/Fixtures/decoder/ (default: all)")
    args = parser.parse_args()
    torch.set_num_threads(2)
    os.makedirs(DEST, exist_ok=True)
    names = args.names or sorted(d for d in os.listdir(SOURCE)
                                 if os.path.exists(os.path.join(SOURCE, d, "model.safetensors")))
    for name in names:
        summary = fixture(name)
        print(name, json.dumps(summary))
