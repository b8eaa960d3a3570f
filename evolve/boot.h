/* boot.h - the bootstrap challenger: new tasks from queue programs, without a model.
 *
 * A weak model's own programs mostly fail, and solver-only data needs no challenger at all,
 * so the loop can also make programs itself (`--challenger queue`): keep a queue program's
 * function part and give it four fresh argument sets shaped like its examples. The program's
 * `args_list` is evaluated by the interpreter (evolve/prog), read back from its repr
 * (evolve/pylit.h), and each new set keeps the keys of an example set, with values drawn per
 * key from what all examples hold there:
 *   - int: uniform in [min, max] of the examples, widened by a quarter of the span on each
 *     side (half in all) and at least 1; kept >= 0 (or > 0, <= 0, < 0) when every example is;
 *   - float (or ints mixed with floats): the same, rounded to the examples' decimals;
 *   - bool: either value;
 *   - a value equal in every example (N=2 of a 2x2 jigsaw): kept, as it sets the structure;
 *   - list/tuple of one length: element by element, or a shuffle when every example is a
 *     permutation of the same elements (a jigsaw order); dict: key by key;
 *   - str, None and anything else: one of the examples' values, as written.
 * Where every example orders two numbers of one list or dict the same way (x0 < x1 of a box),
 * the new values keep that order (a bounded number of redraws, else an example's values).
 * The four sets are pairwise distinct by repr (redrawn a bounded number of times).
 *
 *     rng r = rng_make(seed, stream);
 *     char *code;
 *     if (boot_program(queue_code, &r, &code, &e)) ... e.text says why (no args_list ...)
 *     prog_run(code, strlen(code), image, NULL, &result, &e);
 *     free(code);
 */
#ifndef VKEVE_BOOT_H
#define VKEVE_BOOT_H

#include "base/errmsg.h"
#include "base/rng.h"

/* New program from code (a whole program with args_list); r drives every choice. *out is
 * the function part, a blank line and `args_list = [...]` with four sets as Python literals
 * (malloc'd). Returns 0, or ERR_FAIL with e filled: the program fails to run, args_list is
 * not a non-empty list of dicts of literal values, or four distinct sets could not be drawn. */
int boot_program(const char *code, rng *r, char **out, errmsg *e);

#endif
