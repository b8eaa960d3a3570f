#!/usr/bin/python3
"""quant_ref.py - numpy dequantizers for the ggml tensor types vkeve computes with, written
from the block layouts of llama.cpp's ggml/src/ggml-common.h and ggml-quants.c, as an
independent reference for runtime/quant.c.

    /usr/bin/python3 quant_ref.py IN.gguf OUT.f32   dequantizes every tensor of IN (read with
                                                   gguf_read.py) and writes their values as
                                                   little-endian f32, tensor after tensor
    /usr/bin/python3 quant_ref.py --selftest        checks the decoders on blocks worked out
                                                   by hand from the format description

Every arithmetic step is done in float32 in the order the format defines
((d * scale) * q - dmin * min for K-quants), so results are exact, not approximate.
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gguf_read import read_gguf  # noqa: E402

F32 = np.float32


def f16_col(b, at):
    """The f16 at byte `at` of every block, as a float32 column."""
    return b[:, at:at + 2].copy().view("<f2").astype(F32)


def nibbles(qs):
    """32 4-bit values from 16 bytes: low nibbles first, then high nibbles."""
    return np.concatenate([qs & 15, qs >> 4], axis=1).astype(np.int32)


def fifth_bits(qh):
    """Bit j of the little-endian u32 qh, for j = 0..31, shifted to bit 4."""
    h = qh.copy().view("<u4").astype(np.uint32)
    return (((h >> np.arange(32, dtype=np.uint32)) & 1) << 4).astype(np.int32)


def q8_0(b):
    return b[:, 2:34].view(np.int8).astype(F32) * f16_col(b, 0)


def q4_0(b):
    return (nibbles(b[:, 2:18]) - 8).astype(F32) * f16_col(b, 0)


def q4_1(b):
    return nibbles(b[:, 4:20]).astype(F32) * f16_col(b, 0) + f16_col(b, 2)


def q5_0(b):
    q = nibbles(b[:, 6:22]) | fifth_bits(b[:, 2:6])
    return (q - 16).astype(F32) * f16_col(b, 0)


def q5_1(b):
    q = nibbles(b[:, 8:24]) | fifth_bits(b[:, 4:8])
    return q.astype(F32) * f16_col(b, 0) + f16_col(b, 2)


def k_scales(s):
    """The 8 six-bit (scale, min) pairs of Q4_K/Q5_K from their 12 packed bytes."""
    s = s.astype(np.int32)
    sc = np.zeros((len(s), 8), np.int32)
    mn = np.zeros((len(s), 8), np.int32)
    for j in range(4):
        sc[:, j] = s[:, j] & 63
        mn[:, j] = s[:, j + 4] & 63
    for j in range(4, 8):
        sc[:, j] = (s[:, j + 4] & 15) | ((s[:, j - 4] >> 6) << 4)
        mn[:, j] = (s[:, j + 4] >> 4) | ((s[:, j] >> 6) << 4)
    return sc.astype(F32), mn.astype(F32)


def k_combine(b, low, high):
    """Q4_K/Q5_K outputs from per-chunk quant levels low/high of shape (blocks, 4, 32)."""
    sc, mn = k_scales(b[:, 4:16])
    d1 = f16_col(b, 0) * sc
    m1 = f16_col(b, 2) * mn
    parts = []
    for c in range(4):
        parts.append(d1[:, 2 * c:2 * c + 1] * low[:, c].astype(F32) - m1[:, 2 * c:2 * c + 1])
        parts.append(d1[:, 2 * c + 1:2 * c + 2] * high[:, c].astype(F32) - m1[:, 2 * c + 1:2 * c + 2])
    return np.concatenate(parts, axis=1)


def q4_k(b):
    qs = b[:, 16:144].reshape(-1, 4, 32).astype(np.int32)
    return k_combine(b, qs & 15, qs >> 4)


def q5_k(b):
    qh = b[:, 16:48].astype(np.int32)
    qs = b[:, 48:176].reshape(-1, 4, 32).astype(np.int32)
    low = np.stack([(qs[:, c] & 15) + 16 * ((qh >> (2 * c)) & 1) for c in range(4)], axis=1)
    high = np.stack([(qs[:, c] >> 4) + 16 * ((qh >> (2 * c + 1)) & 1) for c in range(4)], axis=1)
    return k_combine(b, low, high)


def q6_k(b):
    ql = b[:, 0:128].astype(np.int32)
    qh = b[:, 128:192].astype(np.int32)
    scales = b[:, 192:208].view(np.int8).astype(F32)
    d = f16_col(b, 208)
    k = np.arange(32) // 16
    out = []
    for h in range(2):
        lo, hi = ql[:, 64 * h:64 * h + 32], ql[:, 64 * h + 32:64 * h + 64]
        top = qh[:, 32 * h:32 * h + 32]
        s = scales[:, 8 * h:8 * h + 8]
        quads = [((lo & 15) | (((top >> 0) & 3) << 4)) - 32,
                 ((hi & 15) | (((top >> 2) & 3) << 4)) - 32,
                 ((lo >> 4) | (((top >> 4) & 3) << 4)) - 32,
                 ((hi >> 4) | (((top >> 6) & 3) << 4)) - 32]
        for g, q in enumerate(quads):
            out.append(d * s[:, k + 2 * g] * q.astype(F32))
    return np.concatenate(out, axis=1)


# ggml type id -> (elements per block, bytes per block, decoder of a (blocks, bytes) array)
BLOCK_TYPES = {2: (32, 18, q4_0), 3: (32, 20, q4_1), 6: (32, 22, q5_0), 7: (32, 24, q5_1),
               8: (32, 34, q8_0), 12: (256, 144, q4_k), 13: (256, 176, q5_k), 14: (256, 210, q6_k)}


def dequantize(type_id, raw):
    data = np.frombuffer(raw, dtype=np.uint8)
    if type_id == 0:
        return data.view("<f4").astype(F32)
    if type_id == 1:
        return data.view("<f2").astype(F32)
    if type_id == 30:
        return (data.view("<u2").astype(np.uint32) << 16).view(F32)
    block, block_bytes, decode = BLOCK_TYPES[type_id]
    blocks = data.reshape(-1, block_bytes)
    return decode(blocks).reshape(-1)


def block_with(size, fields):
    """A block of `size` zero bytes with the given {offset: bytes} written in."""
    b = bytearray(size)
    for at, value in fields.items():
        b[at:at + len(value)] = value
    return bytes(b)


def check(name, type_id, raw, expected):
    """expected: {index: value}; every other element must be 0."""
    got = dequantize(type_id, raw)
    want = np.zeros_like(got)
    for i, v in expected.items():
        want[i] = v
    if not np.array_equal(got, want):
        bad = np.nonzero(got != want)[0][:5]
        raise SystemExit("%s: elements %s are %s, expected %s" % (name, bad, got[bad], want[bad]))


def selftest():
    half = {0.25: b"\x00\x34", 0.5: b"\x00\x38", 1.0: b"\x00\x3c", 2.0: b"\x00\x40", -1.0: b"\x00\xbc"}
    check("f16", 1, b"\x00\x3c\x00\xc0", {0: 1.0, 1: -2.0})
    check("bf16", 30, b"\x49\x40", {0: 3.140625})
    check("q8_0", 8, block_with(34, {0: half[0.5], 2: bytes([1, 0xFE, 127, 0x80])}),
          {0: 0.5, 1: -1.0, 2: 63.5, 3: -64.0})
    # Q4_0: nibbles are (q - 8) * d; 0x88 encodes two zeros.
    check("q4_0", 2, block_with(18, {0: half[2.0], 2: b"\x9f" + b"\x88" * 15}), {0: 14.0, 16: 2.0})
    check("q4_1", 3, block_with(20, {0: half[1.0], 2: half[-1.0], 7: b"\x2a"}),
          {**{i: -1.0 for i in range(32)}, 3: 9.0, 19: 1.0})
    # Q5_0: qh bit 0 lifts element 0 by 16, bit 17 lifts element 17.
    check("q5_0", 6, block_with(22, {0: half[1.0], 2: bytes([1, 0, 2, 0]), 6: b"\x03\x50"}),
          {**{i: -16.0 for i in range(32)}, 0: 3.0, 17: 5.0})
    check("q5_1", 7, block_with(24, {0: half[0.5], 2: half[1.0], 4: bytes([0, 0, 0, 0x80]), 23: b"\xf0"}),
          {**{i: 1.0 for i in range(32)}, 31: 16.5})
    # Q4_K: sub-block 0 has scale 2, min 4; sub-block 5 (chunk 2, high nibbles) has scale 37,
    # min 19, whose top bits live in bytes 1 and 5 of the scales.
    scales = bytes([2, 0x80, 0, 0, 4, 0x40, 0, 0, 0, 0x35, 0, 0])
    expected = {i: -2.0 for i in range(32)}
    expected.update({i: -9.5 for i in range(160, 192)})
    expected.update({0: 12.0, 160: 360.5})
    check("q4_k", 12, block_with(144, {0: half[1.0], 2: half[0.5], 4: scales, 16: b"\x07", 80: b"\xa0"}),
          expected)
    # Q5_K: sub-block 3 (chunk 1, high nibbles) scale 1; qh[2] bit 3 adds 16 to element 98.
    check("q5_k", 13, block_with(176, {0: half[1.0], 4: b"\x00\x00\x00\x01", 18: b"\x08", 82: b"\x50"}),
          {98: 21.0})
    # Q6_K: element 212 = half 1, l = 20, group 2: high nibble of ql[84], bits 4-5 of qh[52],
    # scale 13.
    check("q6_k", 14, block_with(210, {84: b"\x70", 180: b"\x20", 205: b"\xfd", 208: half[0.25]}),
          {212: -5.25, **{i: 0.25 * -3 * -32 for i in range(208, 224) if i != 212}})
    print("quant_ref selftest: all decoders agree with the hand-worked blocks")


def main():
    if sys.argv[1:] == ["--selftest"]:
        selftest()
        return
    _, _, _, tensors = read_gguf(sys.argv[1])
    with open(sys.argv[2], "wb") as out:
        for t in tensors:
            out.write(dequantize(t["type"], t["data"]).astype("<f4").tobytes())


if __name__ == "__main__":
    main()
