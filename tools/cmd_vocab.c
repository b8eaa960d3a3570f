/* cmd_vocab.c - `vkeve vocab-gguf TOKENIZER.json OUT.gguf`: a GGUF holding only the tokenizer
 * keys of a Hugging Face byte-level BPE tokenizer, so tokenizer tests and benchmarks can use a
 * real vocabulary (Qwen2's 151k) without downloading model weights.
 *
 * The keys are written as llama.cpp's converter (convert_hf_to_gguf.py: get_vocab_base,
 * _set_vocab_gpt2, gguf.SpecialVocab) writes them:
 *   - one token per id up to the vocabulary size; ids with no token become "[PAD{id}]" of
 *     type UNUSED (5), so a model whose embedding has more rows than the tokenizer still has a
 *     token for every row (Qwen2: 151,936 rows, 151,665 tokens);
 *   - added tokens are CONTROL (3) when marked special or when they look special ("<|...|>",
 *     "<pad>", "<mask>", ...), otherwise USER_DEFINED (4) with U+2581 turned into spaces; every
 *     other token is NORMAL (1);
 *   - merges as "left right" strings (the newer pair form joined by a space, spaces inside a
 *     part spelt U+0120 as the converter does);
 *   - bos/eos/unk/sep/pad ids from tokenizer_config.json's *_token entries, looked up among
 *     tokenizer.json's added tokens, then config.json's *_token_id for those still unset;
 *     add_bos_token/add_eos_token and chat_template from tokenizer_config.json when present.
 * Both JSON files are read from TOKENIZER.json's folder when they exist. The converter also
 * round-trips non-normalized added tokens through the HF tokenizer; that is the identity for
 * the tokens of the vocabularies vkeve targets and is not repeated here.
 */
#include "tools/commands.h"

#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/gguf.h"

const char cmd_vocab_usage[] =
    "usage: vkeve vocab-gguf TOKENIZER.json OUT.gguf [--pad-to N] [--pre NAME]\n\n"
    "Converts a Hugging Face byte-level BPE tokenizer (tokenizer.json, plus\n"
    "tokenizer_config.json and config.json from the same folder when present) into a GGUF\n"
    "file holding only the tokenizer.* keys, as llama.cpp's converter writes them.\n"
    "  --pad-to N   vocabulary size: ids up to N-1 with no token become [PAD{id}] (the\n"
    "               model's vocab_size, 151936 for Qwen2); default: no padding\n"
    "  --pre NAME   tokenizer.ggml.pre (default qwen2)\n";

enum { N_SPECIAL = 5 };
static const char *const special_names[N_SPECIAL] = {"bos", "eos", "unk", "sep", "pad"};
static const char *const special_keys[N_SPECIAL] = {
    "tokenizer.ggml.bos_token_id", "tokenizer.ggml.eos_token_id", "tokenizer.ggml.unknown_token_id",
    "tokenizer.ggml.seperator_token_id", "tokenizer.ggml.padding_token_id"};

typedef struct vocab {
    int32_t n;
    char **tokens;
    int32_t *types;
    char **merges;
    size_t n_merges;
    int64_t special[N_SPECIAL];
    int add_bos, add_eos; /* -1: not given */
    char *chat_template;
} vocab;

static cJSON *read_json(const char *path, int required)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        if (required)
            fprintf(stderr, "vkeve vocab-gguf: cannot open %s\n", path);
        return NULL;
    }
    fseek(fp, 0, SEEK_END);
    long size = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    char *buf = size >= 0 ? malloc((size_t)size + 1) : NULL;
    size_t got = buf ? fread(buf, 1, (size_t)size, fp) : 0;
    fclose(fp);
    cJSON *j = NULL;
    if (buf && got == (size_t)size) {
        buf[got] = 0;
        j = cJSON_ParseWithLength(buf, got);
    }
    free(buf);
    if (!j)
        fprintf(stderr, "vkeve vocab-gguf: %s is not readable JSON\n", path);
    return j;
}

/* The file `name` in the folder of `path`. */
static char *sibling(const char *path, const char *name)
{
    const char *slash = strrchr(path, '/');
    size_t dir = slash ? (size_t)(slash - path + 1) : 0;
    char *s = malloc(dir + strlen(name) + 1);
    if (s) {
        memcpy(s, path, dir);
        strcpy(s + dir, name);
    }
    return s;
}

