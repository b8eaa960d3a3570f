/* gguf.c - the GGUF reader: maps a file read-only, checks every field against the file's
 * size before trusting it, and indexes keys and tensor names for lookup (see gguf.h).
 *
 * Counts read from the file are capped by the bytes left in it before anything is allocated,
 * and the key/tensor tables grow as records are actually parsed, so a hostile header cannot
 * make the reader allocate more than a small multiple of the file's size. Strings are copied
 * (NUL-terminated) into an arena freed with the file; numbers stay in the mapping.
 */
#include "runtime/gguf.h"

#include "runtime/dtype.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* Nesting limit for arrays of arrays: real files use none; the limit bounds recursion. */
enum { MAX_ARRAY_DEPTH = 8 };

static const char *const value_type_names[] = {
    "u8", "i8", "u16", "i16", "u32", "i32", "f32", "bool", "string", "array", "u64", "i64", "f64",
};

const char *gguf_type_name(int type)
{
    if (type < 0 || type > GGUF_F64)
        return NULL;
    return value_type_names[type];
}

typedef struct str_ref {
    const char *s;
    size_t len;
} str_ref;

struct gguf_value {
    gguf_type type;     /* GGUF_ARR for arrays */
    gguf_type elem;     /* element type; the type itself for a scalar */
    uint64_t count;     /* elements; 1 for a scalar */
    const uint8_t *raw; /* numbers: packed little-endian elements inside the mapping */
    str_ref *strs;      /* strings: count copies */
    gguf_value *items;  /* arrays of arrays: count values */
};

typedef struct kv {
    const char *key;
    gguf_value val;
} kv;

typedef struct chunk {
    struct chunk *next;
    size_t used, cap;
    unsigned char data[];
} chunk;

struct gguf_file {
    char *path;
    const uint8_t *base;
    uint64_t size;
    int mapped; /* base is our mmap, unmapped by gguf_close */
    uint32_t version, alignment;
    uint64_t data_offset;
    kv *kvs;
    int64_t n_kv, cap_kv;
    gguf_tensor *tensors;
    int64_t n_tensors, cap_tensors;
    int64_t *kv_sorted, *tensor_sorted; /* indices ordered by key / name, for bsearch */
    chunk *arena;
};

/* ---- arena: everything a parsed file owns besides its tables, freed at once ------------- */

static void *arena_alloc(gguf_file *f, size_t n)
{
    if (n > SIZE_MAX - 64)
        return NULL;
    n = (n + 7) & ~(size_t)7;
    chunk *c = f->arena;
    if (!c || c->cap - c->used < n) {
        size_t cap = n > 65536 ? n : 65536;
        c = malloc(sizeof *c + cap);
        if (!c)
            return NULL;
        c->next = f->arena;
        c->used = 0;
        c->cap = cap;
        f->arena = c;
    }
    void *p = c->data + c->used;
    c->used += n;
    return p;
}

/* ---- the bounds-checked cursor ---------------------------------------------------------- */

typedef struct reader {
    gguf_file *f;
    uint64_t pos;
    char where[160]; /* the record being read, for messages: "key 3 'general.name'" */
    errmsg *e;
} reader;

