#!/usr/bin/env python3
"""Builds the small format fixtures that the Swift tests read (Tests/Fixtures/).

Pinned versions: tools/reference/requirements-formats.txt (gguf 0.19.0, numpy 2.4.6, safetensors 0.8.0).
Run from the repository root:

    python3 -m venv .venv-ref && .venv-ref/bin/pip install -r tools/reference/requirements-formats.txt
    .venv-ref/bin/python tools/reference/make_format_fixtures.py [--smollm2 ../shared/models/smollm2-135m-instruct/SmolLM2-135M-Instruct.Q4_1.gguf]

Outputs (all deterministic from fixed seeds):
  tiny-qwen2/                config.json + bf16 model.safetensors + tokenizer_config.json (the README's demo input)
  tiny-llama-sharded/        config.json + two f32 shards + model.safetensors.index.json (tied embeddings)
  gguf/blocks.gguf           one tensor per GGML type Tina dequantizes, metadata of every value type
  gguf/blocks.expected.json  gguf-py's dequantization of each tensor (the reference values)
  gguf/smollm2-samples.json  gguf-py's dequantization of sample elements of SmolLM2-135M-Instruct's GGUF
"""
import argparse
import json
import os

import numpy as np
import gguf
from gguf.constants import GGMLQuantizationType as Q
from gguf import quants
from safetensors.numpy import save_file

ROOT = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "Fixtures")


def bf16_bits(x):
    """Round-to-nearest-even f32 -> bf16 bit patterns (as torch does)."""
    u = x.astype(np.float32).view(np.uint32)
    rounded = (u + 0x7FFF + ((u >> 16) & 1)) >> 16
    return rounded.astype(np.uint16)


def decoder_tensors(rng, hidden, inter, layers, heads, kv, vocab, qkv_bias, tied):
    hd = hidden // heads
    t = {"model.embed_tokens.weight": rng.normal(0, 0.02, (vocab, hidden)),
         "model.norm.weight": 1 + rng.normal(0, 0.1, hidden)}
    if not tied:
        t["lm_head.weight"] = rng.normal(0, 0.02, (vocab, hidden))
    for i in range(layers):
        p = f"model.layers.{i}."
        t[p + "input_layernorm.weight"] = 1 + rng.normal(0, 0.1, hidden)
        t[p + "post_attention_layernorm.weight"] = 1 + rng.normal(0, 0.1, hidden)
        t[p + "self_attn.q_proj.weight"] = rng.normal(0, 0.05, (heads * hd, hidden))
        t[p + "self_attn.k_proj.weight"] = rng.normal(0, 0.05, (kv * hd, hidden))
        t[p + "self_attn.v_proj.weight"] = rng.normal(0, 0.05, (kv * hd, hidden))
        t[p + "self_attn.o_proj.weight"] = rng.normal(0, 0.05, (hidden, heads * hd))
        if qkv_bias:
            t[p + "self_attn.q_proj.bias"] = rng.normal(0, 0.02, heads * hd)
            t[p + "self_attn.k_proj.bias"] = rng.normal(0, 0.02, kv * hd)
            t[p + "self_attn.v_proj.bias"] = rng.normal(0, 0.02, kv * hd)
        t[p + "mlp.gate_proj.weight"] = rng.normal(0, 0.05, (inter, hidden))
        t[p + "mlp.up_proj.weight"] = rng.normal(0, 0.05, (inter, hidden))
        t[p + "mlp.down_proj.weight"] = rng.normal(0, 0.05, (hidden, inter))
    return {k: v.astype(np.float32) for k, v in t.items()}


def write_json(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f, indent=1)
        f.write("\n")


