/* fuzz_prog.c - libFuzzer target for the program language: every input is run as a
 * challenger program (lexer, parser, interpreter, PIL binding) on a small image under small
 * budgets. Any crash, sanitizer report, leak or hang past -timeout is a bug; the budgets keep
 * each input's run short. Built by tests/fuzz/CMakeLists.txt (VKEVE_FUZZ) and run by
 * tests/fuzz.cmake.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "evolve/prog/prog.h"
#include "vision/img.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static img *input;
    errmsg e;
    if (!input) {
        uint8_t fill[3] = {90, 140, 200};
        input = img_new(12, 9, IMG_RGB, fill, &e);
        if (!input)
            return 0;
    }
    prog_limits lim = prog_default_limits();
    lim.steps = 200000;
    lim.max_bytes = (size_t)32 << 20;
    lim.max_side = 256;
    prog_result r;
    if (prog_run((const char *)data, size, input, &lim, &r, &e) == 0)
        prog_result_free(&r);
    return 0;
}
