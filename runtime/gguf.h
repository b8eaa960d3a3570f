/* gguf.h - reading and writing GGUF files, the model format of llama.cpp (versions 2 and 3).
 *
 * A GGUF file is a header, typed key/value metadata, a table of tensor infos (name, ggml type,
 * shape, offset) and an aligned data section holding the tensors' bytes. The reader maps the
 * file read-only and checks every count, length, offset and size against the file before
 * using it, so a truncated or hostile file gives an error naming the field, never a crash:
 *
 *     gguf_file *f;
 *     errmsg e;
 *     if (gguf_open("model.gguf", &f, &e)) { fprintf(stderr, "%s\n", e.text); return 1; }
 *     uint32_t n_layer;
 *     if (gguf_get_u32(f, "qwen2.block_count", &n_layer, &e)) ...;
 *     const gguf_tensor *t = gguf_find_tensor(f, "blk.0.attn_q.weight");
 *     // t->type, t->ne[0..3], t->data (t->size bytes, valid until gguf_close)
 *     gguf_close(f);
 *
 * Tensor types are ggml ids (runtime/dtype.h names the ones vkeve computes with). The reader
 * accepts every type ggml defines, so that `vkeve gguf-info` can describe any llama.cpp file;
 * callers check dtype_supported() before computing with a tensor.
 *
 * The writer (gguf_writer_*) builds a version-3 file in memory and writes it atomically: a
 * temporary file in the same folder, fsync, rename. A failed write leaves no file behind.
 */
#ifndef VKEVE_GGUF_H
#define VKEVE_GGUF_H

#include <stddef.h>
#include <stdint.h>

#include "base/errmsg.h"

/* Metadata value types, numbered as in the file. */
typedef enum gguf_type {
    GGUF_U8 = 0,
    GGUF_I8 = 1,
    GGUF_U16 = 2,
    GGUF_I16 = 3,
    GGUF_U32 = 4,
    GGUF_I32 = 5,
    GGUF_F32 = 6,
    GGUF_BOOL = 7,
    GGUF_STR = 8,
    GGUF_ARR = 9,
    GGUF_U64 = 10,
    GGUF_I64 = 11,
    GGUF_F64 = 12,
} gguf_type;

enum { GGUF_DEFAULT_ALIGNMENT = 32, GGUF_MAX_DIMS = 4, GGUF_MAX_NAME = 64 };

/* "u32", "string", "array" ...; NULL for an unknown id. */
const char *gguf_type_name(int type);

/* Bytes of one number of this value type; 0 for strings, arrays and unknown ids. Inline, so
 * that the compiler sees the size where the writer copies numbers of one known type.
 * Tensor types (ggml's "q4_K" ...) and their block geometry are in runtime/dtype.h. */
static inline size_t gguf_type_size(int type)
{
    switch (type) {
    case GGUF_U8:
    case GGUF_I8:
    case GGUF_BOOL: return 1;
    case GGUF_U16:
    case GGUF_I16: return 2;
    case GGUF_U32:
    case GGUF_I32:
    case GGUF_F32: return 4;
    case GGUF_U64:
    case GGUF_I64:
    case GGUF_F64: return 8;
    default: return 0;
    }
}

/* ---- reading ---------------------------------------------------------------------------- */

typedef struct gguf_file gguf_file;
typedef struct gguf_value gguf_value; /* one metadata value (scalar, string or array) */

typedef struct gguf_tensor {
    const char *name;
    int type;   /* ggml type id */
    int n_dims; /* 0..4 as stored; ne[] beyond it is 1 */
    int64_t ne[GGUF_MAX_DIMS];
    uint64_t offset;  /* from the start of the data section */
    size_t size;      /* bytes of data */
    const void *data; /* inside the read-only mapping, valid until gguf_close */
} gguf_tensor;

/* Maps and parses a file. On failure *out is NULL and e says what and where. */
int gguf_open(const char *path, gguf_file **out, errmsg *e);
/* Parses a GGUF image already in memory (size bytes, kept alive by the caller until
 * gguf_close); name is used in messages. */
int gguf_open_memory(const void *data, size_t size, const char *name, gguf_file **out, errmsg *e);
void gguf_close(gguf_file *f); /* NULL is fine */

const char *gguf_path(const gguf_file *f);
uint32_t gguf_version(const gguf_file *f);
uint32_t gguf_alignment(const gguf_file *f);
uint64_t gguf_data_offset(const gguf_file *f); /* absolute file offset of the data section */
uint64_t gguf_file_size(const gguf_file *f);

/* Metadata, in file order. */
int64_t gguf_n_kv(const gguf_file *f);
const char *gguf_kv_key(const gguf_file *f, int64_t i);
const gguf_value *gguf_kv_value(const gguf_file *f, int64_t i);
const gguf_value *gguf_find_key(const gguf_file *f, const char *key); /* NULL if absent */

/* Typed getters by key. Each fails with a message naming the file and key when the key is
 * missing, has an unsuitable type, or does not fit: the integer getters accept every
 * integer type whose value fits the result, the float getters every number type. */
