#!/usr/bin/env python3
"""llama.cpp (llama-cpp-python) on a GGUF, measured as peers.md section 2: n_threads = n_threads_batch = 2,
n_batch = n_ubatch = 512; prefill = eval of 512 pseudo-random tokens after reset(); decode = greedy generation
after a 50-token prompt, timing the tokens after the first. One warm-up, then RUNS timed runs of each (default 3);
prefill_tokens_per_s and decode_tokens_per_s are the medians, and every run's decode tokens/s is listed with its
min and max; other_load_cores = CPU cores other processes used during the timed runs
(bench/peer_common.OtherLoad). JSON on stdout.

    python bench/peer_llamacpp.py MODEL.gguf [DECODE_TOKENS] [RUNS]
"""
import json, sys, time
from llama_cpp import Llama, __version__
from peer_common import OtherLoad

path = sys.argv[1]
new_tokens = int(sys.argv[2]) if len(sys.argv) > 2 else 64
runs = int(sys.argv[3]) if len(sys.argv) > 3 else 3
llm = Llama(model_path=path, n_ctx=2048, n_threads=2, n_threads_batch=2, n_batch=512, n_ubatch=512, verbose=False)
vocab = llm.n_vocab()
prompt = [(i * 7919 + 13) % vocab for i in range(512)]


def prefill():
    llm.reset()
    start = time.perf_counter()
    llm.eval(prompt)
    return time.perf_counter() - start


def decode():
    llm.reset()
    count, start = 0, None
    for token in llm.generate(prompt[:50], temp=0.0, top_k=1, reset=True):
        if start is None:
            start = time.perf_counter()  # time the tokens after the first
        else:
            count += 1
        if count == new_tokens:
            break
    return (time.perf_counter() - start) / count


prefill(); decode()
load = OtherLoad()
p = sorted(prefill() for _ in range(runs))
d = sorted(1 / decode() for _ in range(runs))  # tokens/s, slowest first
print(json.dumps({"peer": f"llama.cpp via llama-cpp-python {__version__}", "model": path.split("/")[-1],
                  "prefill_tokens_per_s": 512 / p[(runs - 1) // 2], "decode_tokens_per_s": d[(runs - 1) // 2],
                  "decode_tokens_per_s_min": d[0], "decode_tokens_per_s_max": d[-1],
                  "decode_tokens_per_s_runs": d, "decode_tokens": new_tokens, "runs": runs, "threads": 2,
                  "other_load_cores": round(load.cores(), 3)}))
