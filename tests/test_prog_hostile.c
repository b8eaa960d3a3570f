/* test_prog_hostile.c - hostile and broken programs: each must end with the right failure
 * reason (kind, and for budgets the budget named in the message) instead of hanging,
 * crashing or allocating what it asks for. CI runs this under ASan+UBSan too, so a memory
 * error or undefined behaviour on any of these paths fails the build.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evolve/prog/prog.h"
#include "tests/testutil.h"
#include "vision/img.h"

typedef struct hostile {
    const char *what;
    const char *src;
    const char *kind;
    const char *message_part; /* NULL: any message */
} hostile;

/* Scripts run with prog_exec_script under small budgets (see limits()). */
static const hostile scripts[] = {
    {"infinite loop", "while True:\n    pass\n", "BudgetExceeded", "step budget exceeded"},
    {"infinite loop, empty body via continue", "i = 0\nwhile 1:\n    continue\n", "BudgetExceeded",
     "step budget"},
    {"huge range loop", "for i in range(10**18):\n    x = i\n", "BudgetExceeded", "step budget"},
    {"huge comprehension", "x = [i for i in range(10**9)]\n", "BudgetExceeded", NULL},
    {"unbounded recursion", "def f(n):\n    return f(n + 1)\nf(0)\n", "RecursionError", NULL},
    {"mutual recursion", "def a(n):\n    return b(n)\ndef b(n):\n    return a(n)\na(1)\n",
     "RecursionError", NULL},
    {"list repetition", "x = [0] * 10**9\n", "BudgetExceeded", "memory budget exceeded"},
    {"list repetition, nested", "x = [[0] * 1000] * 10**7\n", "BudgetExceeded",
     "memory budget exceeded"},
    {"string repetition", "x = 'a' * 10**10\n", "BudgetExceeded", "memory budget exceeded"},
    {"string doubling", "s = 'ab'\nwhile True:\n    s = s + s\n", "BudgetExceeded",
     "memory budget exceeded"},
    {"list growth", "x = []\nwhile True:\n    x.append([1] * 1000)\n", "BudgetExceeded",
     "budget exceeded"},
    {"list(range(huge))", "x = list(range(10**12))\n", "BudgetExceeded", NULL},
    {"ljust huge", "x = 'x'.ljust(10**9)\n", "BudgetExceeded", NULL},
    {"sorted(range(huge))", "x = sorted(range(10**8))\n", "BudgetExceeded", NULL},
    {"exponent tower", "x = 10**10**10\n", "OverflowError", NULL},
    {"int overflow", "x = 2**62\ny = x * 4\n", "OverflowError", NULL},
    {"int overflow in add", "x = 9223372036854775807\ny = x + 1\n", "OverflowError", NULL},
    {"negation overflow", "x = -9223372036854775807 - 1\ny = -x\n", "OverflowError", NULL},
    {"floordiv overflow", "x = (-9223372036854775807 - 1) // -1\n", "OverflowError", NULL},
    {"mod by -1 is fine, then divide by zero", "x = (-9223372036854775807 - 1) % -1\ny = 1 // x\n",
     "ZeroDivisionError", NULL},
    {"float overflow", "x = 2.0 ** 10000\n", "OverflowError", NULL},
    {"shift overflow", "x = 1 << 64\n", "OverflowError", NULL},
    {"factorial overflow", "import math\nx = math.factorial(10**6)\n", "OverflowError", NULL},
    {"import os", "import os\n", "Forbidden", "'os'"},
    {"import subprocess", "import subprocess\n", "Forbidden", NULL},
    {"from os import system", "from os import system\n", "Forbidden", NULL},
    {"import sys", "import sys\n", "Forbidden", NULL},
    {"import numpy", "import numpy as np\n", "Forbidden", "numpy"},
    {"import random", "import random\n", "Forbidden", NULL},
    {"from PIL import a non-module", "from PIL import ImageGrab\n", "ImportError", NULL},
    {"__import__", "os = __import__('os')\n", "Forbidden", NULL},
    {"open", "f = open('/etc/passwd')\n", "Forbidden", NULL},
    {"eval", "x = eval('1 + 1')\n", "Forbidden", NULL},
    {"exec", "exec('x = 1')\n", "Forbidden", NULL},
    {"compile", "c = compile('1', 'f', 'eval')\n", "Forbidden", NULL},
    {"getattr", "x = getattr(1, 'real')\n", "Forbidden", NULL},
    {"globals", "g = globals()\n", "Forbidden", NULL},
    {"locals", "g = locals()\n", "Forbidden", NULL},
    {"__builtins__", "b = __builtins__\n", "Forbidden", NULL},
    {"dunder on tuple", "c = ().__class__\n", "Forbidden", "__class__"},
    {"dunder chain", "c = (1).__class__.__bases__[0].__subclasses__()\n", "Forbidden", NULL},
    {"dunder on function", "def f():\n    pass\ng = f.__globals__\n", "Forbidden", NULL},
    {"dunder on builtin", "s = print.__self__\n", "Forbidden", NULL},
    {"dunder method call", "x = [].__len__()\n", "Forbidden", NULL},
    {"dunder assignment", "def f():\n    pass\nf.__code__ = None\n", "Forbidden", NULL},
    {"class statement", "class A:\n    pass\n", "SyntaxError", NULL},
    {"with statement", "with x:\n    pass\n", "SyntaxError", NULL},
    {"yield", "def g():\n    yield 1\n", "SyntaxError", NULL},
    {"nonlocal at module level", "nonlocal x\n", "SyntaxError", NULL},
    {"nonlocal without a binding", "def g():\n    nonlocal x\n    x = 1\ng()\n", "SyntaxError",
     NULL},
    {"cyclic equality", "a = []\na.append(a)\nb = []\nb.append(b)\nc = a == b\n", "RecursionError",
     NULL},
    {"deeply nested repr", "a = []\nfor i in range(100000):\n    a = [a]\ns = str(a)\n",
     "RecursionError", NULL},
    {"try cannot swallow the step budget",
     "while True:\n    try:\n        pass\n    except:\n        pass\n", "BudgetExceeded",
     "step budget"},
    {"except cannot swallow recursion",
     "def f():\n    try:\n        f()\n    except Exception:\n        f()\nf()\n", "RecursionError",
     NULL},
    {"except cannot swallow memory", "try:\n    x = [0] * 10**9\nexcept MemoryError:\n    pass\n",
     "BudgetExceeded", NULL},
    {"repr of a shared giant", "a = [[0] * 10**6] * 10**6\ns = str(a)\n", "BudgetExceeded", NULL},
    {"equality of shared giants",
     "a = [[0] * 10**6] * 10**6\nb = [[0] * 10**6] * 10**6\nc = a == b\n", "BudgetExceeded",
     "step budget"},
    {"ordering of shared giants",
     "a = [[0] * 10**6] * 10**6\nb = [[0] * 10**6] * 10**6\nc = a < b\n", "BudgetExceeded",
     "step budget"},
    {"hash of a giant tuple", "t = (0,) * (3 * 10**6)\nd = {t: 1}\n", "BudgetExceeded",
     "step budget"},
    {"count in shared giants", "a = [[0] * 10**6] * 1000\nn = a.count([0] * 10**6)\n",
     "BudgetExceeded", NULL},
    {"big string copies in a loop", "for i in range(10**6):\n    a = 'x' * 10**6\n",
     "BudgetExceeded", "step budget"},
    {"big concatenations in a loop", "s = 'y' * 10**6\nfor i in range(10**6):\n    t = s + s\n",
     "BudgetExceeded", "step budget"},
    {"quadratic substring search",
     "h = 'a' * 10**6\nfor i in range(100):\n    k = h.find('a' * 5000 + 'b')\n", "BudgetExceeded",
     "step budget"},
    {"format width bomb", "x = f'{1:999999999}'\n", "ValueError", NULL},
    {"unterminated string", "x = 'abc\n", "SyntaxError", NULL},
    {"bad indentation", "if 1:\n        x = 1\n    y = 2\n", "IndentationError", NULL},
    {"bytes literal", "x = b'abc'\n", "SyntaxError", NULL},
    {"complex literal", "x = 3j\n", "SyntaxError", NULL},
    {"huge int literal", "x = 99999999999999999999999\n", "OverflowError", NULL},
    {"keywords must be strings", "def f(**k):\n    pass\nf(**{1: 2})\n", "TypeError", NULL},
};

