/* utf8.c - UTF-8 character recognition (see utf8.h). */
#include "base/utf8.h"

#include <stdlib.h>
#include <string.h>

size_t utf8_char(const unsigned char *p, size_t n)
{
    size_t len = p[0] < 0x80   ? 1
                 : p[0] < 0xc2 ? 0
                 : p[0] < 0xe0 ? 2
                 : p[0] < 0xf0 ? 3
                 : p[0] < 0xf5 ? 4
                               : 0;
    if (!len || len > n)
        return 0;
    for (size_t i = 1; i < len; i++)
        if ((p[i] & 0xc0) != 0x80)
            return 0;
    /* Overlong 3- and 4-byte forms, UTF-16 surrogates, and code points past U+10FFFF. */
    if ((p[0] == 0xe0 && p[1] < 0xa0) || (p[0] == 0xed && p[1] > 0x9f) ||
        (p[0] == 0xf0 && p[1] < 0x90) || (p[0] == 0xf4 && p[1] > 0x8f))
        return 0;
    return len;
}

char *utf8_clean(const char *s, size_t n, int flags)
{
    char *out = malloc(3 * n + 1), *o = out;
    for (size_t i = 0; out && i < n;) {
        size_t len =
            s[i] || !(flags & UTF8_NUL_TOO) ? utf8_char((const unsigned char *)s + i, n - i) : 0;
        memcpy(o, len ? s + i : "\xEF\xBF\xBD", len ? len : 3);
        o += len ? len : 3;
        i += len ? len : 1;
    }
    if (out)
        *o = '\0';
    return out;
}
