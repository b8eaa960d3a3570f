/* testutil.h - the small harness every test_*.c program uses.
 *
 *   int main(void) {
 *       T_CHECK(1 + 1 == 2, "arithmetic: got %d", 1 + 1);
 *       t_close_f32("softmax", got, want, n, 1e-6f, 1e-5f);
 *       return t_finish();   // 0 when every check held, 1 otherwise
 *   }
 *
 * A failed check prints file:line and the message and the program goes on, so one run shows
 * every failure. Test data lives under $VKEVE_TEST_DATA (set by ctest to tests/).
 */
#ifndef VKEVE_TESTUTIL_H
#define VKEVE_TESTUTIL_H

#include <stddef.h>

#include "runtime/tensor.h"

#define T_CHECK(cond, ...) t_check((cond) != 0, __FILE__, __LINE__, __VA_ARGS__)

void t_check(int ok, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Compares got against want element by element: |got - want| <= atol + rtol * |want|.
 * Prints the worst element and the max/mean absolute error; returns 1 when all are close. */
int t_close_f32(const char *what, const float *got, const float *want, size_t n, float atol,
                float rtol);

/* Path of a file under the test data folder ($VKEVE_TEST_DATA), in a static buffer. */
const char *t_data_path(const char *relative);

/* Opens the default Vulkan device for a GPU test; NULL (and a failed check) if there is none.
 * Under VK_INSTANCE_LAYERS=VK_LAYER_KHRONOS_validation it also checks the layer is active. */
struct vk_ctx *t_gpu_open(void);
/* Fails the test if the validation layer reported anything, then closes the device. */
void t_gpu_close(struct vk_ctx *ctx);

/* Fills a with n uniform values in [lo, hi) from stream `stream` of the test seed. */
void t_random(float *a, size_t n, float lo, float hi, unsigned stream);

/* A device tensor in a buffer of its own. */
typedef struct t_dev {
    vk_buf buf;
    tensor t;
} t_dev;

/* Allocates ne0 x ne1 x ne2 elements of type, filled from host (or left as they are); a
 * failure is a failed check and a non-zero return. */
int t_dev_make(struct vk_ctx *ctx, t_dev *d, dtype type, int64_t ne0, int64_t ne1, int64_t ne2,
               const void *host);
/* The tensor's elements as floats (f32 tensors), malloc'd. */
float *t_dev_read(struct vk_ctx *ctx, const t_dev *d);

/* A new empty folder /tmp/vkeve-test-NAME-XXXXXX, malloc'd; the test stops if it fails. */
char *t_temp_dir(const char *name);
/* Removes a folder of plain files (hidden ones too) and frees its name. */
void t_remove_dir(char *dir);

/* Prints a summary; returns the process exit status (0 when all checks passed). */
int t_finish(void);

#endif
