// mmq_rows.glsl - D = A·Bᵀ for quantized weights A (ggml blocks, TYPE = ggml type id), each
// invocation producing a TM x TN tile: the interface and shape of mm_rows.glsl (bindings
// A bytes / B activations / D f32, push {M, N, K}, constants 0 workgroup size, 1 TN, 2 type,
// 3 TM), for CPU devices. K is a multiple of the block size (32 or 256). The body of
// mmq_rows.comp (storage buffers, f32 B through b_f32.glsl) and mmq_rows_tex.comp (texel
// buffers, 8-bit B through b_q8.glsl), which include it after those.
#include "rows_tile.glsl" // TYPE is the ggml type id

#include "mmq_blocks.glsl"

// acc[i][j] += chunk s of row i (held in u[i], at) · block c of B row j (brow[j], in
// blocks), with scales sc and offsets of. Four weights at a time go straight from their
// bytes into multiply-adds, and B is read once for all TM rows.
void add_chunk(uvec4 u[TM][UNITS], uint at, uint s, vec2 sc[TM], vec2 of[TM], uint brow[TN],
               uint c, inout float acc[TM][TN])
{
    vec4 x[TN][8];
    float xscale[TN];
    vec2 xs[TN], qx[TM][TN];
    for (uint j = 0; j < TN; j++) {
        b_block(brow[j] + c, x[j], xscale[j], xs[j]);
        for (uint i = 0; i < TM; i++)
            qx[i][j] = vec2(0.0);
    }
    // chunk_quad's powers of two are undone on the side with fewer vectors: the TN of B or
    // the TM of A.
    [[unroll]] for (uint l = 0; l < 8u; l++) {
        if (TN <= TM)
            for (uint j = 0; j < TN; j++)
                x[j][l] *= quad_unscale();
        for (uint i = 0; i < TM; i++) {
            vec4 q = chunk_quad(u[i], at, s, l);
            if (TN > TM)
                q *= quad_unscale();
            for (uint j = 0; j < TN; j++) {
                float t = dot(q, x[j][l]);
                qx[i][j] += l < 4u ? vec2(t, 0.0) : vec2(0.0, t);
            }
        }
    }
    for (uint i = 0; i < TM; i++)
        for (uint j = 0; j < TN; j++)
            acc[i][j] += xscale[j] * dot(sc[i], qx[i][j]) + dot(of[i], xs[j]);
}

// Rows of whole groups (K a multiple of GROUP * BLOCK): each group's texels are read once and
// every chunk decoded from constant positions. Groups of 32-element blocks then start on a
// texel.
void tile_by_groups(uint arow[TM], uint brow[TN], inout float acc[TM][TN])
{
    for (uint g = 0; g < p.K / (GROUP * BLOCK); g++) {
        uvec4 u[TM][UNITS];
        for (uint i = 0; i < TM; i++)
            load_group(arow[i] + g * GROUP * BLOCK_BYTES, u[i]);
        // Unrolled, so that block and chunk positions are constants inside the decoders.
        [[unroll]] for (uint b = 0; b < GROUP; b++) {
            [[unroll]] for (uint s = 0; s < BLOCK / 32u; s++) {
                vec2 sc[TM], of[TM];
                for (uint i = 0; i < TM; i++)
                    chunk_head(u[i], b * BLOCK_BYTES, s, sc[i], of[i]);
                uint c = (g * GROUP + b) * (BLOCK / 32u) + s;
                add_chunk(u, b * BLOCK_BYTES, s, sc, of, brow, c, acc);
            }
        }
    }
}

// Rows of 32-element blocks that are not whole groups: each block loaded on its own.
void tile_by_chunks(uint arow[TM], uint brow[TN], inout float acc[TM][TN])
{
    for (uint c = 0; c < p.K / 32u; c++) {
        uvec4 u[TM][UNITS];
        vec2 sc[TM], of[TM];
        for (uint i = 0; i < TM; i++)
            load_chunk(arow[i] + c * BLOCK_BYTES, 0u, u[i], sc[i], of[i]);
        add_chunk(u, 0u, 0u, sc, of, brow, c, acc);
    }
}

void main()
{
    // Each block of B is read once for all TM rows: on CPU devices a load costs far more
    // than the multiply-adds it feeds.
    uint m0, n0, arow[TM], brow[TN];
    float acc[TM][TN];
    start_tile(m0, n0, arow, brow, acc);
    for (uint i = 0; i < TM; i++)
        arow[i] *= p.K / BLOCK * BLOCK_BYTES; // bytes
    for (uint j = 0; j < TN; j++)
        brow[j] *= p.K / 32u; // blocks of B
    if (p.K % (GROUP * BLOCK) == 0u)
        tile_by_groups(arow, brow, acc);
    else
        tile_by_chunks(arow, brow, acc);
    store_tile(m0, n0, acc);
}
