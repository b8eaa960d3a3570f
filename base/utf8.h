/* utf8.h - recognising UTF-8 characters in byte strings that may not be valid UTF-8 (what
 * a tokenizer is given, and what token pieces spell).
 *
 *     size_t len = utf8_char(p, n);   // 1..4: a valid character starts at p; 0: it does not
 *     char *text = utf8_clean(model_output, n, UTF8_NUL_TOO);   // valid UTF-8, free(text)
 */
#ifndef VKEVE_UTF8_H
#define VKEVE_UTF8_H

#include <stddef.h>

/* Length of the valid UTF-8 character starting at p (at most n bytes, n > 0), or 0 when the
 * bytes there are not one: a stray continuation byte, a truncated sequence, an overlong
 * form, a surrogate or a code point past U+10FFFF. */
size_t utf8_char(const unsigned char *p, size_t n);

enum { UTF8_NUL_TOO = 1 }; /* utf8_clean flag: replace NUL bytes as well */

/* A NUL-terminated copy of n bytes in which every byte that does not start a valid character
 * becomes U+FFFD (with UTF8_NUL_TOO, NUL bytes too): what a model wrote, made fit for readers
 * that decode strictly. The token ids keep the exact output. NULL when out of memory. */
char *utf8_clean(const char *s, size_t n, int flags);

#endif
