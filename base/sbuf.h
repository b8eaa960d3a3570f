/* sbuf.h - a string built by printf-style appends (prompts, question texts).
 *
 * After an allocation failure the buffer is empty (s is NULL, oom is set) and later appends do
 * nothing, so a caller checks once, at the end.
 *
 *     sbuf b = {0};
 *     sbuf_printf(&b, "image_%d is %dx%d pixels.\n", 0, w, h);
 *     sbuf_printf(&b, "%s", question);
 *     if (b.oom) ... out of memory
 *     char *text = b.s;                       // the caller owns it: free(text)
 */
#ifndef VKEVE_SBUF_H
#define VKEVE_SBUF_H

#include <stddef.h>

typedef struct sbuf {
    char *s; /* NUL-terminated, or NULL before the first append and after a failure */
    size_t n, cap;
    int oom;
} sbuf;

void sbuf_printf(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
