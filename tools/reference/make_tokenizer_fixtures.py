#!/usr/bin/env python3
"""Tokenizer parity fixtures (Tests/Fixtures/tokenizers/), from the Hugging Face `tokenizers` library.

Pinned versions: tools/reference/requirements-decoder.txt (transformers 5.24.0 brings tokenizers 0.23.x; gguf 0.19.0
for SmolLM2's GGUF tokenizer). Run from the repository root:

    .venv-ref/bin/python tools/reference/make_tokenizer_fixtures.py [--shared ../shared]

Tokenizers: DeepSeek-R1-Distill-Qwen-1.5B (shared/models/.../tokenizer.json, loaded by `tokenizers` itself) and
SmolLM2-135M-Instruct (its GGUF file, converted to a `tokenizers` Tokenizer by transformers).
Outputs:
  hard_cases.json   hand-made hard inputs with the full ids of both tokenizers (with and without special
                    tokens), their decodes, and decodes of id sequences that split multi-byte characters
  corpus.json       for every row of every shared/data/*.jsonl file: a 32-bit FNV-1a hash and the length of the
                    ids of each text field (problem, answer, answer_raw, solution), per tokenizer
"""
import argparse
import glob
import json
import os

from tokenizers import Tokenizer
from transformers import AutoTokenizer

ROOT = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "Fixtures", "tokenizers")
FIELDS = ["problem", "answer", "answer_raw", "solution"]


HARD = [
    "", " ", "  ", "\n", "\n\n\n", " \n ", "\t\tx", "a  b   c    d", "trailing spaces   ", "   leading",
    "CRLF line\r\nnext\r\n\r\nend", "lone\rCR\r", "mixed \r\n \n\r \t\n  x",
    "12345678901234567890", "3.14159 and 2,718,281 and 1e-10", "x^2+y^2=z^2", "$\\frac{1}{2}$ and \\boxed{42}",
    "I'm you're we've they'll she'd it's I'M YOU'RE WE'VE THEY'LL SHE'D IT'S I'm'S", "don't 've 'll ''s",
    "Hello, 世界! Привет мир. مرحبا بالعالم. नमस्ते दुनिया. こんにちは。안녕하세요",
    "emoji 😀👍🏽 family 👨‍👩‍👧‍👦 flag 🇫🇷 keycap 1️⃣", "combining e\u0301 vs \u00e9, a\u030a, \u1e9b\u0323", "ﬁ ligature ① ² Ⅻ ½",
    "zero\u200bwidth\u200cjoiners\u200d", "nbsp\u00a0here\u2003em\u3000ideographic", "\u0085next line \u000bvtab \u000cff",
    "tabs\tand\u2028line\u2029paragraph", "math ∑_{i=1}^{n} i² = n(n+1)/2 ∀ε>0 ∃δ", "URL https://example.com/a?b=c&d=e#f",
    "code:\n    def f(x):\n        return x ** 2  # square\n", "ALLCAPS lowercase MiXeD CamelCaseWord snake_case_word",
    "punctuation!!! ??? ... --- ((( ))) [[[ ]]] {{{ }}}", "quotes \"double\" 'single' `back` «guillemets» „low“",
    "<think>\nreasoning\n</think>\n<answer>\n42\n</answer>",
]


def hard_inputs(added):
    cases = list(HARD)
    for token in added:
        cases += [f"x{token}y", f" {token} ", f"{token}{token}", f"ab{token}\ncd", f"{token}'s 12"]
    return cases


def fnv1a(ids):
    h = 0x811C9DC5
    for i in ids:
        for b in int(i).to_bytes(4, "little"):
            h ^= b
            h = (h * 0x01000193) & 0xFFFFFFFF
    return h


class HF:
    """The `tokenizers` library directly (transformers' Qwen2Tokenizer class would inject an extra
    '<|endoftext|>' unk token, id 151665, that tokenizer.json does not have)."""

    def __init__(self, backend):
        self.backend = backend

    def __call__(self, text, add_special_tokens=True):
        return {"input_ids": self.backend.encode(text, add_special_tokens=add_special_tokens).ids}

    def decode(self, ids, skip_special_tokens=False):
        return self.backend.decode(ids, skip_special_tokens=skip_special_tokens)

    def added(self):
        return [t.content for t in self.backend.get_added_tokens_decoder().values()]


def describe(tok):
    # Every added token of the tokenizer, glued to text on both sides.
    added = tok.added()
    cases = []
    for text in hard_inputs(added):
        with_special = tok(text)["input_ids"]
        without = tok(text, add_special_tokens=False)["input_ids"]
        cases.append({"text": text, "ids": with_special, "ids_no_special": without,
                      "decoded": tok.decode(with_special), "decoded_skip": tok.decode(with_special, skip_special_tokens=True)})
    # Decoding partial UTF-8: every prefix of the ids of multi-byte-heavy text.
    partial = []
    for text in ["世界 😀👍🏽 é", "👨‍👩‍👧‍👦 done"]:
        ids = tok(text, add_special_tokens=False)["input_ids"]
        for n in range(1, len(ids) + 1):
            partial.append({"ids": ids[:n], "decoded": tok.decode(ids[:n])})
    return {"cases": cases, "partial_decodes": partial}


def corpus(tok, shared):
    out = {}
    for path in sorted(glob.glob(os.path.join(shared, "data", "*.jsonl"))):
        rows = []
        with open(path) as f:
            for line in f:
                row = json.loads(line)
                entry = []
                for field in FIELDS:
                    value = row.get(field)
                    if isinstance(value, str):
                        ids = tok(value, add_special_tokens=False)["input_ids"]
                        entry.append(f"{fnv1a(ids):08x}:{len(ids)}")
                    else:
                        entry.append("")
                rows.append(" ".join(entry) if any(entry) else "")
        out[os.path.basename(path)] = rows
    return out


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--shared", default=os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared"))
    args = parser.parse_args()
    os.makedirs(ROOT, exist_ok=True)
    r1 = HF(Tokenizer.from_file(os.path.join(args.shared, "models", "deepseek-r1-distill-qwen-1.5b", "tokenizer.json")))
    smol_dir = os.path.join(args.shared, "models", "smollm2-135m-instruct")
    smol = HF(AutoTokenizer.from_pretrained(smol_dir, gguf_file="SmolLM2-135M-Instruct.Q4_1.gguf").backend_tokenizer)
    hard = {"r1": describe(r1), "smollm2": describe(smol), "fields": FIELDS}
    with open(os.path.join(ROOT, "hard_cases.json"), "w") as f:
        json.dump(hard, f, ensure_ascii=False, indent=0)
    data = {"fields": FIELDS, "r1": corpus(r1, args.shared), "smollm2": corpus(smol, args.shared)}
    with open(os.path.join(ROOT, "corpus.json"), "w") as f:
        json.dump(data, f, separators=(",", ":"))
    print("wrote", os.path.normpath(ROOT))
