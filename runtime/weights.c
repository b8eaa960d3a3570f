/* weights.c - uploading a GGUF file's tensors into device memory (see weights.h). */
#include "runtime/weights.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/vk_mem.h"

uint64_t wt_bytes_needed(const gguf_file *f)
{
    uint64_t bytes = 0;
    for (int64_t i = 0; i < gguf_n_tensors(f); i++)
        bytes += vk_mem_footprint(gguf_tensor_at(f, i)->size);
    return bytes;
}

/* Every tensor must be of a type the kernels read; refused before any upload. */
static int check_types(const gguf_file *f, errmsg *e)
{
    for (int64_t i = 0; i < gguf_n_tensors(f); i++) {
        const gguf_tensor *t = gguf_tensor_at(f, i);
        if (!dtype_supported(t->type)) {
            char names[128];
            dtype_supported_names(names, sizeof names);
            const char *type = dtype_name(t->type);
            return err_set(e, ERR_FAIL,
                           "%s: tensor '%s' is %s, a type vkeve does not compute "
                           "with (supported: %s)",
                           gguf_path(f), t->name, type ? type : "unknown", names);
        }
    }
    return 0;
}

static int check_room(vk_ctx *ctx, const gguf_file *f, uint64_t need, errmsg *e)
{
    const vk_caps *c = vk_caps_of(ctx);
    uint64_t in_use = 0, allocated = 0;
    vk_mem_usage(ctx, &in_use, &allocated);
    uint64_t room = c->device_local_bytes > in_use ? c->device_local_bytes - in_use : 0;
    if (need <= room)
        return 0;
    return err_set(e, ERR_FAIL,
                   "%s: the weights need %" PRIu64 " MiB of device memory; device "
                   "'%s' has %" PRIu64 " MiB (%" PRIu64 " MiB already in use)",
                   gguf_path(f), (need + (1 << 20) - 1) >> 20, c->name, c->device_local_bytes >> 20,
                   in_use >> 20);
}

static int upload_one(vk_ctx *ctx, const gguf_tensor *t, wt_model *w, int i, errmsg *e)
{
    w->names[i] = strdup(t->name);
    if (!w->names[i])
        return err_set(e, ERR_FAIL, "out of host memory");
    if (vk_buf_alloc(ctx, t->size, &w->bufs[i], e) ||
        vk_buf_write(ctx, &w->bufs[i], 0, t->data, t->size, e))
        return err_prefix(e, "tensor '%s': ", t->name);
    w->tensors[i] = (tensor){t->type, {t->ne[0], t->ne[1], t->ne[2], t->ne[3]}, &w->bufs[i], 0};
    w->bytes += vk_mem_footprint(t->size);
    return 0;
}

int wt_upload(vk_ctx *ctx, const gguf_file *f, wt_model *out, errmsg *e)
{
    memset(out, 0, sizeof *out);
    if (check_types(f, e) || check_room(ctx, f, wt_bytes_needed(f), e))
        return e->code;
    if (gguf_n_tensors(f) > INT32_MAX)
        return err_set(e, ERR_FAIL, "%s: too many tensors", gguf_path(f));
    size_t n = (size_t)gguf_n_tensors(f);
    out->names = calloc(n ? n : 1, sizeof *out->names);
    out->tensors = calloc(n ? n : 1, sizeof *out->tensors);
    out->bufs = calloc(n ? n : 1, sizeof *out->bufs);
    if (!out->names || !out->tensors || !out->bufs) {
        wt_free(ctx, out);
        return err_set(e, ERR_FAIL, "out of host memory");
    }
    out->n = (int)n;
    for (size_t i = 0; i < n; i++)
        if (upload_one(ctx, gguf_tensor_at(f, (int64_t)i), out, (int)i, e)) {
            wt_free(ctx, out);
            return err_prefix(e, "%s: ", gguf_path(f));
        }
    return 0;
}

const tensor *wt_find(const wt_model *w, const char *name)
{
    for (int i = 0; i < w->n; i++)
        if (w->names[i] && strcmp(w->names[i], name) == 0)
            return &w->tensors[i];
    return NULL;
}

void wt_free(vk_ctx *ctx, wt_model *w)
{
    for (int i = 0; i < w->n; i++) {
        if (w->bufs)
            vk_buf_free(ctx, &w->bufs[i]);
        if (w->names)
            free(w->names[i]);
    }
    free(w->names);
    free(w->tensors);
    free(w->bufs);
    memset(w, 0, sizeof *w);
}

const tensor *wt_get(const wt_model *w, const char *name, int64_t ne0, int64_t ne1, bool optional,
                     errmsg *e)
{
    if (e->code)
        return NULL;
    const tensor *t = wt_find(w, name);
    if (!t) {
        if (!optional)
            err_set(e, ERR_FAIL, "missing tensor '%s'", name);
        return NULL;
    }
    int64_t want1 = ne1 ? ne1 : 1;
    if (t->ne[0] != ne0 || t->ne[1] != want1 || t->ne[2] != 1 || t->ne[3] != 1) {
        err_set(e, ERR_FAIL,
                "tensor '%s' has shape [%" PRId64 ", %" PRId64 "], expected [%" PRId64 ", %" PRId64
                "]",
                name, t->ne[0], t->ne[1], ne0, want1);
        return NULL;
    }
    if (!ne1 && t->type != DT_F32) {
        err_set(e, ERR_FAIL, "tensor '%s' is %s; norms and biases must be f32", name,
                dtype_name(t->type));
        return NULL;
    }
    return t;
}
