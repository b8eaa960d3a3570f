// set_rows.comp - row IDS[i] of D = row i of S: scattering rows into a table, such as new
// keys and values into the KV cache. S is f32; D is f16 (HALF = 1) or f32, rows of `cols`
// elements. Each invocation moves two elements; ids outside D are skipped.
#version 450
layout(local_size_x_id = 0) in;
layout(constant_id = 1) const uint HALF = 1;

layout(std430, binding = 0) readonly buffer S { vec2 s2[]; };
layout(std430, binding = 1) readonly buffer Ids { int ids[]; };
layout(std430, binding = 2) buffer D { uint d[]; };
layout(push_constant) uniform Push {
    uint cols;       // elements per row, even
    uint rows;       // rows of S
    uint table_rows; // rows of D
    uint row_stride; // invocations per grid row
} p;

void main()
{
    uint i = gl_GlobalInvocationID.y * p.row_stride + gl_GlobalInvocationID.x;
    uint pairs = p.cols / 2u;
    if (i >= p.rows * pairs)
        return;
    uint row = i / pairs, k = i % pairs;
    int id = ids[row];
    if (id < 0 || uint(id) >= p.table_rows)
        return;
    vec2 x = s2[i];
    if (HALF == 1u) {
        d[uint(id) * pairs + k] = packHalf2x16(x);
    } else {
        uint at = (uint(id) * pairs + k) * 2u;
        d[at] = floatBitsToUint(x.x);
        d[at + 1u] = floatBitsToUint(x.y);
    }
}
