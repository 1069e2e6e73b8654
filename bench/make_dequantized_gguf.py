#!/usr/bin/env python3
"""Writes a BF16 (or F32/F16) copy of a quantized GGUF with gguf-py, as peers.md did for llama.cpp's
same-precision runs: matrices dequantized and stored at the target type, 1-D tensors kept F32, metadata copied.

    python bench/make_dequantized_gguf.py IN.gguf OUT.gguf [BF16|F16|F32]
"""
import sys

import numpy as np
import gguf
from gguf import quants
from gguf.constants import GGMLQuantizationType as Q

src, dst = sys.argv[1], sys.argv[2]
target = Q[sys.argv[3]] if len(sys.argv) > 3 else Q.BF16
reader = gguf.GGUFReader(src)
arch = reader.fields["general.architecture"]
writer = gguf.GGUFWriter(dst, bytes(arch.parts[arch.data[0]]).decode())
for key, field in reader.fields.items():
    if key.startswith("GGUF.") or key == "general.architecture":
        continue
    value_type = field.types[0]
    if value_type == gguf.GGUFValueType.ARRAY:
        items = [field.parts[i] for i in field.data]
        if field.types[1] == gguf.GGUFValueType.STRING:
            writer.add_array(key, [bytes(x).decode() for x in items])
        else:
            writer.add_array(key, [x.tolist()[0] for x in items])
    elif value_type == gguf.GGUFValueType.STRING:
        writer.add_string(key, bytes(field.parts[field.data[0]]).decode())
    else:
        writer.add_key_value(key, field.parts[field.data[0]].tolist()[0], value_type)
for t in reader.tensors:
    values = quants.dequantize(np.asarray(t.data), t.tensor_type).astype(np.float32)
    shape = tuple(int(d) for d in reversed(t.shape))
    values = values.reshape(shape)
    if values.ndim == 1 or target == Q.F32:
        writer.add_tensor(t.name, values)
    elif target == Q.F16:
        writer.add_tensor(t.name, values.astype(np.float16))
    else:
        writer.add_tensor(t.name, quants.quantize(values, Q.BF16), raw_dtype=Q.BF16)
writer.write_header_to_file()
writer.write_kv_data_to_file()
writer.write_tensors_to_file()
writer.close()
