// attention.comp - causal attention of each query head of each new token over the keys and
// values of its sequence in the paged KV cache, with grouped-query heads. One invocation per
// (token, head) walks the token's keys once with an online softmax (running maximum, sum
// and weighted values), so no score matrix is ever stored, whatever the prompt length.
//
// Q: tokens x heads x HD floats. K, V: the cache, one row of kv_row halves per slot (a slot
// is page * page_size + offset), the HD halves of kv head h at h * HD. O: as Q.
// META (ints): per token, its sequence s and how many keys it sees (its position + 1 for
// causal attention); from tables_at, each sequence's page table of max_pages entries.
#version 450
layout(local_size_x_id = 0) in;
layout(constant_id = 1) const uint HD = 64; // head dimension, a multiple of 8

layout(std430, binding = 0) readonly buffer Q { float q[]; };
layout(std430, binding = 1) readonly buffer K { uvec4 k8[]; };
layout(std430, binding = 2) readonly buffer V { uvec4 v8[]; };
layout(std430, binding = 3) readonly buffer Meta { int meta[]; };
layout(std430, binding = 4) writeonly buffer O { float o[]; };
layout(push_constant) uniform Push {
    uint heads;
    uint kv_heads;
    uint tokens;
    uint page_size;
    uint max_pages;
    uint tables_at;
    uint kv_row; // halves per cache slot: kv_heads * HD
    float scale;
    uint row_stride; // invocations per grid row
} p;

// Halves 8c .. 8c + 7 of a cache row as floats.
void unpack8(uvec4 w, out vec4 lo, out vec4 hi)
{
    lo = vec4(unpackHalf2x16(w.x), unpackHalf2x16(w.y));
    hi = vec4(unpackHalf2x16(w.z), unpackHalf2x16(w.w));
}

void main()
{
    uint i = gl_GlobalInvocationID.y * p.row_stride + gl_GlobalInvocationID.x;
    if (i >= p.tokens * p.heads)
        return;
    // Neighbouring invocations take neighbouring tokens of one head: they walk the same keys
    // of that head together, so a workgroup reads one head's keys and values, not every
    // head's (a CPU device's caches hold the former; tokens x heads invocations re-reading
    // all heads made long non-causal attention memory-bound).
    uint head = i / p.tokens, token = i % p.tokens;
    uint kv_head = head / (p.heads / p.kv_heads);
    int seq = meta[2u * token];
    uint n_keys = uint(meta[2u * token + 1u]);
    uint table = p.tables_at + uint(seq) * p.max_pages;

    vec4 qv[HD / 4u], acc[HD / 4u];
    for (uint c = 0u; c < HD / 4u; c++) {
        uint at = (token * p.heads + head) * HD + 4u * c;
        qv[c] = vec4(q[at], q[at + 1u], q[at + 2u], q[at + 3u]) * p.scale;
        acc[c] = vec4(0.0);
    }
    float m = -1.0 / 0.0, l = 0.0;
    for (uint j = 0u; j < n_keys; j++) {
        uint slot = uint(meta[table + j / p.page_size]) * p.page_size + j % p.page_size;
        uint row = (slot * p.kv_row + kv_head * HD) / 8u;
        float s = 0.0;
        for (uint c = 0u; c < HD / 8u; c++) {
            vec4 lo, hi;
            unpack8(k8[row + c], lo, hi);
            s += dot(qv[2u * c], lo) + dot(qv[2u * c + 1u], hi);
        }
        float m_new = max(m, s);
        float keep = exp(m - m_new), w = exp(s - m_new);
        l = l * keep + w;
        for (uint c = 0u; c < HD / 8u; c++) {
            vec4 lo, hi;
            unpack8(v8[row + c], lo, hi);
            acc[2u * c] = acc[2u * c] * keep + w * lo;
            acc[2u * c + 1u] = acc[2u * c + 1u] * keep + w * hi;
        }
        m = m_new;
    }
    float inv = l > 0.0 ? 1.0 / l : 0.0;
    for (uint c = 0u; c < HD / 4u; c++) {
        uint at = (token * p.heads + head) * HD + 4u * c;
        vec4 r = acc[c] * inv;
        o[at] = r.x, o[at + 1u] = r.y, o[at + 2u] = r.z, o[at + 3u] = r.w;
    }
}
