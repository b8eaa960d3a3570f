// mm_rows.comp - D = A·Bᵀ with each invocation producing a TM x TN tile: TM rows of A
// against TN rows of B. A: M rows of K weights (f32, f16 or bf16), B: N rows of K floats,
// D: N rows of M floats.
// This is the shape CPU devices (lavapipe) run best: no shared memory, no barriers, and
// every loaded value is used TM or TN times, because a load there costs far more than a
// multiply-add.
#version 450
layout(local_size_x_id = 0) in;
layout(constant_id = 1) const uint TN = 1;
layout(constant_id = 2) const uint TYPE = 0; // 0 f32, 1 f16, 2 bf16
layout(constant_id = 3) const uint TM = 1;

layout(std430, binding = 0) readonly buffer A { uint a[]; };
layout(std430, binding = 1) readonly buffer B { float b[]; };
layout(std430, binding = 2) writeonly buffer D { float d[]; };
layout(push_constant) uniform Push { uint M, N, K; } p;

#include "mm_a.glsl"

void main()
{
    uint m0 = gl_GlobalInvocationID.x * TM;
    uint n0 = gl_WorkGroupID.y * TN;
    if (m0 >= p.M)
        return;
    // Rows and columns past the edge re-read the last one; their sums are dropped at the
    // end, which keeps the inner loop free of branches.
    uint arow[TM], brow[TN];
    float acc[TM][TN];
    for (uint i = 0; i < TM; i++)
        arow[i] = min(m0 + i, p.M - 1) * p.K;
    for (uint j = 0; j < TN; j++)
        brow[j] = min(n0 + j, p.N - 1) * p.K;
    for (uint i = 0; i < TM; i++)
        for (uint j = 0; j < TN; j++)
            acc[i][j] = 0.0;
    if ((p.K & 1) == 0) {
        for (uint k = 0; k < p.K; k += 2) {
            vec2 x[TN];
            for (uint j = 0; j < TN; j++)
                x[j] = vec2(b[brow[j] + k], b[brow[j] + k + 1]);
            for (uint i = 0; i < TM; i++) {
                vec2 w = a_pair(arow[i] + k);
                for (uint j = 0; j < TN; j++)
                    acc[i][j] += w.x * x[j].x + w.y * x[j].y;
            }
        }
    } else {
        for (uint k = 0; k < p.K; k++) {
            for (uint i = 0; i < TM; i++) {
                float w = a_at(arow[i] + k);
                for (uint j = 0; j < TN; j++)
                    acc[i][j] += w * b[brow[j] + k];
            }
        }
    }
    for (uint i = 0; i < TM; i++)
        for (uint j = 0; j < TN; j++)
            if (m0 + i < p.M && n0 + j < p.N)
                d[(n0 + j) * p.M + m0 + i] = acc[i][j];
}
