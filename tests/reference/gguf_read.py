#!/usr/bin/python3
"""gguf_read.py - an independent GGUF reader, written from the format description (the
GGUF specification in the ggml repository and llama.cpp's gguf-py/gguf/constants.py), used
to check files written by vkeve's C writer.

    /usr/bin/python3 gguf_read.py FILE      prints a canonical dump, one line per item:
        version V
        alignment A
        kv KEY TYPE VALUE
        tensor NAME TYPE N_DIMS NE0 NE1 NE2 NE3 OFFSET NBYTES CHECKSUM

Values: integers in decimal, bools 0/1, floats as the hex of their IEEE bits (f32 8 digits,
f64 16), strings as the hex of their UTF-8 bytes ("-" when empty), arrays as
"[ELEMTYPE COUNT item item ...]". CHECKSUM is sum((i + 1) * byte[i]) mod 2^64 over the
tensor's bytes.
"""
import struct
import sys

import numpy as np

VALUE_TYPES = {0: "u8", 1: "i8", 2: "u16", 3: "i16", 4: "u32", 5: "i32", 6: "f32", 7: "bool",
               8: "string", 9: "array", 10: "u64", 11: "i64", 12: "f64"}
NUMBER_FORMATS = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<B",
                  10: "<Q", 11: "<q", 12: "<d"}

# ggml type id -> (name, elements per block, bytes per block), from ggml's type traits.
GGML_TYPES = {0: ("f32", 1, 4), 1: ("f16", 1, 2), 2: ("q4_0", 32, 18), 3: ("q4_1", 32, 20),
              6: ("q5_0", 32, 22), 7: ("q5_1", 32, 24), 8: ("q8_0", 32, 34),
              9: ("q8_1", 32, 36), 10: ("q2_K", 256, 84), 11: ("q3_K", 256, 110),
              12: ("q4_K", 256, 144), 13: ("q5_K", 256, 176), 14: ("q6_K", 256, 210),
              15: ("q8_K", 256, 292), 30: ("bf16", 1, 2)}


class GGUFError(Exception):
    pass


class Reader:
    def __init__(self, data):
        self.data = data
        self.pos = 0

    def take(self, n):
        if n < 0 or self.pos + n > len(self.data):
            raise GGUFError("read of %d bytes at offset %d past end (%d)" % (n, self.pos, len(self.data)))
        chunk = self.data[self.pos:self.pos + n]
        self.pos += n
        return chunk

    def number(self, type_id):
        fmt = NUMBER_FORMATS[type_id]
        return struct.unpack(fmt, self.take(struct.calcsize(fmt)))[0]

    def string(self):
        return self.take(self.number(10))

    def value(self, type_id):
        if type_id in NUMBER_FORMATS:
            return (type_id, self.number(type_id))
        if type_id == 8:
            return (8, self.string())
        if type_id == 9:
            elem = self.number(4)
            count = self.number(10)
            return (9, elem, [self.value(elem) for _ in range(count)])
        raise GGUFError("unknown value type %d" % type_id)


def read_gguf(path):
    """Returns (version, alignment, [(key, value)], [tensor dict with its bytes as "data"])."""
    with open(path, "rb") as f:
        data = f.read()
    r = Reader(data)
    if r.take(4) != b"GGUF":
        raise GGUFError("bad magic")
    version = r.number(4)
    if version not in (2, 3):
        raise GGUFError("unsupported version %d" % version)
    n_tensors = r.number(10)
    n_kv = r.number(10)
    kvs = []
    for _ in range(n_kv):
        key = r.string().decode("utf-8")
        kvs.append((key, r.value(r.number(4))))
    alignment = 32
    for key, value in kvs:
        if key == "general.alignment":
            alignment = value[1]
    tensors = []
    for _ in range(n_tensors):
        name = r.string().decode("utf-8")
        n_dims = r.number(4)
        ne = [r.number(10) for _ in range(n_dims)] + [1] * (4 - n_dims)
        type_id = r.number(4)
        offset = r.number(10)
        _, block, block_bytes = GGML_TYPES[type_id]
        nbytes = ne[0] // block * block_bytes * ne[1] * ne[2] * ne[3]
        tensors.append({"name": name, "type": type_id, "n_dims": n_dims, "ne": ne,
                        "offset": offset, "nbytes": nbytes})
    data_start = (r.pos + alignment - 1) // alignment * alignment
    for t in tensors:
        start = data_start + t["offset"]
        if start + t["nbytes"] > len(data):
            raise GGUFError("tensor %s past end of file" % t["name"])
        t["data"] = data[start:start + t["nbytes"]]
    return version, alignment, kvs, tensors


def format_value(value):
    type_id = value[0]
    if type_id == 6:
        return "%08x" % struct.unpack("<I", struct.pack("<f", value[1]))[0]
    if type_id == 12:
        return "%016x" % struct.unpack("<Q", struct.pack("<d", value[1]))[0]
    if type_id == 8:
        return value[1].hex() or "-"
    if type_id == 9:
        items = "".join(" " + format_value(v) for v in value[2])
        return "[%s %d%s]" % (VALUE_TYPES[value[1]], len(value[2]), items)
    return "%d" % value[1]


def checksum(raw):
    b = np.frombuffer(raw, dtype=np.uint8).astype(np.uint64)
    weights = np.arange(1, len(b) + 1, dtype=np.uint64)
    return int(np.sum(b * weights, dtype=np.uint64))


def main():
    version, alignment, kvs, tensors = read_gguf(sys.argv[1])
    print("version %d" % version)
    print("alignment %d" % alignment)
    for key, value in kvs:
        print("kv %s %s %s" % (key, VALUE_TYPES[value[0]], format_value(value)))
    for t in tensors:
        print("tensor %s %s %d %d %d %d %d %d %d %d" % (
            t["name"], GGML_TYPES[t["type"]][0], t["n_dims"], *t["ne"], t["offset"],
            t["nbytes"], checksum(t["data"])))


if __name__ == "__main__":
    main()
