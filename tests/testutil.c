/* testutil.c - check counting and float comparison for tests (see testutil.h). */
#include "tests/testutil.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <unistd.h>

#include "base/rng.h"
#include "runtime/vk_mem.h"

static int checks, failures;

void t_check(int ok, const char *file, int line, const char *fmt, ...)
{
    checks++;
    if (ok)
        return;
    failures++;
    fprintf(stderr, "FAIL %s:%d: ", file, line);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int t_close_f32(const char *what, const float *got, const float *want, size_t n, float atol,
                float rtol)
{
    size_t worst = 0, bad = 0;
    double max_err = 0, sum_err = 0, worst_excess = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        double err = fabs((double)got[i] - (double)want[i]);
        double excess = err - (atol + rtol * fabs((double)want[i]));
        if (isnan(got[i]) != isnan(want[i]))
            excess = INFINITY;
        if (excess > worst_excess) {
            worst_excess = excess;
            worst = i;
        }
        if (excess > 0)
            bad++;
        if (err > max_err)
            max_err = err;
        sum_err += err;
    }
    t_check(bad == 0, __FILE__, __LINE__,
            "%s: %zu of %zu elements off; worst [%zu] got %.9g want %.9g; max err %.3g, mean %.3g",
            what, bad, n, worst, n ? got[worst] : 0.0, n ? want[worst] : 0.0, max_err,
            n ? sum_err / (double)n : 0.0);
    return bad == 0;
}

const char *t_data_path(const char *relative)
{
    static char path[4096];
    const char *root = getenv("VKEVE_TEST_DATA");
    snprintf(path, sizeof path, "%s/%s", root ? root : "tests", relative);
    return path;
}

int t_finish(void)
{
    fprintf(stderr, "%d checks, %d failed\n", checks, failures);
    return failures ? 1 : 0;
}

vk_ctx *t_gpu_open(void)
{
    errmsg e = {0};
    vk_ctx *ctx = vk_open(-1, &e);
    T_CHECK(ctx != NULL, "no Vulkan device: %s", e.text);
    const char *layers = getenv("VK_INSTANCE_LAYERS");
    if (ctx && layers && strstr(layers, "VK_LAYER_KHRONOS_validation"))
        T_CHECK(vk_validation_enabled(ctx), "the validation layer was requested but is not active");
    return ctx;
}

void t_gpu_close(vk_ctx *ctx)
{
    if (!ctx)
        return;
    uint32_t n = vk_validation_messages(ctx);
    T_CHECK(n == 0, "%u validation messages (printed above)", n);
    vk_close(ctx);
}

void t_random(float *a, size_t n, float lo, float hi, unsigned stream)
{
    rng r = rng_make(20261125, stream);
    for (size_t i = 0; i < n; i++)
        a[i] = rng_uniform(&r, lo, hi);
}

int t_dev_make(vk_ctx *ctx, t_dev *d, dtype type, int64_t ne0, int64_t ne1, int64_t ne2,
               const void *host)
{
    errmsg e = {0};
    d->t = (tensor){type, {ne0, ne1, ne2, 1}, &d->buf, 0};
    size_t bytes = tensor_bytes(&d->t);
    int rc = vk_buf_alloc(ctx, bytes, &d->buf, &e);
    if (!rc && host)
        rc = vk_buf_write(ctx, &d->buf, 0, host, bytes, &e);
    T_CHECK(rc == 0, "allocating %zu bytes: %s", bytes, e.text);
    return rc;
}

float *t_dev_read(vk_ctx *ctx, const t_dev *d)
{
    errmsg e = {0};
    size_t n = (size_t)tensor_elements(&d->t);
    float *out = calloc(n, sizeof *out);
    T_CHECK(out && vk_buf_read(ctx, &d->buf, 0, out, n * sizeof *out, &e) == 0, "reading back: %s",
            e.text);
    return out;
}

char *t_temp_dir(const char *name)
{
    char *dir = malloc(strlen(name) + 32);
    if (dir)
        sprintf(dir, "/tmp/vkeve-test-%s-XXXXXX", name);
    if (!dir || !mkdtemp(dir)) {
        perror("mkdtemp");
        exit(1);
    }
    return dir;
}

void t_remove_dir(char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *ent;
    char path[4096];
    while (d && (ent = readdir(d)) != NULL) {
        if (strcmp(ent->d_name, ".") && strcmp(ent->d_name, "..")) {
            snprintf(path, sizeof path, "%s/%s", dir, ent->d_name);
            unlink(path);
        }
    }
    if (d)
        closedir(d);
    rmdir(dir);
    free(dir);
}
