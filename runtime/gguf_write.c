/* gguf_write.c - the GGUF writer (see gguf.h): metadata is serialised as it is added, tensors
 * are copied, and gguf_writer_write lays the file out the way llama.cpp does (version 3,
 * tensors back to back, each padded to the alignment) through base/afile.h, so the file
 * appears only once everything is on disk.
 */
#include "runtime/gguf.h"

#include "runtime/dtype.h"

#include "base/afile.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct buf {
    uint8_t *p;
    size_t n, cap;
} buf;

typedef struct wtensor {
    char *name;
    int type, n_dims;
    int64_t ne[GGUF_MAX_DIMS];
    size_t size;
    void *data;
} wtensor;

struct gguf_writer {
    buf kv; /* serialised key/value records */
    uint64_t n_kv;
    char **keys; /* for the duplicate check */
    wtensor *tensors;
    size_t n_tensors;
    uint32_t alignment;
    errmsg err; /* the first failure, reported again by gguf_writer_write */
};

gguf_writer *gguf_writer_new(void)
{
    gguf_writer *w = calloc(1, sizeof *w);
    if (w)
        w->alignment = GGUF_DEFAULT_ALIGNMENT;
    return w;
}

void gguf_writer_free(gguf_writer *w)
{
    if (!w)
        return;
    for (uint64_t i = 0; i < w->n_kv; i++)
        free(w->keys[i]);
    for (size_t i = 0; i < w->n_tensors; i++) {
        free(w->tensors[i].name);
        free(w->tensors[i].data);
    }
    free(w->keys);
    free(w->tensors);
    free(w->kv.p);
    free(w);
}

static int wfail(gguf_writer *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int wfail(gguf_writer *w, const char *fmt, ...)
{
    if (w->err.code)
        return ERR_FAIL;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(w->err.text, sizeof w->err.text, fmt, ap);
    va_end(ap);
    w->err.code = ERR_FAIL;
    return ERR_FAIL;
}

/* ---- serialisation ---------------------------------------------------------------------- */

static int put(gguf_writer *w, buf *b, const void *p, size_t n)
{
    if (n > SIZE_MAX / 2 - b->n)
        return wfail(w, "gguf writer: metadata too large");
    if (b->n + n > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->n + n)
            cap *= 2;
        uint8_t *q = realloc(b->p, cap);
        if (!q)
            return wfail(w, "gguf writer: out of memory");
        b->p = q;
        b->cap = cap;
    }
    if (n)
        memcpy(b->p + b->n, p, n);
    b->n += n;
    return 0;
}

static int put_le(gguf_writer *w, buf *b, uint64_t v, int n)
{
    uint8_t bytes[8];
    for (int i = 0; i < n; i++)
        bytes[i] = (uint8_t)(v >> (8 * i));
    return put(w, b, bytes, (size_t)n);
}

static int put_str(gguf_writer *w, buf *b, const char *s)
{
    size_t n = strlen(s);
    return put_le(w, b, n, 8) || put(w, b, s, n);
}

/* Appends n packed native numbers of type t, little-endian. */
static int put_numbers(gguf_writer *w, gguf_type t, const void *items, uint64_t n)
{
    size_t size = gguf_type_size(t);
    const uint8_t *p = items;
    for (uint64_t i = 0; i < n; i++) {
        uint64_t v = 0;
        if (size == 1)
            v = p[i];
        else if (size == 2) {
            uint16_t x;
            memcpy(&x, p + i * 2, 2);
            v = x;
        } else if (size == 4) {
            uint32_t x;
            memcpy(&x, p + i * 4, 4);
            v = x;
        } else {
            memcpy(&v, p + i * 8, 8);
        }
        if (t == GGUF_BOOL && v > 1)
            return wfail(w, "gguf writer: bool item %" PRIu64 " is %" PRIu64 ", not 0 or 1", i, v);
        if (put_le(w, &w->kv, v, (int)size))
            return ERR_FAIL;
    }
    return 0;
}

/* Starts a record: checks the key is new and writes it with the value type. */
static int begin_kv(gguf_writer *w, const char *key, gguf_type type)
{
    if (w->err.code)
        return ERR_FAIL;
    for (uint64_t i = 0; i < w->n_kv; i++)
        if (strcmp(w->keys[i], key) == 0)
            return wfail(w, "gguf writer: key '%s' added twice", key);
    char **keys = realloc(w->keys, (size_t)(w->n_kv + 1) * sizeof *keys);
    if (!keys)
        return wfail(w, "gguf writer: out of memory");
    w->keys = keys;
    keys[w->n_kv] = strdup(key);
    if (!keys[w->n_kv])
        return wfail(w, "gguf writer: out of memory");
    w->n_kv++;
    return put_str(w, &w->kv, key) || put_le(w, &w->kv, (uint64_t)type, 4);
}

