// binary.comp - d[i] = a[i] (+ or *) b[i % nb]: elementwise add/multiply, with b repeated
// along a (a bias or a norm weight broadcast over rows).
#version 450
layout(local_size_x_id = 0) in;
layout(constant_id = 1) const uint OP = 0; // 0 add, 1 multiply

layout(std430, binding = 0) readonly buffer A { float a[]; };
layout(std430, binding = 1) readonly buffer B { float b[]; };
layout(std430, binding = 2) writeonly buffer D { float d[]; };
layout(push_constant) uniform Push {
    uint n;          // elements of a and d
    uint nb;         // elements of b; n is a multiple of nb
    uint row_stride; // invocations per grid row (large n use a 2D grid)
} p;

void main()
{
    uint i = gl_GlobalInvocationID.y * p.row_stride + gl_GlobalInvocationID.x;
    if (i >= p.n)
        return;
    float x = a[i], y = b[i % p.nb];
    d[i] = OP == 0 ? x + y : x * y;
}
