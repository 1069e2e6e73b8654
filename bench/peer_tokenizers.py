#!/usr/bin/env python3
"""HF tokenizers encode throughput, measured as peers.md section 5 does (one thread, `encode` in a loop on
the `problem` field of every data/*.jsonl, add_special_tokens=False, 1 warm-up, median of 3). JSON on stdout."""
import glob, json, os, sys, time
os.environ["TOKENIZERS_PARALLELISM"] = "false"
os.environ["RAYON_NUM_THREADS"] = "1"
from tokenizers import Tokenizer, __version__

path, data = sys.argv[1], sys.argv[2]
tok = Tokenizer.from_file(path if path.endswith(".json") else os.path.join(path, "tokenizer.json"))
texts = [json.loads(l)["problem"] for f in sorted(glob.glob(os.path.join(data, "*.jsonl"))) for l in open(f) if "problem" in json.loads(l)]
total_bytes = sum(len(t.encode()) for t in texts)
for t in texts: tok.encode(t, add_special_tokens=False)
runs = []
for _ in range(3):
    start = time.perf_counter()
    tokens = sum(len(tok.encode(t, add_special_tokens=False).ids) for t in texts)
    runs.append(time.perf_counter() - start)
median = sorted(runs)[1]
print(json.dumps({"peer": f"HF tokenizers {__version__}", "texts": len(texts), "bytes": total_bytes, "tokens": tokens,
                  "runs": runs, "median_s": median, "MB_per_s": total_bytes / median / 1e6, "tokens_per_s": tokens / median}))
