#!/usr/bin/env python3
"""Arithmetic problems for small GRPO runs on the CPU (recipes/cpu/).

--level standard (the default): word problems with 2-3 digit numbers (+, -, x, exact /, three-term sums). The test
split holds problems whose text is not in the train split.

--level small: additions and subtractions of numbers from 1 to 12 (differences positive), half as bare questions
("What is 7 + 5?"), half as one-sentence word problems. The (operation, a, b) facts are split first: the test
split's facts never occur in the train split, so a gain on it is not memorised sums.

Deterministic: the same arguments give byte-identical files. Standard library only. Writes JSONL rows
{"id", "problem", "answer", "expression"}; `answer` is an integer string (GRPODataset wraps it as "$answer$").

    python3 tools/data/make_arithmetic.py --seed 2025 --train 1000 --test 200 --out data/arithmetic
    python3 tools/data/make_arithmetic.py --level small --seed 11 --train 1000 --test 100 --out data/arithmetic-small
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


def small_problem(rng, fact):
    """(text, expression, answer) of one problem on the fact (op, a, b): a bare question or a word problem."""
    op, a, b = fact
    answer = a + b if op == "+" else a - b
    if rng.random() < 0.5:
        return f"What is {a} {op} {b}?", f"{a} {op} {b}", answer
    name, other = rng.sample(NAMES, 2)
    thing = rng.choice(THINGS)
    if op == "+":
        text = f"{name} has {a} {thing} and gets {b} more from {other}. How many {thing} does {name} have now?"
    else:
        text = f"{name} had {a} {thing} and gave {b} of them to {other}. How many {thing} does {name} have left?"
    return text, f"{a} {op} {b}", answer


def small_rows(rng, train, test, test_fact_share=0.2):
    """Train and test rows over disjoint (op, a, b) facts with a, b in 1..12."""
    facts = [("+", a, b) for a in range(1, 13) for b in range(1, 13)]
    facts += [("-", a, b) for a in range(1, 13) for b in range(1, 13) if a > b]
    rng.shuffle(facts)
    held = int(len(facts) * test_fact_share)
    splits = []
    for pool, count in [(facts[held:], train), (facts[:held], test)]:
        seen, rows = set(), []
        while len(rows) < count:
            text, expression, answer = small_problem(rng, rng.choice(pool))
            if text in seen:
                continue
            seen.add(text)
            rows.append((text, expression, answer))
        splits.append(rows)
    return splits


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--train", type=int, default=1000)
    parser.add_argument("--test", type=int, default=200)
    parser.add_argument("--out", default="data/arithmetic")
    parser.add_argument("--level", choices=["standard", "small"], default="standard")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    if args.level == "small":
        train_rows, test_rows = small_rows(rng, args.train, args.test)
    else:
        seen = set()
        rows = []
        while len(rows) < args.train + args.test:
            text, expression, answer = problem(rng)
            if text in seen:
                continue
            seen.add(text)
            rows.append((text, expression, answer))
        train_rows, test_rows = rows[:args.train], rows[args.train:]
    os.makedirs(args.out, exist_ok=True)
    for split, chunk in [("train", train_rows), ("test", test_rows)]:
        with open(os.path.join(args.out, f"{split}.jsonl"), "w", encoding="utf-8") as f:
            for i, (text, expression, answer) in enumerate(chunk):
                row = {"id": f"arith-{split}-{i}", "problem": text, "answer": str(answer), "expression": expression}
                f.write(json.dumps(row, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
