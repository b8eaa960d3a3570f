// mmq_blocks.glsl - decoding ggml quantized blocks straight from the weight tensor A for the
// quantized matmul kernels (mmq_rows.glsl, mmq_sg.comp). Nothing is expanded to floats in
// memory: each invocation decodes the 32-element chunks of a row it needs, four weights at a
// time, straight into its multiply-adds.
// TYPE (specialization constant 2) is the ggml type id, so the driver compiles only the
// decoder of one type into each pipeline. The layouts are those of runtime/quant.c
// (ggml-common.h); rows start at row * K / BLOCK * BLOCK_BYTES bytes, at any alignment.
//
// A is read in whole 16-byte texels (a_texel, from read_storage.glsl or read_texel.glsl):
// a block's bytes are gathered into "units" u of 16 bytes (u[k] holds bytes 16k .. 16k + 15
// of the block, re-aligned in registers when the block does not start on a texel) and its
// fields are taken out at constant positions. On CPU devices each texel read is one gather,
// so reading each texel of a row once is what makes these kernels fast there.

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
// in a row starting on a texel every field of the group sits at a constant position. A
// K-quant block is a group of its own.
const uint GROUP = BLOCK_BYTES == 20u ? 4u : BLOCK_BYTES == 24u ? 2u : BLOCK == 32u ? 8u : 1u;
const uint GROUP_UNITS = (GROUP * BLOCK_BYTES + 15u) / 16u;
// Units a decoder holds: a whole group (17 for Q8_0, 14 for Q6_K).
const uint UNITS = 17u;

// Texel t of A, clamped: the last unit of a block may reach past the end of the tensor.
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

// Units k0 .. k0 + n - 1 of the bytes at byte off of A into u. A start on a texel (aligned)
// reads whole texels; any other re-aligns two texels per unit.
void load_units(uint off, uint k0, uint n, bool aligned, inout uvec4 u[UNITS])
{
    uint t = (off >> 4) + k0;
    if (aligned) {
        for (uint k = 0u; k < n; k++)
            u[k0 + k] = a_texel(t + k);
        return;
    }
    uvec4 lo = texel_at(t);
    for (uint k = 0u; k < n; k++) {
        uvec4 hi = texel_at(t + k + 1u);
        u[k0 + k] = funnel(lo, hi, off);
        lo = hi;
    }
}

