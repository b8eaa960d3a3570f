// mmq_rows.comp - D = A·Bᵀ for quantized weights A (ggml blocks, TYPE = ggml type id), one
// invocation per row of A producing TN outputs: the interface and shape of mm_rows.comp
// (bindings A words / B f32 / D f32, push {M, N, K}, constants 0 workgroup size, 1 TN,
// 2 type), for CPU devices. K is a multiple of the block size (32 or 256).
#version 450
layout(local_size_x_id = 0) in;
layout(constant_id = 1) const uint TN = 1;
layout(constant_id = 2) const uint TYPE = 2; // ggml type id

layout(std430, binding = 0) readonly buffer A { uint a[]; };
layout(std430, binding = 1) readonly buffer B { float b[]; };
layout(std430, binding = 2) writeonly buffer D { float d[]; };
layout(push_constant) uniform Push { uint M, N, K; } p;

#include "mmq_blocks.glsl"

void main()
{
    uint m = gl_GlobalInvocationID.x;
    uint n0 = gl_WorkGroupID.y * TN;
    if (m >= p.M)
        return;
    // Columns past N re-read the last row of B and are dropped at the end (as mm_rows).
    uint brow[TN];
    float acc[TN];
    for (uint j = 0; j < TN; j++) {
        brow[j] = min(n0 + j, p.N - 1) * p.K;
        acc[j] = 0.0;
    }
    uint row_at = m * (p.K / BLOCK) * BLOCK_BYTES;
    for (uint c = 0; c < p.K / 32; c++) {
        float w[32];
        chunk_weights(row_at, c, w);
        for (uint j = 0; j < TN; j++) {
            float s = 0.0;
            for (uint l = 0; l < 32; l++)
                s += w[l] * b[brow[j] + 32 * c + l];
            acc[j] += s;
        }
    }
    for (uint j = 0; j < TN; j++)
        if (n0 + j < p.N)
            d[(n0 + j) * p.M + m] = acc[j];
}
