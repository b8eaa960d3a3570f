/* test_utf8.c - base/utf8: which byte runs are characters, and cleaning model text (every
 * byte that starts no character becomes U+FFFD; NUL bytes too when asked). */
#include <stdlib.h>
#include <string.h>

#include "base/utf8.h"
#include "testutil.h"

#define FFFD "\xEF\xBF\xBD"

static void check_char(const char *s, size_t n, size_t want)
{
    size_t got = utf8_char((const unsigned char *)s, n);
    T_CHECK(got == want, "utf8_char of %zu bytes starting %02x: %zu, want %zu", n,
            (unsigned char)s[0], got, want);
}

static void check_clean(const char *s, size_t n, int flags, const char *want)
{
    char *got = utf8_clean(s, n, flags);
    T_CHECK(got && strcmp(got, want) == 0, "utf8_clean of %zu bytes (flags %d): '%s', want '%s'", n,
            flags, got ? got : "(null)", want);
    free(got);
}

int main(void)
{
    check_char("a", 1, 1);
    check_char("\xC3\xA9", 2, 2);         /* é */
    check_char("\xE2\x82\xAC", 3, 3);     /* € */
    check_char("\xF0\x9F\x98\x80", 4, 4); /* an emoji */
    check_char("\xC3", 1, 0);             /* truncated */
    check_char("\x80", 1, 0);             /* stray continuation */
    check_char("\xC0\xAF", 2, 0);         /* overlong '/' */
    check_char("\xE0\x80\xAF", 3, 0);     /* overlong, 3 bytes */
    check_char("\xED\xA0\x80", 3, 0);     /* a surrogate */
    check_char("\xF4\x90\x80\x80", 4, 0); /* past U+10FFFF */
    check_clean("plain", 5, 0, "plain");
    check_clean("caf\xC3\xA9", 5, 0, "caf\xC3\xA9");
    check_clean("a\x80z", 3, 0, "a" FFFD "z");
    check_clean("\xE2\x82", 2, 0, FFFD FFFD);
    check_clean("a\0b", 3, UTF8_NUL_TOO, "a" FFFD "b");
    char *kept = utf8_clean("a\0b", 3, 0);
    T_CHECK(kept && memcmp(kept, "a\0b", 4) == 0, "utf8_clean keeps NUL bytes without the flag");
    free(kept);
    check_clean("", 0, UTF8_NUL_TOO, "");
    return t_finish();
}
