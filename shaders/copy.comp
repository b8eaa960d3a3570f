// copy.comp - dst[i] = src[i] over vec4s: the device-memory bandwidth probe for benchmarks.
#version 450
layout(local_size_x_id = 0) in;
layout(std430, binding = 0) readonly buffer Src { vec4 src[]; };
layout(std430, binding = 1) writeonly buffer Dst { vec4 dst[]; };
layout(push_constant) uniform Push { uint n; uint row_stride; } p;

void main()
{
    uint i = gl_GlobalInvocationID.y * p.row_stride + gl_GlobalInvocationID.x;
    if (i < p.n)
        dst[i] = src[i];
}
