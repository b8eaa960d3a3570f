// mmq_rows_tex.comp - the rows-shape matmul for quantized weights (mmq_rows.glsl), reading
// texel buffers and activations rounded to 8-bit blocks by quantize_q8.comp: the fast
// binding on CPU devices.
#version 450
#include "read_texel.glsl"
#include "b_q8.glsl"
#include "mmq_rows.glsl"
