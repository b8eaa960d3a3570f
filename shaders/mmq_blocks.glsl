// mmq_blocks.glsl - decoding ggml quantized blocks straight from the weight tensor A for the
// quantized matmul kernels (mmq_rows.glsl, mmq_sg.comp). Nothing is expanded to floats in
// memory: each invocation decodes the 32-element chunks of a row it needs, four weights at a
// time, straight into its multiply-adds.
// TYPE (specialization constant 2) is the ggml type id, so the driver compiles only the
// decoder of one type into each pipeline. The layouts are those of runtime/quant.c
// (ggml-common.h); rows start at row * K / BLOCK * BLOCK_BYTES bytes, at any alignment.
//
// A is read in whole 16-byte texels (a_texel, from read_storage.glsl or read_texel.glsl):
// a block's bytes are gathered into "units" of 16 bytes, re-aligned in registers, and its
// fields taken out at constant offsets. On CPU devices each texel read is one gather, so a
// block costs 3-4 reads instead of one per word.

#extension GL_EXT_control_flow_attributes : require

const uint T_Q4_0 = 2u, T_Q4_1 = 3u, T_Q5_0 = 6u, T_Q5_1 = 7u, T_Q8_0 = 8u;
const uint T_Q4_K = 12u, T_Q5_K = 13u, T_Q6_K = 14u;

const uint BLOCK = TYPE >= T_Q4_K ? 256u : 32u;
const uint BLOCK_BYTES = TYPE == T_Q4_0 ? 18u : TYPE == T_Q4_1 ? 20u : TYPE == T_Q5_0 ? 22u
                       : TYPE == T_Q5_1 ? 24u : TYPE == T_Q8_0 ? 34u : TYPE == T_Q4_K ? 144u
                       : TYPE == T_Q5_K ? 176u : 210u;

// A chunk is 32 weights: weight l is q[l] * scale[h] + offset[h] with h = l / 16 and q[l] a
// small integer. Scales and offsets stay apart from the q, so that a dot product with
// activations x costs one multiply-add per weight:
//   scale[h] * (q . x over half h) + offset[h] * (sum of x over half h),
// the sums of x shared by every row.

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

// Q4_0 / Q4_1 / Q5_0 / Q5_1 / Q8_0: the block at byte at of u is one chunk.
void block_head(uvec4 u[UNITS], uint at, out vec2 scale, out vec2 offset)
{
    float d = f16_of(u, at);
    scale = vec2(d);
    if (TYPE == T_Q4_1 || TYPE == T_Q5_1)
        offset = vec2(f16_of(u, at + 2u));
    else
        offset = vec2(TYPE == T_Q8_0 ? 0.0 : TYPE == T_Q5_0 ? -16.0 * d : -8.0 * d);
}

