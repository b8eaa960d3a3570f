/* cmd_generate.c - `vkeve generate`: text generation from a GGUF model, one sample streamed or
 * K samples of one prompt (as the Solver draws them), as text or JSON lines. */
#include "tools/commands.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/afile.h"
#include "runtime/chat.h"
#include "runtime/gen.h"
#include "tools/cmd_json.h"

const char cmd_generate_usage[] =
    "usage: vkeve generate --model M.gguf (--prompt TEXT | --file F) [--chat] [-n N]\n"
    "                      [--temp T] [--top-k K] [--top-p P] [--min-p P] [--repeat-penalty R]\n"
    "                      [--seed S] [--samples K] [--stop TEXT]... [--top-logprobs N]\n"
    "                      [--ctx N] [--json]\n\n"
    "Generates from the prompt (special tokens in it are parsed) and streams the text of one\n"
    "sample to stdout; with --samples K prints all K samples, each after a '--- sample k'\n"
    "line. Tokens per second go to stderr at the end.\n"
    "  --chat             wrap the prompt as a user message in the model's chat format\n"
    "  -n N               at most N new tokens per sample (default 256)\n"
    "  --temp T           temperature; 0 is greedy (default 1)\n"
    "  --top-k K, --top-p P, --min-p P, --repeat-penalty R   sampling filters (default off)\n"
    "  --seed S           the seed; the same seed gives the same tokens (default 0)\n"
    "  --samples K        K samples of the prompt, sharing its computation (default 1)\n"
    "  --stop TEXT        end a sample at TEXT (not printed); may be repeated\n"
    "  --top-logprobs N   with --json, the N most likely alternatives of every token\n"
    "  --ctx N            tokens per sequence (default: the model's, at most 4096)\n"
    "  --json             one JSON object per sample: prompt ids, ids, logprobs, text, finish\n";

enum { MAX_STOPS = 16 };

typedef struct gen_args {
    const char *model, *prompt, *file;
    const char *stops[MAX_STOPS];
    int n_stops, chat, json, ctx;
    gen_request r;
} gen_args;

static int parse_float(const char *s, double lo, double hi, float *out)
{
    char *end;
    double v = s ? strtod(s, &end) : NAN;
    if (!s || !*s || *end || !(v >= lo && v <= hi))
        return 1;
    *out = (float)v;
    return 0;
}

static int parse_number(gen_args *a, const char *opt, const char *val)
{
    long v = 0;
    sample_params *p = &a->r.sampling;
    if (!strcmp(opt, "--temp"))
        return parse_float(val, 0, 100, &p->temperature);
    if (!strcmp(opt, "--top-p"))
        return parse_float(val, 0, 1, &p->top_p);
    if (!strcmp(opt, "--min-p"))
        return parse_float(val, 0, 1, &p->min_p);
    if (!strcmp(opt, "--repeat-penalty"))
        return parse_float(val, 0.01, 100, &p->repetition_penalty);
    int bad = cmd_parse_int(val, 0, 1L << 30, &v);
    if (!strcmp(opt, "-n"))
        a->r.max_tokens = (int)v, bad |= v < 1;
    else if (!strcmp(opt, "--top-k"))
        p->top_k = (int)v;
    else if (!strcmp(opt, "--seed"))
        a->r.seed = (uint64_t)v;
    else if (!strcmp(opt, "--samples"))
        a->r.n_samples = (int)v, bad |= v < 1 || v > 1000;
    else if (!strcmp(opt, "--top-logprobs"))
        p->n_top = (int)v, bad |= v > SAMPLE_MAX_TOP;
    else
        a->ctx = (int)v, bad |= v < 2;
    return bad;
}

static int parse_args(int argc, char **argv, gen_args *a)
{
    static const char *const numbers[] = {
        "-n",     "--temp",    "--top-k",        "--top-p", "--min-p", "--repeat-penalty",
        "--seed", "--samples", "--top-logprobs", "--ctx"};
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        bool number = false;
        for (size_t k = 0; k < sizeof numbers / sizeof numbers[0]; k++)
            number |= !strcmp(o, numbers[k]);
        if (!strcmp(o, "--chat") || !strcmp(o, "--json")) {
            *(o[2] == 'c' ? &a->chat : &a->json) = 1;
            continue;
        }
        if (!v)
            return cmd_usage_error(argv[0], "'%s' needs a value", o);
        i++;
        if (number && parse_number(a, o, v))
            return cmd_usage_error(argv[0], "bad value '%s' for %s", v, o);
        else if (!strcmp(o, "--model"))
            a->model = v;
        else if (!strcmp(o, "--prompt"))
            a->prompt = v;
        else if (!strcmp(o, "--file"))
            a->file = v;
        else if (!strcmp(o, "--stop") && a->n_stops < MAX_STOPS)
            a->stops[a->n_stops++] = v;
        else if (!number)
            return cmd_usage_error(argv[0], "unexpected argument '%s'", o);
    }
    if (!a->model || !a->prompt == !a->file)
        return cmd_usage_error(argv[0], "give --model and either --prompt or --file");
    return 0;
}

