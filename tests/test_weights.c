/* test_weights.c - uploading a GGUF file's weights (runtime/weights.h): every tensor's bytes
 * arrive unchanged, a quantized weight uploaded from a file multiplies like its dequantized
 * CPU reference, an unsupported type is refused by name, and a model larger than device
 * memory is refused up front with what it needs and what the device has, allocating
 * nothing. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runtime/quant.h"
#include "runtime/vk_mem.h"
#include "runtime/weights.h"
#include "testutil.h"

enum { K = 256, M = 5 };

static char dir[] = "/tmp/vkeve-weights-XXXXXX";

static const char *path_in_dir(const char *name)
{
    static char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return path;
}

/* A small model: q4_0 weights [K, M], f16 weights [64, 3] and an f32 vector. */
static int write_model(const char *path, const float *w)
{
    static unsigned char q[K * M / 32 * 18];
    uint16_t h[64 * 3];
    float norm[64];
    for (int i = 0; i < 64 * 3; i++)
        h[i] = dtype_f32_to_f16(w[i]);
    for (int i = 0; i < 64; i++)
        norm[i] = 1.0f + (float)i / 64;
    errmsg e = {0};
    if (quant_quantize(DT_Q4_0, w, q, K * M, &e))
        return 1;
    gguf_writer *g = gguf_writer_new();
    const int64_t ne_q[2] = {K, M}, ne_h[2] = {64, 3}, ne_n[1] = {64};
    gguf_add_str(g, "general.architecture", "test");
    gguf_add_tensor(g, "blk.0.ffn_up.weight", DT_Q4_0, 2, ne_q, q);
    gguf_add_tensor(g, "blk.0.attn_q.weight", DT_F16, 2, ne_h, h);
    gguf_add_tensor(g, "output_norm.weight", DT_F32, 1, ne_n, norm);
    int rc = gguf_writer_write(g, path, &e);
    T_CHECK(rc == 0, "write %s: %s", path, e.text);
    gguf_writer_free(g);
    return rc;
}

static void check_bytes_arrive(vk_ctx *ctx, const gguf_file *f, const wt_model *w)
{
    T_CHECK(w->n == gguf_n_tensors(f), "%d tensors uploaded", w->n);
    T_CHECK(w->bytes == wt_bytes_needed(f), "%llu bytes taken, %llu predicted",
            (unsigned long long)w->bytes, (unsigned long long)wt_bytes_needed(f));
    for (int64_t i = 0; i < gguf_n_tensors(f); i++) {
        const gguf_tensor *gt = gguf_tensor_at(f, i);
        const tensor *t = wt_find(w, gt->name);
        T_CHECK(t && (int)t->type == gt->type && t->ne[0] == gt->ne[0] && t->ne[1] == gt->ne[1],
                "%s found with its type and shape", gt->name);
        if (!t)
            continue;
        unsigned char *back = malloc(gt->size);
        errmsg e = {0};
        T_CHECK(!vk_buf_read(ctx, t->buf, t->offset, back, gt->size, &e) &&
                    memcmp(back, gt->data, gt->size) == 0,
                "%s: device bytes equal the file's %s", gt->name, e.text);
        free(back);
    }
    T_CHECK(wt_find(w, "no.such.tensor") == NULL, "absent tensor not found");
}

/* y = W x on the device with W from the file, against W dequantized on the CPU. */
static void check_matmul(vk_ctx *ctx, const gguf_file *f, const wt_model *w)
{
    const gguf_tensor *gt = gguf_find_tensor(f, "blk.0.ffn_up.weight");
    float *wd = malloc(sizeof(float) * K * M), x[K], want[M], got[M];
    errmsg e = {0};
    T_CHECK(gt && !quant_dequantize(DT_Q4_0, gt->data, wd, K * M, &e), "dequantize: %s", e.text);
    t_random(x, K, -1, 1, 9);
    for (int m = 0; m < M; m++) {
        double s = 0;
        for (int k = 0; k < K; k++)
            s += (double)wd[m * K + k] * x[k];
        want[m] = (float)s;
    }
    vk_buf xb = {0}, yb = {0};
    tensor tx = {DT_F32, {K, 1, 1, 1}, &xb, 0}, ty = {DT_F32, {M, 1, 1, 1}, &yb, 0};
    /* The storage rows shape keeps activations exact (ops.h): this checks the upload. */
    op_node nd = {.kind = OP_MATMUL,
                  .dst = &ty,
                  .src = {wt_find(w, gt ? gt->name : ""), &tx},
                  .shape = OP_SHAPE_ROWS};
    int rc = vk_buf_alloc(ctx, sizeof x, &xb, &e) || vk_buf_alloc(ctx, sizeof got, &yb, &e) ||
             vk_buf_write(ctx, &xb, 0, x, sizeof x, &e) || op_run(ctx, &nd, 1, &e) ||
             vk_buf_read(ctx, &yb, 0, got, sizeof got, &e);
    T_CHECK(rc == 0, "matmul with uploaded weights: %s", e.text);
    if (rc == 0)
        t_close_f32("uploaded q4_0 matmul", got, want, M, 2e-3f, 1e-4f);
    vk_buf_free(ctx, &xb);
    vk_buf_free(ctx, &yb);
    free(wd);
}

