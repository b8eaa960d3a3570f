/* rng.h - the one source of randomness in vkeve: a seeded counter-based generator.
 *
 * Every value is a pure function of (seed, stream, counter), so a run is reproducible from its
 * seed and independent streams (one per rollout, per test, per thread) never share state:
 *     rng r = rng_make(seed, stream);
 *     float u = rng_float(&r);      // uniform in [0, 1)
 */
#ifndef VKEVE_RNG_H
#define VKEVE_RNG_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rng {
    uint64_t key;     /* mixes seed and stream */
    uint64_t counter; /* advances by one per draw */
} rng;

rng rng_make(uint64_t seed, uint64_t stream);
uint64_t rng_u64(rng *r);
uint32_t rng_below(rng *r, uint32_t n); /* uniform in [0, n), n > 0 */
float rng_float(rng *r);                /* uniform in [0, 1) */
float rng_uniform(rng *r, float lo, float hi);
float rng_normal(rng *r); /* standard normal */

#ifdef __cplusplus
}
#endif

#endif
