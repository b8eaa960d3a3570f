// mmq_rows_tex.comp - the rows-shape matmul for quantized weights (mmq_rows.glsl),
// reading texel buffers: the fast binding on CPU devices.
#version 450
#include "read_texel.glsl"
#include "mmq_rows.glsl"
