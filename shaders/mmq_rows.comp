// mmq_rows.comp - the rows-shape matmul for quantized weights (mmq_rows.glsl), reading
// storage buffers: the binding every device can use for any tensor size.
#version 450
#include "read_storage.glsl"
#include "mmq_rows.glsl"
