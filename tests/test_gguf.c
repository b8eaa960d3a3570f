/* test_gguf.c - the GGUF reader and writer: a round trip of every metadata type and tensor
 * type, writer misuse, then hostile input - every truncation of a small file, seeded random
 * byte flips, and hand-made headers with absurd counts, lengths, shapes, offsets and type ids.
 * Bad input must give an error naming the field, never a crash (this runs under ASan/UBSan).
 */
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runtime/dtype.h"
#include "runtime/gguf.h"
#include "base/rng.h"
#include "tests/testutil.h"

static char tmpdir[64];

static const char *tmp_path(const char *name)
{
    static char path[128];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    return path;
}

static unsigned char *read_whole(const char *path, size_t *n)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    fseek(fp, 0, SEEK_END);
    long size = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    unsigned char *p = malloc((size_t)size + 1);
    *n = fread(p, 1, (size_t)size, fp);
    fclose(fp);
    return p;
}

/* ---- round trip ------------------------------------------------------------------------- */

static const int tensor_types[] = {
    DT_F32,  DT_F16,  DT_BF16, DT_Q4_0, DT_Q4_1, DT_Q5_0,
    DT_Q5_1, DT_Q8_0, DT_Q4_K, DT_Q5_K, DT_Q6_K, 10 /* q2_K: not computed with, still read */};
enum { N_TENSOR_TYPES = sizeof tensor_types / sizeof tensor_types[0] };

static void tensor_shape(int i, int *n_dims, int64_t ne[4])
{
    int block = dtype_block(tensor_types[i]);
    *n_dims = 1 + i % 4;
    ne[0] = block * (1 + i % 3);
    ne[1] = 2 + i % 2;
    ne[2] = 3;
    ne[3] = 2;
}

static size_t test_tensor_bytes(int i)
{
    int n_dims;
    int64_t ne[4];
    tensor_shape(i, &n_dims, ne);
    size_t n =
        (size_t)(ne[0] / dtype_block(tensor_types[i])) * (size_t)dtype_block_bytes(tensor_types[i]);
    for (int d = 1; d < n_dims; d++)
        n *= (size_t)ne[d];
    return n;
}

static unsigned char *tensor_data(int i, size_t *n)
{
    *n = test_tensor_bytes(i);
    unsigned char *p = malloc(*n);
    rng r = rng_make(11, (uint64_t)i);
    for (size_t k = 0; k < *n; k++)
        p[k] = (unsigned char)rng_below(&r, 256);
    return p;
}

static const char *const strings[] = {"", "hello", "tab\tand\nnewline", "\xe4\xbd\xa0\xe5\xa5\xbd"};

