// mm_rows_tex.comp - the rows-shape matmul for float weights (mm_rows.glsl), reading
// texel buffers: the fast binding on CPU devices.
#version 450
#include "read_texel.glsl"
#include "mm_rows.glsl"
