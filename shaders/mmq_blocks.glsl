// mmq_blocks.glsl - decoding ggml quantized blocks straight from the weight buffer A (raw
// 32-bit words) for the quantized matmul shaders mmq_rows.comp and mmq_sg.comp. Nothing is
// expanded to floats in memory: each invocation decodes the 32-element chunks of a row it
// needs into registers. TYPE (specialization constant 2) is the ggml type id, so the driver
// compiles only the decoder of one type into each pipeline. The layouts are those of
// runtime/quant.c (ggml-common.h); rows start at row * K / BLOCK * BLOCK_BYTES bytes, and
// every f16 field sits at an even byte offset.

const uint T_Q4_0 = 2u, T_Q4_1 = 3u, T_Q5_0 = 6u, T_Q5_1 = 7u, T_Q8_0 = 8u;
const uint T_Q4_K = 12u, T_Q5_K = 13u, T_Q6_K = 14u;

const uint BLOCK = TYPE >= T_Q4_K ? 256u : 32u;
const uint BLOCK_BYTES = TYPE == T_Q4_0 ? 18u : TYPE == T_Q4_1 ? 20u : TYPE == T_Q5_0 ? 22u
                       : TYPE == T_Q5_1 ? 24u : TYPE == T_Q8_0 ? 34u : TYPE == T_Q4_K ? 144u
                       : TYPE == T_Q5_K ? 176u : 210u;

// The 4 bytes at byte offset off (any alignment), little-endian. All 4 lie inside the
// tensor, so the second word read is inside the binding too.
uint word_at(uint off)
{
    uint i = off >> 2, s = (off & 3u) * 8u;
    return s == 0u ? a[i] : (a[i] >> s) | (a[i + 1u] << (32u - s));
}

uint byte_at(uint off) { return (a[off >> 2] >> ((off & 3u) * 8u)) & 255u; }

int int8_at(uint off) { return bitfieldExtract(int(a[off >> 2]), int((off & 3u) * 8u), 8); }

float f16_at(uint off) { return unpackHalf2x16(a[off >> 2] >> ((off & 2u) * 8u)).x; }

// Q4_0 / Q4_1 / Q5_0 / Q5_1: one block per chunk; element j < 16 in the low nibble of
// qs[j], j + 16 in the high nibble; Q5 types add bit 4 of element j from bit j of qh.
void chunk_q4_q5(uint base, out float w[32])
{
    bool has_min = TYPE == T_Q4_1 || TYPE == T_Q5_1;
    bool five = TYPE == T_Q5_0 || TYPE == T_Q5_1;
    float d = f16_at(base);
    float m = has_min ? f16_at(base + 2u) : 0.0;
    uint qh_at = base + (has_min ? 4u : 2u);
    uint qh = five ? word_at(qh_at) : 0u;
    uint qs_at = five ? qh_at + 4u : qh_at;
    float bias = has_min ? 0.0 : (five ? -16.0 : -8.0);
    for (uint i = 0u; i < 4u; i++) {
        uint q4 = word_at(qs_at + 4u * i);
        for (uint k = 0u; k < 4u; k++) {
            uint j = 4u * i + k, v = (q4 >> (8u * k)) & 255u;
            uint lo = (v & 15u) | (((qh >> j) & 1u) << 4);
            uint hi = (v >> 4) | (((qh >> (j + 16u)) & 1u) << 4);
            w[j] = (float(lo) + bias) * d + m;
            w[j + 16u] = (float(hi) + bias) * d + m;
        }
    }
}

void chunk_q8_0(uint base, out float w[32])
{
    float d = f16_at(base);
    for (uint i = 0u; i < 8u; i++) {
        int q4 = int(word_at(base + 2u + 4u * i));
        for (uint k = 0u; k < 4u; k++)
            w[4u * i + k] = float(bitfieldExtract(q4, int(8u * k), 8)) * d;
    }
}

// The 6-bit (scale, min) pair of sub-block s of a Q4_K/Q5_K block; see quant.c.
void scale_min(uint scales, uint s, out float sc, out float mn)
{
    if (s < 4u) {
        sc = float(byte_at(scales + s) & 63u);
        mn = float(byte_at(scales + s + 4u) & 63u);
    } else {
        uint packed = byte_at(scales + s + 4u);
        sc = float((packed & 15u) | ((byte_at(scales + s - 4u) >> 6) << 4));
        mn = float((packed >> 4) | ((byte_at(scales + s) >> 6) << 4));
    }
}

// Q4_K / Q5_K: chunk s of a block is sub-block s: nibble (s & 1) of qs[32 (s >> 1) + l],
// plus (Q5_K) bit s of qh[l] as bit 4.
void chunk_q4_q5_k(uint base, uint s, out float w[32])
{
    bool five = TYPE == T_Q5_K;
    float sc, mn;
    scale_min(base + 4u, s, sc, mn);
    float d1 = f16_at(base) * sc, m1 = f16_at(base + 2u) * mn;
    uint qs_at = base + (five ? 48u : 16u) + 32u * (s >> 1), shift = 4u * (s & 1u);
    for (uint i = 0u; i < 8u; i++) {
        uint q4 = word_at(qs_at + 4u * i);
        uint h4 = five ? word_at(base + 16u + 4u * i) : 0u;
        for (uint k = 0u; k < 4u; k++) {
            uint q = ((q4 >> (8u * k + shift)) & 15u) | (((h4 >> (8u * k + s)) & 1u) << 4);
            w[4u * i + k] = d1 * float(q) - m1;
        }
    }
}

// Q6_K: chunk t of a block is half h = t >> 2, group g = t & 3; element l has its low 4 bits
// in ql[64h + 32 (g & 1) + l] (high nibble when g >= 2), its top 2 bits at bit 2g of
// qh[32h + l], and scale scales[8h + 2g + l / 16].
void chunk_q6_k(uint base, uint t, out float w[32])
{
    uint h = t >> 2, g = t & 3u;
    float d = f16_at(base + 208u);
    float s0 = d * float(int8_at(base + 192u + 8u * h + 2u * g));
    float s1 = d * float(int8_at(base + 193u + 8u * h + 2u * g));
    uint ql_at = base + 64u * h + 32u * (g & 1u), shift = 4u * (g >> 1);
    for (uint i = 0u; i < 8u; i++) {
        uint l4 = word_at(ql_at + 4u * i), h4 = word_at(base + 128u + 32u * h + 4u * i);
        for (uint k = 0u; k < 4u; k++) {
            uint q = ((l4 >> (8u * k + shift)) & 15u) | (((h4 >> (8u * k + 2u * g)) & 3u) << 4);
            w[4u * i + k] = (i < 4u ? s0 : s1) * float(int(q) - 32);
        }
    }
}

// Elements 32c .. 32c + 31 of the row starting at byte row_at.
void chunk_weights(uint row_at, uint c, out float w[32])
{
    if (BLOCK == 32u) {
        if (TYPE == T_Q8_0)
            chunk_q8_0(row_at + c * BLOCK_BYTES, w);
        else
            chunk_q4_q5(row_at + c * BLOCK_BYTES, w);
    } else {
        uint base = row_at + (c >> 3) * BLOCK_BYTES;
        if (TYPE == T_Q6_K)
            chunk_q6_k(base, c & 7u, w);
        else
            chunk_q4_q5_k(base, c & 7u, w);
    }
}
