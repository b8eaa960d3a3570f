/* test_gguf_ref.c - GGUF files written by vkeve's writer, checked by an independent reader:
 * tests/reference/gguf_read.py (numpy, written from the format description) dumps a file
 * made here, and the dump must equal the one built from vkeve's reader line for line - every
 * key, type and value bit, every tensor's shape, offset, size and bytes. Also runs
 * `vkeve gguf-info` on the file and on a truncated copy.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime/dtype.h"
#include "runtime/gguf.h"
#include "runtime/quant.h"
#include "base/rng.h"
#include "tests/testutil.h"

static char dir[] = "/tmp/vkeve_test_gguf_ref_XXXXXX";

static const char *path_in_dir(const char *name)
{
    static char paths[8][160]; /* enough for every path this test names */
    static int next;
    char *p = paths[next++ % 8];
    snprintf(p, 160, "%s/%s", dir, name);
    return p;
}

static void make_file(const char *path)
{
    gguf_writer *w = gguf_writer_new();
    const char *tokens[] = {"<|im_start|>", "", "\xc4\xa0the", "a\"b\\c"};
    float scores[] = {0.0f, -1.5f, 1e-30f};
    int32_t sections[] = {16, 24, 24, 0};
    uint8_t flags[] = {1, 0};
    int64_t big[] = {-1, INT64_MAX};
    uint16_t u16s[] = {1, 65535};
    double f64s[] = {3.141592653589793};
    int32_t inner0[] = {1, 2}, inner1[] = {-3};
    const void *inner[] = {inner0, inner1};
    uint64_t inner_counts[] = {2, 1};
    gguf_add_str(w, "general.architecture", "qwen2vl");
    gguf_add_u32(w, "general.alignment", 128);
    gguf_add_u8(w, "x.u8", 250);
    gguf_add_i8(w, "x.i8", -7);
    gguf_add_u16(w, "x.u16", 513);
    gguf_add_i16(w, "x.i16", -513);
    gguf_add_u32(w, "qwen2vl.block_count", 28);
    gguf_add_i32(w, "x.i32", -123456);
    gguf_add_f32(w, "qwen2vl.attention.layer_norm_rms_epsilon", 1e-6f);
    gguf_add_bool(w, "x.bool", 1);
    gguf_add_u64(w, "x.u64", 18446744073709551615ull);
    gguf_add_i64(w, "x.i64", -9000000000ll);
    gguf_add_f64(w, "x.f64", -0.1);
    gguf_add_arr(w, "tokenizer.ggml.tokens", GGUF_STR, tokens, 4);
    gguf_add_arr(w, "tokenizer.ggml.scores", GGUF_F32, scores, 3);
    gguf_add_arr(w, "qwen2vl.rope.dimension_sections", GGUF_I32, sections, 4);
    gguf_add_arr(w, "x.bools", GGUF_BOOL, flags, 2);
    gguf_add_arr(w, "x.i64s", GGUF_I64, big, 2);
    gguf_add_arr(w, "x.u16s", GGUF_U16, u16s, 2);
    gguf_add_arr(w, "x.f64s", GGUF_F64, f64s, 1);
    gguf_add_arr_of_arr(w, "x.nested", GGUF_I32, 2, inner, inner_counts);

    static const int types[] = {DT_F32,  DT_F16,  DT_BF16, DT_Q8_0, DT_Q4_0, DT_Q4_1,
                                DT_Q5_0, DT_Q5_1, DT_Q4_K, DT_Q5_K, DT_Q6_K};
    rng r = rng_make(5, 5);
    for (size_t k = 0; k < sizeof types / sizeof types[0]; k++) {
        int64_t ne[3] = {dtype_block(types[k]) > 1 ? dtype_block(types[k]) * 2 : 96, 3,
                         1 + (int64_t)(k % 2)};
        int64_t n = ne[0] * ne[1] * ne[2];
        float *x = malloc((size_t)n * sizeof *x);
        void *q = malloc(dtype_row_bytes(types[k], n));
        for (int64_t i = 0; i < n; i++)
            x[i] = rng_normal(&r);
        errmsg e;
        quant_quantize(types[k], x, q, n, &e);
        char name[64];
        snprintf(name, sizeof name, "blk.%zu.ffn_%s.weight", k, dtype_name(types[k]));
        gguf_add_tensor(w, name, types[k], k % 2 ? 3 : 2, ne, q);
        free(x);
        free(q);
    }
    errmsg e;
    T_CHECK(gguf_writer_write(w, path, &e) == 0, "write: %s", e.text);
    gguf_writer_free(w);
}

