// b_q8.glsl - activations B of the quantized rows matmul as the 8-bit blocks that
// quantize_q8.comp writes (three texels per 32 elements, read through b_texel of
// read_texel.glsl): b_block of b_f32.glsl, at three texel reads per block instead of eight.

#extension GL_EXT_control_flow_attributes : require

void b_block(uint c, out vec4 x[8], out float scale, out vec2 sums)
{
    uvec4 lo = b_texel(3u * c), hi = b_texel(3u * c + 1u);
    vec4 head = uintBitsToFloat(b_texel(3u * c + 2u));
    [[unroll]] for (uint l = 0u; l < 8u; l++) {
        uint w = (l < 4u ? lo : hi)[l & 3u];
        x[l] = vec4((ivec4(w) << ivec4(24, 16, 8, 0)) >> 24);
    }
    scale = head.x;
    sums = head.yz;
}
