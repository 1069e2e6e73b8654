#!/usr/bin/env python3
"""Golden fixtures for the Qwen2/Llama decoder (Tests/Fixtures/decoder/).

Pinned versions: tools/reference/requirements-decoder.txt (torch 2.15.0, transformers 5.24.0, safetensors 0.8.0,
numpy 2.4.6, gguf 0.19.0). torch has no CPU-only wheel on PyPI here: the default (CUDA) build runs on the CPU.

    python3 -m venv .venv-ref && .venv-ref/bin/pip install -r tools/reference/requirements-decoder.txt
    .venv-ref/bin/python tools/reference/make_decoder_fixtures.py [--smollm2 PATH]

For each tiny random model (several GQA ratios, tied and untied embeddings, with and without biases,
head dims that are not hidden/heads, linear rope scaling) it writes <name>/config.json + model.safetensors (f32)
and <name>/expected.json: the input token ids of three sequences, transformers' logits at every position,
next-token log-probs and entropies, and the logits of the same model with its matrices rounded to bf16
(norm weights and biases stay f32, as Tina holds them).
With --smollm2 (default ../shared/models/...), smollm2.json holds SmolLM2-135M-Instruct's token ids for a few
chat prompts (its own tokenizer and chat template), the top-5 ids and log-probs at several positions, and the
greedy continuation of each prompt.
"""
import argparse
import json
import os

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer, LlamaConfig, Qwen2Config

ROOT = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "Fixtures", "decoder")

MODELS = {
    # name: (config class, kwargs)
    "qwen2-gqa2": (Qwen2Config, dict(hidden_size=48, num_attention_heads=6, num_key_value_heads=3,
                                     intermediate_size=96, vocab_size=96, num_hidden_layers=2)),
    "qwen2-mha-tied": (Qwen2Config, dict(hidden_size=32, num_attention_heads=4, num_key_value_heads=4,
                                         intermediate_size=64, vocab_size=80, num_hidden_layers=2,
                                         tie_word_embeddings=True)),
    "qwen2-gqa6-headdim10": (Qwen2Config, dict(hidden_size=40, num_attention_heads=6, num_key_value_heads=1,
                                               head_dim=10, intermediate_size=72, vocab_size=64,
                                               num_hidden_layers=3, rope_theta=1000.0)),
    "llama-gqa3-tied": (LlamaConfig, dict(hidden_size=48, num_attention_heads=6, num_key_value_heads=2,
                                          intermediate_size=80, vocab_size=90, num_hidden_layers=2,
                                          tie_word_embeddings=True, rope_theta=500000.0, rms_norm_eps=1e-5)),
    "llama-bias-linear-rope": (LlamaConfig, dict(hidden_size=48, num_attention_heads=4, num_key_value_heads=4,
                                                 head_dim=12, intermediate_size=64, vocab_size=72,
                                                 num_hidden_layers=2, attention_bias=True, mlp_bias=True,
                                                 rope_scaling={"rope_type": "linear", "factor": 2.0})),
    "llama-gqa4-untied": (LlamaConfig, dict(hidden_size=48, num_attention_heads=8, num_key_value_heads=2,
                                            intermediate_size=96, vocab_size=100, num_hidden_layers=2)),
}

LENGTHS = [9, 5, 1]


def rounded(values, digits=8):
    return [float(f"{v:.{digits}g}") for v in values]


