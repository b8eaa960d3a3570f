/* prog.c - running a program (prog.h): parse, execute the module, read args_list, call
 * edit_image once per argument dict on a fresh copy of the input, and collect images or
 * failure reasons. Also the interpreter's set-up and tear-down.
 */
#include "evolve/prog/prog.h"
#include "evolve/prog/prog_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

prog_limits prog_default_limits(void)
{
    prog_limits l;
    l.steps = 20000000;
    l.max_depth = 64;
    l.max_bytes = (size_t)512 << 20;
    l.max_side = 4096;
    l.max_outputs = PROG_MAX_CASES;
    return l;
}

void pi_init(interp *I, prog_code *code, const prog_limits *lim)
{
    memset(I, 0, sizeof *I);
    I->code = code;
    I->lim = lim ? *lim : prog_default_limits();
    if (I->lim.max_outputs > PROG_MAX_CASES || I->lim.max_outputs < 1)
        I->lim.max_outputs = PROG_MAX_CASES;
    if (I->lim.max_depth < 1)
        I->lim.max_depth = 1;
    I->live.next = I->live.prev = &I->live;
    I->ret = pv_none();
    I->exc = pv_none();
}

void pi_finish(interp *I)
{
    /* Everything still live (globals, cycles, values of a failed case) goes at once. */
    pi_free_all(I);
    free(I->fstack);
    free(I->gc_work);
    free(I->out);
    I->fstack = NULL;
    I->out = NULL;
}

static void set_failure(prog_failure *f, const char *kind, int line, const char *fmt,
                        const char *arg)
{
    snprintf(f->kind, sizeof f->kind, "%s", kind);
    snprintf(f->message, sizeof f->message, fmt, arg);
    f->line = line;
}

/* Parses and runs the module body. Returns the code (NULL on a syntax error, reported in
 * fail), with I initialised; *host_fail set when the host ran out of memory. */
static prog_code *start(interp *I, const char *source, size_t len, const prog_limits *lim,
                        prog_failure *fail, int *host_fail)
{
    *host_fail = 0;
    prog_code *code = prog_parse(source, len, fail);
    if (!code) {
        *host_fail = !fail->kind[0];
        return NULL;
    }
    pi_init(I, code, lim);
    I->globals = pi_scope(I, NULL);
    I->builtins = pi_scope(I, NULL);
    if (!I->globals || !I->builtins || pi_install_builtins(I)) {
        *host_fail = 1;
        return code;
    }
    return code;
}

static char *func_source(const char *source, size_t len, int line)
{
    if (line <= 0)
        return NULL;
    size_t end = 0;
    for (int l = 1; l < line && end < len; end++)
        if (source[end] == '\n')
            l++;
    size_t a = 0;
    while (a < end && isspace((unsigned char)source[a]))
        a++;
    while (end > a && isspace((unsigned char)source[end - 1]))
        end--;
    char *s = malloc(end - a + 1);
    if (s) {
        memcpy(s, source + a, end - a);
        s[end - a] = 0;
    }
    return s;
}

/* Copies the args dict's repr, truncated to fit. */
static int args_repr(interp *I, pv args, char *out, size_t cap)
{
    pbuf b = {0};
    int r = pi_repr(I, args, &b);
    snprintf(out, cap, "%s", b.s ? b.s : "");
    free(b.s);
    return r;
}

static int run_case(interp *I, pv edit, pv args, const img *input, prog_case *c)
{
    pdict *d = pv_dict(args);
    int kwc = 0;
    int *kwn = malloc((d->len + 1) * sizeof *kwn);
    pv *kwv = malloc((d->len + 1) * sizeof *kwv);
    if (!kwn || !kwv) {
        free(kwn);
        free(kwv);
        return pi_raise(I, "MemoryError", "out of host memory");
    }
    int r = 0;
    for (size_t k = 0; k < d->used && !r; k++) {
        pdict_entry *en = &d->entries[k];
        if (!en->live)
            continue;
        if (!pv_is(en->key, PO_STR)) {
            r = pi_raise(I, "TypeError", "keywords must be strings (args_list has a non-str key)");
            break;
        }
        kwn[kwc] = code_intern(I->code, pv_str(en->key)->s, pv_str(en->key)->len);
        if (kwn[kwc] < 0)
            r = pi_raise(I, "MemoryError", "out of host memory");
        kwv[kwc++] = en->val;
    }
    pv image = pv_none(), result = pv_none();
    if (!r) {
        errmsg e;
        img *copy = pi_image_check(I, input->w, input->h, img_channels(input->mode))
                        ? NULL
                        : img_copy(input, &e);
        if (!copy && !I->failed)
            pi_raise(I, "MemoryError", "%s", e.text);
        r = copy ? pi_image_wrap(I, copy, &image) : -1;
    }
    if (!r)
        r = pi_call(I, edit, 1, &image, kwc, kwn, kwv, &result);
    if (!r && !pv_is(result, PO_IMAGE))
        r = pi_raise(I, "TypeError", "edit_image must return a PIL Image, not %s",
                     pi_type_name(result));
    if (!r) {
        pimage *pim = (pimage *)result.u.o;
        if (pim->h.refs == 1) { /* nobody else holds it: take the pixels without a copy */
            c->out = pim->im;
            pim->im = NULL;
            pi_resize_account(I, &pim->h, sizeof *pim);
        } else {
            errmsg e;
            c->out = img_copy(pim->im, &e);
            if (!c->out)
                r = pi_raise(I, "MemoryError", "%s", e.text);
        }
    }
    pi_release(I, image);
    pi_release(I, result);
    free(kwn);
    free(kwv);
    return r;
}

