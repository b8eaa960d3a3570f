/* tensor.c - sizes of tensors (see tensor.h). */
#include "runtime/tensor.h"

int64_t tensor_rows(const tensor *t)
{
    return t->ne[1] * t->ne[2] * t->ne[3];
}

int64_t tensor_elements(const tensor *t)
{
    return t->ne[0] * tensor_rows(t);
}

size_t tensor_bytes(const tensor *t)
{
    return dtype_row_bytes(t->type, t->ne[0]) * (size_t)tensor_rows(t);
}