def tiny_model(name, cls, kwargs, seed):
    torch.manual_seed(seed)
    config = cls(max_position_embeddings=256, **kwargs)
    config._attn_implementation = "eager"
    model = AutoModelForCausalLM.from_config(config, dtype=torch.float32).eval()
    # Random init has tiny std; widen it so logits differ visibly between tokens and biases are non-zero.
    with torch.no_grad():
        for pname, p in model.named_parameters():
            if "norm" in pname:
                p.copy_(1 + 0.1 * torch.randn_like(p))
            else:
                p.copy_(0.08 * torch.randn_like(p))
    out = os.path.join(ROOT, name)
    model.save_pretrained(out, safe_serialization=True)
    for extra in ("generation_config.json",):
        path = os.path.join(out, extra)
        if os.path.exists(path):
            os.remove(path)
    g = torch.Generator().manual_seed(seed + 1)
    sequences = [torch.randint(0, config.vocab_size, (n,), generator=g).tolist() for n in LENGTHS]
    expected = {"sequences": sequences, "logits": [], "logprobs": [], "entropies": [], "logits_bf16": []}
    bf16 = AutoModelForCausalLM.from_config(config, dtype=torch.float32).eval()
    # Tina keeps matrices in bf16 but norm weights and biases in f32: round only the 2-D tensors.
    bf16.load_state_dict({k: v.to(torch.bfloat16).to(torch.float32) if v.dim() == 2 else v
                          for k, v in model.state_dict().items()})
    with torch.no_grad():
        for ids in sequences:
            x = torch.tensor([ids])
            logits = model(x).logits[0].float()
            logp = torch.log_softmax(logits, dim=-1)
            expected["logits"].append([rounded(row.tolist()) for row in logits])
            expected["logprobs"].append(rounded([logp[t, ids[t + 1]].item() for t in range(len(ids) - 1)]))
            expected["entropies"].append(rounded((-(logp.exp() * logp).sum(-1)).tolist()))
            expected["logits_bf16"].append([rounded(row.tolist()) for row in bf16(x).logits[0].float()])
    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump(expected, f)


def smollm2(path):
    directory, name = os.path.split(path)
    tokenizer = AutoTokenizer.from_pretrained(directory, gguf_file=name)
    model = AutoModelForCausalLM.from_pretrained(directory, gguf_file=name, dtype=torch.float32).eval()
    prompts = ["What is the capital of France?", "Write a haiku about the sea.",
               "Explain why the sky is blue in one sentence.", "What is 12 times 7?"]
    cases = []
    for prompt in prompts:
        text = tokenizer.apply_chat_template([{"role": "user", "content": prompt}], tokenize=False,
                                             add_generation_prompt=True)
        ids = tokenizer(text, add_special_tokens=False)["input_ids"]
        with torch.no_grad():
            logp = torch.log_softmax(model(torch.tensor([ids])).logits[0].float(), dim=-1)
            positions = sorted(set([0, len(ids) // 3, len(ids) // 2, len(ids) - 2, len(ids) - 1]))
            top = []
            for p in positions:
                values, indices = logp[p].topk(5)
                top.append({"position": p, "ids": indices.tolist(), "logprobs": rounded(values.tolist())})
            generated = model.generate(torch.tensor([ids]), max_new_tokens=32, do_sample=False,
                                       attention_mask=torch.ones(1, len(ids), dtype=torch.long))
        new = generated[0, len(ids):].tolist()
        cases.append({"prompt": prompt, "text": text, "ids": ids, "top": top, "greedy": new,
                      "greedy_text": tokenizer.decode(new)})
    with open(os.path.join(ROOT, "smollm2.json"), "w") as f:
        json.dump({"file": name, "cases": cases}, f, indent=1)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--smollm2", default=os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared",
                                                          "models", "smollm2-135m-instruct",
                                                          "SmolLM2-135M-Instruct.Q4_1.gguf"))
    args = parser.parse_args()
    torch.set_num_threads(2)
    os.makedirs(ROOT, exist_ok=True)
    for i, (name, (cls, kwargs)) in enumerate(MODELS.items()):
        tiny_model(name, cls, kwargs, seed=100 + i)
        print("wrote", name)
    if os.path.exists(args.smollm2):
        smollm2(args.smollm2)
        print("wrote smollm2.json")
    else:
        print(f"skipping SmolLM2: {args.smollm2} not found")
