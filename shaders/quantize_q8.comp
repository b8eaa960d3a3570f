// quantize_q8.comp - activations to 8-bit blocks for the quantized rows_texel matmul
// (b_q8.glsl): each 32 consecutive floats of X become three 16-byte texels of Q,
//   q[0..15] | q[16..31] (int8)   then   (d, d * sum q[0..15], d * sum q[16..31], 0) (f32),
// with d = max |x| / 127 and q = round(x / d), so x is d * q to within d / 2. This is
// llama.cpp's q8_1 with its scale kept in f32. On CPU devices the matmul reads these three
// texels instead of eight of floats, and the half sums, which weight offsets multiply, come
// ready made instead of being summed again by every invocation.
// One invocation per block; X is bound as a texel buffer (read_texel.glsl tells why).
#version 450
#extension GL_EXT_control_flow_attributes : require
layout(local_size_x_id = 0) in;
layout(binding = 0) uniform usamplerBuffer X;
layout(std430, binding = 1) writeonly buffer Q { uvec4 q[]; };
layout(push_constant) uniform Push { uint blocks; uint groups_x; } p;

// The 4 values of v, rounded to integers in [-127, 127], as the bytes of one word.
uint pack_bytes(vec4 v)
{
    ivec4 i = clamp(ivec4(roundEven(v)), ivec4(-127), ivec4(127)) & 255;
    return uint(i.x | (i.y << 8) | (i.z << 16) | (i.w << 24));
}

void main()
{
    uint b = gl_GlobalInvocationID.y * p.groups_x * gl_WorkGroupSize.x + gl_GlobalInvocationID.x;
    if (b >= p.blocks)
        return;
    vec4 x[8];
    float amax = 0.0;
    [[unroll]] for (uint l = 0u; l < 8u; l++) {
        x[l] = uintBitsToFloat(texelFetch(X, int(8u * b + l)));
        vec4 a = abs(x[l]);
        amax = max(amax, max(max(a.x, a.y), max(a.z, a.w)));
    }
    float d = amax / 127.0, inv = amax > 0.0 ? 127.0 / amax : 0.0;
    uint w[8];
    vec2 sums = vec2(0.0);
    [[unroll]] for (uint l = 0u; l < 8u; l++) {
        w[l] = pack_bytes(x[l] * inv);
        vec4 r = vec4((ivec4(w[l]) << ivec4(24, 16, 8, 0)) >> 24);
        float sum = dot(r, vec4(1.0));
        sums += l < 4u ? vec2(sum, 0.0) : vec2(0.0, sum);
    }
    q[3u * b] = uvec4(w[0], w[1], w[2], w[3]);
    q[3u * b + 1u] = uvec4(w[4], w[5], w[6], w[7]);
    q[3u * b + 2u] = uvec4(floatBitsToUint(d), floatBitsToUint(d * sums), 0u);
}