static void run_cases(interp *I, const img *input, prog_result *out)
{
    int sym_edit = pi_sym(I, "edit_image"), sym_args = pi_sym(I, "args_list");
    pv *edit = sym_edit >= 0 ? pi_scope_find(I->globals, sym_edit) : NULL;
    pv *args = sym_args >= 0 ? pi_scope_find(I->globals, sym_args) : NULL;
    if (!edit) {
        set_failure(&out->fail, "NameError", 0, "%s",
                    "the program defines no function 'edit_image'");
        return;
    }
    if (!args) {
        set_failure(&out->fail, "NameError", 0, "%s", "the program defines no 'args_list'");
        return;
    }
    if (!pv_is(*args, PO_LIST)) {
        set_failure(&out->fail, "TypeError", I->code->args_list_line,
                    "args_list must be a list, not %s", pi_type_name(*args));
        return;
    }
    plist *list = pv_list(*args);
    if (list->len == 0 || list->len > (size_t)I->lim.max_outputs) {
        char msg[96];
        snprintf(msg, sizeof msg, "args_list has %zu entries (1 to %d allowed)", list->len,
                 I->lim.max_outputs);
        set_failure(&out->fail, list->len ? "BudgetExceeded" : "ValueError",
                    I->code->args_list_line, "%s", msg);
        return;
    }
    for (size_t k = 0; k < list->len; k++)
        if (!pv_is(list->items[k], PO_DICT)) {
            char msg[96];
            snprintf(msg, sizeof msg, "args_list[%zu] must be a dict, not %s", k,
                     pi_type_name(list->items[k]));
            set_failure(&out->fail, "TypeError", I->code->args_list_line, "%s", msg);
            return;
        }
    /* The list may be changed by a case (it is a global); run over a snapshot. */
    pv snapshot[PROG_MAX_CASES];
    size_t n = list->len;
    for (size_t k = 0; k < n; k++)
        snapshot[k] = pv_ref(list->items[k]);
    pv fn = pv_ref(*edit);
    for (size_t k = 0; k < n && !I->host_oom; k++) {
        prog_case *c = &out->cases[k];
        I->failed = 0;
        memset(&I->fail, 0, sizeof I->fail);
        I->line = 0;
        if (args_repr(I, snapshot[k], c->args_repr, sizeof c->args_repr) ||
            run_case(I, fn, snapshot[k], input, c))
            c->fail = I->fail;
        out->n_cases++;
    }
    for (size_t k = 0; k < n; k++)
        pi_release(I, snapshot[k]);
    pi_release(I, fn);
}

int prog_run(const char *source, size_t len, const img *input, const prog_limits *lim,
             prog_result *out, errmsg *e)
{
    memset(out, 0, sizeof *out);
    if (!source || !input || !input->px)
        return err_set(e, ERR_FAIL, "prog_run: no source or no input image");
    interp I;
    int host_fail;
    prog_code *code = start(&I, source, len, lim, &out->fail, &host_fail);
    if (!code) {
        if (host_fail)
            return err_set(e, ERR_FAIL, "prog_run: out of memory while parsing");
        return 0;
    }
    out->func_source = func_source(source, len, code->args_list_line);
    if (!host_fail && pi_exec_module(&I))
        out->fail = I.fail;
    else if (!host_fail)
        run_cases(&I, input, out);
    host_fail |= I.host_oom;
    pi_finish(&I);
    code_free(code);
    if (host_fail) {
        prog_result_free(out);
        return err_set(e, ERR_FAIL, "prog_run: out of memory");
    }
    return 0;
}

void prog_result_free(prog_result *r)
{
    for (int k = 0; k < PROG_MAX_CASES; k++) {
        img_free(r->cases[k].out);
        r->cases[k].out = NULL;
    }
    free(r->func_source);
    r->func_source = NULL;
}

int prog_exec_script(const char *source, size_t len, const prog_limits *lim, char **printed,
                     prog_failure *fail, errmsg *e)
{
    memset(fail, 0, sizeof *fail);
    *printed = NULL;
    if (!source)
        return err_set(e, ERR_FAIL, "prog_exec_script: no source");
    interp I;
    int host_fail;
    prog_code *code = start(&I, source, len, lim, fail, &host_fail);
    if (!code) {
        if (host_fail)
            return err_set(e, ERR_FAIL, "prog_exec_script: out of memory while parsing");
        *printed = calloc(1, 1);
        return *printed ? 0 : err_set(e, ERR_FAIL, "prog_exec_script: out of memory");
    }
    I.out_enabled = 1;
    if (!host_fail && pi_exec_module(&I))
        *fail = I.fail;
    host_fail |= I.host_oom;
    *printed = I.out ? I.out : calloc(1, 1);
    I.out = NULL;
    pi_finish(&I);
    code_free(code);
    if (host_fail || !*printed) {
        free(*printed);
        *printed = NULL;
        return err_set(e, ERR_FAIL, "prog_exec_script: out of memory");
    }
    return 0;
}
