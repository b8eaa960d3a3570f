// mmq_blocks.glsl - decoding ggml quantized blocks straight from the weight tensor A for the
// quantized matmul kernels (mmq_rows.glsl, mmq_sg.comp). Nothing is expanded to floats in
// memory: each invocation decodes the 32-element chunks of a row it needs into registers.
// TYPE (specialization constant 2) is the ggml type id, so the driver compiles only the
// decoder of one type into each pipeline. The layouts are those of runtime/quant.c
// (ggml-common.h); rows start at row * K / BLOCK * BLOCK_BYTES bytes, at any alignment.
//
// A is read in whole 16-byte texels (a_texel, from read_storage.glsl or read_texel.glsl):
// a block's bytes are gathered into "units" of 16 bytes, re-aligned in registers, and its
// fields taken out at constant offsets. On CPU devices each texel read is one gather, so a
// block costs 3-4 reads instead of one per word.

const uint T_Q4_0 = 2u, T_Q4_1 = 3u, T_Q5_0 = 6u, T_Q5_1 = 7u, T_Q8_0 = 8u;
const uint T_Q4_K = 12u, T_Q5_K = 13u, T_Q6_K = 14u;

const uint BLOCK = TYPE >= T_Q4_K ? 256u : 32u;
const uint BLOCK_BYTES = TYPE == T_Q4_0 ? 18u : TYPE == T_Q4_1 ? 20u : TYPE == T_Q5_0 ? 22u
                       : TYPE == T_Q5_1 ? 24u : TYPE == T_Q8_0 ? 34u : TYPE == T_Q4_K ? 144u
                       : TYPE == T_Q5_K ? 176u : 210u;

// Blocks decoded together: the fewest whole 32-element blocks that fill whole texels, so that
// in a row starting on a texel every field of the group sits at a constant position.
const uint GROUP = BLOCK_BYTES == 20u ? 4u : BLOCK_BYTES == 24u ? 2u : BLOCK == 32u ? 8u : 1u;
// Texels of A a decoder holds at once: a group of 32-element blocks (17 for Q8_0), or the
// units of one K-quant chunk.
const uint UNITS = 17u;

// Texel t of A, clamped: the last unit a block loads may reach past the end of the tensor.
uvec4 texel_at(uint t) { return a_texel(min(t, a_texel_count() - 1u)); }

// The 16 bytes that start at byte (off & 15) of the 32 bytes lo, hi (little-endian).
uvec4 funnel(uvec4 lo, uvec4 hi, uint off)
{
    uint r = (off >> 2) & 3u, s = (off & 3u) * 8u;
    uvec4 v0 = r == 0u ? lo : r == 1u ? uvec4(lo.yzw, hi.x) : r == 2u ? uvec4(lo.zw, hi.xy)
                                                             : uvec4(lo.w, hi.xyz);
    uvec4 v1 = r == 0u ? uvec4(lo.yzw, hi.x) : r == 1u ? uvec4(lo.zw, hi.xy)
                                             : r == 2u ? uvec4(lo.w, hi.xyz) : hi;
    // Two shifts, so that s == 0 shifts v1 out entirely (a shift by 32 is undefined).
    return (v0 >> s) | ((v1 << (31u - s)) << 1u);
}

// The n * 16 bytes (n <= 3) at byte off of A: u[k] holds bytes 16k .. 16k + 15. Q4_K and
// Q5_K blocks (144 and 176 bytes, rows of whole blocks) always start on a texel, so they
// read whole texels; the other types re-align two texels per unit.
void load_units(uint off, uint n, out uvec4 u[UNITS])
{
    uint t = off >> 4;
    if (BLOCK_BYTES % 16u == 0u) {
        for (uint k = 0u; k < n; k++)
            u[k] = a_texel(t + k);
        return;
    }
    uvec4 lo = texel_at(t);
    for (uint k = 0u; k < n; k++) {
        uvec4 hi = texel_at(t + k + 1u);
        u[k] = funnel(lo, hi, off);
        lo = hi;
    }
}

// The GROUP blocks at byte off of A, which starts on a texel.
void load_group(uint off, out uvec4 u[UNITS])
{
    for (uint k = 0u; k < GROUP * BLOCK_BYTES / 16u; k++)
        u[k] = a_texel((off >> 4) + k);
}

uint word(uvec4 u[UNITS], uint i) { return u[i >> 2][i & 3u]; }

// The 4 bytes at byte b (even) of the units.
uint bytes4(uvec4 u[UNITS], uint b)
{
    uint lo = word(u, b >> 2);
    return (b & 2u) == 0u ? lo : (lo >> 16) | (word(u, (b >> 2) + 1u) << 16);
}

uint byte_of(uvec4 u[UNITS], uint b) { return (word(u, b >> 2) >> ((b & 3u) * 8u)) & 255u; }

int int8_of(uvec4 u[UNITS], uint b)
{
    return bitfieldExtract(int(word(u, b >> 2)), int((b & 3u) * 8u), 8);
}

float f16_of(uvec4 u[UNITS], uint b)
{
    return unpackHalf2x16(word(u, b >> 2) >> ((b & 2u) * 8u)).x;
}