int gguf_get_u32(const gguf_file *f, const char *key, uint32_t *out, errmsg *e);
int gguf_get_i32(const gguf_file *f, const char *key, int32_t *out, errmsg *e);
int gguf_get_u64(const gguf_file *f, const char *key, uint64_t *out, errmsg *e);
int gguf_get_i64(const gguf_file *f, const char *key, int64_t *out, errmsg *e);
int gguf_get_f32(const gguf_file *f, const char *key, float *out, errmsg *e);
int gguf_get_f64(const gguf_file *f, const char *key, double *out, errmsg *e);
int gguf_get_bool(const gguf_file *f, const char *key, int *out, errmsg *e);
int gguf_get_str(const gguf_file *f, const char *key, const char **out, errmsg *e);
/* An array value; elem_type (or -1 for any) is the element type the caller needs. */
int gguf_get_arr(const gguf_file *f, const char *key, int elem_type, const gguf_value **out,
                 errmsg *e);

/* Values. A scalar reads like an array of one element at index 0, so the element getters
 * below serve both. They return 0, or ERR_FAIL (without a message) when the element's type
 * does not convert, the value does not fit, or i is out of range. */
gguf_type gguf_value_type(const gguf_value *v);
gguf_type gguf_arr_type(const gguf_value *v); /* element type; the value's own type if scalar */
uint64_t gguf_arr_count(const gguf_value *v); /* 1 for a scalar */
int gguf_arr_i64(const gguf_value *v, uint64_t i, int64_t *out);  /* integer or bool */
int gguf_arr_u64(const gguf_value *v, uint64_t i, uint64_t *out); /* integer >= 0 or bool */
int gguf_arr_f64(const gguf_value *v, uint64_t i, double *out);   /* any number or bool */
/* String element: NUL-terminated (the file's bytes; a string may hold a NUL of its own, so
 * len is the real length). NULL if not a string. */
const char *gguf_arr_str(const gguf_value *v, uint64_t i, size_t *len);
const gguf_value *gguf_arr_arr(const gguf_value *v, uint64_t i); /* arrays of arrays */

/* Tensors, in file order. */
int64_t gguf_n_tensors(const gguf_file *f);
const gguf_tensor *gguf_tensor_at(const gguf_file *f, int64_t i);
const gguf_tensor *gguf_find_tensor(const gguf_file *f, const char *name); /* NULL if absent */
/* A tensor that must exist, of type want_type (-1: any), with a message if not. */
int gguf_get_tensor(const gguf_file *f, const char *name, int want_type, const gguf_tensor **out,
                    errmsg *e);
int64_t gguf_tensor_nelements(const gguf_tensor *t);

/* ---- writing ---------------------------------------------------------------------------- */

typedef struct gguf_writer gguf_writer;

gguf_writer *gguf_writer_new(void); /* NULL when out of memory */
void gguf_writer_free(gguf_writer *w);

/* Each adder returns 0 or ERR_FAIL. The first failure (duplicate key or name, bad type or
 * shape, out of memory) is remembered and reported again by gguf_writer_write, so a run of
 * adds can be checked once at the end. Keys and strings are copied. Adding the u32 key
 * "general.alignment" (a power of two) sets the data alignment; the default is 32. */
int gguf_add_u8(gguf_writer *w, const char *key, uint8_t v);
int gguf_add_i8(gguf_writer *w, const char *key, int8_t v);
int gguf_add_u16(gguf_writer *w, const char *key, uint16_t v);
int gguf_add_i16(gguf_writer *w, const char *key, int16_t v);
int gguf_add_u32(gguf_writer *w, const char *key, uint32_t v);
int gguf_add_i32(gguf_writer *w, const char *key, int32_t v);
int gguf_add_f32(gguf_writer *w, const char *key, float v);
int gguf_add_bool(gguf_writer *w, const char *key, int v);
int gguf_add_str(gguf_writer *w, const char *key, const char *v);
int gguf_add_u64(gguf_writer *w, const char *key, uint64_t v);
int gguf_add_i64(gguf_writer *w, const char *key, int64_t v);
int gguf_add_f64(gguf_writer *w, const char *key, double v);
/* An array of n elements of elem_type: for numbers, n packed C values of that type (uint8_t,
 * float, ...; bool as uint8_t 0/1); for GGUF_STR, n `const char *`. */
int gguf_add_arr(gguf_writer *w, const char *key, gguf_type elem_type, const void *items,
                 uint64_t n);
/* An array of n_arrays number arrays of elem_type: array j has counts[j] items at items[j]. */
int gguf_add_arr_of_arr(gguf_writer *w, const char *key, gguf_type elem_type, uint64_t n_arrays,
                        const void *const *items, const uint64_t *counts);

/* A tensor of ggml type `type` and shape ne[0..n_dims-1] (ne[0] a multiple of the type's
 * block size); its bytes (dtype_row_bytes(type, ne[0]) * ne[1] * ...) are copied from data.
 * Any ggml type with a known block geometry (dtype_name) is accepted. */
int gguf_add_tensor(gguf_writer *w, const char *name, int type, int n_dims, const int64_t *ne,
                    const void *data);

/* Writes the file atomically (temp file in the same folder, fsync, rename). */
int gguf_writer_write(gguf_writer *w, const char *path, errmsg *e);

#endif