/* Generated sources: deep nesting that must be refused by depth limits, not the C stack. */
static char *repeat_wrap(const char *head, const char *unit, int n, const char *mid,
                         const char *close, const char *tail)
{
    size_t len = strlen(head) + strlen(unit) * (size_t)n + strlen(mid) + strlen(close) * (size_t)n +
                 strlen(tail) + 1;
    char *s = malloc(len), *p = s;
    p += sprintf(p, "%s", head);
    for (int k = 0; k < n; k++)
        p += sprintf(p, "%s", unit);
    p += sprintf(p, "%s", mid);
    for (int k = 0; k < n; k++)
        p += sprintf(p, "%s", close);
    sprintf(p, "%s", tail);
    return s;
}

static prog_limits limits(void)
{
    prog_limits l = prog_default_limits();
    l.steps = 2000000;
    l.max_bytes = (size_t)64 << 20;
    l.max_side = 2048;
    return l;
}

static void expect(const char *what, const char *src, size_t len, const char *kind,
                   const char *part)
{
    prog_limits lim = limits();
    char *printed = NULL;
    prog_failure fail;
    errmsg e;
    int r = prog_exec_script(src, len, &lim, &printed, &fail, &e);
    T_CHECK(r == 0, "%s: host failure %s", what, e.text);
    T_CHECK(strcmp(fail.kind, kind) == 0, "%s: got kind '%s' (%s), want %s", what, fail.kind,
            fail.message, kind);
    if (part)
        T_CHECK(strstr(fail.message, part) != NULL, "%s: message '%s' lacks '%s'", what,
                fail.message, part);
    free(printed);
}