static gguf_writer *full_writer(uint32_t alignment)
{
    gguf_writer *w = gguf_writer_new();
    uint8_t u8s[] = {0, 1, 255};
    int8_t i8s[] = {-128, 0, 127};
    uint16_t u16s[] = {0, 65535};
    int16_t i16s[] = {-32768, 32767};
    uint32_t u32s[] = {0, 4000000000u};
    int32_t i32s[] = {INT32_MIN, -1, INT32_MAX};
    float f32s[] = {1.5f, -0.0f, 3.25e-20f};
    uint8_t bools[] = {1, 0, 1, 1};
    uint64_t u64s[] = {UINT64_MAX, 7};
    int64_t i64s[] = {INT64_MIN, INT64_MAX};
    double f64s[] = {0.1, -2.5e300};
    int32_t row0[] = {16, 24, 24, 0}, row1[] = {5};
    const void *rows[] = {row0, row1, row0};
    uint64_t counts[] = {4, 1, 0};
    gguf_add_str(w, "general.architecture", "qwen2");
    gguf_add_u32(w, "general.alignment", alignment);
    gguf_add_u8(w, "t.u8", 200);
    gguf_add_i8(w, "t.i8", -100);
    gguf_add_u16(w, "t.u16", 60000);
    gguf_add_i16(w, "t.i16", -30000);
    gguf_add_u32(w, "t.u32", 4000000000u);
    gguf_add_i32(w, "t.i32", -2000000000);
    gguf_add_f32(w, "t.f32", 0.1f);
    gguf_add_bool(w, "t.bool", 1);
    gguf_add_str(w, "t.str", "tab\tand\nnewline");
    gguf_add_u64(w, "t.u64", UINT64_MAX);
    gguf_add_i64(w, "t.i64", INT64_MIN);
    gguf_add_f64(w, "t.f64", 1e300);
    gguf_add_arr(w, "a.u8", GGUF_U8, u8s, 3);
    gguf_add_arr(w, "a.i8", GGUF_I8, i8s, 3);
    gguf_add_arr(w, "a.u16", GGUF_U16, u16s, 2);
    gguf_add_arr(w, "a.i16", GGUF_I16, i16s, 2);
    gguf_add_arr(w, "a.u32", GGUF_U32, u32s, 2);
    gguf_add_arr(w, "a.i32", GGUF_I32, i32s, 3);
    gguf_add_arr(w, "a.f32", GGUF_F32, f32s, 3);
    gguf_add_arr(w, "a.bool", GGUF_BOOL, bools, 4);
    gguf_add_arr(w, "a.str", GGUF_STR, strings, 4);
    gguf_add_arr(w, "a.u64", GGUF_U64, u64s, 2);
    gguf_add_arr(w, "a.i64", GGUF_I64, i64s, 2);
    gguf_add_arr(w, "a.f64", GGUF_F64, f64s, 2);
    gguf_add_arr(w, "a.empty", GGUF_F32, NULL, 0);
    gguf_add_arr_of_arr(w, "a.nested", GGUF_I32, 3, rows, counts);
    for (int i = 0; i < N_TENSOR_TYPES; i++) {
        char name[32];
        int n_dims;
        int64_t ne[4];
        size_t n;
        unsigned char *data = tensor_data(i, &n);
        tensor_shape(i, &n_dims, ne);
        snprintf(name, sizeof name, "blk.%d.%s.weight", i, dtype_name(tensor_types[i]));
        T_CHECK(gguf_add_tensor(w, name, tensor_types[i], n_dims, ne, data) == 0, "add tensor %s",
                name);
        free(data);
    }
    return w;
}

static void check_scalars(const gguf_file *f)
{
    errmsg e;
    uint32_t u32 = 0;
    int32_t i32 = 0;
    uint64_t u64 = 0;
    int64_t i64 = 0;
    float f32 = 0;
    double f64 = 0;
    int b = 0;
    const char *s = NULL;
    T_CHECK(!gguf_get_u32(f, "t.u8", &u32, &e) && u32 == 200, "u8 as u32: %u", u32);
    T_CHECK(!gguf_get_i32(f, "t.i8", &i32, &e) && i32 == -100, "i8 as i32: %d", i32);
    T_CHECK(!gguf_get_u32(f, "t.u16", &u32, &e) && u32 == 60000, "u16: %u", u32);
    T_CHECK(!gguf_get_i64(f, "t.i16", &i64, &e) && i64 == -30000, "i16: %" PRId64, i64);
    T_CHECK(!gguf_get_u32(f, "t.u32", &u32, &e) && u32 == 4000000000u, "u32: %u", u32);
    T_CHECK(!gguf_get_i32(f, "t.i32", &i32, &e) && i32 == -2000000000, "i32: %d", i32);
    T_CHECK(!gguf_get_f32(f, "t.f32", &f32, &e) && f32 == 0.1f, "f32: %g", f32);
    T_CHECK(!gguf_get_bool(f, "t.bool", &b, &e) && b == 1, "bool: %d", b);
    T_CHECK(!gguf_get_str(f, "t.str", &s, &e) && strcmp(s, "tab\tand\nnewline") == 0, "str");
    T_CHECK(!gguf_get_u64(f, "t.u64", &u64, &e) && u64 == UINT64_MAX, "u64");
    T_CHECK(!gguf_get_i64(f, "t.i64", &i64, &e) && i64 == INT64_MIN, "i64");
    T_CHECK(!gguf_get_f64(f, "t.f64", &f64, &e) && f64 == 1e300, "f64: %g", f64);
    T_CHECK(!gguf_get_f64(f, "t.i32", &f64, &e) && f64 == -2e9, "i32 as f64: %g", f64);
    T_CHECK(!gguf_get_str(f, "general.architecture", &s, &e) && strcmp(s, "qwen2") == 0, "arch");

    /* Conversions that must be refused, with the key in the message. */
    T_CHECK(gguf_get_u32(f, "t.i32", &u32, &e) && strstr(e.text, "'t.i32'"), "negative as u32: %s",
            e.text);
    T_CHECK(gguf_get_u32(f, "t.u64", &u32, &e) && strstr(e.text, "u32"), "u64 max as u32: %s",
            e.text);
    T_CHECK(gguf_get_i64(f, "t.u64", &i64, &e), "u64 max as i64");
    T_CHECK(gguf_get_i32(f, "t.f32", &i32, &e), "float as integer");
    T_CHECK(gguf_get_str(f, "t.u8", &s, &e) && strstr(e.text, "expected string"), "u8 as str: %s",
            e.text);
    T_CHECK(gguf_get_bool(f, "t.u8", &b, &e), "u8 as bool");
    T_CHECK(gguf_get_u32(f, "no.such.key", &u32, &e) && strstr(e.text, "'no.such.key' not found"),
            "missing key: %s", e.text);
    T_CHECK(gguf_get_u32(f, "a.u32", &u32, &e) && strstr(e.text, "array"), "array as u32: %s",
            e.text);
}

