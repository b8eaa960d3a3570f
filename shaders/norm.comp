// norm.comp - one workgroup per row of `cols` floats: RMSNorm (OP 0),
//   d = x / sqrt(mean(x^2) + eps) * w,
// or LayerNorm (OP 1), d = (x - mean) / sqrt(var + eps) * w + b (biased variance), with
// per-column weights w and biases b. Invocations stride over the row and a shared-memory
// tree adds their partial sums, as reduce_rows.comp does.
#version 450
layout(local_size_x_id = 0) in;
layout(constant_id = 0) const uint WG = 64; // a power of two
layout(constant_id = 1) const uint OP = 0;  // 0 RMSNorm, 1 LayerNorm

layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) readonly buffer W { float w[]; };
layout(std430, binding = 2) readonly buffer B { float b[]; };
layout(std430, binding = 3) writeonly buffer D { float d[]; };
layout(push_constant) uniform Push {
    uint cols;
    uint rows;
    uint groups_x; // rows beyond 65535 use a 2D grid
    float eps;
} p;

shared float part[WG];

// The sum over the workgroup of each invocation's v.
float workgroup_sum(float v)
{
    part[gl_LocalInvocationID.x] = v;
    for (uint s = WG / 2; s > 0; s >>= 1) {
        barrier();
        if (gl_LocalInvocationID.x < s)
            part[gl_LocalInvocationID.x] += part[gl_LocalInvocationID.x + s];
    }
    barrier();
    float total = part[0];
    barrier(); // part[] is reused by the next call
    return total;
}

void main()
{
    uint row = gl_WorkGroupID.y * p.groups_x + gl_WorkGroupID.x;
    if (row >= p.rows)
        return;
    uint base = row * p.cols;
    float mean = 0.0;
    if (OP == 1) {
        float s = 0.0;
        for (uint c = gl_LocalInvocationID.x; c < p.cols; c += WG)
            s += x[base + c];
        mean = workgroup_sum(s) / float(p.cols);
    }
    float sq = 0.0;
    for (uint c = gl_LocalInvocationID.x; c < p.cols; c += WG) {
        float v = x[base + c] - mean;
        sq += v * v;
    }
    // 1/sqrt rather than inversesqrt, which CPU drivers may compute to 12 bits only.
    float inv = 1.0 / sqrt(workgroup_sum(sq) / float(p.cols) + p.eps);
    for (uint c = gl_LocalInvocationID.x; c < p.cols; c += WG) {
        float v = (x[base + c] - mean) * inv * w[c];
        d[base + c] = OP == 1 ? v + b[c] : v;
    }
}