def tiny_qwen2():
    out = os.path.join(ROOT, "tiny-qwen2")
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(20251127)
    f32 = decoder_tensors(rng, hidden=32, inter=64, layers=2, heads=4, kv=2, vocab=128, qkv_bias=True, tied=False)
    # safetensors.numpy has no bfloat16 dtype: write the bf16 bit patterns as U16, then patch the header dtype.
    path = os.path.join(out, "model.safetensors")
    save_file({k: bf16_bits(v) for k, v in f32.items()}, path, metadata={"format": "pt"})
    with open(path, "rb") as f:
        raw = f.read()
    n = int.from_bytes(raw[:8], "little")
    header = json.loads(raw[8:8 + n])
    for key, entry in header.items():
        if key != "__metadata__":
            entry["dtype"] = "BF16"
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-(8 + len(text)) % 8)
    with open(path, "wb") as f:
        f.write(len(text).to_bytes(8, "little") + text + raw[8 + n:])
    write_json(os.path.join(out, "config.json"), {
        "architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2", "hidden_size": 32,
        "intermediate_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2,
        "vocab_size": 128, "rms_norm_eps": 1e-6, "rope_theta": 10000.0, "max_position_embeddings": 512,
        "tie_word_embeddings": False, "hidden_act": "silu", "bos_token_id": 1, "eos_token_id": 2,
        "torch_dtype": "bfloat16"})
    widened = {k: (bf16_bits(v).astype(np.uint32) << 16).view(np.float32) for k, v in f32.items()}
    write_json(os.path.join(out, "expected.json"),
               {k: {"shape": list(v.shape), "sum": float(v.astype(np.float64).sum())} for k, v in widened.items()})
    write_json(os.path.join(out, "tokenizer_config.json"), {
        "bos_token": "<s>", "eos_token": "</s>",
        "chat_template": "{% for m in messages %}<|{{ m['role'] }}|>{{ m['content'] }}{% endfor %}"})


def tiny_llama_sharded():
    out = os.path.join(ROOT, "tiny-llama-sharded")
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(7)
    t = decoder_tensors(rng, hidden=24, inter=40, layers=2, heads=3, kv=1, vocab=64, qkv_bias=False, tied=True)
    names = sorted(t)
    first = {k: t[k] for k in names if ".layers.0." in k or "embed" in k}
    second = {k: t[k] for k in names if k not in first}
    shard_names = ["model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"]
    save_file(first, os.path.join(out, shard_names[0]), metadata={"format": "pt"})
    save_file(second, os.path.join(out, shard_names[1]), metadata={"format": "pt"})
    weight_map = {k: shard_names[0] for k in first} | {k: shard_names[1] for k in second}
    total = sum(v.nbytes for v in t.values())
    write_json(os.path.join(out, "model.safetensors.index.json"),
               {"metadata": {"total_size": total}, "weight_map": dict(sorted(weight_map.items()))})
    write_json(os.path.join(out, "config.json"), {
        "architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 24,
        "intermediate_size": 40, "num_hidden_layers": 2, "num_attention_heads": 3, "num_key_value_heads": 1,
        "vocab_size": 64, "rms_norm_eps": 1e-5, "tie_word_embeddings": True,
        "rope_scaling": {"rope_type": "linear", "factor": 2.0}, "eos_token_id": [2, 3], "torch_dtype": "float32"})
    # Expected values for the Swift test: a checksum of every tensor.
    write_json(os.path.join(out, "expected.json"),
               {k: {"shape": list(v.shape), "sum": float(v.astype(np.float64).sum())} for k, v in t.items()})


def random_k_blocks(rng, qtype, n_blocks):
    """Random bytes for K-quant blocks with finite, moderate f16 scales (any bit pattern is a valid block)."""
    size = gguf.GGML_QUANT_SIZES[qtype][1]
    raw = rng.integers(0, 256, size=(n_blocks, size), dtype=np.uint8)
    scales = rng.uniform(0.001, 0.05, size=(n_blocks, 2)).astype(np.float16).view(np.uint8).reshape(n_blocks, 4)
    if qtype == Q.Q6_K:
        raw[:, 208:210] = scales[:, :2]
    else:
        raw[:, 0:4] = scales
    return raw