static void check_arrays(const gguf_file *f)
{
    errmsg e;
    const gguf_value *a;
    int64_t i64 = 0;
    uint64_t u64 = 0;
    double d = 0;
    size_t len = 99;
    T_CHECK(!gguf_get_arr(f, "a.i8", GGUF_I8, &a, &e) && gguf_arr_count(a) == 3, "a.i8");
    T_CHECK(!gguf_arr_i64(a, 0, &i64) && i64 == -128, "a.i8[0] = %" PRId64, i64);
    T_CHECK(gguf_arr_u64(a, 0, &u64), "negative element as u64 refused");
    T_CHECK(gguf_arr_i64(a, 3, &i64), "index past the end refused");
    T_CHECK(!gguf_get_arr(f, "a.u16", GGUF_U16, &a, &e) && !gguf_arr_u64(a, 1, &u64) &&
                u64 == 65535,
            "a.u16");
    T_CHECK(!gguf_get_arr(f, "a.i16", GGUF_I16, &a, &e) && !gguf_arr_i64(a, 0, &i64) &&
                i64 == -32768,
            "a.i16");
    T_CHECK(!gguf_get_arr(f, "a.u32", GGUF_U32, &a, &e) && !gguf_arr_u64(a, 1, &u64) &&
                u64 == 4000000000u,
            "a.u32");
    T_CHECK(!gguf_get_arr(f, "a.i32", GGUF_I32, &a, &e) && !gguf_arr_i64(a, 0, &i64) &&
                i64 == INT32_MIN,
            "a.i32");
    T_CHECK(!gguf_get_arr(f, "a.f32", GGUF_F32, &a, &e) && !gguf_arr_f64(a, 2, &d) &&
                d == (double)3.25e-20f,
            "a.f32");
    T_CHECK(!gguf_get_arr(f, "a.bool", GGUF_BOOL, &a, &e) && !gguf_arr_u64(a, 1, &u64) &&
                u64 == 0 && !gguf_arr_u64(a, 3, &u64) && u64 == 1,
            "a.bool");
    T_CHECK(!gguf_get_arr(f, "a.u64", GGUF_U64, &a, &e) && !gguf_arr_u64(a, 0, &u64) &&
                u64 == UINT64_MAX,
            "a.u64");
    T_CHECK(!gguf_get_arr(f, "a.i64", GGUF_I64, &a, &e) && !gguf_arr_i64(a, 1, &i64) &&
                i64 == INT64_MAX,
            "a.i64");
    T_CHECK(!gguf_get_arr(f, "a.f64", GGUF_F64, &a, &e) && !gguf_arr_f64(a, 1, &d) && d == -2.5e300,
            "a.f64");
    T_CHECK(!gguf_get_arr(f, "a.empty", GGUF_F32, &a, &e) && gguf_arr_count(a) == 0, "a.empty");
    T_CHECK(!gguf_get_arr(f, "a.str", GGUF_STR, &a, &e) && gguf_arr_count(a) == 4, "a.str");
    for (int i = 0; i < 4; i++) {
        const char *s = gguf_arr_str(a, (uint64_t)i, &len);
        T_CHECK(s && len == strlen(strings[i]) && strcmp(s, strings[i]) == 0, "a.str[%d]", i);
    }
    T_CHECK(gguf_get_arr(f, "a.u8", GGUF_I8, &a, &e) && strstr(e.text, "array of u8"),
            "elem type: %s", e.text);
    T_CHECK(!gguf_get_arr(f, "a.nested", GGUF_ARR, &a, &e) && gguf_arr_count(a) == 3, "a.nested");
    const gguf_value *row = gguf_arr_arr(a, 0);
    T_CHECK(row && gguf_arr_count(row) == 4 && !gguf_arr_i64(row, 2, &i64) && i64 == 24,
            "nested[0][2]");
    row = gguf_arr_arr(a, 2);
    T_CHECK(row && gguf_arr_count(row) == 0 && gguf_arr_type(row) == GGUF_I32, "nested[2] empty");
    T_CHECK(gguf_arr_arr(a, 3) == NULL, "nested index past the end");
}

