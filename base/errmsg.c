/* errmsg.c - filling and prefixing error messages (see errmsg.h). */
#include "base/errmsg.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int err_set(errmsg *e, int code, const char *fmt, ...)
{
    if (!e)
        return code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->text, sizeof e->text, fmt, ap);
    va_end(ap);
    e->code = code;
    return code;
}

int err_prefix(errmsg *e, const char *fmt, ...)
{
    if (!e)
        return ERR_FAIL;
    char head[512], old[sizeof e->text];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(head, sizeof head, fmt, ap);
    va_end(ap);
    /* Truncation of an over-long message is fine: the head is the useful part. */
    memcpy(old, e->text, sizeof old);
    size_t n = strlen(head);
    if (n >= sizeof e->text)
        n = sizeof e->text - 1;
    memcpy(e->text, head, n);
    size_t rest = strnlen(old, sizeof old - 1);
    if (rest > sizeof e->text - 1 - n)
        rest = sizeof e->text - 1 - n;
    memcpy(e->text + n, old, rest);
    e->text[n + rest] = 0;
    return e->code;
}
