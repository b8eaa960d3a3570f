/* dtype.c - the type table and scalar float conversions. */
#include "runtime/dtype.h"

#include <stdio.h>
#include <string.h>

typedef struct dtype_info {
    int id;
    const char *name;
    int block, bytes;
    int computes; /* the device kernels compute with it */
} dtype_info;

/* Every type ggml defines (ids 4, 5, 31-33 and 36-38 were removed from ggml), so a GGUF file
 * of any of them can be read and described, whether or not vkeve computes with it. */
static const dtype_info types[] = {
    {DT_F32, "f32", 1, 4, 1},
    {DT_F16, "f16", 1, 2, 1},
    {DT_Q4_0, "q4_0", 32, 18, 1},
    {DT_Q4_1, "q4_1", 32, 20, 1},
    {DT_Q5_0, "q5_0", 32, 22, 1},
    {DT_Q5_1, "q5_1", 32, 24, 1},
    {DT_Q8_0, "q8_0", 32, 34, 1},
    {9, "q8_1", 32, 36, 0},
    {10, "q2_K", 256, 84, 0},
    {11, "q3_K", 256, 110, 0},
    {DT_Q4_K, "q4_K", 256, 144, 1},
    {DT_Q5_K, "q5_K", 256, 176, 1},
    {DT_Q6_K, "q6_K", 256, 210, 1},
    {15, "q8_K", 256, 292, 0},
    {16, "iq2_xxs", 256, 66, 0},
    {17, "iq2_xs", 256, 74, 0},
    {18, "iq3_xxs", 256, 98, 0},
    {19, "iq1_s", 256, 50, 0},
    {20, "iq4_nl", 32, 18, 0},
    {21, "iq3_s", 256, 110, 0},
    {22, "iq2_s", 256, 82, 0},
    {23, "iq4_xs", 256, 136, 0},
    {24, "i8", 1, 1, 0},
    {25, "i16", 1, 2, 0},
    {DT_I32, "i32", 1, 4, 0},
    {27, "i64", 1, 8, 0},
    {28, "f64", 1, 8, 0},
    {29, "iq1_m", 256, 56, 0},
    {DT_BF16, "bf16", 1, 2, 1},
    {34, "tq1_0", 256, 54, 0},
    {35, "tq2_0", 256, 66, 0},
    {39, "mxfp4", 32, 17, 0},
};

static const dtype_info *find(int type)
{
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (types[i].id == type)
            return &types[i];
    return NULL;
}

const char *dtype_name(int type)
{
    const dtype_info *t = find(type);
    return t ? t->name : NULL;
}

int dtype_supported(int type)
{
    const dtype_info *t = find(type);
    return t && t->computes;
}

void dtype_supported_names(char *out, size_t size)
{
    size_t used = 0;
    for (size_t i = 0; i < sizeof types / sizeof types[0] && used < size; i++)
        if (types[i].computes)
            used +=
                (size_t)snprintf(out + used, size - used, "%s%s", used ? ", " : "", types[i].name);
}

int dtype_block(int type)
{
    const dtype_info *t = find(type);
    return t ? t->block : 0;
}

int dtype_block_bytes(int type)
{
    const dtype_info *t = find(type);
    return t ? t->bytes : 0;
}

size_t dtype_row_bytes(int type, int64_t n)
{
    const dtype_info *t = find(type);
    if (!t || n < 0 || n % t->block)
        return 0;
    return (size_t)(n / t->block) * (size_t)t->bytes;
}

float dtype_f16_to_f32(uint16_t h)
{
    uint32_t sign = (uint32_t)(h & 0x8000) << 16, exp = (h >> 10) & 31, man = h & 0x3ff, bits;
    if (exp == 31) {
        bits = sign | 0x7f800000u | (man << 13);
    } else if (exp != 0) {
        bits = sign | ((exp + 112) << 23) | (man << 13);
    } else if (man == 0) {
        bits = sign;
    } else {
        /* Subnormal half: normalise the mantissa into an f32 exponent. */
        int e = -1;
        do {
            e++;
            man <<= 1;
        } while (!(man & 0x400));
        bits = sign | ((uint32_t)(112 - e) << 23) | ((man & 0x3ff) << 13);
    }
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

uint16_t dtype_f32_to_f16(float f)
{
    uint32_t x;
    memcpy(&x, &f, 4);
    uint32_t sign = (x >> 16) & 0x8000, absx = x & 0x7fffffff;
    if (absx >= 0x7f800000) /* inf or nan; keep nans quiet */
        return (uint16_t)(sign | 0x7c00 | (absx > 0x7f800000 ? 0x200 : 0));
    if (absx >= 0x477ff000) /* rounds past the largest half */
        return (uint16_t)(sign | 0x7c00);
    if (absx < 0x38800000) {
        /* Result is subnormal or zero: shift with round-to-nearest-even. */
        if (absx < 0x33000000)
            return (uint16_t)sign;
        uint32_t man = (absx & 0x7fffff) | 0x800000;
        int shift = 126 - (int)(absx >> 23);
        uint32_t half = man >> shift, rest = man & ((1u << shift) - 1), mid = 1u << (shift - 1);
        if (rest > mid || (rest == mid && (half & 1)))
            half++;
        return (uint16_t)(sign | half);
    }
    uint32_t h = ((absx >> 13) - (112u << 10));
    uint32_t rest = absx & 0x1fff;
    if (rest > 0x1000 || (rest == 0x1000 && (h & 1)))
        h++;
    return (uint16_t)(sign | h);
}

float dtype_bf16_to_f32(uint16_t h)
{
    uint32_t bits = (uint32_t)h << 16;
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

uint16_t dtype_f32_to_bf16(float f)
{
    uint32_t x;
    memcpy(&x, &f, 4);
    if ((x & 0x7fffffff) > 0x7f800000)
        return (uint16_t)((x >> 16) | 0x40);
    x += 0x7fff + ((x >> 16) & 1);
    return (uint16_t)(x >> 16);
}