static void check_scripts(void)
{
    for (size_t k = 0; k < sizeof scripts / sizeof scripts[0]; k++)
        expect(scripts[k].what, scripts[k].src, strlen(scripts[k].src), scripts[k].kind,
               scripts[k].message_part);

    char *s = repeat_wrap("x = ", "(", 100000, "1", ")", "\n");
    expect("100000 nested parentheses", s, strlen(s), "SyntaxError", NULL);
    expect("null byte in source", "x = 1\0\n", 7, "SyntaxError", NULL);
    free(s);
    s = repeat_wrap("x = ", "[", 100000, "", "]", "\n");
    expect("100000 nested lists", s, strlen(s), "SyntaxError", NULL);
    free(s);
    s = repeat_wrap("x = ", "-", 100000, "1", "", "\n");
    expect("100000 unary minus", s, strlen(s), "SyntaxError", NULL);
    free(s);
    s = repeat_wrap("x = 1", "+1", 100000, "", "", "\n");
    expect("100000-term sum", s, strlen(s), "RecursionError", NULL);
    free(s);
    s = repeat_wrap("x = f'", "{1:", 5000, "", "}", "'\n");
    expect("nested f-string braces", s, strlen(s), "SyntaxError", NULL);
    free(s);
    /* 200 nested blocks: refused by the indentation limit */
    size_t cap = 200 * 210 + 64, n = 0;
    s = malloc(cap);
    for (int d = 0; d < 200; d++)
        n += (size_t)sprintf(s + n, "%*sif 1:\n", d, "");
    n += (size_t)sprintf(s + n, "%*sx = 1\n", 200, "");
    expect("200 nested blocks", s, n, "IndentationError", NULL);
    free(s);

    /* Freeing a very deep chain of lists must not recurse on the C stack. */
    const char *chain = "a = []\nfor i in range(300000):\n    a = [a]\na = None\nprint('freed')\n";
    prog_limits lim = limits();
    char *printed;
    prog_failure fail;
    errmsg e;
    T_CHECK(prog_exec_script(chain, strlen(chain), &lim, &printed, &fail, &e) == 0, "chain: %s",
            e.text);
    T_CHECK(fail.kind[0] == 0 && printed && strcmp(printed, "freed\n") == 0, "chain: %s %s",
            fail.kind, fail.message);
    free(printed);
}

/* Programs with images: budgets on image sizes, forbidden file access. */
/* Reference cycles are garbage the collector frees when memory runs short: a loop that makes
 * a closure per call stays within the budget instead of failing. */
static void check_cycles(void)
{
    const char *src =
        "def f(v):\n    pad = [v] * 3000\n    g = lambda x: x + v\n    return g(1)\n"
        "t = 0\nfor i in range(5000):\n    t += f(i)\n"
        "a = []\nb = [a]\na.append(b)\nkeep = [a]\na = b = None\nprint(t, len(keep[0]))\n";
    prog_limits lim = limits();
    lim.max_bytes = (size_t)16 << 20; /* 5000 leaked scopes of 48 KiB would need 240 MiB */
    lim.steps = 20000000;
    char *printed;
    prog_failure fail;
    errmsg e;
    T_CHECK(prog_exec_script(src, strlen(src), &lim, &printed, &fail, &e) == 0, "cycles: %s",
            e.text);
    T_CHECK(fail.kind[0] == 0 && printed && strcmp(printed, "12502500 1\n") == 0,
            "cycles: %s %s / %s", fail.kind, fail.message, printed ? printed : "");
    free(printed);
}

