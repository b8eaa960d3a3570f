/* stopstr.h - stop strings over generated text that arrives one token's bytes at a time.
 *
 *     const char *stops[] = {"</answer>", "\n\nUser:"};
 *     stop_matcher *m;
 *     if (stop_new(stops, 2, &m, &e)) ...
 *     size_t released = 0;                    // bytes of `text` already shown to the user
 *     for each token: append its bytes to text, then
 *         size_t emit; int stopped;
 *         if (stop_feed(m, bytes, n, &emit, &stopped, &e)) ...
 *         show text[released .. released + emit); released += emit;
 *         if (stopped) break;                 // the stop string and what follows are dropped
 *     at the end of generation: stop_flush(m, &emit) releases what was held back
 *     stop_free(m);
 *
 * The text is matched as bytes, so a stop string may span any number of tokens and a token may
 * end inside a UTF-8 character. Generation stops at the first byte where some stop string is
 * complete; when several complete on that byte, the longest (earliest starting) wins. The
 * released text then ends just before that stop string: like vLLM's default
 * (include_stop_str_in_output = false), the stop string is not part of the output. Because
 * the stop is decided byte by byte, the result does not depend on how the text was split into
 * tokens.
 *
 * What is held back: the longest end of the text that is still the beginning of some stop
 * string (it may yet become one), and an incomplete UTF-8 character at the end, so the user
 * never sees half a character. Released bytes are never taken back.
 */
#ifndef VKEVE_STOPSTR_H
#define VKEVE_STOPSTR_H

#include <stddef.h>

#include "base/errmsg.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct stop_matcher stop_matcher;

/* Copies the n stop strings (non-empty, NUL-terminated); n may be 0 (nothing ever stops). */
int stop_new(const char *const *stops, int n, stop_matcher **out, errmsg *e);
void stop_free(stop_matcher *m);

/* Feeds the next n bytes. *emit_n: how many more bytes of the text (counted from the first one
 * not yet released) may be released now; *stopped: 1 once a stop string completed (further
 * feeds release nothing). */
int stop_feed(stop_matcher *m, const void *bytes, size_t n, size_t *emit_n, int *stopped,
              errmsg *e);

/* End of the text: releases everything still held (nothing after a stop). */
void stop_flush(stop_matcher *m, size_t *emit_n);

/* Bytes held back now. */
size_t stop_held(const stop_matcher *m);

#ifdef __cplusplus
}
#endif

#endif