/* The prompt's ids: its text with special tokens parsed, or as one chat user message. */
static int prompt_ids(const gen_args *a, const gguf_file *f, const tok *t, tok_ids *ids, errmsg *e)
{
    size_t len = 0;
    char *text = NULL;
    if (a->file && afile_read(a->file, CMD_MAX_TEXT_BYTES, "a prompt file", &text, &len, e))
        return ERR_ENV;
    if (!a->file)
        len = strlen(a->prompt);
    const char *p = a->file ? text : a->prompt;
    int rc;
    if (a->chat) {
        chat_fmt c;
        chat_part part = {p, len, 0};
        chat_msg msg = {CHAT_USER, &part, 1};
        rc = chat_init(&c, t, f, CHAT_AUTO, e) ||
             chat_encode(&c, &msg, 1, CHAT_GENERATION_PROMPT, ids, NULL, e);
    } else {
        rc = tok_encode(t, p, len, TOK_PARSE_SPECIAL, ids, e);
    }
    free(text);
    return rc ? (e->code ? e->code : ERR_FAIL) : 0;
}

/* Streams sample 0's text as it comes (one sample, not JSON). */
static void stream(void *user, int request, int sample, int32_t id, const char *text, size_t len)
{
    (void)user, (void)request, (void)id;
    if (sample == 0) {
        fwrite(text, 1, len, stdout);
        fflush(stdout);
    }
}

static void print_json(const tok_ids *prompt, const gen_result *r, int k, int n_top)
{
    const gen_sample *s = &r->samples[k];
    cJSON *o = cJSON_CreateObject(), *top = cJSON_CreateArray();
    cJSON_AddNumberToObject(o, "sample", k);
    cJSON_AddItemToObject(o, "prompt_ids", cmd_json_ids(prompt->v, (int)prompt->n));
    cmd_json_sample(o, s);
    for (int i = 0; n_top && i < s->n; i++) {
        cJSON *alt = cJSON_CreateObject();
        for (int j = 0; j < s->top[i].n_top; j++) {
            char id[16];
            snprintf(id, sizeof id, "%d", (int)s->top[i].top_ids[j]);
            cJSON_AddNumberToObject(alt, id, s->top[i].top_logprobs[j]);
        }
        cJSON_AddItemToArray(top, alt);
    }
    if (n_top)
        cJSON_AddItemToObject(o, "top_logprobs", top);
    else
        cJSON_Delete(top);
    char *line = cJSON_PrintUnformatted(o);
    if (line)
        puts(line);
    free(line);
    cJSON_Delete(o);
}

static void print_results(const gen_args *a, const tok_ids *prompt, const gen_result *r)
{
    for (int k = 0; k < r->n_samples; k++) {
        if (a->json)
            print_json(prompt, r, k, a->r.sampling.n_top);
        else if (r->n_samples > 1)
            printf("--- sample %d\n%s\n", k, r->samples[k].text ? r->samples[k].text : "");
    }
    if (!a->json && r->n_samples == 1)
        putchar('\n');
}

static int generate(gen_args *a, llm *m, const gguf_file *f, const tok *t, errmsg *e)
{
    tok_ids ids = {0};
    kv_cache *kv = NULL;
    gen_result *res = NULL;
    gen_stats st = {0};
    gen_opts o = {a->json || a->r.n_samples > 1 ? NULL : stream, NULL, &st};
    int rc = prompt_ids(a, f, t, &ids, e) || llm_new_cache(m, 0, &kv, e);
    if (!rc) {
        a->r.ids = ids.v;
        a->r.n_ids = (int)ids.n;
        a->r.stops = a->stops;
        a->r.n_stops = a->n_stops;
        rc = gen_run(m, kv, t, &a->r, 1, &o, &res, e);
    }
    if (!rc && res[0].samples[0].finish == GEN_REFUSED)
        rc = err_set(e, ERR_FAIL, "%s", res[0].error);
    if (!rc) {
        print_results(a, &ids, &res[0]);
        fprintf(stderr,
                "vkeve generate: %ld prompt + %ld generated tokens in %.2f s, "
                "%.1f tokens/s\n",
                st.prompt_tokens, st.generated_tokens, st.seconds,
                (double)(st.prompt_tokens + st.generated_tokens) /
                    (st.seconds > 0 ? st.seconds : 1));
    }
    gen_results_free(res, 1);
    kv_free(kv);
    tok_ids_free(&ids);
    return rc ? (e->code ? e->code : ERR_FAIL) : 0;
}

int cmd_generate(int argc, char **argv)
{
    gen_args a = {.r = gen_default_request()};
    int r = parse_args(argc, argv, &a);
    if (r)
        return r;
    errmsg e = {0};
    gguf_file *f = NULL;
    vk_ctx *ctx = NULL;
    tok *t = NULL;
    llm *m = NULL;
    llm_opts o = llm_default_opts();
    o.n_ctx = a.ctx;
    int rc = gguf_open(a.model, &f, &e) || tok_load(f, &t, &e);
    if (!rc && !(ctx = vk_open(-1, &e)))
        rc = e.code;
    if (!rc)
        rc = llm_load(ctx, f, &o, &m, &e) || generate(&a, m, f, t, &e);
    if (rc)
        fprintf(stderr, "vkeve generate: %s\n", e.text);
    llm_free(m);
    tok_free(t);
    vk_close(ctx);
    gguf_close(f);
    return rc ? (e.code == ERR_ENV ? 2 : 1) : 0;
}
