// mm_sg.comp - D = A·Bᵀ with one subgroup per row of A, each producing TN outputs.
// Same data layout as mm_rows.comp. Lanes read consecutive pairs of the row (coalesced
// loads, the shape GPUs want) and subgroupAdd combines them. A workgroup handles ROWS rows;
// the loop over gl_SubgroupID keeps it correct whatever subgroup size the driver picks.
#version 450
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_arithmetic : require
layout(local_size_x_id = 0) in;
layout(constant_id = 1) const uint TN = 1;
layout(constant_id = 2) const uint TYPE = 0; // 0 f32, 1 f16, 2 bf16
layout(constant_id = 3) const uint ROWS = 1;

layout(std430, binding = 0) readonly buffer A { uint a[]; };
layout(std430, binding = 1) readonly buffer B { float b[]; };
layout(std430, binding = 2) writeonly buffer D { float d[]; };
layout(push_constant) uniform Push { uint M, N, K, ldd; } p; // ldd: floats per row of D

#include "mm_a.glsl"

void row_dot(uint m, uint n0)
{
    uint brow[TN];
    float acc[TN];
    for (uint j = 0; j < TN; j++) {
        brow[j] = min(n0 + j, p.N - 1) * p.K;
        acc[j] = 0.0;
    }
    uint arow = m * p.K;
    if ((p.K & 1) == 0) {
        for (uint k = 2 * gl_SubgroupInvocationID; k < p.K; k += 2 * gl_SubgroupSize) {
            vec2 w = a_pair(arow + k);
            for (uint j = 0; j < TN; j++)
                acc[j] += w.x * b[brow[j] + k] + w.y * b[brow[j] + k + 1];
        }
    } else {
        for (uint k = gl_SubgroupInvocationID; k < p.K; k += gl_SubgroupSize) {
            float w = a_at(arow + k);
            for (uint j = 0; j < TN; j++)
                acc[j] += w * b[brow[j] + k];
        }
    }
    for (uint j = 0; j < TN; j++) {
        float s = subgroupAdd(acc[j]);
        if (subgroupElect() && n0 + j < p.N)
            d[(n0 + j) * p.ldd + m] = s;
    }
}

void main()
{
    uint n0 = gl_WorkGroupID.y * TN;
    for (uint r = gl_SubgroupID; r < ROWS; r += gl_NumSubgroups) {
        uint m = gl_WorkGroupID.x * ROWS + r;
        if (m < p.M)
            row_dot(m, n0);
    }
}