static int add_number(gguf_writer *w, const char *key, gguf_type t, const void *v)
{
    return begin_kv(w, key, t) || put_numbers(w, t, v, 1);
}

int gguf_add_u8(gguf_writer *w, const char *key, uint8_t v)
{
    return add_number(w, key, GGUF_U8, &v);
}
int gguf_add_i8(gguf_writer *w, const char *key, int8_t v)
{
    return add_number(w, key, GGUF_I8, &v);
}
int gguf_add_u16(gguf_writer *w, const char *key, uint16_t v)
{
    return add_number(w, key, GGUF_U16, &v);
}
int gguf_add_i16(gguf_writer *w, const char *key, int16_t v)
{
    return add_number(w, key, GGUF_I16, &v);
}
int gguf_add_i32(gguf_writer *w, const char *key, int32_t v)
{
    return add_number(w, key, GGUF_I32, &v);
}
int gguf_add_f32(gguf_writer *w, const char *key, float v)
{
    return add_number(w, key, GGUF_F32, &v);
}
int gguf_add_u64(gguf_writer *w, const char *key, uint64_t v)
{
    return add_number(w, key, GGUF_U64, &v);
}
int gguf_add_i64(gguf_writer *w, const char *key, int64_t v)
{
    return add_number(w, key, GGUF_I64, &v);
}
int gguf_add_f64(gguf_writer *w, const char *key, double v)
{
    return add_number(w, key, GGUF_F64, &v);
}

int gguf_add_bool(gguf_writer *w, const char *key, int v)
{
    uint8_t b = v != 0;
    return add_number(w, key, GGUF_BOOL, &b);
}

int gguf_add_u32(gguf_writer *w, const char *key, uint32_t v)
{
    if (strcmp(key, "general.alignment") == 0) {
        if (v == 0 || (v & (v - 1)))
            return wfail(w, "gguf writer: general.alignment %" PRIu32 " is not a power of two", v);
        w->alignment = v;
    }
    return add_number(w, key, GGUF_U32, &v);
}

int gguf_add_str(gguf_writer *w, const char *key, const char *v)
{
    return begin_kv(w, key, GGUF_STR) || put_str(w, &w->kv, v);
}

/* The body of an array (element type, count, items) of numbers or strings. */
static int put_array_body(gguf_writer *w, gguf_type elem, const void *items, uint64_t n)
{
    if (put_le(w, &w->kv, (uint64_t)elem, 4) || put_le(w, &w->kv, n, 8))
        return ERR_FAIL;
    if (elem == GGUF_STR) {
        const char *const *strs = items;
        for (uint64_t i = 0; i < n; i++)
            if (put_str(w, &w->kv, strs[i]))
                return ERR_FAIL;
        return 0;
    }
    return put_numbers(w, elem, items, n);
}

int gguf_add_arr(gguf_writer *w, const char *key, gguf_type elem_type, const void *items,
                 uint64_t n)
{
    if (elem_type != GGUF_STR && !gguf_type_size(elem_type))
        return wfail(w, "gguf writer: key '%s': bad array element type %d", key, (int)elem_type);
    return begin_kv(w, key, GGUF_ARR) || put_array_body(w, elem_type, items, n);
}

int gguf_add_arr_of_arr(gguf_writer *w, const char *key, gguf_type elem_type, uint64_t n_arrays,
                        const void *const *items, const uint64_t *counts)
{
    if (!gguf_type_size(elem_type))
        return wfail(w, "gguf writer: key '%s': nested arrays must hold numbers", key);
    if (begin_kv(w, key, GGUF_ARR) || put_le(w, &w->kv, GGUF_ARR, 4) ||
        put_le(w, &w->kv, n_arrays, 8))
        return ERR_FAIL;
    for (uint64_t j = 0; j < n_arrays; j++)
        if (put_array_body(w, elem_type, items[j], counts[j]))
            return ERR_FAIL;
    return 0;
}

/* ---- tensors ---------------------------------------------------------------------------- */

/* Byte size of a tensor of this type and shape, or 0 with a message when it has none. */
static size_t tensor_size(gguf_writer *w, const char *name, int type, const int64_t *ne)
{
    int block = dtype_block(type);
    if (!block) {
        wfail(w, "gguf writer: tensor '%s': unknown ggml type %d", name, type);
        return 0;
    }
    if (ne[0] % block) {
        wfail(w,
              "gguf writer: tensor '%s': ne[0] = %" PRId64 " is not a multiple of %s's block of %d",
              name, ne[0], dtype_name(type), block);
        return 0;
    }
    size_t size = (size_t)(ne[0] / block) * (size_t)dtype_block_bytes(type);
    for (int d = 1; d < GGUF_MAX_DIMS; d++) {
        if (ne[d] && size > SIZE_MAX / (size_t)ne[d]) {
            wfail(w, "gguf writer: tensor '%s': size overflows", name);
            return 0;
        }
        size *= (size_t)ne[d];
    }
    return size;
}

