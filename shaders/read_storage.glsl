// read_storage.glsl - the matmul inputs A (weights, raw bytes) and B (activations, f32) as
// storage buffers read 16 bytes at a time: the portable binding every device offers. Its
// twin read_texel.glsl gives the same functions over texel buffers; a kernel body written
// against them (a_texel, a_texel_count, b_vec4) compiles with either.
layout(std430, binding = 0) readonly buffer A { uvec4 a4[]; };
layout(std430, binding = 1) readonly buffer B { vec4 b4[]; };

uvec4 a_texel(uint t) { return a4[t]; }
uint a_texel_count() { return uint(a4.length()); }
vec4 b_vec4(uint t) { return b4[t]; }