// A whole group at byte off of A. Groups of 32-element blocks start on a texel where the
// group path runs (tile_by_groups); so do Q4_K and Q5_K blocks (144 and 176 bytes).
void load_group(uint off, out uvec4 u[UNITS])
{
    load_units(off, 0u, GROUP_UNITS, BLOCK == 32u || BLOCK_BYTES % 16u == 0u, u);
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

// The 6-bit (scale, min) pair of sub-block s of a Q4_K/Q5_K block (scales[12] at byte 4);
// see quant.c.
void scale_min(uvec4 u[UNITS], uint s, out float sc, out float mn)
{
    if (s < 4u) {
        sc = float(byte_of(u, 4u + s) & 63u);
        mn = float(byte_of(u, 8u + s) & 63u);
    } else {
        uint packed = byte_of(u, 8u + s);
        sc = float((packed & 15u) | ((byte_of(u, s) >> 6) << 4));
        mn = float((packed >> 4) | ((byte_of(u, 4u + s) >> 6) << 4));
    }
}

// The scales and offsets of chunk s of the block at byte at of u.
//   Q4_0 / Q4_1 / Q5_0 / Q5_1 / Q8_0: d at 0, (Q4_1, Q5_1) m at 2; the block is one chunk.
//   Q4_K / Q5_K: d at 0, dmin at 2, 6-bit scales and mins of the 8 sub-blocks at 4.
//   Q6_K: int8 scales[16] at 192, one per 16 weights, d at 208.
void chunk_head(uvec4 u[UNITS], uint at, uint s, out vec2 scale, out vec2 offset)
{
    if (TYPE == T_Q6_K) {
        uint first = 192u + 2u * s;
        scale = f16_of(u, 208u) * vec2(int8_of(u, first), int8_of(u, first + 1u));
        offset = -32.0 * scale;
    } else if (BLOCK == 256u) {
        float sc, mn;
        scale_min(u, s, sc, mn);
        scale = vec2(f16_of(u, 0u) * sc);
        offset = vec2(-f16_of(u, 2u) * mn);
    } else {
        float d = f16_of(u, at);
        scale = vec2(d);
        if (TYPE == T_Q4_1 || TYPE == T_Q5_1)
            offset = vec2(f16_of(u, at + 2u));
        else
            offset = vec2(TYPE == T_Q8_0 ? 0.0 : TYPE == T_Q5_0 ? -16.0 * d : -8.0 * d);
    }
}

// The q of elements 4l .. 4l + 3 of chunk s of the block at byte at of u, as the four bytes
// of one word (element 4l + c in byte c; signed for Q8_0). Fields are moved into place a
// whole word at a time: on CPU devices every vector component costs its own instructions.
//   Q4/Q5 (32): element e < 16 in the low nibble of qs[e], e + 16 in the high nibble of
//     qs[e] (qs after d, m and the 4 bytes qh); Q5 types add bit 4 from bit e of qh.
//   Q8_0: int8 qs[32] at 2.
//   Q4_K / Q5_K: chunk s is nibble (s & 1) of qs[32 (s >> 1) + e] (qs at 16, or 48 after
//     Q5_K's qh[32] at 16), plus (Q5_K) bit s of qh[e] as bit 4.
//   Q6_K: chunk s is half h = s >> 2, group g = s & 3: element e has its low 4 bits in
//     ql[64h + 32 (g & 1) + e] (high nibble when g >= 2) and its top 2 bits at bit 2g of
//     qh[32h + e] (qh at 128).
uint quad_bytes(uvec4 u[UNITS], uint at, uint s, uint l)
{
    if (TYPE == T_Q8_0)
        return bytes4(u, at + 2u + 4u * l);
    if (TYPE == T_Q6_K) {
        uint h = s >> 2, g = s & 3u;
        uint lo = (word(u, 16u * h + 8u * (g & 1u) + l) >> (4u * (g >> 1))) & 0x0F0F0F0Fu;
        uint qh = word(u, 32u + 8u * h + l);
        return lo | ((g == 3u ? qh >> 2 : qh << (4u - 2u * g)) & 0x30303030u);
    }
    if (BLOCK == 256u) {
        bool five = TYPE == T_Q5_K;
        uint qs_word = (five ? 12u : 4u) + 8u * (s >> 1) + l;
        uint v = (word(u, qs_word) >> (4u * (s & 1u))) & 0x0F0F0F0Fu;
        if (five) {
            uint qh = word(u, 4u + l);
            v |= (s >= 4u ? qh >> (s - 4u) : qh << (4u - s)) & 0x10101010u;
        }
        return v;
    }
    bool has_min = TYPE == T_Q4_1 || TYPE == T_Q5_1;
    bool five = TYPE == T_Q5_0 || TYPE == T_Q5_1;
    uint qh_at = at + (has_min ? 4u : 2u);
    uint qs_at = five ? qh_at + 4u : qh_at;
    uint v = (bytes4(u, qs_at + 4u * (l & 3u)) >> (l < 4u ? 0u : 4u)) & 0x0F0F0F0Fu;
    if (five) {
        // The four bits 4l .. 4l + 3 of qh spread to bit 4 of each byte: the multiply puts
        // copies of the nibble 7 bits apart, so copy c has its bit c at bit 8c.
        uint bits = (bytes4(u, qh_at) >> (4u * l)) & 15u;
        v |= ((bits * 0x00204081u) & 0x01010101u) << 4;
    }
    return v;
}

// The q of elements 4l .. 4l + 3 of chunk s as floats, component c times 2^(8c) (quad_unscale
// undoes it): byte c of quad_bytes is taken where it lies, by one AND, instead of being
// shifted down first. Q8_0's signed bytes are sign-extended instead. The signed conversion
// is one instruction on x86, the unsigned one several.
vec4 chunk_quad(uvec4 u[UNITS], uint at, uint s, uint l)
{
    uvec4 k8 = uvec4(0u, 8u, 16u, 24u);
    uint b = quad_bytes(u, at, s, l);
    if (TYPE == T_Q8_0)
        return vec4((ivec4(b) << ivec4(24u - k8)) >> 24);
    return vec4(ivec4(uvec4(b) & (uvec4(255u) << k8))); // q * 2^(8c)
}

// What the components of chunk_quad are to be multiplied by: exact powers of two, so callers
// apply them where it costs least (to activations, or to sums of products). An if, because
// a vector ?: on the specialization constant gave wrong results on lavapipe.
vec4 quad_unscale()
{
    if (TYPE == T_Q8_0)
        return vec4(1.0);
    return vec4(1.0, 1.0 / 256.0, 1.0 / 65536.0, 1.0 / 16777216.0);
}

// The units chunk s of the block at byte base (any alignment) needs, at their places in
// the block, and its scales and offsets: one chunk's worth of reads, for kernels that give
// each invocation single chunks.
void load_chunk(uint base, uint s, out uvec4 u[UNITS], out vec2 scale, out vec2 offset)
{
    bool aligned = BLOCK_BYTES % 16u == 0u;
    if (BLOCK == 32u) {
        load_units(base, 0u, (BLOCK_BYTES + 15u) / 16u, false, u);
    } else if (TYPE == T_Q6_K) {
        uint h = s >> 2, g = s & 3u;
        load_units(base, 4u * h + 2u * (g & 1u), 2u, false, u); // ql
        load_units(base, 8u + 2u * h, 2u, false, u);           // qh
        load_units(base, 12u, 2u, false, u);                   // scales, d
    } else {
        bool five = TYPE == T_Q5_K;
        load_units(base, 0u, five ? 3u : 1u, aligned, u);                  // d, scales (qh)
        load_units(base, (five ? 3u : 1u) + 2u * (s >> 1), 2u, aligned, u); // qs
    }
    chunk_head(u, 0u, s, scale, offset);
}
