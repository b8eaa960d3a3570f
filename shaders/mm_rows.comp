// mm_rows.comp - D = A·Bᵀ with one invocation per row of A, each producing TN outputs.
// A: M rows of K weights (f32 or f16), B: N rows of K floats, D: N rows of M floats.
// This is the shape CPU devices (lavapipe) run best: long contiguous reads per lane, no
// shared memory, no barriers. Each A row is read once per TN columns of B.
#version 450
layout(local_size_x_id = 0) in;
layout(constant_id = 1) const uint TN = 1;
layout(constant_id = 2) const uint TYPE = 0; // 0 f32, 1 f16

layout(std430, binding = 0) readonly buffer A { uint a[]; };
layout(std430, binding = 1) readonly buffer B { float b[]; };
layout(std430, binding = 2) writeonly buffer D { float d[]; };
layout(push_constant) uniform Push { uint M, N, K; } p;

#include "mm_a.glsl"

void main()
{
    uint m = gl_GlobalInvocationID.x;
    uint n0 = gl_WorkGroupID.y * TN;
    if (m >= p.M)
        return;
    // Columns past N re-read the last row of B; their sums are computed and dropped, which
    // keeps the inner loop free of branches.
    uint brow[TN];
    float acc[TN];
    for (uint j = 0; j < TN; j++) {
        brow[j] = min(n0 + j, p.N - 1) * p.K;
        acc[j] = 0.0;
    }
    uint arow = m * p.K;
    if ((p.K & 1) == 0) {
        for (uint k = 0; k < p.K; k += 2) {
            vec2 w = a_pair(arow + k);
            for (uint j = 0; j < TN; j++)
                acc[j] += w.x * b[brow[j] + k] + w.y * b[brow[j] + k + 1];
        }
    } else {
        for (uint k = 0; k < p.K; k++) {
            float w = a_at(arow + k);
            for (uint j = 0; j < TN; j++)
                acc[j] += w * b[brow[j] + k];
        }
    }
    for (uint j = 0; j < TN; j++)
        if (n0 + j < p.N)
            d[(n0 + j) * p.M + m] = acc[j];
}
