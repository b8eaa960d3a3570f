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

/* Prints a summary; returns the process exit status (0 when all checks passed). */
int t_finish(void);

#endif