// q of elements 4l .. 4l + 3 of the block at byte at of u. Q4/Q5: element e < 16 in the low
// nibble of qs[e], e + 16 in the high nibble of qs[e]; Q5 types add bit 4 from bit e of qh.
vec4 block_quad(uvec4 u[UNITS], uint at, uint l)
{
    if (TYPE == T_Q8_0) {
        int w = int(bytes4(u, at + 2u + 4u * l));
        return vec4((ivec4(w) << ivec4(24, 16, 8, 0)) >> 24);
    }
    bool has_min = TYPE == T_Q4_1 || TYPE == T_Q5_1;
    bool five = TYPE == T_Q5_0 || TYPE == T_Q5_1;
    uint qh_at = at + (has_min ? 4u : 2u);
    uint qs_at = five ? qh_at + 4u : qh_at;
    uint w = bytes4(u, qs_at + 4u * (l & 3u)), shift = l < 4u ? 0u : 4u;
    uvec4 v = (uvec4(w) >> (uvec4(0u, 8u, 16u, 24u) + shift)) & 15u;
    if (five)
        v |= ((uvec4(bytes4(u, qh_at)) >> (uvec4(0u, 1u, 2u, 3u) + 4u * l)) & 1u) << 4;
    return vec4(v);
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
// plus (Q5_K) bit s of qh[l] as bit 4. Loads qs into units 0-1 of u and qh into units 2-3.
void load_k45(uint base, uint s, out uvec4 u[UNITS], out vec2 scale, out vec2 offset)
{
    uvec4 h[UNITS];
    load_units(base, 1u, h);
    float sc, mn;
    scale_min(h, s, sc, mn);
    scale = vec2(f16_of(h, 0u) * sc);
    offset = vec2(-f16_of(h, 2u) * mn);
    bool five = TYPE == T_Q5_K;
    uvec4 q[UNITS], qh[UNITS];
    load_units(base + (five ? 48u : 16u) + 32u * (s >> 1), 2u, q);
    u[0] = q[0];
    u[1] = q[1];
    if (five) {
        load_units(base + 16u, 2u, qh);
        u[2] = qh[0];
        u[3] = qh[1];
    }
}

// Q6_K: chunk t of a block is half h = t >> 2, group g = t & 3; element l has its low 4 bits
// in ql[64h + 32 (g & 1) + l] (high nibble when g >= 2), its top 2 bits at bit 2g of
// qh[32h + l], and scale scales[8h + 2g + l / 16]; d sits at byte 208. Loads the ql into
// units 0-1 of u and the qh into units 2-3.
void load_q6_k(uint base, uint t, out uvec4 u[UNITS], out vec2 scale, out vec2 offset)
{
    uint h = t >> 2, g = t & 3u;
    uvec4 tail[UNITS], ql[UNITS], qh[UNITS];
    load_units(base + 192u, 2u, tail);
    float d = f16_of(tail, 16u);
    scale = d * vec2(int8_of(tail, 8u * h + 2u * g), int8_of(tail, 8u * h + 2u * g + 1u));
    offset = -32.0 * scale;
    load_units(base + 64u * h + 32u * (g & 1u), 2u, ql);
    load_units(base + 128u + 32u * h, 2u, qh);
    u[0] = ql[0];
    u[1] = ql[1];
    u[2] = qh[0];
    u[3] = qh[1];
}

// Chunk s (< BLOCK / 32) of the block at byte base, at any alignment: its bytes into u (the
// block at byte 0 for 32-element blocks), its scales and offsets.
void load_chunk(uint base, uint s, out uvec4 u[UNITS], out vec2 scale, out vec2 offset)
{
    if (BLOCK == 32u) {
        load_units(base, (BLOCK_BYTES + 15u) / 16u, u);
        block_head(u, 0u, scale, offset);
    } else if (TYPE == T_Q6_K) {
        load_q6_k(base, s, u, scale, offset);
    } else {
        load_k45(base, s, u, scale, offset);
    }
}

// q of elements 4l .. 4l + 3 of chunk s, held in u as load_chunk (or, for 32-element blocks,
// load_group with the block at byte at) left it.
vec4 chunk_quad(uvec4 u[UNITS], uint at, uint s, uint l)
{
    if (BLOCK == 32u)
        return block_quad(u, at, l);
    uvec4 q = uvec4(word(u, l)), hi = uvec4(word(u, 8u + l)), k8 = uvec4(0u, 8u, 16u, 24u);
    if (TYPE == T_Q6_K) {
        uint g = s & 3u;
        return vec4(((q >> (k8 + 4u * (g >> 1))) & 15u) | (((hi >> (k8 + 2u * g)) & 3u) << 4));
    }
    uvec4 v = (q >> (k8 + 4u * (s & 1u))) & 15u;
    if (TYPE == T_Q5_K)
        v |= ((hi >> (k8 + s)) & 1u) << 4;
    return vec4(v);
}

// The dot product of chunk s held in u (at, as chunk_quad) with the 8 texels of activations
// from bt.
float chunk_dot(uvec4 u[UNITS], uint at, uint s, vec2 scale, vec2 offset, uint bt)
{
    vec2 qx = vec2(0.0), xs = vec2(0.0);
    [[unroll]] for (uint l = 0u; l < 8u; l++) {
        vec4 x = b_vec4(bt + l);
        float t = dot(chunk_quad(u, at, s, l), x), sum = dot(x, vec4(1.0));
        if (l < 4u) {
            qx.x += t;
            xs.x += sum;
        } else {
            qx.y += t;
            xs.y += sum;
        }
    }
    return dot(scale, qx) + dot(offset, xs);
}
