// rope.comp - rotary position embedding of X, viewed as `tokens` rows of `heads` heads of
// `hd` floats, into D. Pair k (k < n_dims/2) of a head turns by angle pos·base^(-2k/n_dims):
//   MODE 0 (normal, llama): the pair (x[2k], x[2k+1]);
//   MODE 1 (NeoX, qwen2):   the pair (x[k], x[k + n_dims/2]);
//   MODE 2 (M-RoPE, qwen2vl): NeoX pairs, with pos taken from the token's (t, h, w, e)
//     position by the section k falls in (k < s0: t, < s1: h, < s2: w, else e; s cumulative).
//   MODE 3 (vision, the Qwen2-VL ViT): as MODE 2, but the exponent restarts in each section
//     and counts in half the pairs: angle pos·base^(-2(k - section start)/(n_dims/2)).
// POS holds four ints per token; modes 0 and 1 use the first. Dimensions from n_dims on are
// copied unchanged. Each invocation turns one pair.
#version 450
layout(local_size_x_id = 0) in;
layout(constant_id = 1) const uint MODE = 1;

layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) readonly buffer Pos { ivec4 pos[]; };
layout(std430, binding = 2) writeonly buffer D { float d[]; };
layout(push_constant) uniform Push {
    uint hd;     // floats per head
    uint heads;
    uint tokens;
    uint n_dims; // rotated dimensions per head, even, <= hd
    float log2_base;
    uint s0, s1, s2; // M-RoPE section ends, in pairs
    uint row_stride; // invocations per grid row
} p;

void main()
{
    uint i = gl_GlobalInvocationID.y * p.row_stride + gl_GlobalInvocationID.x;
    uint half_hd = p.hd / 2u;
    if (i >= p.tokens * p.heads * half_hd)
        return;
    uint k = i % half_hd, head = i / half_hd;
    uint token = head / p.heads, base = head * p.hd;
    uint half_dims = p.n_dims / 2u;
    // Pairs past the rotated dimensions copy the two elements this invocation owns.
    uint a = MODE == 0u ? base + 2u * k : base + k;
    uint b = MODE == 0u ? a + 1u : a + half_dims;
    if (k >= half_dims) {
        uint j = base + p.n_dims + 2u * (k - half_dims);
        d[j] = x[j];
        d[j + 1u] = x[j + 1u];
        return;
    }
    ivec4 tp = pos[token];
    int at = tp.x;
    if (MODE >= 2u)
        at = k < p.s0 ? tp.x : k < p.s1 ? tp.y : k < p.s2 ? tp.z : tp.w;
    float expo = float(k) / float(p.n_dims);
    if (MODE == 3u) {
        uint start = k < p.s0 ? 0u : k < p.s1 ? p.s0 : k < p.s2 ? p.s1 : p.s2;
        expo = float(k - start) / float(half_dims);
    }
    float theta = float(at) * exp2(-2.0 * expo * p.log2_base);
    float c = cos(theta), s = sin(theta);
    float xa = x[a], xb = x[b];
    d[a] = xa * c - xb * s;
    d[b] = xa * s + xb * c;
}