/* ---- the dump format of gguf_read.py, built from vkeve's reader ------------------------- */

static void dump_item(FILE *out, const gguf_value *v, uint64_t i);

static void dump_value(FILE *out, const gguf_value *v)
{
    if (gguf_value_type(v) != GGUF_ARR) {
        dump_item(out, v, 0);
        return;
    }
    fprintf(out, "[%s %" PRIu64, gguf_type_name(gguf_arr_type(v)), gguf_arr_count(v));
    for (uint64_t i = 0; i < gguf_arr_count(v); i++) {
        fputc(' ', out);
        if (gguf_arr_type(v) == GGUF_ARR)
            dump_value(out, gguf_arr_arr(v, i));
        else
            dump_item(out, v, i);
    }
    fputc(']', out);
}

static void dump_item(FILE *out, const gguf_value *v, uint64_t i)
{
    gguf_type t = gguf_arr_type(v);
    double d = 0;
    uint64_t u;
    int64_t s;
    if (t == GGUF_STR) {
        size_t len;
        const unsigned char *str = (const unsigned char *)gguf_arr_str(v, i, &len);
        if (!len)
            fputc('-', out);
        for (size_t k = 0; k < len; k++)
            fprintf(out, "%02x", str[k]);
    } else if (t == GGUF_F32) {
        gguf_arr_f64(v, i, &d);
        float f = (float)d;
        uint32_t bits;
        memcpy(&bits, &f, 4);
        fprintf(out, "%08" PRIx32, bits);
    } else if (t == GGUF_F64) {
        gguf_arr_f64(v, i, &d);
        memcpy(&u, &d, 8);
        fprintf(out, "%016" PRIx64, u);
    } else if (!gguf_arr_u64(v, i, &u)) {
        fprintf(out, "%" PRIu64, u);
    } else if (!gguf_arr_i64(v, i, &s)) {
        fprintf(out, "%" PRId64, s);
    }
}

static uint64_t checksum(const unsigned char *p, size_t n)
{
    uint64_t sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += (uint64_t)(i + 1) * p[i];
    return sum;
}

static void dump_with_vkeve(const char *gguf, const char *out_path)
{
    gguf_file *f;
    errmsg e;
    FILE *out = fopen(out_path, "w");
    if (gguf_open(gguf, &f, &e) || !out) {
        T_CHECK(0, "open %s: %s", gguf, e.text);
        if (out)
            fclose(out);
        return;
    }
    fprintf(out, "version %" PRIu32 "\nalignment %" PRIu32 "\n", gguf_version(f),
            gguf_alignment(f));
    for (int64_t i = 0; i < gguf_n_kv(f); i++) {
        const gguf_value *v = gguf_kv_value(f, i);
        fprintf(out, "kv %s %s ", gguf_kv_key(f, i), gguf_type_name(gguf_value_type(v)));
        dump_value(out, v);
        fputc('\n', out);
    }
    for (int64_t i = 0; i < gguf_n_tensors(f); i++) {
        const gguf_tensor *t = gguf_tensor_at(f, i);
        fprintf(out,
                "tensor %s %s %d %" PRId64 " %" PRId64 " %" PRId64 " %" PRId64 " %" PRIu64
                " %zu %" PRIu64 "\n",
                t->name, dtype_name(t->type), t->n_dims, t->ne[0], t->ne[1], t->ne[2], t->ne[3],
                t->offset, t->size, checksum(t->data, t->size));
    }
    fclose(out);
    gguf_close(f);
}