static void check_images(void)
{
    static const hostile progs[] = {
        {"giant Image.new",
         "from PIL import Image\ndef edit_image(img):\n    return Image.new('RGB', (100000, "
         "100000))\n",
         "BudgetExceeded", NULL},
        {"Image.new over the memory budget",
         "from PIL import Image\ndef edit_image(img):\n    keep = [Image.new('RGBA', (2048, 2048)) "
         "for i in range(5)]\n",
         "BudgetExceeded", "memory budget"},
        {"resize over the side budget",
         "def edit_image(img):\n    return img.resize((50000, 10))\n", "BudgetExceeded", "side"},
        {"resize to zero", "def edit_image(img):\n    return img.resize((0, 10))\n", "ValueError",
         NULL},
        {"resize with float size", "def edit_image(img):\n    return img.resize((10.5, 10))\n",
         "TypeError", NULL},
        {"rotate expand over budget",
         "def edit_image(img):\n    return img.resize((2000, 2000)).rotate(45, expand=True)\n",
         "BudgetExceeded", NULL},
        {"images in a loop",
         "def edit_image(img):\n    keep = []\n    while True:\n        "
         "keep.append(img.resize((1000, 1000)))\n",
         "BudgetExceeded", NULL},
        {"Image.open",
         "from PIL import Image\ndef edit_image(img):\n    return Image.open('/etc/passwd')\n",
         "Forbidden", NULL},
        {"img.save", "def edit_image(img):\n    img.save('/tmp/x.png')\n    return img\n",
         "Forbidden", NULL},
        {"img.show", "def edit_image(img):\n    img.show()\n    return img\n", "Forbidden", NULL},
        {"img.__class__", "def edit_image(img):\n    return img.__class__\n", "Forbidden", NULL},
        {"returns None", "def edit_image(img):\n    img.rotate(3)\n", "TypeError", NULL},
        {"bad colour",
         "from PIL import ImageDraw\ndef edit_image(img):\n    ImageDraw.Draw(img).rectangle([0, "
         "0, 2, 2], fill='nocolour')\n    return img\n",
         "ValueError", NULL},
        {"float colour",
         "from PIL import ImageDraw\ndef edit_image(img):\n    ImageDraw.Draw(img).rectangle([0, "
         "0, 2, 2], fill=(1.5, 2, 3))\n    return img\n",
         "TypeError", NULL},
        {"draw with too many points",
         "from PIL import ImageDraw\ndef edit_image(img):\n    ImageDraw.Draw(img).line([(0, 0)] * "
         "10**7)\n    return img\n",
         "BudgetExceeded", NULL},
        {"getpixel outside", "def edit_image(img):\n    img.getpixel((10**6, 0))\n    return img\n",
         "IndexError", NULL},
        {"point with a failing function",
         "def edit_image(img):\n    return img.point(lambda v: v / 0)\n", "ZeroDivisionError",
         NULL},
        {"paste with a mismatched box",
         "def edit_image(img):\n    img.paste(img.copy(), (0, 0, 3, 3))\n    return img\n",
         "ValueError", NULL},
    };
    errmsg e;
    uint8_t fill[3] = {1, 2, 3};
    img *in = img_new(16, 12, IMG_RGB, fill, &e);
    prog_limits lim = limits();
    for (size_t k = 0; k < sizeof progs / sizeof progs[0]; k++) {
        char src[1024];
        snprintf(src, sizeof src, "%sargs_list = [{}, {}]\n", progs[k].src);
        prog_result r;
        T_CHECK(prog_run(src, strlen(src), in, &lim, &r, &e) == 0, "%s: host failure %s",
                progs[k].what, e.text);
        T_CHECK(r.fail.kind[0] == 0 && r.n_cases == 2, "%s: whole program failed: %s %s",
                progs[k].what, r.fail.kind, r.fail.message);
        for (int c = 0; c < r.n_cases; c++) {
            T_CHECK(r.cases[c].out == NULL, "%s: case %d produced an image", progs[k].what, c);
            T_CHECK(strcmp(r.cases[c].fail.kind, progs[k].kind) == 0,
                    "%s: case %d kind '%s' (%s), want %s", progs[k].what, c, r.cases[c].fail.kind,
                    r.cases[c].fail.message, progs[k].kind);
            if (progs[k].message_part)
                T_CHECK(strstr(r.cases[c].fail.message, progs[k].message_part) != NULL,
                        "%s: message '%s'", progs[k].what, r.cases[c].fail.message);
        }
        prog_result_free(&r);
    }

    /* One case exhausting the step budget of the whole run; the run still reports all cases. */
    const char *src = "def edit_image(img, spin):\n    while spin:\n        pass\n    return img\n"
                      "args_list = [{'spin': False}, {'spin': True}, {'spin': False}]\n";
    prog_result r;
    T_CHECK(prog_run(src, strlen(src), in, &lim, &r, &e) == 0, "spin: %s", e.text);
    T_CHECK(r.n_cases == 3 && r.cases[0].out && !r.cases[1].out, "spin: cases %d", r.n_cases);
    T_CHECK(strcmp(r.cases[1].fail.kind, "BudgetExceeded") == 0, "spin: case1 %s",
            r.cases[1].fail.kind);
    prog_result_free(&r);
    img_free(in);
}

int main(void)
{
    check_scripts();
    check_cycles();
    check_images();
    return t_finish();
}
