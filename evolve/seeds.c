/* seeds.c - access to the seed programs embedded at build time (evolve/seeds.h). */
#include "evolve/seeds.h"

/* Defined in the generated seeds_embedded.c (cmake/embed_text.cmake). */
extern const char *const seeds_embedded_names[];
extern const char *const seeds_embedded_texts[];
extern const size_t seeds_embedded_count;

size_t seeds_count(void)
{
    return seeds_embedded_count;
}

const char *seeds_code(size_t i)
{
    return i < seeds_embedded_count ? seeds_embedded_texts[i] : NULL;
}

const char *seeds_name(size_t i)
{
    return i < seeds_embedded_count ? seeds_embedded_names[i] : NULL;
}
