// read_texel.glsl - the matmul inputs A (weights, raw bytes) and B (activations, f32) as
// uniform texel buffers of 16-byte R32G32B32A32_UINT texels, with the functions of
// read_storage.glsl, and b_texel, B's raw texels (for b_q8.glsl). CPU devices read these far
// faster: lavapipe turns a storage-buffer load whose address differs per lane into a branch
// per lane, a texel fetch into one gather.
layout(binding = 0) uniform usamplerBuffer A;
layout(binding = 1) uniform usamplerBuffer B;

uvec4 a_texel(uint t) { return texelFetch(A, int(t)); }
uint a_texel_count() { return uint(textureSize(A)); }
uvec4 b_texel(uint t) { return texelFetch(B, int(t)); }
vec4 b_vec4(uint t) { return uintBitsToFloat(b_texel(t)); }
