/* test_vk_timeout.c - GPU work that outlives VKEVE_GPU_TIMEOUT: the run fails with a message
 * saying so, later submissions are refused, and tearing everything down neither frees what
 * the still-running work uses (a crash inside the driver) nor waits for it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/ops.h"
#include "testutil.h"

enum { M = 4096, K = 4096, N = 256, REPEAT = 24 };

int main(void)
{
    setenv("VKEVE_GPU_TIMEOUT", "1", 1);
    vk_ctx *ctx = t_gpu_open();
    if (!ctx)
        return t_finish();
    t_dev w, x, y;
    float *host = calloc((size_t)M * K, sizeof *host);
    for (size_t i = 0; host && i < (size_t)M * K; i++)
        host[i] = (float)(i % 7) * 0.01f;
    T_CHECK(host && !t_dev_make(ctx, &w, DT_F32, K, M, 1, host) &&
                !t_dev_make(ctx, &x, DT_F32, K, N, 1, host) &&
                !t_dev_make(ctx, &y, DT_F32, M, N, 1, NULL),
            "tensors");
    /* About 200 GFLOP in one submission: minutes on a CPU device, seconds on a GPU. */
    op_node g[REPEAT];
    for (int i = 0; i < REPEAT; i++)
        g[i] = (op_node){.kind = OP_MATMUL, .dst = &y.t, .src = {&w.t, &x.t}};
    errmsg e = {0};
    int rc = op_run(ctx, g, REPEAT, &e);
    if (rc) {
        T_CHECK(strstr(e.text, "did not finish within 1 s") != NULL, "timeout message: %s", e.text);
        rc = op_run(ctx, g, 1, &e);
        T_CHECK(rc && strstr(e.text, "still running"), "a later run is refused: %s", e.text);
    } else {
        printf("the work finished within 1 s on this device; nothing timed out\n");
    }
    vk_buf_free(ctx, &w.buf), vk_buf_free(ctx, &x.buf), vk_buf_free(ctx, &y.buf);
    free(host);
    vk_close(ctx);
    return t_finish();
}