// Q4_0 / Q4_1 / Q5_0 / Q5_1, the block at byte at of u: element j < 16 in the low nibble
// of qs[j], j + 16 in the high nibble; Q5 types add bit 4 of element j from bit j of qh.
void block_q4_q5(uvec4 u[UNITS], uint at, out float w[32])
{
    bool has_min = TYPE == T_Q4_1 || TYPE == T_Q5_1;
    bool five = TYPE == T_Q5_0 || TYPE == T_Q5_1;
    float d = f16_of(u, at);
    float m = has_min ? f16_of(u, at + 2u) : 0.0;
    uint qh_at = at + (has_min ? 4u : 2u);
    uint qh = five ? bytes4(u, qh_at) : 0u;
    uint qs_at = five ? qh_at + 4u : qh_at;
    float bias = has_min ? 0.0 : (five ? -16.0 : -8.0);
    for (uint i = 0u; i < 4u; i++) {
        uint q4 = bytes4(u, qs_at + 4u * i);
        for (uint k = 0u; k < 4u; k++) {
            uint j = 4u * i + k, v = (q4 >> (8u * k)) & 255u;
            uint lo = (v & 15u) | (((qh >> j) & 1u) << 4);
            uint hi = (v >> 4) | (((qh >> (j + 16u)) & 1u) << 4);
            w[j] = (float(lo) + bias) * d + m;
            w[j + 16u] = (float(hi) + bias) * d + m;
        }
    }
}

void block_q8_0(uvec4 u[UNITS], uint at, out float w[32])
{
    float d = f16_of(u, at);
    for (uint i = 0u; i < 8u; i++) {
        int q4 = int(bytes4(u, at + 2u + 4u * i));
        for (uint k = 0u; k < 4u; k++)
            w[4u * i + k] = float(bitfieldExtract(q4, int(8u * k), 8)) * d;
    }
}

// Block b of a group held in u.
void group_block(uvec4 u[UNITS], uint b, out float w[32])
{
    if (TYPE == T_Q8_0)
        block_q8_0(u, b * BLOCK_BYTES, w);
    else
        block_q4_q5(u, b * BLOCK_BYTES, w);
}

// The 6-bit (scale, min) pair of sub-block s of a Q4_K/Q5_K block from its first 16 bytes
// h (d, dmin, scales[12]); see quant.c.
void scale_min(uvec4 h[UNITS], uint s, out float sc, out float mn)
{
    if (s < 4u) {
        sc = float(byte_of(h, 4u + s) & 63u);
        mn = float(byte_of(h, 8u + s) & 63u);
    } else {
        uint packed = byte_of(h, 8u + s);
        sc = float((packed & 15u) | ((byte_of(h, s) >> 6) << 4));
        mn = float((packed >> 4) | ((byte_of(h, 4u + s) >> 6) << 4));
    }
}

// Q4_K / Q5_K: chunk s of a block is sub-block s: nibble (s & 1) of qs[32 (s >> 1) + l],
// plus (Q5_K) bit s of qh[l] as bit 4.
void chunk_q4_q5_k(uint base, uint s, out float w[32])
{
    bool five = TYPE == T_Q5_K;
    uvec4 h[UNITS], q[UNITS], qh[UNITS];
    load_units(base, 1u, h);
    float sc, mn;
    scale_min(h, s, sc, mn);
    float d1 = f16_of(h, 0u) * sc, m1 = f16_of(h, 2u) * mn;
    load_units(base + (five ? 48u : 16u) + 32u * (s >> 1), 2u, q);
    if (five)
        load_units(base + 16u, 2u, qh);
    uint shift = 4u * (s & 1u);
    for (uint i = 0u; i < 8u; i++) {
        uint q4 = word(q, i), h4 = five ? word(qh, i) : 0u;
        for (uint k = 0u; k < 4u; k++) {
            uint v = ((q4 >> (8u * k + shift)) & 15u) | (((h4 >> (8u * k + s)) & 1u) << 4);
            w[4u * i + k] = d1 * float(v) - m1;
        }
    }
}

// Q6_K: chunk t of a block is half h = t >> 2, group g = t & 3; element l has its low 4 bits
// in ql[64h + 32 (g & 1) + l] (high nibble when g >= 2), its top 2 bits at bit 2g of
// qh[32h + l], and scale scales[8h + 2g + l / 16]; d sits at byte 208.
void chunk_q6_k(uint base, uint t, out float w[32])
{
    uint h = t >> 2, g = t & 3u;
    uvec4 tail[UNITS], ql[UNITS], qh[UNITS];
    load_units(base + 192u, 2u, tail);
    float d = f16_of(tail, 16u);
    float s0 = d * float(int8_of(tail, 8u * h + 2u * g));
    float s1 = d * float(int8_of(tail, 8u * h + 2u * g + 1u));
    load_units(base + 64u * h + 32u * (g & 1u), 2u, ql);
    load_units(base + 128u + 32u * h, 2u, qh);
    uint shift = 4u * (g >> 1);
    for (uint i = 0u; i < 8u; i++) {
        uint l4 = word(ql, i), h4 = word(qh, i);
        for (uint k = 0u; k < 4u; k++) {
            uint v = ((l4 >> (8u * k + shift)) & 15u) | (((h4 >> (8u * k + 2u * g)) & 3u) << 4);
            w[4u * i + k] = (i < 4u ? s0 : s1) * float(int(v) - 32);
        }
    }
}

// Elements 32s .. 32s + 31 of the block starting at byte base (s < BLOCK / 32), at any
// alignment.
void chunk_weights(uint base, uint s, out float w[32])
{
    if (BLOCK == 32u) {
        uvec4 u[UNITS];
        load_units(base, (BLOCK_BYTES + 15u) / 16u, u);
        group_block(u, 0u, w);
    } else if (TYPE == T_Q6_K) {
        chunk_q6_k(base, s, w);
    } else {
        chunk_q4_q5_k(base, s, w);
    }
}
