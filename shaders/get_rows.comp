// get_rows.comp - D row i = row IDS[i] of the table A, decoded to floats: the embedding
// lookup, and any gather of rows. A holds rows of `cols` elements of one type (TYPE: 0 f32,
// 1 f16, 30 bf16, or a ggml quantized type id, decoded by mmq_blocks.glsl). Each invocation
// writes one 32-element chunk of one output row. A may be a slice of a larger table (one
// binding sees only so many bytes): id - first_row indexes it, and rows whose id falls
// outside the slice are left to the dispatch that binds their slice.
#version 450
#extension GL_EXT_control_flow_attributes : require
layout(local_size_x_id = 0) in;
layout(constant_id = 1) const uint TYPE = 0;

layout(std430, binding = 0) readonly buffer A { uvec4 a4[]; };
layout(std430, binding = 1) readonly buffer Ids { int ids[]; };
layout(std430, binding = 2) writeonly buffer D { float d[]; };
layout(push_constant) uniform Push {
    uint cols;       // elements per row, a multiple of 32
    uint rows;       // output rows (ids)
    uint table_rows; // rows of A
    uint first_row;  // the id of A's first row
    uint row_stride; // invocations per grid row (a 2D grid for many chunks)
} p;

uvec4 a_texel(uint t) { return a4[t]; }
uint a_texel_count() { return uint(a4.length()); }

#include "mmq_blocks.glsl"

const uint T_F32 = 0u, T_F16 = 1u, T_BF16 = 30u;

// Elements 32c .. 32c + 31 of table row r, for the float types (rows start on a texel).
void float_chunk(uint r, uint c, out float v[32])
{
    if (TYPE == T_F32) {
        uint t = (r * p.cols + 32u * c) / 4u;
        [[unroll]] for (uint k = 0u; k < 8u; k++) {
            vec4 x = uintBitsToFloat(a4[t + k]);
            v[4u * k] = x.x, v[4u * k + 1u] = x.y, v[4u * k + 2u] = x.z, v[4u * k + 3u] = x.w;
        }
        return;
    }
    uint t = (r * p.cols + 32u * c) / 8u;
    [[unroll]] for (uint k = 0u; k < 4u; k++) {
        uvec4 w = a4[t + k];
        [[unroll]] for (uint j = 0u; j < 4u; j++) {
            vec2 x = TYPE == T_F16 ? unpackHalf2x16(w[j])
                                   : vec2(uintBitsToFloat(w[j] << 16),
                                          uintBitsToFloat(w[j] & 0xFFFF0000u));
            v[8u * k + 2u * j] = x.x;
            v[8u * k + 2u * j + 1u] = x.y;
        }
    }
}

// The same for quantized rows: chunk c of row r lies in one block.
void quant_chunk(uint r, uint c, out float v[32])
{
    uint first = r * p.cols + 32u * c;
    uint block = first / BLOCK, s = (first % BLOCK) / 32u;
    uvec4 u[UNITS];
    vec2 scale, offset;
    load_chunk(block * BLOCK_BYTES, s, u, scale, offset);
    vec4 un = quad_unscale();
    [[unroll]] for (uint l = 0u; l < 8u; l++) {
        vec4 q = chunk_quad(u, 0u, s, l) * un;
        vec4 x = q * scale[l >> 2] + offset[l >> 2];
        v[4u * l] = x.x, v[4u * l + 1u] = x.y, v[4u * l + 2u] = x.z, v[4u * l + 3u] = x.w;
    }
}

void main()
{
    uint i = gl_GlobalInvocationID.y * p.row_stride + gl_GlobalInvocationID.x;
    uint chunks = p.cols / 32u;
    if (i >= p.rows * chunks)
        return;
    uint row = i / chunks, c = i % chunks;
    int id = ids[row] - int(p.first_row);
    if (id < 0 || uint(id) >= p.table_rows)
        return;
    float v[32];
    if (TYPE == T_F32 || TYPE == T_F16 || TYPE == T_BF16)
        float_chunk(uint(id), c, v);
    else
        quant_chunk(uint(id), c, v);
    uint out_at = row * p.cols + 32u * c;
    [[unroll]] for (uint k = 0u; k < 32u; k++)
        d[out_at + k] = v[k];
}
