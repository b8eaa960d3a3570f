/* errmsg.h - how vkeve functions report failure.
 *
 * A function that can fail returns 0 on success or an error code, and fills an errmsg the
 * caller can print as is. Codes double as the command line's exit status:
 *   ERR_FAIL (1)  a runtime failure: bad input file, device error, out of memory ...
 *   ERR_ENV  (2)  bad usage or environment: no Vulkan loader, no device, bad argument.
 * Messages say what failed and where ("model.gguf: tensor 12 'blk.0.attn_q.weight': offset
 * past end of file"), so the user can act on them without a debugger.
 */
#ifndef VKEVE_ERRMSG_H
#define VKEVE_ERRMSG_H

#ifdef __cplusplus
extern "C" {
#endif

enum { ERR_OK = 0, ERR_FAIL = 1, ERR_ENV = 2 };

typedef struct errmsg {
    int code;
    char text[1024];
} errmsg;

/* Sets code and a printf-formatted message; returns code so callers can write
 * `return err_set(e, ERR_FAIL, "...")`. e may be NULL. */
int err_set(errmsg *e, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Prepends context ("loading x.gguf: ") to an existing message; returns e->code. */
int err_prefix(errmsg *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#ifdef __cplusplus
}
#endif

#endif