static void check_tensors(const gguf_file *f, uint32_t alignment)
{
    errmsg e;
    T_CHECK(gguf_n_tensors(f) == N_TENSOR_TYPES, "tensor count %" PRId64, gguf_n_tensors(f));
    T_CHECK(gguf_data_offset(f) % alignment == 0, "data section aligned");
    for (int i = 0; i < N_TENSOR_TYPES; i++) {
        char name[32];
        int n_dims;
        int64_t ne[4];
        size_t n;
        snprintf(name, sizeof name, "blk.%d.%s.weight", i, dtype_name(tensor_types[i]));
        tensor_shape(i, &n_dims, ne);
        unsigned char *want = tensor_data(i, &n);
        const gguf_tensor *t = NULL;
        T_CHECK(!gguf_get_tensor(f, name, tensor_types[i], &t, &e), "%s: %s", name, e.text);
        if (t) {
            T_CHECK(t == gguf_tensor_at(f, i), "%s: file order", name);
            T_CHECK(t->n_dims == n_dims && t->size == n && t->offset % alignment == 0,
                    "%s: shape/size", name);
            for (int d = 0; d < 4; d++)
                T_CHECK(t->ne[d] == (d < n_dims ? ne[d] : 1), "%s: ne[%d] = %" PRId64, name, d,
                        t->ne[d]);
            T_CHECK(memcmp(t->data, want, n) == 0, "%s: data bytes", name);
        }
        free(want);
    }
    const gguf_tensor *t;
    T_CHECK(gguf_find_tensor(f, "missing") == NULL, "missing tensor");
    T_CHECK(gguf_get_tensor(f, "blk.0.f32.weight", DT_F16, &t, &e) &&
                strstr(e.text, "expected f16"),
            "type mismatch: %s", e.text);
}

static void test_round_trip(uint32_t alignment)
{
    gguf_writer *w = full_writer(alignment);
    errmsg e;
    const char *path = tmp_path("full.gguf");
    T_CHECK(gguf_writer_write(w, path, &e) == 0, "write: %s", e.text);
    gguf_writer_free(w);
    gguf_file *f = NULL;
    T_CHECK(gguf_open(path, &f, &e) == 0, "open: %s", e.text);
    if (!f)
        return;
    T_CHECK(gguf_version(f) == 3 && gguf_alignment(f) == alignment, "version %u alignment %u",
            gguf_version(f), gguf_alignment(f));
    T_CHECK(gguf_n_kv(f) == 28, "n_kv %" PRId64, gguf_n_kv(f));
    T_CHECK(strcmp(gguf_kv_key(f, 2), "t.u8") == 0 &&
                gguf_value_type(gguf_kv_value(f, 2)) == GGUF_U8,
            "file order of keys");
    check_scalars(f);
    check_arrays(f);
    check_tensors(f, alignment);
    gguf_close(f);
}

