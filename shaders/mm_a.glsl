// mm_a.glsl - reading the weight matrix A of a matrix multiply from raw 32-bit words, so one
// binding serves f32 and f16 weights without 16-bit storage features. TYPE is the
// specialization constant 2 of the including shader: 0 f32, 1 f16.

// Element idx of A (row-major, any parity).
float a_at(uint idx)
{
    if (TYPE == 0)
        return uintBitsToFloat(a[idx]);
    return unpackHalf2x16(a[idx >> 1])[idx & 1];
}

// Elements idx and idx + 1 of A, idx even.
vec2 a_pair(uint idx)
{
    if (TYPE == 0)
        return vec2(uintBitsToFloat(a[idx]), uintBitsToFloat(a[idx + 1]));
    return unpackHalf2x16(a[idx >> 1]);
}