static void test_upload(vk_ctx *ctx)
{
    float w[K * M];
    t_random(w, K * M, -1, 1, 8);
    const char *path = path_in_dir("model.gguf");
    gguf_file *f = NULL;
    errmsg e = {0};
    if (write_model(path, w) || gguf_open(path, &f, &e)) {
        T_CHECK(0, "open %s: %s", path, e.text);
        return;
    }
    wt_model wm;
    T_CHECK(!wt_upload(ctx, f, &wm, &e), "upload: %s", e.text);
    check_bytes_arrive(ctx, f, &wm);
    gguf_close(f); /* the uploaded weights stand on their own */
    f = NULL;
    T_CHECK(!gguf_open(path, &f, &e), "reopen: %s", e.text);
    check_matmul(ctx, f, &wm);
    wt_free(ctx, &wm);
    gguf_close(f);
    unlink(path);
}

static void test_unsupported_type(vk_ctx *ctx)
{
    static unsigned char q2k[84]; /* one zero Q2_K block */
    const int64_t ne[1] = {256};
    const char *path = path_in_dir("q2k.gguf");
    gguf_writer *g = gguf_writer_new();
    gguf_add_tensor(g, "blk.3.ffn_down.weight", 10 /* ggml Q2_K */, 1, ne, q2k);
    errmsg e = {0};
    gguf_file *f = NULL;
    wt_model wm;
    T_CHECK(!gguf_writer_write(g, path, &e) && !gguf_open(path, &f, &e), "q2_K file: %s", e.text);
    gguf_writer_free(g);
    T_CHECK(f && wt_upload(ctx, f, &wm, &e) != 0 && strstr(e.text, "blk.3.ffn_down.weight") &&
                strstr(e.text, "q2_K") && strstr(e.text, "supported: f32, f16, q4_0") &&
                strstr(e.text, "q6_K, bf16)"),
            "q2_K refused by name, with the supported types: %s", e.text);
    gguf_close(f);
    unlink(path);
}

static void put(int fd, const void *p, size_t n)
{
    T_CHECK(write(fd, p, n) == (ssize_t)n, "write");
}

/* A GGUF v3 file holding one f32 tensor of rows x cols, written by hand with its data
 * section left sparse, so a file larger than the device takes no disk space. */
static void write_sparse_model(const char *path, uint64_t cols, uint64_t rows)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    T_CHECK(fd >= 0, "create %s", path);
    if (fd < 0)
        return;
    const char name[] = "token_embd.weight";
    uint32_t version = 3, n_dims = 2, type = 0;
    uint64_t n_tensors = 1, n_kv = 0, name_len = sizeof name - 1, offset = 0;
    put(fd, "GGUF", 4), put(fd, &version, 4), put(fd, &n_tensors, 8), put(fd, &n_kv, 8);
    put(fd, &name_len, 8), put(fd, name, name_len), put(fd, &n_dims, 4);
    put(fd, &cols, 8), put(fd, &rows, 8), put(fd, &type, 4), put(fd, &offset, 8);
    off_t header = lseek(fd, 0, SEEK_CUR), data = (header + 31) / 32 * 32;
    T_CHECK(ftruncate(fd, data + (off_t)(cols * rows * 4)) == 0, "extend %s", path);
    close(fd);
}

static void test_too_large(vk_ctx *ctx)
{
    const vk_caps *c = vk_caps_of(ctx);
    uint64_t cols = 65536,
             rows = (c->device_local_bytes + (c->device_local_bytes >> 1)) / (cols * 4);
    const char *path = path_in_dir("huge.gguf");
    write_sparse_model(path, cols, rows);
    gguf_file *f = NULL;
    errmsg e = {0};
    T_CHECK(!gguf_open(path, &f, &e), "open sparse model: %s", e.text);
    uint64_t before = 0, after = 0, allocated = 0;
    vk_mem_usage(ctx, &before, &allocated);
    wt_model wm;
    char need[32], has[32];
    snprintf(need, sizeof need, "%llu MiB",
             (unsigned long long)((wt_bytes_needed(f) + (1 << 20) - 1) >> 20));
    snprintf(has, sizeof has, "has %llu MiB", (unsigned long long)(c->device_local_bytes >> 20));
    T_CHECK(f && wt_upload(ctx, f, &wm, &e) != 0 && strstr(e.text, need) && strstr(e.text, has) &&
                strstr(e.text, c->name),
            "too large refused with needed (%s) and available (%s): %s", need, has, e.text);
    vk_mem_usage(ctx, &after, &allocated);
    T_CHECK(after == before, "nothing allocated (%llu -> %llu bytes)", (unsigned long long)before,
            (unsigned long long)after);
    gguf_close(f);
    unlink(path);
}

int main(void)
{
    if (!mkdtemp(dir))
        return 1;
    vk_ctx *ctx = t_gpu_open();
    if (ctx) {
        test_upload(ctx);
        test_unsupported_type(ctx);
        test_too_large(ctx);
    }
    t_gpu_close(ctx);
    rmdir(dir);
    return t_finish();
}