static int looks_special(const char *s)
{
    size_t n = strlen(s);
    static const char *const words[] = {"<pad>", "<mask>", "<2mass>", "[@BOS@]"};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (strcmp(s, words[i]) == 0)
            return 1;
    return (n >= 4 && strncmp(s, "<|", 2) == 0 && strcmp(s + n - 2, "|>") == 0) ||
           (n >= 8 && strncmp(s, "<\xef\xbd\x9c", 4) == 0 &&
            strcmp(s + n - 4, "\xef\xbd\x9c>") == 0) ||
           (n >= 8 && strncmp(s, "<unused", 7) == 0 && s[n - 1] == '>');
}

/* s with every U+2581 replaced by a space (user-defined tokens). */
static char *spaces_for_u2581(const char *s)
{
    char *o = malloc(strlen(s) + 1), *p = o;
    if (!o)
        return NULL;
    while (*s) {
        if (strncmp(s, "\xe2\x96\x81", 3) == 0) {
            *p++ = ' ';
            s += 3;
        } else {
            *p++ = *s++;
        }
    }
    *p = 0;
    return o;
}

static int set_token(vocab *v, int64_t id, const char *text, int type, const char *file)
{
    if (id < 0 || id >= v->n) {
        fprintf(stderr,
                "vkeve vocab-gguf: %s: token id %lld outside the vocabulary (size %d)"
                "\n",
                file, (long long)id, (int)v->n);
        return 1;
    }
    free(v->tokens[id]);
    v->tokens[id] = type == 4 ? spaces_for_u2581(text) : strdup(text);
    v->types[id] = type;
    return v->tokens[id] ? 0 : 1;
}

/* The largest id in model.vocab and added_tokens, plus one. */
static int64_t count_ids(const cJSON *vocab_obj, const cJSON *added)
{
    int64_t n = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, vocab_obj) if (cJSON_IsNumber(it) && it->valuedouble + 1 > (double)n) n =
        (int64_t)it->valuedouble + 1;
    cJSON_ArrayForEach(it, added)
    {
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(it, "id");
        if (cJSON_IsNumber(id) && id->valuedouble + 1 > (double)n)
            n = (int64_t)id->valuedouble + 1;
    }
    return n;
}

static int fill_tokens(vocab *v, const cJSON *vocab_obj, const cJSON *added, const char *file)
{
    const cJSON *it;
    cJSON_ArrayForEach(
        it, vocab_obj) if (!cJSON_IsNumber(it) ||
                           set_token(v, (int64_t)it->valuedouble, it->string, 1, file)) return 1;
    cJSON_ArrayForEach(it, added)
    {
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(it, "id");
        const cJSON *content = cJSON_GetObjectItemCaseSensitive(it, "content");
        int special = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(it, "special"));
        if (!cJSON_IsNumber(id) || !cJSON_IsString(content)) {
            fprintf(stderr, "vkeve vocab-gguf: %s: an added token lacks id or content\n", file);
            return 1;
        }
        int type = special || looks_special(content->valuestring) ? 3 : 4;
        if (set_token(v, (int64_t)id->valuedouble, content->valuestring, type, file))
            return 1;
    }
    for (int32_t i = 0; i < v->n; i++) {
        if (v->tokens[i])
            continue;
        char pad[32];
        snprintf(pad, sizeof pad, "[PAD%d]", (int)i);
        if (set_token(v, i, pad, 5, file))
            return 1;
    }
    return 0;
}

/* A merge in either form: "a b", or ["a", "b"] joined with spaces inside parts as U+0120. */
static char *merge_text(const cJSON *m)
{
    if (cJSON_IsString(m))
        return strdup(m->valuestring);
    const cJSON *a = cJSON_GetArrayItem(m, 0), *b = cJSON_GetArrayItem(m, 1);
    if (!cJSON_IsArray(m) || cJSON_GetArraySize(m) != 2 || !cJSON_IsString(a) || !cJSON_IsString(b))
        return NULL;
    char *o = malloc(2 * (strlen(a->valuestring) + strlen(b->valuestring)) + 2), *p = o;
    for (int k = 0; o && k < 2; k++) {
        if (k)
            *p++ = ' ';
        for (const char *s = (k ? b : a)->valuestring; *s; s++) {
            if (*s == ' ') {
                memcpy(p, "\xc4\xa0", 2);
                p += 2;
            } else {
                *p++ = *s;
            }
        }
    }
    if (o)
        *p = 0;
    return o;
}