static void test_writer_misuse(void)
{
    errmsg e;
    int64_t ne[2] = {33, 2};
    float data[66] = {0};
    gguf_writer *w = gguf_writer_new();
    T_CHECK(gguf_add_u32(w, "k", 1) == 0, "first key");
    T_CHECK(gguf_add_u32(w, "k", 2) != 0, "duplicate key refused");
    T_CHECK(gguf_writer_write(w, tmp_path("dup.gguf"), &e) && strstr(e.text, "'k' added twice"),
            "sticky error: %s", e.text);
    T_CHECK(access(tmp_path("dup.gguf"), F_OK) != 0, "no file after a failed write");
    gguf_writer_free(w);

    w = gguf_writer_new();
    T_CHECK(gguf_add_tensor(w, "q", DT_Q8_0, 2, ne, data) != 0,
            "ne[0] not a multiple of the block");
    gguf_writer_free(w);
    w = gguf_writer_new();
    T_CHECK(gguf_add_u32(w, "general.alignment", 48) != 0, "alignment 48 refused");
    gguf_writer_free(w);
    w = gguf_writer_new();
    T_CHECK(gguf_add_tensor(w, "x", DT_F32, 2, ne, data) == 0, "tensor");
    T_CHECK(gguf_add_tensor(w, "x", DT_F32, 2, ne, data) != 0, "duplicate tensor refused");
    gguf_writer_free(w);
    w = gguf_writer_new();
    T_CHECK(gguf_add_tensor(w, "x", 4, 2, ne, data) != 0, "removed type id 4 refused");
    gguf_writer_free(w);

    w = gguf_writer_new();
    gguf_add_u32(w, "k", 1);
    T_CHECK(gguf_writer_write(w, "/nonexistent-dir/x.gguf", &e) &&
                strstr(e.text, "/nonexistent-dir/x.gguf"),
            "unwritable path: %s", e.text);
    gguf_writer_free(w);
}

/* ---- hostile input ---------------------------------------------------------------------- */

/* Opens a copy in a buffer of exactly n bytes (so ASan sees any overread) and, if it parses,
 * touches every value and tensor byte. Returns 0 if it parsed. */
static int open_copy(const unsigned char *p, size_t n, errmsg *e)
{
    unsigned char *copy = malloc(n ? n : 1);
    memcpy(copy, p, n);
    gguf_file *f = NULL;
    int rc = gguf_open_memory(copy, n, "fuzz.gguf", &f, e);
    T_CHECK((rc == 0) == (f != NULL), "result and handle agree");
    if (f) {
        unsigned sum = 0;
        for (int64_t i = 0; i < gguf_n_kv(f); i++) {
            const gguf_value *v = gguf_kv_value(f, i);
            sum += (unsigned)strlen(gguf_kv_key(f, i));
            for (uint64_t k = 0; k < gguf_arr_count(v) && k < 64; k++) {
                double d;
                size_t len;
                if (!gguf_arr_f64(v, k, &d))
                    sum += d > 0;
                if (gguf_arr_str(v, k, &len))
                    sum += (unsigned)len;
            }
        }
        for (int64_t i = 0; i < gguf_n_tensors(f); i++) {
            const gguf_tensor *t = gguf_tensor_at(f, i);
            const unsigned char *d = t->data;
            for (size_t k = 0; k < t->size; k++)
                sum += d[k];
            T_CHECK(gguf_find_tensor(f, t->name) == t, "lookup of '%s'", t->name);
        }
        T_CHECK(sum != 1u, "touched everything"); /* keeps the reads from being optimised away */
        gguf_close(f);
    } else {
        T_CHECK(strstr(e->text, "fuzz.gguf: ") == e->text, "message names the file: %s", e->text);
    }
    free(copy);
    return rc;
}

