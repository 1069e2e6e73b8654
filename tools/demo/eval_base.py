#!/usr/bin/env python3
"""Samples a model on demo problems with `tina generate` and reports format rate and accuracy (Wilson 95 %).

Usage: eval_base.py TINA MODEL PROBLEMS.jsonl [--limit N] [--samples K] [--temperature T] [--top-p P] [--seed S]

PROBLEMS.jsonl: `tina demo-data --problems` lines. Each problem is sampled K times (seeds S, S+1, ...), one
`tina generate --json` per sample (the model is tiny: loading it is milliseconds). Format: "\n</think>\n" exactly
once (Tina's format reward); correct: the last \boxed{} holds the answer. Standard library only.
"""
import argparse
import json
import math
import re
import subprocess
import sys
import time


def wilson(k, n, z=1.96):
    if n == 0:
        return (0.0, 0.0)
    p = k / n
    d = 1 + z * z / n
    c = (p + z * z / (2 * n)) / d
    h = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
    return (c - h, c + h)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("tina")
    ap.add_argument("model")
    ap.add_argument("problems")
    ap.add_argument("--limit", type=int, default=100)
    ap.add_argument("--samples", type=int, default=1)
    ap.add_argument("--temperature", type=float, default=0.7)
    ap.add_argument("--top-p", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--max-new-tokens", type=int, default=128)
    ap.add_argument("--show", type=int, default=3, help="print this many completions")
    args = ap.parse_args()
    problems = [json.loads(l) for l in open(args.problems, encoding="utf-8") if l.strip()][: args.limit]
    n = fmt = correct = tokens = 0
    start = time.time()
    for i, p in enumerate(problems):
        for s in range(args.samples):
            out = subprocess.run([args.tina, "generate", "--model", args.model, "--prompt", p["prompt"], "--json",
                                  "--temperature", str(args.temperature), "--top-p", str(args.top_p),
                                  "--seed", str(args.seed + s), "--max-new-tokens", str(args.max_new_tokens)],
                                 capture_output=True, text=True, check=True)
            r = json.loads(out.stdout)
            text = r["text"]
            boxes = re.findall(r"\\boxed\{([^{}]*)\}", text)
            n += 1
            fmt += text.count("\n</think>\n") == 1
            correct += bool(boxes) and boxes[-1].strip() == str(p["answer"])
            tokens += len(r["generated_tokens"])
            if i < args.show and s == 0:
                print(f"--- {p['prompt']}  (answer {p['answer']})\n{text}", file=sys.stderr)
    lo, hi = wilson(correct, n)
    flo, fhi = wilson(fmt, n)
    print(json.dumps({"problems": len(problems), "samples": n, "temperature": args.temperature, "top_p": args.top_p,
                      "accuracy": round(correct / n, 4), "accuracy_ci95": [round(lo, 4), round(hi, 4)],
                      "format_rate": round(fmt / n, 4), "format_ci95": [round(flo, 4), round(fhi, 4)],
                      "mean_completion_tokens": round(tokens / n, 1), "seconds": round(time.time() - start, 1)}))


if __name__ == "__main__":
    main()
