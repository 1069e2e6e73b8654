#!/usr/bin/env python3
"""Builds the demo model's byte-level BPE tokenizer from the task's text.

Usage: make_tokenizer.py TRAIN.jsonl OUT_DIR [--vocab-size N]

TRAIN.jsonl holds {"prompt", "completion"} lines (`tina demo-data`). Writes tokenizer.json, tokenizer_config.json
and generation_config.json into OUT_DIR. Qwen2's layout: NFC, the Qwen2 split regex (digits one by one, which
arithmetic needs), ByteLevel without its own regex, ByteLevel decoder; all 256 bytes are in the vocabulary, so
any text round-trips. Special tokens are DeepSeek-R1-Distill's (ids 0-3); <think> and </think> are added tokens
that are not special (decoding with special tokens skipped keeps them, as Tina's format reward needs).
Needs PyPI `tokenizers` (tested with 0.23.3). Deterministic for a given input.
"""
import argparse
import json
import os

from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, trainers

QWEN2_SPLIT = r"""(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"""
BOS, EOS, USER, ASSISTANT = "<｜begin▁of▁sentence｜>", "<｜end▁of▁sentence｜>", "<｜User｜>", "<｜Assistant｜>"
THINK_OPEN, THINK_CLOSE = "<think>", "</think>"

# Tina's training template ("deepseek-r1-early" built into tina): BOS, system text, <｜User｜>..., and
# "<｜Assistant｜>" as the generation prompt; the completion itself opens with "<think>\n".
CHAT_TEMPLATE = (
    "{% set ns = namespace(system_prompt='') %}{% for message in messages %}{% if message['role'] == 'system' %}"
    "{% set ns.system_prompt = message['content'] %}{% endif %}{% endfor %}{{ bos_token }}{{ ns.system_prompt }}"
    "{% for message in messages %}{% if message['role'] == 'user' %}{{ '<｜User｜>' + message['content'] }}"
    "{% elif message['role'] == 'assistant' %}{{ '<｜Assistant｜>' + message['content'] + '<｜end▁of▁sentence｜>' }}"
    "{% endif %}{% endfor %}{% if add_generation_prompt %}{{ '<｜Assistant｜>' }}{% endif %}"
)


def corpus(path):
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            row = json.loads(line)
            yield row["prompt"]
            # The tags are added tokens, matched before BPE: the text between them is what BPE sees.
            for part in row.get("completion", "").replace(THINK_CLOSE, THINK_OPEN).split(THINK_OPEN):
                if part:
                    yield part


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("data")
    parser.add_argument("out")
    parser.add_argument("--vocab-size", type=int, default=384, help="upper bound; merges stop at min frequency 2")
    args = parser.parse_args()

    tok = Tokenizer(models.BPE())
    tok.normalizer = normalizers.NFC()
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(QWEN2_SPLIT), behavior="isolated", invert=False),
        pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=False, use_regex=False),
    ])
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=args.vocab_size, min_frequency=2, show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
                                  special_tokens=[BOS, EOS, USER, ASSISTANT])
    tok.train_from_iterator(corpus(args.data), trainer=trainer)
    tok.add_tokens([AddedToken(THINK_OPEN, special=False, normalized=False),
                    AddedToken(THINK_CLOSE, special=False, normalized=False)])

    os.makedirs(args.out, exist_ok=True)
    tok.save(os.path.join(args.out, "tokenizer.json"))
    ids = {t: tok.token_to_id(t) for t in (BOS, EOS, USER, ASSISTANT, THINK_OPEN, THINK_CLOSE)}
    config = {
        "tokenizer_class": "PreTrainedTokenizerFast",
        "bos_token": BOS,
        "eos_token": EOS,
        "pad_token": EOS,
        "add_bos_token": False,
        "add_eos_token": False,
        "clean_up_tokenization_spaces": False,
        "model_max_length": 256,
        "chat_template": CHAT_TEMPLATE,
    }
    with open(os.path.join(args.out, "tokenizer_config.json"), "w", encoding="utf-8") as f:
        json.dump(config, f, indent=2, ensure_ascii=False)
        f.write("\n")
    generation = {"bos_token_id": ids[BOS], "eos_token_id": ids[EOS], "do_sample": True, "temperature": 0.7, "top_p": 1.0}
    with open(os.path.join(args.out, "generation_config.json"), "w", encoding="utf-8") as f:
        json.dump(generation, f, indent=2)
        f.write("\n")
    print(f"tokenizer: {tok.get_vocab_size()} tokens ({len(tok.get_vocab()) - 262} merged), ids {ids}")


if __name__ == "__main__":
    main()
