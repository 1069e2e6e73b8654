#!/usr/bin/env python3
"""math-verify throughput as peers.md section 6 measures it: verify(parse(gold), parse(pred)) with defaults,
1 warm-up pass, median of 3, one process. Arguments: JSONL files ({gold, pred} pairs, or data files whose
answers are graded as ($answer$, $answer$)). JSON lines on stdout."""
import json, logging, sys, time
logging.disable(logging.WARNING)
from math_verify import parse, verify

for path in sys.argv[1:]:
    pairs = []
    for line in open(path):
        o = json.loads(line)
        pairs.append((o["gold"], o["pred"]) if "gold" in o else (f"${o['answer']}$", f"${o['answer']}$"))
    verified = sum(bool(verify(parse(g), parse(p))) for g, p in pairs)
    runs = []
    for _ in range(3):
        start = time.perf_counter()
        for g, p in pairs:
            verify(parse(g), parse(p))
        runs.append(time.perf_counter() - start)
    median = sorted(runs)[1]
    print(json.dumps({"peer": "math-verify 0.9.0", "set": path.split("/")[-1], "pairs": len(pairs), "runs": runs,
                      "median_s": median, "pairs_per_s": len(pairs) / median, "verified_true": verified}))
