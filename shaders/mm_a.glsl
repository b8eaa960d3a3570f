// mm_a.glsl - reading the weight matrix A of a matrix multiply from raw 32-bit words, so one
// binding serves f32, f16 and bf16 weights without 16-bit storage features. TYPE is the
// specialization constant 2 of the including shader: 0 f32, 1 f16, 2 bf16.

// Element idx of A (row-major, any parity).
float a_at(uint idx)
{
    if (TYPE == 0)
        return uintBitsToFloat(a[idx]);
    uint w = a[idx >> 1];
    if (TYPE == 2)
        return uintBitsToFloat((idx & 1) == 0 ? w << 16 : w & 0xffff0000u);
    return unpackHalf2x16(w)[idx & 1];
}

// Elements idx and idx + 1 of A, idx even.
vec2 a_pair(uint idx)
{
    if (TYPE == 0)
        return vec2(uintBitsToFloat(a[idx]), uintBitsToFloat(a[idx + 1]));
    uint w = a[idx >> 1];
    if (TYPE == 2) // bf16 is the upper half of an f32
        return vec2(uintBitsToFloat(w << 16), uintBitsToFloat(w & 0xffff0000u));
    return unpackHalf2x16(w);
}
