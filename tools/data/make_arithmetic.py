#!/usr/bin/env python3
"""Arithmetic word problems with 2-3 digit numbers, for small GRPO runs on the CPU (recipes/cpu/).

Deterministic: the same seed gives byte-identical files. Standard library only. Writes JSONL rows
{"id", "problem", "answer", "expression"}; `answer` is an integer string (GRPODataset wraps it as "$answer$").
The test split holds problems whose text is not in the train split.

    python3 tools/data/make_arithmetic.py --seed 2025 --train 1000 --test 200 --out data/arithmetic
"""
import argparse
import json
import os
import random

NAMES = ["Ava", "Ben", "Chloe", "Dev", "Emma", "Farid", "Grace", "Hiro", "Ines", "Jonas", "Kira", "Liam",
         "Maya", "Noah", "Olga", "Priya", "Quinn", "Rosa", "Sam", "Tariq"]
THINGS = ["marbles", "stickers", "apples", "coins", "books", "stamps", "shells", "pencils", "cards", "beads"]
PLACES = ["a library", "a farm", "a school", "a bakery", "a warehouse", "a museum", "a garden", "a shop"]


def problem(rng):
    """(text, expression, answer) of one random problem."""
    name, other = rng.sample(NAMES, 2)
    thing = rng.choice(THINGS)
    kind = rng.choice(["add", "sub", "mul", "add3", "sub_add", "div"])
    if kind == "add":
        a, b = rng.randint(10, 999), rng.randint(10, 999)
        text = f"{name} has {a} {thing} and gets {b} more from {other}. How many {thing} does {name} have now?"
        return text, f"{a} + {b}", a + b
    if kind == "sub":
        a = rng.randint(100, 999)
        b = rng.randint(10, a - 1)
        text = f"{name} had {a} {thing} and gave {b} of them to {other}. How many {thing} does {name} have left?"
        return text, f"{a} - {b}", a - b
    if kind == "mul":
        a, b = rng.randint(11, 99), rng.randint(3, 12)
        place = rng.choice(PLACES)
        text = f"At {place} there are {b} boxes with {a} {thing} in each box. How many {thing} are there in total?"
        return text, f"{b} * {a}", a * b
    if kind == "add3":
        a, b, c = rng.randint(10, 300), rng.randint(10, 300), rng.randint(10, 300)
        text = (f"{name} collected {a} {thing} on Monday, {b} on Tuesday and {c} on Wednesday. "
                f"How many {thing} did {name} collect in the three days?")
        return text, f"{a} + {b} + {c}", a + b + c
    if kind == "sub_add":
        a = rng.randint(100, 999)
        b = rng.randint(10, a - 1)
        c = rng.randint(10, 500)
        text = (f"{name} starts with {a} {thing}, loses {b} of them, and then buys {c} more. "
                f"How many {thing} does {name} have at the end?")
        return text, f"{a} - {b} + {c}", a - b + c
    # div: an exact quotient
    q, d = rng.randint(11, 99), rng.randint(2, 9)
    text = f"{name} shares {q * d} {thing} equally among {d} friends. How many {thing} does each friend get?"
    return text, f"{q * d} / {d}", q


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--train", type=int, default=1000)
    parser.add_argument("--test", type=int, default=200)
    parser.add_argument("--out", default="data/arithmetic")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    seen = set()
    rows = []
    while len(rows) < args.train + args.test:
        text, expression, answer = problem(rng)
        if text in seen:
            continue
        seen.add(text)
        rows.append((text, expression, answer))
    os.makedirs(args.out, exist_ok=True)
    for split, chunk in [("train", rows[:args.train]), ("test", rows[args.train:])]:
        with open(os.path.join(args.out, f"{split}.jsonl"), "w", encoding="utf-8") as f:
            for i, (text, expression, answer) in enumerate(chunk):
                row = {"id": f"arith-{split}-{i}", "problem": text, "answer": str(answer), "expression": expression}
                f.write(json.dumps(row, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
