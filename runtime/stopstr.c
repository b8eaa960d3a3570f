/* stopstr.c - stop-string matching on streamed bytes (runtime/stopstr.h).
 *
 * Only the unreleased bytes are kept. That is enough: a stop string completing on the byte
 * just appended was, one byte earlier, a proper prefix of a stop string at the end of the
 * text, and such an end is always held back; so the whole match lies in the kept bytes, and
 * comparing their end with each stop string after every byte finds it. Stop strings are few
 * and short, so the comparisons are cheap.
 */
#include "runtime/stopstr.h"

#include <stdlib.h>
#include <string.h>

struct stop_matcher {
    int n;
    char **stops;
    size_t *len;
    unsigned char *buf; /* unreleased bytes */
    size_t used, cap;
    int stopped;
};

void stop_free(stop_matcher *m)
{
    if (!m)
        return;
    for (int i = 0; i < m->n; i++)
        free(m->stops[i]);
    free(m->stops);
    free(m->len);
    free(m->buf);
    free(m);
}

int stop_new(const char *const *stops, int n, stop_matcher **out, errmsg *e)
{
    *out = NULL;
    if (n < 0 || (n > 0 && !stops))
        return err_set(e, ERR_ENV, "stop strings: bad list (%d entries)", n);
    stop_matcher *m = calloc(1, sizeof *m);
    if (!m)
        return err_set(e, ERR_FAIL, "stop strings: out of memory");
    m->stops = calloc((size_t)n + 1, sizeof *m->stops);
    m->len = calloc((size_t)n + 1, sizeof *m->len);
    if (!m->stops || !m->len) {
        stop_free(m);
        return err_set(e, ERR_FAIL, "stop strings: out of memory");
    }
    for (int i = 0; i < n; i++, m->n++) {
        if (!stops[i] || !stops[i][0]) {
            stop_free(m);
            return err_set(e, ERR_ENV, "stop string %d is empty", i);
        }
        m->len[i] = strlen(stops[i]);
        m->stops[i] = malloc(m->len[i] + 1);
        if (!m->stops[i]) {
            stop_free(m);
            return err_set(e, ERR_FAIL, "stop strings: out of memory");
        }
        memcpy(m->stops[i], stops[i], m->len[i] + 1);
    }
    *out = m;
    return ERR_OK;
}

static int reserve(stop_matcher *m, size_t more, errmsg *e)
{
    if (m->used + more <= m->cap)
        return ERR_OK;
    size_t cap = m->cap ? m->cap : 64;
    while (cap < m->used + more)
        cap *= 2;
    unsigned char *b = realloc(m->buf, cap);
    if (!b)
        return err_set(e, ERR_FAIL, "stop strings: out of memory (%zu bytes held)", m->used);
    m->buf = b;
    m->cap = cap;
    return ERR_OK;
}

/* The length of the longest stop string the kept bytes now end with, or 0. */
static size_t completed(const stop_matcher *m)
{
    size_t best = 0;
    for (int i = 0; i < m->n; i++) {
        size_t l = m->len[i];
        if (l <= m->used && l > best && !memcmp(m->buf + m->used - l, m->stops[i], l))
            best = l;
    }
    return best;
}

/* The longest end of the kept bytes that begins some stop string (shorter than it). */
static size_t prefix_hold(const stop_matcher *m)
{
    size_t best = 0;
    for (int i = 0; i < m->n; i++) {
        size_t l = m->len[i] - 1 < m->used ? m->len[i] - 1 : m->used;
        for (; l > best; l--)
            if (!memcmp(m->buf + m->used - l, m->stops[i], l)) {
                best = l;
                break;
            }
    }
    return best;
}

/* Bytes of an unfinished UTF-8 character at the end (0 when the last one is whole or the
 * bytes are not UTF-8, which is then passed through as it is). */
static size_t utf8_hold(const unsigned char *b, size_t n)
{
    for (size_t back = 1; back <= 4 && back <= n; back++) {
        unsigned char c = b[n - back];
        if ((c & 0xc0) == 0x80)
            continue; /* a continuation byte: look further back for the lead */
        size_t need = c >= 0xf0 && c < 0xf8 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
        return c < 0xf8 && back < need ? back : 0;
    }
    return 0;
}

/* Releases all kept bytes but the last `hold`. */
static size_t release(stop_matcher *m, size_t hold)
{
    size_t emit = m->used - hold;
    memmove(m->buf, m->buf + emit, hold);
    m->used = hold;
    return emit;
}

int stop_feed(stop_matcher *m, const void *bytes, size_t n, size_t *emit_n, int *stopped, errmsg *e)
{
    *emit_n = 0;
    *stopped = m->stopped;
    if (m->stopped)
        return ERR_OK;
    int rc = reserve(m, n, e);
    if (rc)
        return rc;
    const unsigned char *b = bytes;
    for (size_t i = 0; i < n; i++) {
        m->buf[m->used++] = b[i];
        size_t l = completed(m);
        if (l) {
            *emit_n = m->used - l;
            m->used = 0;
            m->stopped = *stopped = 1;
            return ERR_OK;
        }
    }
    size_t hold = prefix_hold(m), u = utf8_hold(m->buf, m->used);
    *emit_n = release(m, hold > u ? hold : u);
    return ERR_OK;
}

void stop_flush(stop_matcher *m, size_t *emit_n)
{
    *emit_n = m->stopped ? 0 : release(m, 0);
}

size_t stop_held(const stop_matcher *m)
{
    return m->used;
}
