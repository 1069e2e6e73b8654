#!/usr/bin/env python3
"""Rewrites an f32 model directory's model.safetensors as bf16 (round to nearest even) and sets
config.json's torch_dtype to bfloat16. Standard library only.  Usage: to_bf16.py MODEL_DIR
"""
import array
import json
import os
import struct
import sys


def main():
    directory = sys.argv[1]
    path = os.path.join(directory, "model.safetensors")
    with open(path, "rb") as f:
        data = f.read()
    (size,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + size])
    body = data[8 + size :]
    metadata = header.pop("__metadata__", None)
    out_header, chunks, offset = {}, [], 0
    for name in sorted(header):
        info = header[name]
        begin, end = info["data_offsets"]
        raw = body[begin:end]
        if info["dtype"] == "F32":
            words = array.array("I")
            words.frombytes(raw)
            if sys.byteorder != "little":
                words.byteswap()
            halves = array.array("H", (((w + 0x7FFF + ((w >> 16) & 1)) >> 16) & 0xFFFF for w in words))
            if sys.byteorder != "little":
                halves.byteswap()
            raw, dtype = halves.tobytes(), "BF16"
        else:
            dtype = info["dtype"]
        out_header[name] = {"dtype": dtype, "shape": info["shape"], "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    if metadata is not None:
        out_header["__metadata__"] = metadata
    encoded = json.dumps(out_header, separators=(",", ":")).encode()
    encoded += b" " * (-len(encoded) % 8)
    with open(path + ".tmp", "wb") as f:
        f.write(struct.pack("<Q", len(encoded)) + encoded + b"".join(chunks))
    os.replace(path + ".tmp", path)
    config_path = os.path.join(directory, "config.json")
    with open(config_path) as f:
        config = json.load(f)
    config["torch_dtype"] = "bfloat16"
    with open(config_path, "w") as f:
        json.dump(config, f, indent=2)
        f.write("\n")
    print(f"{path}: {len(header)} tensors written as bf16 ({offset} bytes)")


if __name__ == "__main__":
    main()