static char *slurp(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    char *s = calloc(1, (size_t)n + 1);
    if (fread(s, 1, (size_t)n, fp) != (size_t)n)
        s[0] = 0;
    fclose(fp);
    return s;
}

static void compare_dumps(const char *mine, const char *theirs)
{
    char *a = slurp(mine), *b = slurp(theirs);
    T_CHECK(a && b && strlen(b) > 100, "both dumps exist");
    if (a && b && strcmp(a, b) != 0) {
        char *la = a, *lb = b;
        int line = 1;
        while (*la && *lb && strcspn(la, "\n") == strcspn(lb, "\n") &&
               strncmp(la, lb, strcspn(la, "\n")) == 0) {
            la += strcspn(la, "\n") + (la[strcspn(la, "\n")] ? 1 : 0);
            lb += strcspn(lb, "\n") + (lb[strcspn(lb, "\n")] ? 1 : 0);
            line++;
        }
        T_CHECK(0, "dumps differ at line %d:\n  vkeve: %.*s\n  numpy: %.*s", line,
                (int)strcspn(la, "\n"), la, (int)strcspn(lb, "\n"), lb);
    }
    free(a);
    free(b);
}

static int run(const char *cmd)
{
    return system(cmd);
}

static void test_cli(const char *gguf)
{
    const char *bin = getenv("VKEVE_BIN");
    if (!bin) {
        fprintf(stderr, "VKEVE_BIN not set: skipping the gguf-info check\n");
        return;
    }
    char cmd[1024];
    const char *out = path_in_dir("info.txt");
    snprintf(cmd, sizeof cmd, "%s gguf-info %s > %s 2>&1", bin, gguf, out);
    T_CHECK(run(cmd) == 0, "%s", cmd);
    char *text = slurp(out);
    T_CHECK(text && strstr(text, "GGUF version 3") && strstr(text, "blk.8.ffn_q4_K.weight") &&
                strstr(text, "q6_K") && strstr(text, "[string x 4]") && strstr(text, "total: ") &&
                strstr(text, "device memory for the weights: "),
            "gguf-info output:\n%s", text ? text : "(none)");
    free(text);

    /* A truncated copy: exit status 1 and a message naming the file. */
    const char *cut = path_in_dir("cut.gguf");
    snprintf(cmd, sizeof cmd, "head -c 700 %s > %s && %s gguf-info %s > %s 2>&1", gguf, cut, bin,
             cut, out);
    int rc = run(cmd);
    T_CHECK(WIFEXITED(rc) && WEXITSTATUS(rc) == 1, "truncated file: exit status %d", rc);
    text = slurp(out);
    T_CHECK(text && strstr(text, "cut.gguf: "), "truncated file message:\n%s",
            text ? text : "(none)");
    free(text);
    unlink(cut);
    unlink(out);
    snprintf(cmd, sizeof cmd, "%s gguf-info > /dev/null 2>&1", bin);
    rc = run(cmd);
    T_CHECK(WIFEXITED(rc) && WEXITSTATUS(rc) == 2, "no FILE: exit status %d", rc);
}

int main(void)
{
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    const char *python = getenv("PYTHON3") ? getenv("PYTHON3") : "/usr/bin/python3";
    const char *gguf = path_in_dir("model.gguf"), *mine = path_in_dir("vkeve.dump"),
               *theirs = path_in_dir("numpy.dump");
    make_file(gguf);
    dump_with_vkeve(gguf, mine);
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "%s %s %s > %s", python, t_data_path("reference/gguf_read.py"), gguf,
             theirs);
    T_CHECK(run(cmd) == 0, "%s", cmd);
    compare_dumps(mine, theirs);
    test_cli(gguf);
    unlink(gguf);
    unlink(mine);
    unlink(theirs);
    rmdir(dir);
    return t_finish();
}
