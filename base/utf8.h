/* utf8.h - recognising UTF-8 characters in byte strings that may not be valid UTF-8 (what
 * a tokenizer is given, and what token pieces spell).
 *
 *     size_t len = utf8_char(p, n);   // 1..4: a valid character starts at p; 0: it does not
 */
#ifndef VKEVE_UTF8_H
#define VKEVE_UTF8_H

#include <stddef.h>

/* Length of the valid UTF-8 character starting at p (at most n bytes, n > 0), or 0 when the
 * bytes there are not one: a stray continuation byte, a truncated sequence, an overlong
 * form, a surrogate or a code point past U+10FFFF. */
size_t utf8_char(const unsigned char *p, size_t n);

#endif