static int fill_merges(vocab *v, const cJSON *merges, const char *file)
{
    v->merges = calloc((size_t)cJSON_GetArraySize(merges) + 1, sizeof *v->merges);
    if (!v->merges)
        return 1;
    const cJSON *m;
    cJSON_ArrayForEach(m, merges)
    {
        v->merges[v->n_merges] = merge_text(m);
        if (!v->merges[v->n_merges]) {
            fprintf(stderr,
                    "vkeve vocab-gguf: %s: model.merges item %zu is neither \"a b\" nor "
                    "[\"a\", \"b\"]\n",
                    file, v->n_merges);
            return 1;
        }
        v->n_merges++;
    }
    return 0;
}

/* The id of an added token with this content (the converter looks only there). */
static int64_t added_id(const cJSON *added, const char *content)
{
    const cJSON *it;
    cJSON_ArrayForEach(it, added)
    {
        const cJSON *c = cJSON_GetObjectItemCaseSensitive(it, "content");
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(it, "id");
        if (cJSON_IsString(c) && cJSON_IsNumber(id) && strcmp(c->valuestring, content) == 0)
            return (int64_t)id->valuedouble;
    }
    return -1;
}

static void add_flag(const cJSON *cfg, const char *key, int *out)
{
    const cJSON *j = cJSON_GetObjectItemCaseSensitive(cfg, key);
    if (cJSON_IsBool(j))
        *out = cJSON_IsTrue(j);
}

static void read_tokenizer_config(vocab *v, const cJSON *cfg, const cJSON *added)
{
    char key[32];
    for (int k = 0; k < N_SPECIAL; k++) {
        snprintf(key, sizeof key, "%s_token", special_names[k]);
        const cJSON *j = cJSON_GetObjectItemCaseSensitive(cfg, key);
        if (cJSON_IsObject(j))
            j = cJSON_GetObjectItemCaseSensitive(j, "content");
        if (cJSON_IsString(j))
            v->special[k] = added_id(added, j->valuestring);
    }
    add_flag(cfg, "add_bos_token", &v->add_bos);
    add_flag(cfg, "add_eos_token", &v->add_eos);
    const cJSON *tmpl = cJSON_GetObjectItemCaseSensitive(cfg, "chat_template");
    if (cJSON_IsString(tmpl))
        v->chat_template = strdup(tmpl->valuestring);
}

static void read_model_config(vocab *v, const cJSON *cfg)
{
    char key[32];
    for (int k = 0; k < N_SPECIAL; k++) {
        snprintf(key, sizeof key, "%s_token_id", special_names[k]);
        const cJSON *j = cJSON_GetObjectItemCaseSensitive(cfg, key);
        if (v->special[k] < 0 && cJSON_IsNumber(j))
            v->special[k] = (int64_t)j->valuedouble;
    }
}

static void read_configs(vocab *v, const char *path, const cJSON *added)
{
    char *p = sibling(path, "tokenizer_config.json");
    cJSON *cfg = p ? read_json(p, 0) : NULL;
    if (cfg)
        read_tokenizer_config(v, cfg, added);
    cJSON_Delete(cfg);
    free(p);
    p = sibling(path, "config.json");
    cfg = p ? read_json(p, 0) : NULL;
    if (cfg)
        read_model_config(v, cfg);
    cJSON_Delete(cfg);
    free(p);
}

