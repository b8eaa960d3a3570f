// copy.comp - dst[i] = src[i] over 16-byte texels: the device-memory bandwidth probe for
// benchmarks. src is read as a texel buffer, the fastest way CPU devices read (see
// read_texel.glsl); one texel per invocation, because lavapipe runs a per-lane loop with a
// bounds check far slower than more invocations.
#version 450
layout(local_size_x_id = 0) in;
layout(binding = 0) uniform usamplerBuffer src;
layout(std430, binding = 1) writeonly buffer Dst { uvec4 dst[]; };
layout(push_constant) uniform Push { uint n; uint groups_x; } p;

void main()
{
    uint i = gl_GlobalInvocationID.y * p.groups_x * gl_WorkGroupSize.x + gl_GlobalInvocationID.x;
    if (i < p.n)
        dst[i] = texelFetch(src, int(i));
}
