// mmq_rows.comp - the rows-shape matmul for quantized weights (mmq_rows.glsl), reading
// storage buffers and f32 activations: the binding every device can use for any tensor size.
#version 450
#include "read_storage.glsl"
#include "b_f32.glsl"
#include "mmq_rows.glsl"
