// copy.comp - dst[i] = src[i] over vec4s: the device-memory bandwidth probe for benchmarks.
// Each invocation copies PER vec4s, a grid's width apart, so neighbouring lanes always touch
// neighbouring vec4s and a large copy needs few workgroups.
#version 450
layout(local_size_x_id = 0) in;
layout(constant_id = 1) const uint PER = 1;
layout(std430, binding = 0) readonly buffer Src { vec4 src[]; };
layout(std430, binding = 1) writeonly buffer Dst { vec4 dst[]; };
layout(push_constant) uniform Push { uint n; uint stride; } p;

void main()
{
    uint i = gl_GlobalInvocationID.x;
    for (uint r = 0; r < PER; r++, i += p.stride)
        if (i < p.n)
            dst[i] = src[i];
}
