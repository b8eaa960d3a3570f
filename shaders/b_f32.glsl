// b_f32.glsl - activations B of the quantized rows matmul as plain f32 (b_vec4, from
// read_storage.glsl or read_texel.glsl), one 32-element block at a time: the exact path.
// Its twin b_q8.glsl reads the 8-bit blocks of quantize_q8.comp through the same function.

#extension GL_EXT_control_flow_attributes : require

// Block c of B (elements 32c .. 32c + 31 of the whole tensor): x[l] holds elements
// 4l .. 4l + 3 in units of scale, sums the sums over each half (elements 0-15, 16-31) in
// true units.
void b_block(uint c, out vec4 x[8], out float scale, out vec2 sums)
{
    sums = vec2(0.0);
    [[unroll]] for (uint l = 0u; l < 8u; l++) {
        x[l] = b_vec4(8u * c + l);
        float sum = dot(x[l], vec4(1.0));
        sums += l < 4u ? vec2(sum, 0.0) : vec2(0.0, sum);
    }
    scale = 1.0;
}