int gguf_add_tensor(gguf_writer *w, const char *name, int type, int n_dims, const int64_t *ne,
                    const void *data)
{
    if (w->err.code)
        return ERR_FAIL;
    if (strlen(name) >= GGUF_MAX_NAME)
        return wfail(w, "gguf writer: tensor name '%s' is longer than %d bytes", name,
                     GGUF_MAX_NAME - 1);
    if (n_dims < 1 || n_dims > GGUF_MAX_DIMS)
        return wfail(w, "gguf writer: tensor '%s': n_dims %d is not in 1..%d", name, n_dims,
                     GGUF_MAX_DIMS);
    for (size_t i = 0; i < w->n_tensors; i++)
        if (strcmp(w->tensors[i].name, name) == 0)
            return wfail(w, "gguf writer: tensor '%s' added twice", name);
    wtensor t = {.type = type, .n_dims = n_dims, .ne = {1, 1, 1, 1}};
    for (int d = 0; d < n_dims; d++) {
        if (ne[d] < 0)
            return wfail(w, "gguf writer: tensor '%s': negative dimension %d", name, d);
        t.ne[d] = ne[d];
    }
    t.size = tensor_size(w, name, type, t.ne);
    if (w->err.code)
        return ERR_FAIL;
    wtensor *ts = realloc(w->tensors, (w->n_tensors + 1) * sizeof *ts);
    if (!ts)
        return wfail(w, "gguf writer: out of memory");
    w->tensors = ts;
    t.name = strdup(name);
    t.data = malloc(t.size ? t.size : 1);
    if (!t.name || !t.data) {
        free(t.name);
        free(t.data);
        return wfail(w, "gguf writer: out of memory for tensor '%s' (%zu bytes)", name, t.size);
    }
    memcpy(t.data, data, t.size);
    w->tensors[w->n_tensors++] = t;
    return 0;
}

/* ---- the file --------------------------------------------------------------------------- */

static uint64_t pad_to(uint64_t n, uint64_t a)
{
    return (n + a - 1) / a * a;
}

/* Header, metadata and tensor infos, padded to the start of the data section. */
static int build_head(gguf_writer *w, buf *b)
{
    if (put(w, b, "GGUF", 4) || put_le(w, b, 3, 4) || put_le(w, b, w->n_tensors, 8) ||
        put_le(w, b, w->n_kv, 8) || put(w, b, w->kv.p, w->kv.n))
        return ERR_FAIL;
    uint64_t offset = 0;
    for (size_t i = 0; i < w->n_tensors; i++) {
        const wtensor *t = &w->tensors[i];
        if (put_str(w, b, t->name) || put_le(w, b, (uint64_t)t->n_dims, 4))
            return ERR_FAIL;
        for (int d = 0; d < t->n_dims; d++)
            if (put_le(w, b, (uint64_t)t->ne[d], 8))
                return ERR_FAIL;
        if (put_le(w, b, (uint64_t)t->type, 4) || put_le(w, b, offset, 8))
            return ERR_FAIL;
        offset = pad_to(offset + t->size, w->alignment);
    }
    static const uint8_t zeros[64];
    while (b->n % w->alignment)
        if (put(w, b, zeros,
                w->alignment - b->n % w->alignment > 64 ? 64 : w->alignment - b->n % w->alignment))
            return ERR_FAIL;
    return 0;
}

static void write_padding(afile *f, size_t n)
{
    static const uint8_t zeros[4096];
    while (n) {
        size_t k = n < sizeof zeros ? n : sizeof zeros;
        afile_write(f, zeros, k);
        n -= k;
    }
}

int gguf_writer_write(gguf_writer *w, const char *path, errmsg *e)
{
    if (w->err.code)
        return err_set(e, ERR_FAIL, "%s: %s", path, w->err.text);
    buf head = {0};
    if (build_head(w, &head)) {
        free(head.p);
        return err_set(e, ERR_FAIL, "%s: %s", path, w->err.text);
    }
    afile f;
    int rc = afile_open(&f, path, e);
    if (!rc) {
        afile_write(&f, head.p, head.n);
        for (size_t i = 0; i < w->n_tensors; i++) {
            const wtensor *t = &w->tensors[i];
            afile_write(&f, t->data, t->size);
            write_padding(&f, (size_t)(pad_to(t->size, w->alignment) - t->size));
        }
        rc = afile_commit(&f, e);
    }
    free(head.p);
    return rc;
}