static int fail(reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(reader *r, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (r->where[0])
        return err_set(r->e, ERR_FAIL, "%s: %s: %s", r->f->path, r->where, msg);
    return err_set(r->e, ERR_FAIL, "%s: %s", r->f->path, msg);
}

static uint64_t left(const reader *r)
{
    return r->f->size - r->pos;
}

static int need(reader *r, uint64_t n, const char *what)
{
    if (n <= left(r))
        return 0;
    return fail(r,
                "%s at offset %" PRIu64 " needs %" PRIu64 " bytes, but the file (size %" PRIu64
                ") has only %" PRIu64 " left",
                what, r->pos, n, r->f->size, left(r));
}

static uint64_t load_le(const uint8_t *p, int n)
{
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static int read_u32(reader *r, uint32_t *v, const char *what)
{
    if (need(r, 4, what))
        return ERR_FAIL;
    *v = (uint32_t)load_le(r->f->base + r->pos, 4);
    r->pos += 4;
    return 0;
}

static int read_u64(reader *r, uint64_t *v, const char *what)
{
    if (need(r, 8, what))
        return ERR_FAIL;
    *v = load_le(r->f->base + r->pos, 8);
    r->pos += 8;
    return 0;
}

/* A length-prefixed string, copied NUL-terminated into the arena. */
static int read_string(reader *r, str_ref *out, const char *what)
{
    uint64_t len;
    char lenwhat[96];
    snprintf(lenwhat, sizeof lenwhat, "%s length", what);
    if (read_u64(r, &len, lenwhat))
        return ERR_FAIL;
    if (len > left(r))
        return fail(r,
                    "%s length %" PRIu64 " at offset %" PRIu64
                    " runs past end of file (size %" PRIu64 ")",
                    what, len, r->pos - 8, r->f->size);
    char *s = arena_alloc(r->f, (size_t)len + 1);
    if (!s)
        return fail(r, "out of memory for %s of %" PRIu64 " bytes", what, len);
    memcpy(s, r->f->base + r->pos, (size_t)len);
    s[len] = 0;
    r->pos += len;
    out->s = s;
    out->len = (size_t)len;
    return 0;
}

/* ---- metadata values -------------------------------------------------------------------- */

static int read_value(reader *r, gguf_value *v, uint32_t type, int depth);

static int check_bools(reader *r, const uint8_t *p, uint64_t n)
{
    for (uint64_t i = 0; i < n; i++)
        if (p[i] > 1)
            return fail(r, "bool value %u at offset %" PRIu64 " is neither 0 nor 1", p[i],
                        (uint64_t)(p + i - r->f->base));
    return 0;
}

static int read_array(reader *r, gguf_value *v, int depth)
{
    uint32_t elem;
    uint64_t count;
    if (read_u32(r, &elem, "array element type") || read_u64(r, &count, "array count"))
        return ERR_FAIL;
    v->type = GGUF_ARR;
    v->elem = (gguf_type)elem;
    v->count = count;
    size_t nsize = gguf_type_size((int)elem);
    if (nsize) {
        if (count > left(r) / nsize)
            return fail(r,
                        "array of %" PRIu64 " %s at offset %" PRIu64
                        " runs past end of file (size %" PRIu64 ")",
                        count, gguf_type_name((int)elem), r->pos, r->f->size);
        v->raw = r->f->base + r->pos;
        if (elem == GGUF_BOOL && check_bools(r, v->raw, count))
            return ERR_FAIL;
        r->pos += count * nsize;
        return 0;
    }
    if (elem == GGUF_STR) {
        /* Every string takes at least its 8-byte length in the file. */
        if (count > left(r) / 8)
            return fail(r,
                        "array of %" PRIu64 " strings at offset %" PRIu64
                        " cannot fit in the %" PRIu64 " bytes left",
                        count, r->pos, left(r));
        v->strs = arena_alloc(r->f, (size_t)count * sizeof *v->strs);
        if (!v->strs && count)
            return fail(r, "out of memory for %" PRIu64 " strings", count);
        for (uint64_t i = 0; i < count; i++)
            if (read_string(r, &v->strs[i], "array string"))
                return ERR_FAIL;
        return 0;
    }
    if (elem == GGUF_ARR) {
        if (depth + 1 >= MAX_ARRAY_DEPTH)
            return fail(r, "arrays nested deeper than %d levels", MAX_ARRAY_DEPTH);
        /* Every nested array takes at least its 4-byte type and 8-byte count. */
        if (count > left(r) / 12)
            return fail(r,
                        "array of %" PRIu64 " arrays at offset %" PRIu64
                        " cannot fit in the %" PRIu64 " bytes left",
                        count, r->pos, left(r));
        v->items = arena_alloc(r->f, (size_t)count * sizeof *v->items);
        if (!v->items && count)
            return fail(r, "out of memory for %" PRIu64 " arrays", count);
        memset(v->items, 0, (size_t)count * sizeof *v->items);
        for (uint64_t i = 0; i < count; i++)
            if (read_value(r, &v->items[i], GGUF_ARR, depth + 1))
                return ERR_FAIL;
        return 0;
    }
    return fail(r, "unknown array element type %" PRIu32, elem);
}

static int read_value(reader *r, gguf_value *v, uint32_t type, int depth)
{
    memset(v, 0, sizeof *v);
    if (type == GGUF_ARR)
        return read_array(r, v, depth);
    v->type = v->elem = (gguf_type)type;
    v->count = 1;
    size_t nsize = gguf_type_size((int)type);
    if (nsize) {
        if (need(r, nsize, gguf_type_name((int)type)))
            return ERR_FAIL;
        v->raw = r->f->base + r->pos;
        if (type == GGUF_BOOL && check_bools(r, v->raw, 1))
            return ERR_FAIL;
        r->pos += nsize;
        return 0;
    }
    if (type == GGUF_STR) {
        v->strs = arena_alloc(r->f, sizeof *v->strs);
        if (!v->strs)
            return fail(r, "out of memory");
        return read_string(r, v->strs, "string value");
    }
    return fail(r, "unknown value type %" PRIu32, type);
}

/* ---- lookup tables ---------------------------------------------------------------------- */

typedef struct named {
    const char *name;
    int64_t index;
} named;

static int cmp_named(const void *a, const void *b)
{
    return strcmp(((const named *)a)->name, ((const named *)b)->name);
}

/* Fills idx with the indices of names[0..n-1] in name order; returns the later index of a
 * duplicated name, -1 if none, or -2 when out of memory. */
static int64_t sort_names(const char *const *names, size_t stride, int64_t n, int64_t *idx)
{
    named *tmp = malloc(((size_t)n + 1) * sizeof *tmp);
    if (!tmp)
        return -2;
    for (int64_t i = 0; i < n; i++) {
        tmp[i].name = *(const char *const *)((const char *)names + (size_t)i * stride);
        tmp[i].index = i;
    }
    qsort(tmp, (size_t)n, sizeof *tmp, cmp_named);
    int64_t dup = -1;
    for (int64_t i = 0; i < n; i++) {
        idx[i] = tmp[i].index;
        if (i > 0 && dup < 0 && strcmp(tmp[i - 1].name, tmp[i].name) == 0)
            dup = tmp[i].index > tmp[i - 1].index ? tmp[i].index : tmp[i - 1].index;
    }
    free(tmp);
    return dup;
}

static int build_indexes(reader *r)
{
    gguf_file *f = r->f;
    f->kv_sorted = malloc(((size_t)f->n_kv + 1) * sizeof(int64_t));
    f->tensor_sorted = malloc(((size_t)f->n_tensors + 1) * sizeof(int64_t));
    if (!f->kv_sorted || !f->tensor_sorted)
        return fail(r, "out of memory for the lookup tables");
    r->where[0] = 0;
    /* Empty tables have no storage to take the address of. */
    int64_t dup =
        f->n_kv ? sort_names(&f->kvs[0].key, sizeof f->kvs[0], f->n_kv, f->kv_sorted) : -1;
    if (dup >= 0)
        return fail(r, "key %" PRId64 " '%s' appears twice", dup, f->kvs[dup].key);
    if (dup == -1 && f->n_tensors)
        dup = sort_names(&f->tensors[0].name, sizeof f->tensors[0], f->n_tensors, f->tensor_sorted);
    if (dup >= 0)
        return fail(r, "tensor %" PRId64 " '%s': name appears twice", dup, f->tensors[dup].name);
    if (dup == -2)
        return fail(r, "out of memory for the lookup tables");
    return 0;
}

/* ---- header, metadata, tensor infos ----------------------------------------------------- */

static int read_header(reader *r, uint64_t *n_tensors, uint64_t *n_kv)
{
    if (need(r, 4, "magic"))
        return ERR_FAIL;
    const uint8_t *m = r->f->base;
    if (memcmp(m, "GGUF", 4) != 0)
        return fail(r, "not a GGUF file (magic bytes %02x %02x %02x %02x, expected 'GGUF')", m[0],
                    m[1], m[2], m[3]);
    r->pos = 4;
    uint32_t version;
    if (read_u32(r, &version, "version"))
        return ERR_FAIL;
    if (version != 0 && (version & 0xffff) == 0)
        return fail(r,
                    "version field 0x%08" PRIx32
                    " looks byte-swapped: big-endian GGUF files are not supported",
                    version);
    if (version == 1)
        return fail(r, "GGUF version 1 is obsolete (no longer written or read by llama.cpp); "
                       "only versions 2 and 3 are supported");
    if (version < 2 || version > 3)
        return fail(r, "unsupported GGUF version %" PRIu32 " (supported: 2 and 3)", version);
    r->f->version = version;
    if (read_u64(r, n_tensors, "tensor count") || read_u64(r, n_kv, "metadata key count"))
        return ERR_FAIL;
    /* Smallest records: a key is 8 (length) + 4 (type) + 1 (value) bytes; a tensor info is
     * 8 (name length) + 4 (n_dims) + 4 (type) + 8 (offset). */
    if (*n_kv > left(r) / 13)
        return fail(r,
                    "metadata key count %" PRIu64 " cannot fit in the %" PRIu64
                    " bytes left of the file",
                    *n_kv, left(r));
    if (*n_tensors > (left(r) - *n_kv * 13) / 24)
        return fail(r,
                    "tensor count %" PRIu64 " cannot fit in the %" PRIu64 " bytes left of the file",
                    *n_tensors, left(r));
    return 0;
}

/* Makes room for one more element in a table that grows as records are parsed. */
static int grow(void **table, int64_t *cap, int64_t n, size_t elem)
{
    if (n < *cap)
        return 0;
    int64_t new_cap = *cap ? *cap * 2 : 16;
    void *p = realloc(*table, (size_t)new_cap * elem);
    if (!p)
        return ERR_FAIL;
    *table = p;
    *cap = new_cap;
    return 0;
}

static int read_kvs(reader *r, uint64_t n_kv)
{
    gguf_file *f = r->f;
    for (uint64_t i = 0; i < n_kv; i++) {
        if (grow((void **)&f->kvs, &f->cap_kv, f->n_kv, sizeof *f->kvs))
            return fail(r, "out of memory after %" PRId64 " metadata keys", f->n_kv);
        kv *k = &f->kvs[i];
        str_ref key;
        uint32_t type;
        snprintf(r->where, sizeof r->where, "key %" PRIu64, i);
        if (read_string(r, &key, "key"))
            return ERR_FAIL;
        k->key = key.s;
        snprintf(r->where, sizeof r->where, "key %" PRIu64 " '%.100s'", i, key.s);
        if (read_u32(r, &type, "value type") || read_value(r, &k->val, type, 0))
            return ERR_FAIL;
        f->n_kv = (int64_t)i + 1;
    }
    return 0;
}

static int read_alignment(reader *r)
{
    gguf_file *f = r->f;
    f->alignment = GGUF_DEFAULT_ALIGNMENT;
    for (int64_t i = 0; i < f->n_kv; i++) {
        if (strcmp(f->kvs[i].key, "general.alignment") != 0)
            continue;
        const gguf_value *v = &f->kvs[i].val;
        snprintf(r->where, sizeof r->where, "key %" PRId64 " 'general.alignment'", i);
        if (v->type != GGUF_U32)
            return fail(r, "has type %s, must be u32", gguf_type_name(v->type));
        uint32_t a = (uint32_t)load_le(v->raw, 4);
        if (a == 0 || (a & (a - 1)))
            return fail(r, "alignment %" PRIu32 " is not a power of two", a);
        f->alignment = a;
    }
    return 0;
}

static int read_shape(reader *r, gguf_tensor *t)
{
    uint32_t n_dims;
    if (read_u32(r, &n_dims, "n_dims"))
        return ERR_FAIL;
    if (n_dims > GGUF_MAX_DIMS)
        return fail(r, "n_dims %" PRIu32 " is more than %d", n_dims, GGUF_MAX_DIMS);
    t->n_dims = (int)n_dims;
    for (int d = 0; d < GGUF_MAX_DIMS; d++) {
        uint64_t ne = 1;
        if ((uint32_t)d < n_dims && read_u64(r, &ne, "dimension"))
            return ERR_FAIL;
        if (ne > (uint64_t)INT64_MAX)
            return fail(r, "dimension %d is %" PRIu64 ", more than 2^63-1", d, ne);
        t->ne[d] = (int64_t)ne;
    }
    int64_t total = 1;
    for (int d = 0; d < GGUF_MAX_DIMS; d++) {
        if (t->ne[d] != 0 && total > INT64_MAX / t->ne[d])
            return fail(r,
                        "shape [%" PRId64 ", %" PRId64 ", %" PRId64 ", %" PRId64
                        "] has more than 2^63-1 elements",
                        t->ne[0], t->ne[1], t->ne[2], t->ne[3]);
        total *= t->ne[d];
    }
    return 0;
}

static int read_type_and_size(reader *r, gguf_tensor *t)
{
    uint32_t type;
    if (read_u32(r, &type, "type"))
        return ERR_FAIL;
    int block = dtype_block((int)type);
    if (!block)
        return fail(r, "unknown ggml type id %" PRIu32, type);
    t->type = (int)type;
    if (t->ne[0] % block)
        return fail(r, "type %s needs rows (ne[0] = %" PRId64 ") that are a multiple of %d",
                    dtype_name(t->type), t->ne[0], block);
    uint64_t size = (uint64_t)(t->ne[0] / block);
    uint64_t factors[4] = {(uint64_t)dtype_block_bytes(t->type), (uint64_t)t->ne[1],
                           (uint64_t)t->ne[2], (uint64_t)t->ne[3]};
    for (int i = 0; i < 4; i++) {
        if (factors[i] != 0 && size > (uint64_t)SIZE_MAX / factors[i])
            return fail(r,
                        "data size of shape [%" PRId64 ", %" PRId64 ", %" PRId64 ", %" PRId64
                        "] overflows",
                        t->ne[0], t->ne[1], t->ne[2], t->ne[3]);
        size *= factors[i];
    }
    t->size = (size_t)size;
    return 0;
}

static int read_tensor_infos(reader *r, uint64_t n_tensors)
{
    gguf_file *f = r->f;
    for (uint64_t i = 0; i < n_tensors; i++) {
        if (grow((void **)&f->tensors, &f->cap_tensors, f->n_tensors, sizeof *f->tensors))
            return fail(r, "out of memory after %" PRId64 " tensor infos", f->n_tensors);
        gguf_tensor *t = &f->tensors[i];
        str_ref name;
        memset(t, 0, sizeof *t);
        snprintf(r->where, sizeof r->where, "tensor %" PRIu64, i);
        if (read_string(r, &name, "name"))
            return ERR_FAIL;
        t->name = name.s;
        snprintf(r->where, sizeof r->where, "tensor %" PRIu64 " '%.100s'", i, name.s);
        if (name.len >= GGUF_MAX_NAME)
            return fail(r, "name is %zu bytes long, the limit is %d", name.len, GGUF_MAX_NAME - 1);
        if (read_shape(r, t) || read_type_and_size(r, t) || read_u64(r, &t->offset, "offset"))
            return ERR_FAIL;
        f->n_tensors = (int64_t)i + 1;
    }
    return 0;
}

/* Tensors lie back to back in info order, each padded to the alignment; llama.cpp rejects
 * any other layout, so a differing offset means a corrupt or foreign file. */
static int place_tensors(reader *r)
{
    gguf_file *f = r->f;
    uint64_t a = f->alignment;
    r->where[0] = 0;
    if (r->pos > UINT64_MAX - a)
        return fail(r, "data section offset overflows");
    f->data_offset = (r->pos + a - 1) / a * a;
    uint64_t data_size = f->size > f->data_offset ? f->size - f->data_offset : 0;
    uint64_t expected = 0;
    for (int64_t i = 0; i < f->n_tensors; i++) {
        gguf_tensor *t = &f->tensors[i];
        snprintf(r->where, sizeof r->where, "tensor %" PRId64 " '%s'", i, t->name);
        if (t->offset != expected)
            return fail(r,
                        "data offset %" PRIu64 ", expected %" PRIu64
                        " (tensors are stored back to back in "
                        "info order, each padded to the alignment %" PRIu64 ")",
                        t->offset, expected, a);
        if (t->size > data_size || t->offset > data_size - t->size)
            return fail(r,
                        "data [%" PRIu64 ", %" PRIu64 ") past end of file (size %" PRIu64
                        ", data section at %" PRIu64 ")",
                        f->data_offset + t->offset, f->data_offset + t->offset + t->size, f->size,
                        f->data_offset);
        t->data = f->base + f->data_offset + t->offset;
        /* Bounded by the file size, so the padded end cannot overflow. */
        expected = (t->offset + t->size + a - 1) / a * a;
    }
    return 0;
}

static int parse(gguf_file *f, errmsg *e)
{
    reader r = {.f = f, .pos = 0, .e = e};
    uint64_t n_tensors = 0, n_kv = 0;
    r.where[0] = 0;
    if (read_header(&r, &n_tensors, &n_kv) || read_kvs(&r, n_kv) || read_alignment(&r) ||
        read_tensor_infos(&r, n_tensors) || build_indexes(&r) || place_tensors(&r))
        return ERR_FAIL;
    return 0;
}

/* ---- open / close ----------------------------------------------------------------------- */

static gguf_file *new_file(const char *name)
{
    gguf_file *f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    f->path = strdup(name);
    if (!f->path) {
        free(f);
        return NULL;
    }
    return f;
}

int gguf_open_memory(const void *data, size_t size, const char *name, gguf_file **out, errmsg *e)
{
    *out = NULL;
    gguf_file *f = new_file(name ? name : "(memory)");
    if (!f)
        return err_set(e, ERR_FAIL, "%s: out of memory", name ? name : "(memory)");
    f->base = data;
    f->size = size;
    if (parse(f, e)) {
        gguf_close(f);
        return ERR_FAIL;
    }
    *out = f;
    return 0;
}

int gguf_open(const char *path, gguf_file **out, errmsg *e)
{
    *out = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return err_set(e, ERR_FAIL, "%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        int err = errno;
        close(fd);
        return err_set(e, ERR_FAIL, "%s: not a regular file%s%s", path, err ? ": " : "",
                       err ? strerror(err) : "");
    }
    gguf_file *f = new_file(path);
    if (!f) {
        close(fd);
        return err_set(e, ERR_FAIL, "%s: out of memory", path);
    }
    f->size = (uint64_t)st.st_size;
    if (f->size > 0) {
        void *m = mmap(NULL, (size_t)f->size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (m == MAP_FAILED) {
            int err = errno;
            close(fd);
            gguf_close(f);
            return err_set(e, ERR_FAIL, "%s: cannot map %" PRIu64 " bytes: %s", path,
                           (uint64_t)st.st_size, strerror(err));
        }
        f->base = m;
        f->mapped = 1;
    } else {
        f->base = (const uint8_t *)"";
    }
    close(fd);
    if (parse(f, e)) {
        gguf_close(f);
        return ERR_FAIL;
    }
    *out = f;
    return 0;
}

void gguf_close(gguf_file *f)
{
    if (!f)
        return;
    if (f->mapped)
        munmap((void *)f->base, (size_t)f->size);
    while (f->arena) {
        chunk *next = f->arena->next;
        free(f->arena);
        f->arena = next;
    }
    free(f->kvs);
    free(f->tensors);
    free(f->kv_sorted);
    free(f->tensor_sorted);
    free(f->path);
    free(f);
}

const char *gguf_path(const gguf_file *f)
{
    return f->path;
}
uint32_t gguf_version(const gguf_file *f)
{
    return f->version;
}
uint32_t gguf_alignment(const gguf_file *f)
{
    return f->alignment;
}
uint64_t gguf_data_offset(const gguf_file *f)
{
    return f->data_offset;
}
uint64_t gguf_file_size(const gguf_file *f)
{
    return f->size;
}

/* ---- metadata lookup -------------------------------------------------------------------- */

int64_t gguf_n_kv(const gguf_file *f)
{
    return f->n_kv;
}

const char *gguf_kv_key(const gguf_file *f, int64_t i)
{
    return i >= 0 && i < f->n_kv ? f->kvs[i].key : NULL;
}

const gguf_value *gguf_kv_value(const gguf_file *f, int64_t i)
{
    return i >= 0 && i < f->n_kv ? &f->kvs[i].val : NULL;
}

const gguf_value *gguf_find_key(const gguf_file *f, const char *key)
{
    int64_t lo = 0, hi = f->n_kv;
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        int c = strcmp(f->kvs[f->kv_sorted[mid]].key, key);
        if (c == 0)
            return &f->kvs[f->kv_sorted[mid]].val;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

gguf_type gguf_value_type(const gguf_value *v)
{
    return v->type;
}
gguf_type gguf_arr_type(const gguf_value *v)
{
    return v->elem;
}
uint64_t gguf_arr_count(const gguf_value *v)
{
    return v->count;
}

typedef enum num_kind { NUM_SIGNED, NUM_UNSIGNED, NUM_FLOAT } num_kind;

typedef struct number {
    num_kind kind;
    int64_t i;
    uint64_t u;
    double f;
} number;

/* Element i as a number; 0 on success. */
static int load_number(const gguf_value *v, uint64_t i, number *n)
{
    size_t size = gguf_type_size(v->elem);
    if (!size || i >= v->count)
        return ERR_FAIL;
    uint64_t bits = load_le(v->raw + i * size, (int)size);
    switch (v->elem) {
    case GGUF_I8:
        n->kind = NUM_SIGNED;
        n->i = (int8_t)bits;
        break;
    case GGUF_I16:
        n->kind = NUM_SIGNED;
        n->i = (int16_t)bits;
        break;
    case GGUF_I32:
        n->kind = NUM_SIGNED;
        n->i = (int32_t)bits;
        break;
    case GGUF_I64:
        n->kind = NUM_SIGNED;
        n->i = (int64_t)bits;
        break;
    case GGUF_F32: {
        uint32_t b32 = (uint32_t)bits;
        float x;
        memcpy(&x, &b32, 4);
        n->kind = NUM_FLOAT;
        n->f = x;
        break;
    }
    case GGUF_F64:
        n->kind = NUM_FLOAT;
        memcpy(&n->f, &bits, 8);
        break;
    default:
        n->kind = NUM_UNSIGNED;
        n->u = bits;
        break;
    }
    return 0;
}

int gguf_arr_i64(const gguf_value *v, uint64_t i, int64_t *out)
{
    number n;
    if (load_number(v, i, &n) || n.kind == NUM_FLOAT)
        return ERR_FAIL;
    if (n.kind == NUM_UNSIGNED) {
        if (n.u > (uint64_t)INT64_MAX)
            return ERR_FAIL;
        n.i = (int64_t)n.u;
    }
    *out = n.i;
    return 0;
}

int gguf_arr_u64(const gguf_value *v, uint64_t i, uint64_t *out)
{
    number n;
    if (load_number(v, i, &n) || n.kind == NUM_FLOAT)
        return ERR_FAIL;
    if (n.kind == NUM_SIGNED) {
        if (n.i < 0)
            return ERR_FAIL;
        n.u = (uint64_t)n.i;
    }
    *out = n.u;
    return 0;
}

int gguf_arr_f64(const gguf_value *v, uint64_t i, double *out)
{
    number n;
    if (load_number(v, i, &n))
        return ERR_FAIL;
    *out = n.kind == NUM_FLOAT ? n.f : n.kind == NUM_SIGNED ? (double)n.i : (double)n.u;
    return 0;
}

const char *gguf_arr_str(const gguf_value *v, uint64_t i, size_t *len)
{
    if (v->elem != GGUF_STR || i >= v->count)
        return NULL;
    if (len)
        *len = v->strs[i].len;
    return v->strs[i].s;
}

const gguf_value *gguf_arr_arr(const gguf_value *v, uint64_t i)
{
    if (v->type != GGUF_ARR || v->elem != GGUF_ARR || i >= v->count)
        return NULL;
    return &v->items[i];
}

/* ---- typed getters ---------------------------------------------------------------------- */

static const gguf_value *scalar_key(const gguf_file *f, const char *key, const char *want,
                                    errmsg *e)
{
    const gguf_value *v = gguf_find_key(f, key);
    if (!v) {
        err_set(e, ERR_FAIL, "%s: metadata key '%s' not found", f->path, key);
        return NULL;
    }
    if (v->type == GGUF_ARR) {
        err_set(e, ERR_FAIL, "%s: metadata key '%s' is an array, expected %s", f->path, key, want);
        return NULL;
    }
    return v;
}

static int unfit(const gguf_file *f, const char *key, const gguf_value *v, const char *want,
                 errmsg *e)
{
    int64_t i;
    uint64_t u;
    double d;
    char val[64] = "";
    if (!gguf_arr_i64(v, 0, &i))
        snprintf(val, sizeof val, " %" PRId64, i);
    else if (!gguf_arr_u64(v, 0, &u))
        snprintf(val, sizeof val, " %" PRIu64, u);
    else if (!gguf_arr_f64(v, 0, &d))
        snprintf(val, sizeof val, " %g", d);
    return err_set(e, ERR_FAIL, "%s: metadata key '%s' (%s%s) does not convert to %s", f->path, key,
                   gguf_type_name(v->type), val, want);
}

int gguf_get_u64(const gguf_file *f, const char *key, uint64_t *out, errmsg *e)
{
    const gguf_value *v = scalar_key(f, key, "an integer", e);
    if (!v)
        return ERR_FAIL;
    if (v->type == GGUF_BOOL || gguf_arr_u64(v, 0, out))
        return unfit(f, key, v, "u64", e);
    return 0;
}

int gguf_get_i64(const gguf_file *f, const char *key, int64_t *out, errmsg *e)
{
    const gguf_value *v = scalar_key(f, key, "an integer", e);
    if (!v)
        return ERR_FAIL;
    if (v->type == GGUF_BOOL || gguf_arr_i64(v, 0, out))
        return unfit(f, key, v, "i64", e);
    return 0;
}

int gguf_get_u32(const gguf_file *f, const char *key, uint32_t *out, errmsg *e)
{
    uint64_t u = 0;
    if (gguf_get_u64(f, key, &u, e))
        return ERR_FAIL;
    if (u > UINT32_MAX)
        return unfit(f, key, gguf_find_key(f, key), "u32", e);
    *out = (uint32_t)u;
    return 0;
}

int gguf_get_i32(const gguf_file *f, const char *key, int32_t *out, errmsg *e)
{
    int64_t i = 0;
    if (gguf_get_i64(f, key, &i, e))
        return ERR_FAIL;
    if (i < INT32_MIN || i > INT32_MAX)
        return unfit(f, key, gguf_find_key(f, key), "i32", e);
    *out = (int32_t)i;
    return 0;
}

int gguf_get_f64(const gguf_file *f, const char *key, double *out, errmsg *e)
{
    const gguf_value *v = scalar_key(f, key, "a number", e);
    if (!v)
        return ERR_FAIL;
    if (v->type == GGUF_BOOL || gguf_arr_f64(v, 0, out))
        return unfit(f, key, v, "a number", e);
    return 0;
}

int gguf_get_f32(const gguf_file *f, const char *key, float *out, errmsg *e)
{
    double d = 0;
    if (gguf_get_f64(f, key, &d, e))
        return ERR_FAIL;
    *out = (float)d;
    return 0;
}

int gguf_get_bool(const gguf_file *f, const char *key, int *out, errmsg *e)
{
    const gguf_value *v = scalar_key(f, key, "a bool", e);
    if (!v)
        return ERR_FAIL;
    if (v->type != GGUF_BOOL)
        return err_set(e, ERR_FAIL, "%s: metadata key '%s' has type %s, expected bool", f->path,
                       key, gguf_type_name(v->type));
    *out = v->raw[0];
    return 0;
}

int gguf_get_str(const gguf_file *f, const char *key, const char **out, errmsg *e)
{
    const gguf_value *v = scalar_key(f, key, "a string", e);
    if (!v)
        return ERR_FAIL;
    if (v->type != GGUF_STR)
        return err_set(e, ERR_FAIL, "%s: metadata key '%s' has type %s, expected string", f->path,
                       key, gguf_type_name(v->type));
    *out = v->strs[0].s;
    return 0;
}

int gguf_get_arr(const gguf_file *f, const char *key, int elem_type, const gguf_value **out,
                 errmsg *e)
{
    const gguf_value *v = gguf_find_key(f, key);
    if (!v)
        return err_set(e, ERR_FAIL, "%s: metadata key '%s' not found", f->path, key);
    if (v->type != GGUF_ARR)
        return err_set(e, ERR_FAIL, "%s: metadata key '%s' has type %s, expected an array", f->path,
                       key, gguf_type_name(v->type));
    if (elem_type >= 0 && (int)v->elem != elem_type)
        return err_set(e, ERR_FAIL,
                       "%s: metadata key '%s' is an array of %s, expected an array of %s", f->path,
                       key, gguf_type_name(v->elem), gguf_type_name(elem_type));
    *out = v;
    return 0;
}

/* ---- tensors ---------------------------------------------------------------------------- */

int64_t gguf_n_tensors(const gguf_file *f)
{
    return f->n_tensors;
}

const gguf_tensor *gguf_tensor_at(const gguf_file *f, int64_t i)
{
    return i >= 0 && i < f->n_tensors ? &f->tensors[i] : NULL;
}

const gguf_tensor *gguf_find_tensor(const gguf_file *f, const char *name)
{
    int64_t lo = 0, hi = f->n_tensors;
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        int c = strcmp(f->tensors[f->tensor_sorted[mid]].name, name);
        if (c == 0)
            return &f->tensors[f->tensor_sorted[mid]];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

int gguf_get_tensor(const gguf_file *f, const char *name, int want_type, const gguf_tensor **out,
                    errmsg *e)
{
    const gguf_tensor *t = gguf_find_tensor(f, name);
    if (!t)
        return err_set(e, ERR_FAIL, "%s: tensor '%s' not found", f->path, name);
    if (want_type >= 0 && t->type != want_type) {
        const char *have = dtype_name(t->type), *want = dtype_name(want_type);
        return err_set(e, ERR_FAIL, "%s: tensor '%s' has type %s, expected %s", f->path, name,
                       have ? have : "?", want ? want : "?");
    }
    *out = t;
    return 0;
}

int64_t gguf_tensor_nelements(const gguf_tensor *t)
{
    return t->ne[0] * t->ne[1] * t->ne[2] * t->ne[3];
}
