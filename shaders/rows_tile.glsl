// rows_tile.glsl - what the rows-shape matmul bodies (mm_rows.glsl, mmq_rows.glsl) share:
// their interface (constants 0 workgroup size, 1 TN, 2 type, 3 TM; binding 2 D; push
// {M, N, K, ldd}) and the TM x TN tile each invocation computes: D rows n0 .. n0 + TN - 1,
// columns m0 .. m0 + TM - 1, from TM rows of A and TN rows of B.
layout(local_size_x_id = 0) in;
layout(constant_id = 1) const uint TN = 1;
layout(constant_id = 2) const uint TYPE = 0; // weight type; see the including body
layout(constant_id = 3) const uint TM = 1;

layout(std430, binding = 2) writeonly buffer D { float d[]; };
layout(push_constant) uniform Push { uint M, N, K, ldd; } p; // ldd: floats per row of D

// The tile's first column m0 and row n0, the rows of A and B it reads, and zeroed sums.
// Rows past the edge re-read the last one and their sums are dropped by store_tile, which
// keeps the inner loops free of branches.
void start_tile(out uint m0, out uint n0, out uint arow[TM], out uint brow[TN],
                out float acc[TM][TN])
{
    m0 = gl_GlobalInvocationID.x * TM;
    n0 = gl_WorkGroupID.y * TN;
    for (uint i = 0; i < TM; i++)
        arow[i] = min(m0 + i, p.M - 1);
    for (uint j = 0; j < TN; j++)
        brow[j] = min(n0 + j, p.N - 1);
    for (uint i = 0; i < TM; i++)
        for (uint j = 0; j < TN; j++)
            acc[i][j] = 0.0;
}

void store_tile(uint m0, uint n0, float acc[TM][TN])
{
    for (uint i = 0; i < TM; i++)
        for (uint j = 0; j < TN; j++)
            if (m0 + i < p.M && n0 + j < p.N)
                d[(n0 + j) * p.ldd + m0 + i] = acc[i][j];
}
