// mmq_sg.comp - D = A·Bᵀ for quantized weights A (ggml blocks, TYPE = ggml type id), one
// subgroup per row of A producing TN outputs: the interface and shape of mm_sg.comp
// (constants 0 workgroup size, 1 TN, 2 type, 3 rows per workgroup), for GPUs. Lanes take
// the row's blocks in turn, decode them in registers and subgroupAdd the sums.
#version 450
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_arithmetic : require
layout(local_size_x_id = 0) in;
layout(constant_id = 1) const uint TN = 1;
layout(constant_id = 2) const uint TYPE = 2; // ggml type id
layout(constant_id = 3) const uint ROWS = 1;

#include "read_storage.glsl"
layout(std430, binding = 2) writeonly buffer D { float d[]; };
layout(push_constant) uniform Push { uint M, N, K, ldd; } p; // ldd: floats per row of D

#include "mmq_blocks.glsl"

// The dot product of chunk s held in u (at, as chunk_quad) with the 8 texels of activations
// from bt.
float chunk_dot(uvec4 u[UNITS], uint at, uint s, vec2 scale, vec2 offset, uint bt)
{
    vec4 qx[2] = vec4[2](vec4(0.0), vec4(0.0));
    vec2 xs = vec2(0.0);
    [[unroll]] for (uint l = 0u; l < 8u; l++) {
        vec4 x = b_vec4(bt + l);
        qx[l >> 2] += chunk_quad(u, at, s, l) * x;
        xs[l >> 2] += dot(x, vec4(1.0));
    }
    vec4 un = quad_unscale();
    return dot(scale, vec2(dot(qx[0], un), dot(qx[1], un))) + dot(offset, xs);
}

void row_dot(uint m, uint n0)
{
    uint brow[TN];
    float acc[TN];
    for (uint j = 0; j < TN; j++) {
        brow[j] = min(n0 + j, p.N - 1) * (p.K / 4u);
        acc[j] = 0.0;
    }
    uint row_at = m * (p.K / BLOCK) * BLOCK_BYTES;
    // Lanes take the row's blocks in turn (32-element blocks are single chunks); the chunks
    // of a K-quant block are unrolled so their positions in it are constants.
    for (uint blk = gl_SubgroupInvocationID; blk < p.K / BLOCK; blk += gl_SubgroupSize) {
        [[unroll]] for (uint s = 0; s < BLOCK / 32u; s++) {
            uvec4 u[UNITS];
            vec2 scale, offset;
            load_chunk(row_at + blk * BLOCK_BYTES, s, u, scale, offset);
            uint c = blk * (BLOCK / 32u) + s;
            for (uint j = 0; j < TN; j++)
                acc[j] += chunk_dot(u, 0u, s, scale, offset, brow[j] + 8u * c);
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