def blocks_gguf():
    out = os.path.join(ROOT, "gguf")
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(42)
    path = os.path.join(out, "blocks.gguf")
    w = gguf.GGUFWriter(path, "llama")
    w.add_uint8("test.u8", 200)
    w.add_int8("test.i8", -100)
    w.add_uint16("test.u16", 60000)
    w.add_int16("test.i16", -30000)
    w.add_uint32("test.u32", 4000000000)
    w.add_int32("test.i32", -2000000000)
    w.add_float32("test.f32", 0.15625)
    w.add_uint64("test.u64", 18000000000000000000)
    w.add_int64("test.i64", -9000000000000000000)
    w.add_float64("test.f64", -2.5e-300)
    w.add_bool("test.bool", True)
    w.add_string("test.string", "héllo ✓")
    w.add_array("test.array_i32", [1, -2, 3])
    w.add_array("test.array_str", ["a", "bc", ""])
    w.add_array("test.array_nested", [[1, 2], [3]])
    expected = {}
    shape = (2, 256)  # rows x columns; GGUF dims are (256, 2)
    base = rng.normal(0, 1, shape).astype(np.float32)
    w.add_tensor("f32", base)
    w.add_tensor("f16", base.astype(np.float16))
    w.add_tensor("bf16", quants.quantize(base, Q.BF16), raw_dtype=Q.BF16)
    for qtype in (Q.Q8_0, Q.Q4_0, Q.Q4_1, Q.Q5_0, Q.Q5_1):
        w.add_tensor(qtype.name.lower(), quants.quantize(base, qtype), raw_dtype=qtype)
    for qtype in (Q.Q4_K, Q.Q5_K, Q.Q6_K):
        raw = random_k_blocks(rng, qtype, 2)  # two blocks of 256 = one row each
        w.add_tensor(qtype.name.lower(), raw, raw_dtype=qtype)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    reader = gguf.GGUFReader(path)
    for t in reader.tensors:
        values = quants.dequantize(np.asarray(t.data), t.tensor_type).astype(np.float32).reshape(-1)
        expected[t.name] = {"type": t.tensor_type.name, "dims": [int(d) for d in t.shape],
                            "values": [float(v) for v in values]}
    write_json(os.path.join(out, "blocks.expected.json"), expected)


def smollm2_samples(path):
    reader = gguf.GGUFReader(path)
    samples = {}
    names = ["token_embd.weight", "blk.0.attn_q.weight", "blk.0.attn_k.weight", "blk.29.ffn_down.weight",
             "blk.15.ffn_norm.weight", "output_norm.weight"]
    for t in reader.tensors:
        if t.name not in names:
            continue
        values = quants.dequantize(np.asarray(t.data), t.tensor_type).astype(np.float32).reshape(-1)
        idx = np.linspace(0, values.size - 1, 48).astype(np.int64)
        samples[t.name] = {"type": t.tensor_type.name, "count": int(values.size),
                           "sum": float(values.astype(np.float64).sum()),
                           "abs_sum": float(np.abs(values.astype(np.float64)).sum()),
                           "indices": [int(i) for i in idx], "values": [float(values[i]) for i in idx]}
    meta = {"tensor_count": len(reader.tensors), "kv_count": len(reader.fields) - 3,
            "tokens": len(reader.fields["tokenizer.ggml.tokens"].data),
            "merges": len(reader.fields["tokenizer.ggml.merges"].data)}
    write_json(os.path.join(ROOT, "gguf", "smollm2-samples.json"), {"file": os.path.basename(path), "meta": meta,
                                                                     "tensors": samples})


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--smollm2", default=os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared",
                                                          "models", "smollm2-135m-instruct",
                                                          "SmolLM2-135M-Instruct.Q4_1.gguf"))
    args = parser.parse_args()
    tiny_qwen2()
    tiny_llama_sharded()
    blocks_gguf()
    if os.path.exists(args.smollm2):
        smollm2_samples(args.smollm2)
    else:
        print(f"skipping SmolLM2 samples: {args.smollm2} not found")
    print("fixtures written under", os.path.normpath(ROOT))
