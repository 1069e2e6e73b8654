#!/usr/bin/env python3
"""llama.cpp (llama-cpp-python) on a GGUF, measured as peers.md section 2: n_threads = n_threads_batch = 2,
n_batch = n_ubatch = 512; prefill = eval of 512 pseudo-random tokens after reset(); decode = greedy generation
after a 50-token prompt, timing the tokens after the first. One warm-up, median of 3. JSON on stdout.

    python bench/peer_llamacpp.py MODEL.gguf [DECODE_TOKENS]
"""
import json, sys, time
from llama_cpp import Llama, __version__

path = sys.argv[1]
new_tokens = int(sys.argv[2]) if len(sys.argv) > 2 else 64
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
p = sorted(prefill() for _ in range(3))[1]
d = sorted(decode() for _ in range(3))[1]
print(json.dumps({"peer": f"llama.cpp via llama-cpp-python {__version__}", "model": path.split("/")[-1],
                  "prefill_tokens_per_s": 512 / p, "decode_tokens_per_s": 1 / d}))
