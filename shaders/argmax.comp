// argmax.comp - one workgroup per row of `cols` floats: the index of the row's largest value
// (the lowest index among equal ones), as an int: greedy decoding without reading the
// logits back. Invocations stride over the row, then a shared-memory tree keeps the best.
#version 450
layout(local_size_x_id = 0) in;
layout(constant_id = 0) const uint WG = 64; // a power of two

layout(std430, binding = 0) readonly buffer A { float a[]; };
layout(std430, binding = 1) writeonly buffer D { int d[]; };
layout(push_constant) uniform Push {
    uint cols;
    uint rows;
    uint groups_x; // rows beyond 65535 use a 2D grid
} p;

shared float best[WG];
shared uint at[WG];

// Whether (v, i) beats (w, j): larger, or equal and earlier.
bool beats(float v, uint i, float w, uint j) { return v > w || (v == w && i < j); }

void main()
{
    uint row = gl_WorkGroupID.y * p.groups_x + gl_WorkGroupID.x;
    if (row >= p.rows)
        return;
    uint me = gl_LocalInvocationID.x, base = row * p.cols;
    float v = -1.0 / 0.0;
    uint i = 0xFFFFFFFFu;
    for (uint c = me; c < p.cols; c += WG)
        if (beats(a[base + c], c, v, i)) {
            v = a[base + c];
            i = c;
        }
    best[me] = v;
    at[me] = i;
    for (uint s = WG / 2; s > 0; s >>= 1) {
        barrier();
        if (me < s && beats(best[me + s], at[me + s], best[me], at[me])) {
            best[me] = best[me + s];
            at[me] = at[me + s];
        }
    }
    if (me == 0)
        d[row] = int(at[0] == 0xFFFFFFFFu ? 0u : at[0]);
}