static int build_vocab(vocab *v, const cJSON *root, const char *path, long pad_to)
{
    const cJSON *model = cJSON_GetObjectItemCaseSensitive(root, "model");
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(model, "type");
    const cJSON *vocab_obj = cJSON_GetObjectItemCaseSensitive(model, "vocab");
    const cJSON *merges = cJSON_GetObjectItemCaseSensitive(model, "merges");
    const cJSON *added = cJSON_GetObjectItemCaseSensitive(root, "added_tokens");
    if (!cJSON_IsString(type) || strcmp(type->valuestring, "BPE") != 0 ||
        !cJSON_IsObject(vocab_obj) || !cJSON_IsArray(merges)) {
        fprintf(stderr,
                "vkeve vocab-gguf: %s: not a BPE tokenizer (model.type \"BPE\" with "
                "model.vocab and model.merges)\n",
                path);
        return 1;
    }
    int64_t n = count_ids(vocab_obj, added);
    if (pad_to && pad_to < n) {
        fprintf(stderr, "vkeve vocab-gguf: %s has ids up to %lld; --pad-to %ld is too small\n",
                path, (long long)n - 1, pad_to);
        return 1;
    }
    v->n = (int32_t)(pad_to > n ? pad_to : n);
    v->tokens = calloc((size_t)v->n, sizeof *v->tokens);
    v->types = calloc((size_t)v->n, sizeof *v->types);
    if (!v->tokens || !v->types || fill_tokens(v, vocab_obj, added, path) ||
        fill_merges(v, merges, path))
        return 1;
    read_configs(v, path, added);
    return 0;
}

static int write_vocab(const vocab *v, const char *pre, const char *out)
{
    gguf_writer *w = gguf_writer_new();
    if (!w) {
        fprintf(stderr, "vkeve vocab-gguf: out of memory\n");
        return 1;
    }
    gguf_add_str(w, "tokenizer.ggml.model", "gpt2");
    gguf_add_str(w, "tokenizer.ggml.pre", pre);
    gguf_add_arr(w, "tokenizer.ggml.tokens", GGUF_STR, v->tokens, (uint64_t)v->n);
    gguf_add_arr(w, "tokenizer.ggml.token_type", GGUF_I32, v->types, (uint64_t)v->n);
    gguf_add_arr(w, "tokenizer.ggml.merges", GGUF_STR, v->merges, v->n_merges);
    for (int k = 0; k < N_SPECIAL; k++)
        if (v->special[k] >= 0 && v->special[k] < v->n)
            gguf_add_u32(w, special_keys[k], (uint32_t)v->special[k]);
    if (v->add_bos >= 0)
        gguf_add_bool(w, "tokenizer.ggml.add_bos_token", v->add_bos);
    if (v->add_eos >= 0)
        gguf_add_bool(w, "tokenizer.ggml.add_eos_token", v->add_eos);
    if (v->chat_template)
        gguf_add_str(w, "tokenizer.chat_template", v->chat_template);
    errmsg e;
    int rc = gguf_writer_write(w, out, &e);
    if (rc)
        fprintf(stderr, "vkeve vocab-gguf: %s\n", e.text);
    gguf_writer_free(w);
    return rc ? 1 : 0;
}

static void free_vocab(vocab *v)
{
    for (int32_t i = 0; v->tokens && i < v->n; i++)
        free(v->tokens[i]);
    for (size_t i = 0; i < v->n_merges; i++)
        free(v->merges[i]);
    free(v->tokens);
    free(v->types);
    free(v->merges);
    free(v->chat_template);
}

int cmd_vocab(int argc, char **argv)
{
    const char *files[2] = {0}, *pre = "qwen2";
    long pad_to = 0;
    int n_files = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--pad-to") == 0 && i + 1 < argc) {
            if (cmd_parse_int(argv[++i], 1, INT32_MAX, &pad_to))
                return cmd_usage_error(argv[0], "bad --pad-to '%s'", argv[i]);
        } else if (strcmp(argv[i], "--pre") == 0 && i + 1 < argc) {
            pre = argv[++i];
        } else if (argv[i][0] == '-' || n_files == 2) {
            return cmd_usage_error(argv[0], "unexpected argument '%s'", argv[i]);
        } else {
            files[n_files++] = argv[i];
        }
    }
    if (n_files != 2)
        return cmd_usage_error(argv[0], "expected TOKENIZER.json and OUT.gguf");
    cJSON *root = read_json(files[0], 1);
    if (!root)
        return 1;
    vocab v = {.add_bos = -1, .add_eos = -1};
    for (int k = 0; k < N_SPECIAL; k++)
        v.special[k] = -1;
    int rc = build_vocab(&v, root, files[0], pad_to) || write_vocab(&v, pre, files[1]);
    cJSON_Delete(root);
    free_vocab(&v);
    return rc;
}