static void test_truncations(void)
{
    size_t n;
    unsigned char *p = read_whole(tmp_path("full.gguf"), &n);
    T_CHECK(p != NULL, "read back full.gguf");
    if (!p)
        return;
    errmsg e;
    gguf_file *f;
    T_CHECK(gguf_open_memory(p, n, "full", &f, &e) == 0, "whole file parses: %s", e.text);
    const gguf_tensor *last = gguf_tensor_at(f, gguf_n_tensors(f) - 1);
    size_t data_end = (size_t)(gguf_data_offset(f) + last->offset + last->size);
    gguf_close(f);
    int wrong = 0;
    for (size_t len = 0; len < n; len++) {
        int rc = open_copy(p, len, &e);
        /* Only the padding after the last tensor may be cut. */
        if ((rc == 0) != (len >= data_end))
            wrong++;
    }
    T_CHECK(wrong == 0, "%d of %zu prefixes gave the wrong verdict", wrong, n);
    open_copy(p, 40, &e);
    T_CHECK(strstr(e.text, "cannot fit in the 16 bytes left"), "truncated message: %s", e.text);
    open_copy(p, 900, &e);
    T_CHECK(strstr(e.text, "fuzz.gguf: key ") && strstr(e.text, "at offset "),
            "truncated message: %s", e.text);
    open_copy(p, data_end - 1, &e);
    T_CHECK(strstr(e.text, "past end of file"), "truncated message: %s", e.text);
    free(p);
}

static void test_byte_flips(void)
{
    size_t n;
    unsigned char *p = read_whole(tmp_path("full.gguf"), &n);
    if (!p)
        return;
    rng r = rng_make(2024, 3);
    int parsed = 0, failed = 0;
    for (int iter = 0; iter < 3000; iter++) {
        unsigned char *q = malloc(n);
        memcpy(q, p, n);
        int flips = 1 + (int)rng_below(&r, 4);
        /* Most flips land in the header and metadata, where the parser's decisions are. */
        size_t span = iter % 2 ? n : 1200;
        for (int k = 0; k < flips; k++)
            q[rng_below(&r, (uint32_t)(span < n ? span : n))] ^=
                (unsigned char)(1 + rng_below(&r, 255));
        errmsg e;
        if (open_copy(q, n, &e) == 0)
            parsed++;
        else
            failed++;
        free(q);
    }
    T_CHECK(parsed > 0 && failed > 0, "flips: %d parsed, %d refused", parsed, failed);
    free(p);
}

/* A little builder for hand-made files. */
typedef struct bytes {
    unsigned char p[4096];
    size_t n;
} bytes;

static void b_le(bytes *b, uint64_t v, int n)
{
    for (int i = 0; i < n; i++)
        b->p[b->n++] = (unsigned char)(v >> (8 * i));
}

static void b_str(bytes *b, const char *s)
{
    b_le(b, strlen(s), 8);
    memcpy(b->p + b->n, s, strlen(s));
    b->n += strlen(s);
}

static void b_header(bytes *b, uint32_t version, uint64_t n_tensors, uint64_t n_kv)
{
    b->n = 0;
    memcpy(b->p, "GGUF", 4);
    b->n = 4;
    b_le(b, version, 4);
    b_le(b, n_tensors, 8);
    b_le(b, n_kv, 8);
}

/* One tensor info with n_dims dims taken from ne. */
static void b_tensor(bytes *b, const char *name, uint32_t n_dims, const uint64_t *ne, uint32_t type,
                     uint64_t offset)
{
    b_str(b, name);
    b_le(b, n_dims, 4);
    for (uint32_t d = 0; d < n_dims; d++)
        b_le(b, ne[d], 8);
    b_le(b, type, 4);
    b_le(b, offset, 8);
}

