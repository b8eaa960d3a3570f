/* rng.c - counter-based random numbers: splitmix64's finaliser over key + counter. */
#include "base/rng.h"

#include <math.h>

static uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

rng rng_make(uint64_t seed, uint64_t stream)
{
    rng r = {mix64(seed * 0x9e3779b97f4a7c15ull + mix64(stream + 1)), 0};
    return r;
}

uint64_t rng_u64(rng *r)
{
    return mix64(r->key + 0x9e3779b97f4a7c15ull * ++r->counter);
}

uint32_t rng_below(rng *r, uint32_t n)
{
    /* Multiply-shift keeps the bias below 2^-32, enough for sampling and tests. */
    return (uint32_t)(((rng_u64(r) >> 32) * (uint64_t)n) >> 32);
}

float rng_float(rng *r)
{
    return (float)(rng_u64(r) >> 40) * (1.0f / 16777216.0f);
}

float rng_uniform(rng *r, float lo, float hi)
{
    return lo + (hi - lo) * rng_float(r);
}

float rng_normal(rng *r)
{
    /* Box-Muller; 1 - u keeps the logarithm finite. */
    float u = 1.0f - rng_float(r), v = rng_float(r);
    return sqrtf(-2.0f * logf(u)) * cosf(6.28318530718f * v);
}
