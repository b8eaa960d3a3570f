// mm_rows.glsl - D = A·Bᵀ with each invocation producing a TM x TN tile: TM rows of A
// against TN rows of B. A: M rows of K weights (f32, f16 or bf16), B: N rows of K floats,
// D: N rows of M floats. The body of mm_rows.comp and mm_rows_tex.comp, which include it
// after read_storage.glsl or read_texel.glsl.
// This is the shape CPU devices (lavapipe) run best: no shared memory, no barriers, and
// every loaded value is used TM or TN times, because a load there costs far more than a
// multiply-add.
#include "rows_tile.glsl" // TYPE is 0 f32, 1 f16, 2 bf16

// Elements 8t .. 8t + 7 of A: two texels of f32 or one of halves.
void a_eight(uint t, out vec4 lo, out vec4 hi)
{
    if (TYPE == 0) {
        lo = uintBitsToFloat(a_texel(2u * t));
        hi = uintBitsToFloat(a_texel(2u * t + 1u));
        return;
    }
    uvec4 q = a_texel(t);
    if (TYPE == 2) { // bf16 is the upper half of an f32
        lo = uintBitsToFloat(uvec4(q.x << 16, q.x & 0xffff0000u, q.y << 16, q.y & 0xffff0000u));
        hi = uintBitsToFloat(uvec4(q.z << 16, q.z & 0xffff0000u, q.w << 16, q.w & 0xffff0000u));
    } else {
        lo = vec4(unpackHalf2x16(q.x), unpackHalf2x16(q.y));
        hi = vec4(unpackHalf2x16(q.z), unpackHalf2x16(q.w));
    }
}

// Element idx of A, any K.
float a_at(uint idx)
{
    uint wi = TYPE == 0 ? idx : idx >> 1;
    uint w = a_texel(wi >> 2)[wi & 3u];
    if (TYPE == 0)
        return uintBitsToFloat(w);
    if (TYPE == 2)
        return uintBitsToFloat((idx & 1u) == 0u ? w << 16 : w & 0xffff0000u);
    return unpackHalf2x16(w)[idx & 1u];
}

float b_at(uint idx) { return b_vec4(idx >> 2)[idx & 3u]; }

// The tile when K % 8 == 0: whole texels of A and B, rows starting on texel boundaries.
void tile_by_texels(uint arow[TM], uint brow[TN], inout float acc[TM][TN])
{
    uint groups = p.K / 8u;
    for (uint t = 0; t < p.K / 8u; t++) {
        vec4 x0[TN], x1[TN];
        for (uint j = 0; j < TN; j++) {
            x0[j] = b_vec4(2u * (brow[j] * groups + t));
            x1[j] = b_vec4(2u * (brow[j] * groups + t) + 1u);
        }
        for (uint i = 0; i < TM; i++) {
            vec4 w0, w1;
            a_eight(arow[i] * groups + t, w0, w1);
            for (uint j = 0; j < TN; j++)
                acc[i][j] += dot(w0, x0[j]) + dot(w1, x1[j]);
        }
    }
}

void tile_by_elements(uint arow[TM], uint brow[TN], inout float acc[TM][TN])
{
    for (uint k = 0; k < p.K; k++) {
        for (uint i = 0; i < TM; i++) {
            float w = a_at(arow[i] * p.K + k);
            for (uint j = 0; j < TN; j++)
                acc[i][j] += w * b_at(brow[j] * p.K + k);
        }
    }
}

void main()
{
    uint m0, n0, arow[TM], brow[TN];
    float acc[TM][TN];
    start_tile(m0, n0, arow, brow, acc);
    if (p.K % 8u == 0u)
        tile_by_texels(arow, brow, acc);
    else
        tile_by_elements(arow, brow, acc);
    store_tile(m0, n0, acc);
}
