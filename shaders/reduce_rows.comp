// reduce_rows.comp - one workgroup per row of `cols` floats: the row's sum or max, or the
// row's softmax(scale * x) or log-softmax(scale * x). Invocations stride over the row, then
// a shared-memory tree combines their partial results.
#version 450
layout(local_size_x_id = 0) in;
layout(constant_id = 0) const uint WG = 64; // a power of two
layout(constant_id = 1) const uint OP = 0;  // 0 sum, 1 max, 2 softmax, 3 log-softmax

layout(std430, binding = 0) readonly buffer A { float a[]; };
layout(std430, binding = 1) writeonly buffer D { float d[]; };
layout(push_constant) uniform Push {
    uint cols;
    uint rows;
    uint groups_x; // rows beyond 65535 use a 2D grid
    float scale;   // softmax only
} p;

shared float part[WG];

// Combines part[0..WG) into part[0] with `max` or `+`.
void combine(bool take_max)
{
    for (uint s = WG / 2; s > 0; s >>= 1) {
        barrier();
        if (gl_LocalInvocationID.x < s) {
            float o = part[gl_LocalInvocationID.x + s];
            float m = part[gl_LocalInvocationID.x];
            part[gl_LocalInvocationID.x] = take_max ? max(m, o) : m + o;
        }
    }
    barrier();
}

float row_max(uint base, float scale)
{
    float m = -1.0 / 0.0;
    for (uint c = gl_LocalInvocationID.x; c < p.cols; c += WG)
        m = max(m, scale * a[base + c]);
    part[gl_LocalInvocationID.x] = m;
    combine(true);
    return part[0];
}

void main()
{
    uint row = gl_WorkGroupID.y * p.groups_x + gl_WorkGroupID.x;
    if (row >= p.rows)
        return;
    uint base = row * p.cols;
    if (OP == 1) {
        float m = row_max(base, 1.0);
        if (gl_LocalInvocationID.x == 0)
            d[row] = m;
        return;
    }
    bool soft = OP == 2 || OP == 3;
    float shift = soft ? row_max(base, p.scale) : 0.0;
    barrier(); // part[] is reused below
    float s = 0.0;
    for (uint c = gl_LocalInvocationID.x; c < p.cols; c += WG)
        s += soft ? exp(p.scale * a[base + c] - shift) : a[base + c];
    part[gl_LocalInvocationID.x] = s;
    combine(false);
    if (OP == 0) {
        if (gl_LocalInvocationID.x == 0)
            d[row] = part[0];
        return;
    }
    if (OP == 3) {
        float log_sum = log(part[0]);
        for (uint c = gl_LocalInvocationID.x; c < p.cols; c += WG)
            d[base + c] = p.scale * a[base + c] - shift - log_sum;
        return;
    }
    float inv = 1.0 / part[0];
    for (uint c = gl_LocalInvocationID.x; c < p.cols; c += WG)
        d[base + c] = exp(p.scale * a[base + c] - shift) * inv;
}
