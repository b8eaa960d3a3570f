/* seeds.h - the project's seed programs, compiled into the library.
 *
 * The code queue (evolve/queue.h) starts from these pinned programs: EVE's four seeds (a red
 * rectangle outline, a crop, a rotation with expand, a 2x2 jigsaw), each a whole program with
 * `edit_image` and an `args_list` of four argument sets in relative 0-1000 coordinates. The
 * sources live in assets/seeds/NAME.py; the build embeds them (cmake/embed_text.cmake), so
 * nothing is read from disk at run time. Order: by file name.
 *
 *     queue q;
 *     queue_init(&q);
 *     for (size_t i = 0; i < seeds_count(); i++)
 *         if (queue_add_seed(&q, seeds_code(i), &e)) ...
 *     printf("%s\n", seeds_name(0));                    // "001_seed_rectangle_outline"
 */
#ifndef VKEVE_SEEDS_H
#define VKEVE_SEEDS_H

#include <stddef.h>

/* How many seed programs there are (at least one). */
size_t seeds_count(void);

/* Program text of seed i, NUL-terminated; NULL when i >= seeds_count(). */
const char *seeds_code(size_t i);

/* File name of seed i without ".py"; NULL when i >= seeds_count(). */
const char *seeds_name(size_t i);

#endif
