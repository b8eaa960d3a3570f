/* dtype.c - the type table and scalar float conversions. */
#include "runtime/dtype.h"

#include <stdio.h>
#include <string.h>

typedef struct dtype_info {
    int id;
    const char *name;
    int block;
    int bytes;
} dtype_info;

static const dtype_info types[] = {
    {DT_F32, "f32", 1, 4},      {DT_F16, "f16", 1, 2},      {DT_BF16, "bf16", 1, 2},
    {DT_Q4_0, "q4_0", 32, 18},  {DT_Q4_1, "q4_1", 32, 20},  {DT_Q5_0, "q5_0", 32, 22},
    {DT_Q5_1, "q5_1", 32, 24},  {DT_Q8_0, "q8_0", 32, 34},  {DT_Q4_K, "q4_K", 256, 144},
    {DT_Q5_K, "q5_K", 256, 176}, {DT_Q6_K, "q6_K", 256, 210},
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

int dtype_supported(int type) { return find(type) != NULL; }

void dtype_supported_names(char *out, size_t size)
{
    size_t used = 0;
    for (size_t i = 0; i < sizeof types / sizeof types[0] && used < size; i++)
        used += (size_t)snprintf(out + used, size - used, "%s%s", i ? ", " : "", types[i].name);
}
int dtype_block(int type) { return find(type) ? find(type)->block : 0; }
int dtype_block_bytes(int type) { return find(type) ? find(type)->bytes : 0; }

size_t dtype_row_bytes(int type, int64_t n)
{
    const dtype_info *t = find(type);
    if (!t || n < 0 || n % t->block)
        return 0;
    return (size_t)(n / t->block) * (size_t)t->bytes;
}

float f16_to_f32(uint16_t h)
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

uint16_t f32_to_f16(float f)
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

float bf16_to_f32(uint16_t h)
{
    uint32_t bits = (uint32_t)h << 16;
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

uint16_t f32_to_bf16(float f)
{
    uint32_t x;
    memcpy(&x, &f, 4);
    if ((x & 0x7fffffff) > 0x7f800000)
        return (uint16_t)((x >> 16) | 0x40);
    x += 0x7fff + ((x >> 16) & 1);
    return (uint16_t)(x >> 16);
}
