/* quant.c - reference dequantizers and round-to-nearest quantizers for the ggml block formats
 * (see quant.h). One pair of functions per type works on a single block; the two public
 * functions loop over blocks. Byte layouts are those of ggml-common.h, all little-endian.
 */
#include "runtime/quant.h"

#include <math.h>
#include <string.h>

#include "runtime/dtype.h"

static float load_f16(const uint8_t *p)
{
    return dtype_f16_to_f32((uint16_t)(p[0] | p[1] << 8));
}

static void store_f16(uint8_t *p, uint16_t h)
{
    p[0] = (uint8_t)h;
    p[1] = (uint8_t)(h >> 8);
}

/* Stores x as f16 and returns the value the decoder will see. */
static float put_f16(uint8_t *p, float x)
{
    uint16_t h = dtype_f32_to_f16(x);
    store_f16(p, h);
    return dtype_f16_to_f32(h);
}

static int clampi(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* Nearest integer to x / scale, clamped; 0 for a zero scale. */
static int quantize_level(float x, float scale, int lo, int hi)
{
    if (scale == 0)
        return clampi(0, lo, hi);
    return clampi((int)lrintf(x / scale), lo, hi);
}

/* The element of largest magnitude, with its sign. */
static float signed_absmax(const float *x, int n)
{
    float m = 0;
    for (int i = 0; i < n; i++)
        if (fabsf(x[i]) > fabsf(m))
            m = x[i];
    return m;
}

static void min_max(const float *x, int n, float *lo, float *hi)
{
    *lo = *hi = x[0];
    for (int i = 1; i < n; i++) {
        if (x[i] < *lo)
            *lo = x[i];
        if (x[i] > *hi)
            *hi = x[i];
    }
}

/* ---- 32-element formats ----------------------------------------------------------------- */

/* Q8_0: f16 d; i8 q[32]. y = d * q. */
static void dequant_q8_0(const uint8_t *b, float *y)
{
    float d = load_f16(b);
    for (int j = 0; j < 32; j++)
        y[j] = (float)(int8_t)b[2 + j] * d;
}

static void quant_q8_0(const float *x, uint8_t *b)
{
    float d = put_f16(b, fabsf(signed_absmax(x, 32)) / 127);
    for (int j = 0; j < 32; j++)
        b[2 + j] = (uint8_t)(int8_t)quantize_level(x[j], d, -127, 127);
}

/* The 4-bit nibbles of 32 elements: element j < 16 in the low nibble of qs[j], element
 * j + 16 in the high nibble. Q5 formats add bit 4 of element j as bit j of a u32 qh. */
static void unpack_q4(const uint8_t *qs, int *q)
{
    for (int j = 0; j < 16; j++) {
        q[j] = qs[j] & 15;
        q[j + 16] = qs[j] >> 4;
    }
}

static void pack_q4(const int *q, uint8_t *qs)
{
    for (int j = 0; j < 16; j++)
        qs[j] = (uint8_t)((q[j] & 15) | (q[j + 16] & 15) << 4);
}

static void unpack_q5(const uint8_t *qh, const uint8_t *qs, int *q)
{
    uint32_t h =
        (uint32_t)qh[0] | (uint32_t)qh[1] << 8 | (uint32_t)qh[2] << 16 | (uint32_t)qh[3] << 24;
    unpack_q4(qs, q);
    for (int j = 0; j < 32; j++)
        q[j] |= (int)((h >> j) & 1) << 4;
}

static void pack_q5(const int *q, uint8_t *qh, uint8_t *qs)
{
    uint32_t h = 0;
    for (int j = 0; j < 32; j++)
        h |= (uint32_t)((q[j] >> 4) & 1) << j;
    for (int i = 0; i < 4; i++)
        qh[i] = (uint8_t)(h >> (8 * i));
    pack_q4(q, qs);
}

/* Q4_0: f16 d; qs[16]. y = (q - 8) * d. The signed extreme maps to -8 (as llama.cpp does),
 * which uses all 16 levels. */
static void dequant_q4_0(const uint8_t *b, float *y)
{
    int q[32];
    float d = load_f16(b);
    unpack_q4(b + 2, q);
    for (int j = 0; j < 32; j++)
        y[j] = (float)(q[j] - 8) * d;
}

static void quant_q4_0(const float *x, uint8_t *b)
{
    int q[32];
    float d = put_f16(b, signed_absmax(x, 32) / -8);
    for (int j = 0; j < 32; j++)
        q[j] = quantize_level(x[j], d, -8, 7) + 8;
    pack_q4(q, b + 2);
}

/* Q4_1: f16 d; f16 m; qs[16]. y = q * d + m. */
static void dequant_q4_1(const uint8_t *b, float *y)
{
    int q[32];
    float d = load_f16(b), m = load_f16(b + 2);
    unpack_q4(b + 4, q);
    for (int j = 0; j < 32; j++)
        y[j] = (float)q[j] * d + m;
}

static void quant_q4_1(const float *x, uint8_t *b)
{
    int q[32];
    float lo, hi;
    min_max(x, 32, &lo, &hi);
    float d = put_f16(b, (hi - lo) / 15), m = put_f16(b + 2, lo);
    for (int j = 0; j < 32; j++)
        q[j] = quantize_level(x[j] - m, d, 0, 15);
    pack_q4(q, b + 4);
}

/* Q5_0: f16 d; qh[4]; qs[16]. y = (q - 16) * d. */
static void dequant_q5_0(const uint8_t *b, float *y)
{
    int q[32];
    float d = load_f16(b);
    unpack_q5(b + 2, b + 6, q);
    for (int j = 0; j < 32; j++)
        y[j] = (float)(q[j] - 16) * d;
}

static void quant_q5_0(const float *x, uint8_t *b)
{
    int q[32];
    float d = put_f16(b, signed_absmax(x, 32) / -16);
    for (int j = 0; j < 32; j++)
        q[j] = quantize_level(x[j], d, -16, 15) + 16;
    pack_q5(q, b + 2, b + 6);
}

/* Q5_1: f16 d; f16 m; qh[4]; qs[16]. y = q * d + m. */
static void dequant_q5_1(const uint8_t *b, float *y)
{
    int q[32];
    float d = load_f16(b), m = load_f16(b + 2);
    unpack_q5(b + 4, b + 8, q);
    for (int j = 0; j < 32; j++)
        y[j] = (float)q[j] * d + m;
}

static void quant_q5_1(const float *x, uint8_t *b)
{
    int q[32];
    float lo, hi;
    min_max(x, 32, &lo, &hi);
    float d = put_f16(b, (hi - lo) / 31), m = put_f16(b + 2, lo);
    for (int j = 0; j < 32; j++)
        q[j] = quantize_level(x[j] - m, d, 0, 31);
    pack_q5(q, b + 4, b + 8);
}

/* ---- K-quants: 256-element super-blocks ------------------------------------------------- */

/* Q4_K and Q5_K keep 8 (scale, min) pairs of 6 bits in 12 bytes: pairs 0-3 in the low 6 bits
 * of bytes 0-3 (scale) and 4-7 (min); pairs 4-7 in the nibbles of bytes 8-11 with their top
 * 2 bits in the spare top bits of bytes 0-3 (scale) and 4-7 (min). */
static void unpack_scale_min(const uint8_t *s, int i, int *sc, int *mn)
{
    if (i < 4) {
        *sc = s[i] & 63;
        *mn = s[i + 4] & 63;
    } else {
        *sc = (s[i + 4] & 15) | (s[i - 4] >> 6) << 4;
        *mn = (s[i + 4] >> 4) | (s[i] >> 6) << 4;
    }
}

static void pack_scale_min(const int *sc, const int *mn, uint8_t *s)
{
    memset(s, 0, 12);
    for (int i = 0; i < 4; i++) {
        s[i] = (uint8_t)(sc[i] | (sc[i + 4] >> 4) << 6);
        s[i + 4] = (uint8_t)(mn[i] | (mn[i + 4] >> 4) << 6);
        s[i + 8] = (uint8_t)((sc[i + 4] & 15) | (mn[i + 4] & 15) << 4);
    }
}

/* Chooses the 6-bit scales and mins of 8 sub-blocks of 32 for `levels` quantization levels,
 * stores d and dmin at b[0..3] and the packed pairs at b[4..15], and returns the integer
 * levels of all 256 elements. Each sub-block covers [min(0, lo), hi] as y = d*sc*q - dmin*mn. */
static void quant_k_scales(const float *x, int levels, uint8_t *b, int *q)
{
    float scale[8], neg_min[8], max_scale = 0, max_min = 0;
    for (int s = 0; s < 8; s++) {
        float lo, hi;
        min_max(x + 32 * s, 32, &lo, &hi);
        if (lo > 0)
            lo = 0;
        scale[s] = (hi - lo) / (float)(levels - 1);
        neg_min[s] = -lo;
        max_scale = fmaxf(max_scale, scale[s]);
        max_min = fmaxf(max_min, neg_min[s]);
    }
    float d = put_f16(b, max_scale / 63), dmin = put_f16(b + 2, max_min / 63);
    int sc[8], mn[8];
    for (int s = 0; s < 8; s++) {
        sc[s] = quantize_level(scale[s], d, 0, 63);
        mn[s] = quantize_level(neg_min[s], dmin, 0, 63);
        float step = d * (float)sc[s], offset = dmin * (float)mn[s];
        for (int j = 0; j < 32; j++)
            q[32 * s + j] = quantize_level(x[32 * s + j] + offset, step, 0, levels - 1);
    }
    pack_scale_min(sc, mn, b + 4);
}

/* Q4_K: f16 d; f16 dmin; scales[12]; qs[128]. Four chunks of 64: sub-block 2c in the low
 * nibbles of qs[32c..32c+31], sub-block 2c+1 in the high nibbles. */
static void dequant_q4_k(const uint8_t *b, float *y)
{
    float d = load_f16(b), dmin = load_f16(b + 2);
    const uint8_t *qs = b + 16;
    for (int c = 0; c < 4; c++) {
        int sc0, mn0, sc1, mn1;
        unpack_scale_min(b + 4, 2 * c, &sc0, &mn0);
        unpack_scale_min(b + 4, 2 * c + 1, &sc1, &mn1);
        float d0 = d * (float)sc0, m0 = dmin * (float)mn0;
        float d1 = d * (float)sc1, m1 = dmin * (float)mn1;
        for (int l = 0; l < 32; l++) {
            y[64 * c + l] = d0 * (float)(qs[32 * c + l] & 15) - m0;
            y[64 * c + 32 + l] = d1 * (float)(qs[32 * c + l] >> 4) - m1;
        }
    }
}

static void quant_q4_k(const float *x, uint8_t *b)
{
    int q[256];
    quant_k_scales(x, 16, b, q);
    for (int c = 0; c < 4; c++)
        for (int l = 0; l < 32; l++)
            b[16 + 32 * c + l] = (uint8_t)(q[64 * c + l] | q[64 * c + 32 + l] << 4);
}

/* Q5_K: f16 d; f16 dmin; scales[12]; qh[32]; qs[128]. As Q4_K, plus bit 4 of element
 * 64c + l in bit 2c of qh[l] and of element 64c + 32 + l in bit 2c+1. */
static void dequant_q5_k(const uint8_t *b, float *y)
{
    float d = load_f16(b), dmin = load_f16(b + 2);
    const uint8_t *qh = b + 16, *qs = b + 48;
    for (int c = 0; c < 4; c++) {
        int sc0, mn0, sc1, mn1;
        unpack_scale_min(b + 4, 2 * c, &sc0, &mn0);
        unpack_scale_min(b + 4, 2 * c + 1, &sc1, &mn1);
        float d0 = d * (float)sc0, m0 = dmin * (float)mn0;
        float d1 = d * (float)sc1, m1 = dmin * (float)mn1;
        for (int l = 0; l < 32; l++) {
            int lo = (qs[32 * c + l] & 15) | ((qh[l] >> (2 * c)) & 1) << 4;
            int hi = (qs[32 * c + l] >> 4) | ((qh[l] >> (2 * c + 1)) & 1) << 4;
            y[64 * c + l] = d0 * (float)lo - m0;
            y[64 * c + 32 + l] = d1 * (float)hi - m1;
        }
    }
}

static void quant_q5_k(const float *x, uint8_t *b)
{
    int q[256];
    quant_k_scales(x, 32, b, q);
    uint8_t *qh = b + 16, *qs = b + 48;
    memset(qh, 0, 32);
    for (int c = 0; c < 4; c++)
        for (int l = 0; l < 32; l++) {
            int lo = q[64 * c + l], hi = q[64 * c + 32 + l];
            qs[32 * c + l] = (uint8_t)((lo & 15) | (hi & 15) << 4);
            qh[l] |= (uint8_t)(((lo >> 4) & 1) << (2 * c) | ((hi >> 4) & 1) << (2 * c + 1));
        }
}

/* Q6_K: ql[128]; qh[64]; i8 scales[16]; f16 d. Two halves of 128; in half h, element
 * 32g + l (g = 0..3, l = 0..31) has its low 4 bits in ql[64h + l + 32(g&1)] (low nibble for
 * g < 2, high for g >= 2), its top 2 bits at bit 2g of qh[32h + l], and scale
 * scales[8h + l/16 + 2g]. y = (d * scale) * (q - 32). */
static void dequant_q6_k(const uint8_t *b, float *y)
{
    const uint8_t *ql = b, *qh = b + 128;
    const int8_t *sc = (const int8_t *)(b + 192);
    float d = load_f16(b + 208);
    for (int h = 0; h < 2; h++)
        for (int g = 0; g < 4; g++)
            for (int l = 0; l < 32; l++) {
                int low = ql[64 * h + l + 32 * (g & 1)] >> (4 * (g >> 1)) & 15;
                int q = (low | ((qh[32 * h + l] >> (2 * g)) & 3) << 4) - 32;
                y[128 * h + 32 * g + l] = d * (float)sc[8 * h + l / 16 + 2 * g] * (float)q;
            }
}

static void quant_q6_k(const float *x, uint8_t *b)
{
    float scale[16], max_scale = 0;
    for (int s = 0; s < 16; s++) {
        scale[s] = signed_absmax(x + 16 * s, 16) / -32;
        max_scale = fmaxf(max_scale, fabsf(scale[s]));
    }
    float d = put_f16(b + 208, max_scale / 127);
    int8_t *sc = (int8_t *)(b + 192);
    for (int s = 0; s < 16; s++)
        sc[s] = (int8_t)quantize_level(scale[s], d, -127, 127);
    memset(b, 0, 192);
    for (int h = 0; h < 2; h++)
        for (int g = 0; g < 4; g++)
            for (int l = 0; l < 32; l++) {
                int i = 128 * h + 32 * g + l;
                float step = d * (float)sc[8 * h + l / 16 + 2 * g];
                int q = quantize_level(x[i], step, -32, 31) + 32;
                b[64 * h + l + 32 * (g & 1)] |= (uint8_t)((q & 15) << (4 * (g >> 1)));
                b[128 + 32 * h + l] |= (uint8_t)((q >> 4) << (2 * g));
            }
}

/* ---- dispatch --------------------------------------------------------------------------- */

typedef struct block_codec {
    int type;
    void (*dequant)(const uint8_t *block, float *y);
    void (*quant)(const float *x, uint8_t *block);
} block_codec;

static const block_codec codecs[] = {
    {DT_Q4_0, dequant_q4_0, quant_q4_0}, {DT_Q4_1, dequant_q4_1, quant_q4_1},
    {DT_Q5_0, dequant_q5_0, quant_q5_0}, {DT_Q5_1, dequant_q5_1, quant_q5_1},
    {DT_Q8_0, dequant_q8_0, quant_q8_0}, {DT_Q4_K, dequant_q4_k, quant_q4_k},
    {DT_Q5_K, dequant_q5_k, quant_q5_k}, {DT_Q6_K, dequant_q6_k, quant_q6_k},
};

static const block_codec *find_codec(int type)
{
    for (size_t i = 0; i < sizeof codecs / sizeof codecs[0]; i++)
        if (codecs[i].type == type)
            return &codecs[i];
    return NULL;
}

static int check_row(int type, int64_t n, const char *what, errmsg *e)
{
    if (!dtype_supported(type))
        return err_set(e, ERR_FAIL, "%s: unsupported tensor type %d", what, type);
    if (n < 0 || n % dtype_block(type))
        return err_set(e, ERR_FAIL,
                       "%s: %lld %s elements are not a whole number of %d-element blocks", what,
                       (long long)n, dtype_name(type), dtype_block(type));
    return 0;
}

int quant_dequantize(int type, const void *src, float *dst, int64_t n, errmsg *e)
{
    if (check_row(type, n, "dequantize", e))
        return ERR_FAIL;
    const uint8_t *p = src;
    switch (type) {
    case DT_F32: memcpy(dst, src, (size_t)n * 4); return 0;
    case DT_F16:
        for (int64_t i = 0; i < n; i++)
            dst[i] = dtype_f16_to_f32((uint16_t)(p[2 * i] | p[2 * i + 1] << 8));
        return 0;
    case DT_BF16:
        for (int64_t i = 0; i < n; i++)
            dst[i] = dtype_bf16_to_f32((uint16_t)(p[2 * i] | p[2 * i + 1] << 8));
        return 0;
    default: break;
    }
    const block_codec *c = find_codec(type);
    int block = dtype_block(type), bytes = dtype_block_bytes(type);
    for (int64_t i = 0; i < n / block; i++)
        c->dequant(p + i * bytes, dst + i * block);
    return 0;
}

int quant_quantize(int type, const float *src, void *dst, int64_t n, errmsg *e)
{
    if (check_row(type, n, "quantize", e))
        return ERR_FAIL;
    uint8_t *p = dst;
    switch (type) {
    case DT_F32: memcpy(dst, src, (size_t)n * 4); return 0;
    case DT_F16:
        for (int64_t i = 0; i < n; i++)
            store_f16(p + 2 * i, dtype_f32_to_f16(src[i]));
        return 0;
    case DT_BF16:
        for (int64_t i = 0; i < n; i++)
            store_f16(p + 2 * i, dtype_f32_to_bf16(src[i]));
        return 0;
    default: break;
    }
    const block_codec *c = find_codec(type);
    int block = dtype_block(type), bytes = dtype_block_bytes(type);
    for (int64_t i = 0; i < n / block; i++)
        c->quant(src + i * block, p + i * bytes);
    return 0;
}