static void b_pad(bytes *b, size_t data_bytes)
{
    while (b->n % 32)
        b->p[b->n++] = 0;
    memset(b->p + b->n, 0x5a, data_bytes);
    b->n += data_bytes;
}

static void expect_error(const bytes *b, const char *what, const char *needle)
{
    errmsg e;
    e.text[0] = 0;
    int rc = open_copy(b->p, b->n, &e);
    T_CHECK(rc != 0, "%s: must be refused", what);
    T_CHECK(rc == 0 || strstr(e.text, needle) != NULL, "%s: message '%s' lacks '%s'", what, e.text,
            needle);
}

static void test_hostile_headers(void)
{
    bytes b;
    uint64_t ne[8] = {32, 4, 1, 1, 1, 1, 1, 1};

    memcpy(b.p, "GGML\3\0\0\0", 8);
    b.n = 8;
    expect_error(&b, "bad magic", "not a GGUF file");
    b_header(&b, 1, 0, 0);
    expect_error(&b, "version 1", "version 1");
    b_header(&b, 4, 0, 0);
    expect_error(&b, "version 4", "unsupported GGUF version 4");
    b_header(&b, 0x03000000u, 0, 0);
    expect_error(&b, "byte-swapped", "big-endian");
    b_header(&b, 3, 0, (uint64_t)1 << 63);
    expect_error(&b, "n_kv 2^63", "metadata key count");
    b_header(&b, 3, UINT64_MAX, 0);
    expect_error(&b, "n_tensors 2^64-1", "tensor count");

    b_header(&b, 3, 0, 1);
    b_le(&b, (uint64_t)1 << 62, 8);
    b_le(&b, 0, 8);
    expect_error(&b, "key length 2^62", "key 0: key length");
    b_header(&b, 3, 0, 1);
    b_str(&b, "k");
    b_le(&b, GGUF_STR, 4);
    b_le(&b, (uint64_t)1 << 62, 8);
    expect_error(&b, "string length 2^62", "key 0 'k': string value length");
    b_header(&b, 3, 0, 1);
    b_str(&b, "k");
    b_le(&b, 13, 4);
    expect_error(&b, "value type 13", "unknown value type 13");
    b_header(&b, 3, 0, 1);
    b_str(&b, "arr");
    b_le(&b, GGUF_ARR, 4);
    b_le(&b, GGUF_U32, 4);
    b_le(&b, (uint64_t)1 << 61, 8);
    expect_error(&b, "array count 2^61", "array of 2305843009213693952 u32");
    b_header(&b, 3, 0, 1);
    b_str(&b, "arr");
    b_le(&b, GGUF_ARR, 4);
    b_le(&b, GGUF_STR, 4);
    b_le(&b, (uint64_t)1 << 60, 8);
    expect_error(&b, "string array count 2^60", "strings");
    b_header(&b, 3, 0, 1);
    b_str(&b, "deep");
    b_le(&b, GGUF_ARR, 4);
    for (int d = 0; d < 12; d++) {
        b_le(&b, GGUF_ARR, 4);
        b_le(&b, 1, 8);
    }
    expect_error(&b, "arrays nested 12 deep", "nested deeper");
    b_header(&b, 3, 0, 1);
    b_str(&b, "b");
    b_le(&b, GGUF_BOOL, 4);
    b_le(&b, 2, 1);
    expect_error(&b, "bool 2", "neither 0 nor 1");
    b_header(&b, 3, 0, 2);
    b_str(&b, "same");
    b_le(&b, GGUF_U8, 4);
    b_le(&b, 1, 1);
    b_str(&b, "same");
    b_le(&b, GGUF_U8, 4);
    b_le(&b, 2, 1);
    expect_error(&b, "duplicate key", "key 1 'same' appears twice");
    b_header(&b, 3, 0, 1);
    b_str(&b, "general.alignment");
    b_le(&b, GGUF_U32, 4);
    b_le(&b, 48, 4);
    expect_error(&b, "alignment 48", "not a power of two");
    b_header(&b, 3, 0, 1);
    b_str(&b, "general.alignment");
    b_le(&b, GGUF_U64, 4);
    b_le(&b, 32, 8);
    expect_error(&b, "alignment as u64", "must be u32");

    b_header(&b, 3, 1, 0);
    b_tensor(&b, "t", 7, ne, DT_F32, 0);
    expect_error(&b, "n_dims 7", "tensor 0 't': n_dims 7");
    uint64_t huge[4] = {(uint64_t)1 << 40, (uint64_t)1 << 40, 1, 1};
    b_header(&b, 3, 1, 0);
    b_tensor(&b, "t", 2, huge, DT_F32, 0);
    expect_error(&b, "ne overflowing", "more than 2^63-1 elements");
    uint64_t negative[2] = {UINT64_MAX, 1};
    b_header(&b, 3, 1, 0);
    b_tensor(&b, "t", 2, negative, DT_F32, 0);
    expect_error(&b, "ne = 2^64-1", "more than 2^63-1");
    uint64_t big_bytes[4] = {(uint64_t)1 << 31, (uint64_t)1 << 31, 4, 1};
    b_header(&b, 3, 1, 0);
    b_tensor(&b, "t", 3, big_bytes, DT_F32, 0);
    b_pad(&b, 0);
    expect_error(&b, "2^64 bytes", "t");
    b_header(&b, 3, 1, 0);
    b_tensor(&b, "t", 2, ne, 99, 0);
    expect_error(&b, "type 99", "unknown ggml type id 99");
    b_header(&b, 3, 1, 0);
    b_tensor(&b, "t", 2, ne, 4, 0);
    expect_error(&b, "removed type 4", "unknown ggml type id 4");
    uint64_t odd[2] = {33, 1};
    b_header(&b, 3, 1, 0);
    b_tensor(&b, "t", 2, odd, DT_Q4_K, 0);
    expect_error(&b, "row not a block multiple", "multiple of 256");
    b_header(&b, 3, 1, 0);
    b_tensor(&b, "a_name_that_is_exactly_sixty_four_bytes_long_which_is_too_long_x", 2, ne, DT_F32,
             0);
    expect_error(&b, "64-byte name", "limit is 63");

    b_header(&b, 3, 2, 0);
    b_tensor(&b, "a", 2, ne, DT_F32, 0);
    b_tensor(&b, "b", 2, ne, DT_F32, 8);
    b_pad(&b, 1024);
    expect_error(&b, "unaligned offset", "tensor 1 'b': data offset 8, expected 512");
    b_header(&b, 3, 2, 0);
    b_tensor(&b, "a", 2, ne, DT_F32, 0);
    b_tensor(&b, "a", 2, ne, DT_F32, 512);
    b_pad(&b, 1024);
    expect_error(&b, "duplicate tensor", "tensor 1 'a': name appears twice");
    b_header(&b, 3, 1, 0);
    b_tensor(&b, "blk.0.attn_q.weight", 2, ne, DT_F32, 0);
    b_pad(&b, 511);
    expect_error(&b, "data one byte short", "tensor 0 'blk.0.attn_q.weight': data [");
    b_header(&b, 3, 1, 0);
    b_tensor(&b, "t", 2, ne, DT_F32, (uint64_t)1 << 60);
    b_pad(&b, 512);
    expect_error(&b, "offset far past the end", "data offset");

    /* A well-formed hand-made file parses: the builder itself is right. */
    errmsg e;
    b_header(&b, 2, 1, 1);
    b_str(&b, "general.name");
    b_le(&b, GGUF_STR, 4);
    b_str(&b, "v2");
    b_tensor(&b, "t", 2, ne, DT_F32, 0);
    b_pad(&b, 512);
    T_CHECK(open_copy(b.p, b.n, &e) == 0, "hand-made v2 file: %s", e.text);
}

int main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/vkeve_test_gguf_XXXXXX");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    test_round_trip(64);
    test_round_trip(32);
    test_writer_misuse();
    test_truncations();
    test_byte_flips();
    test_hostile_headers();
    unlink(tmp_path("full.gguf"));
    rmdir(tmpdir);
    return t_finish();
}
