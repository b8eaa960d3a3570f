/* tok.c - the tokenizer of tok.h: loading the vocabulary from GGUF metadata, the special-
 * token scan, pre-tokenizer regexes (PCRE2), byte-level and SentencePiece BPE, decoding.
 *
 * Regexes are the ones llama.cpp runs for each `tokenizer.ggml.pre` name (src/llama-vocab.cpp;
 * Qwen2's `(?i:'s|...)` spelt with explicit character classes, as llama.cpp does, so that a
 * caseless match cannot reach U+017F). Gaps between regex matches become pieces too, as in
 * Hugging Face's "Isolated" split; with PCRE2_MATCH_INVALID_UTF that is where invalid bytes
 * end up.
 */
#include "runtime/tok.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/utf8.h"

enum { MAX_REGEX = 4 };

/* One merge of the byte-level vocabulary: (left id, right id) -> rank and merged id. */
typedef struct merge_slot {
    uint64_t key; /* (left << 32 | right) + 1; 0 marks an empty slot */
    int32_t rank, id;
} merge_slot;

struct tok {
    tok_model model;
    char pre[32];
    int32_t n;
    char *text;       /* every vocabulary string, NUL-terminated, back to back */
    size_t *text_off; /* n + 1 offsets into text */
    char *piece;      /* every token's decoded bytes, back to back */
    size_t *piece_off;
    uint8_t *type;
    float *score;     /* llama only */
    int32_t *tok_map; /* open addressing over text; -1 empty */
    uint32_t tok_mask;
    merge_slot *merges; /* gpt2 only */
    uint32_t merge_mask;
    int32_t byte_tok[256]; /* gpt2: the token of one byte; llama: its <0xNN> token (or -1) */
    int32_t *special;      /* CONTROL/UNKNOWN/USER_DEFINED ids, longest text first */
    int n_special;
    uint8_t special_first[256]; /* bytes that start some special token */
    pcre2_code *re[MAX_REGEX];
    int n_re;
    int ignore_merges, add_bos, add_space_prefix;
    int32_t bos, eos, eot, pad, unk;
    int32_t eog[16];
    int n_eog;
};

/* ---- small helpers ---------------------------------------------------------------------- */

int tok_ids_push(tok_ids *a, int32_t id)
{
    if (a->n == a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 64;
        int32_t *v = realloc(a->v, cap * sizeof *v);
        if (!v)
            return ERR_FAIL;
        a->v = v;
        a->cap = cap;
    }
    a->v[a->n++] = id;
    return 0;
}

void tok_ids_free(tok_ids *a)
{
    free(a->v);
    a->v = NULL;
    a->n = a->cap = 0;
}

static uint64_t hash_bytes(const char *p, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)p[i]) * 1099511628211ull;
    return h ^ (h >> 29);
}

static uint64_t hash_u64(uint64_t k)
{
    k *= 0x9e3779b97f4a7c15ull;
    return k ^ (k >> 31);
}

static uint32_t table_mask(size_t n)
{
    uint32_t cap = 16;
    while (cap < 2 * n)
        cap *= 2;
    return cap - 1;
}

/* Length of the UTF-8 character at p (at most n bytes); 1 for a byte that does not start a
 * complete, valid character, so invalid input advances one byte at a time. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
    size_t len = utf8_char(p, n);
    return len ? len : 1;
}

static size_t utf8_put(uint32_t cp, char *out)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xc0 | cp >> 6);
        out[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    out[0] = (char)(0xe0 | cp >> 12);
    out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
    out[2] = (char)(0x80 | (cp & 0x3f));
    return 3;
}

/* GPT-2's byte-to-unicode table: printable Latin-1 bytes stand for themselves, the other 68
 * bytes for U+0100 onwards in byte order. */
static uint32_t byte_cp(int b)
{
    if ((b >= 33 && b <= 126) || (b >= 161 && b <= 172) || b >= 174)
        return (uint32_t)b;
    int k = 0;
    for (int c = 0; c < b; c++)
        k += !((c >= 33 && c <= 126) || (c >= 161 && c <= 172) || c >= 174);
    return 256u + (uint32_t)k;
}

/* ---- public queries --------------------------------------------------------------------- */

tok_model tok_get_model(const tok *t)
{
    return t->model;
}
const char *tok_pre(const tok *t)
{
    return t->pre;
}
int32_t tok_n_vocab(const tok *t)
{
    return t->n;
}
int32_t tok_bos(const tok *t)
{
    return t->bos;
}
int32_t tok_eos(const tok *t)
{
    return t->eos;
}
int32_t tok_eot(const tok *t)
{
    return t->eot;
}
int32_t tok_pad(const tok *t)
{
    return t->pad;
}
int tok_add_bos(const tok *t)
{
    return t->add_bos;
}

int tok_type(const tok *t, int32_t id)
{
    return id >= 0 && id < t->n ? t->type[id] : 0;
}

const char *tok_text(const tok *t, int32_t id, size_t *len)
{
    *len = 0;
    if (id < 0 || id >= t->n)
        return NULL;
    *len = t->text_off[id + 1] - t->text_off[id] - 1;
    return t->text + t->text_off[id];
}

const char *tok_piece(const tok *t, int32_t id, size_t *len)
{
    *len = 0;
    if (id < 0 || id >= t->n)
        return NULL;
    *len = t->piece_off[id + 1] - t->piece_off[id];
    return t->piece + t->piece_off[id];
}

int32_t tok_find(const tok *t, const char *text, size_t len)
{
    for (uint32_t i = (uint32_t)hash_bytes(text, len) & t->tok_mask;; i = (i + 1) & t->tok_mask) {
        int32_t id = t->tok_map[i];
        if (id < 0)
            return -1;
        size_t l;
        const char *s = tok_text(t, id, &l);
        if (l == len && memcmp(s, text, len) == 0)
            return id;
    }
}

int tok_is_eog(const tok *t, int32_t id)
{
    for (int i = 0; i < t->n_eog; i++)
        if (t->eog[i] == id)
            return 1;
    return 0;
}

const int32_t *tok_eog(const tok *t, int *n)
{
    *n = t->n_eog;
    return t->eog;
}

void tok_free(tok *t)
{
    if (!t)
        return;
    for (int i = 0; i < t->n_re; i++)
        pcre2_code_free(t->re[i]);
    free(t->text);
    free(t->text_off);
    free(t->piece);
    free(t->piece_off);
    free(t->type);
    free(t->score);
    free(t->tok_map);
    free(t->merges);
    free(t->special);
    free(t);
}

/* ---- loading: tokens, types, scores ----------------------------------------------------- */

/* An optional token-id key: -1 when absent or negative, an error when past the vocabulary. */
static int opt_id(const gguf_file *f, const char *key, int32_t n, int32_t *out, errmsg *e)
{
    int64_t v;
    *out = -1;
    if (!gguf_find_key(f, key))
        return 0;
    if (gguf_get_i64(f, key, &v, e))
        return e->code;
    if (v >= n)
        return err_set(e, ERR_FAIL, "%s: %s = %lld is not a token (the vocabulary has %d)",
                       gguf_path(f), key, (long long)v, (int)n);
    *out = v < 0 ? -1 : (int32_t)v;
    return 0;
}

static int opt_bool(const gguf_file *f, const char *key, int def, int *out, errmsg *e)
{
    *out = def;
    return gguf_find_key(f, key) ? gguf_get_bool(f, key, out, e) : 0;
}

static int load_tokens(tok *t, const gguf_file *f, errmsg *e)
{
    const gguf_value *v;
    if (gguf_get_arr(f, "tokenizer.ggml.tokens", GGUF_STR, &v, e))
        return e->code;
    uint64_t n = gguf_arr_count(v);
    if (n == 0 || n > (1u << 30))
        return err_set(e, ERR_FAIL, "%s: tokenizer.ggml.tokens has %llu tokens", gguf_path(f),
                       (unsigned long long)n);
    t->n = (int32_t)n;
    size_t total = 0, len;
    for (uint64_t i = 0; i < n; i++) {
        gguf_arr_str(v, i, &len);
        total += len + 1;
    }
    t->text = malloc(total);
    t->text_off = malloc((n + 1) * sizeof *t->text_off);
    t->type = malloc(n);
    t->piece = malloc(total);
    t->piece_off = malloc((n + 1) * sizeof *t->piece_off);
    if (!t->text || !t->text_off || !t->type || !t->piece || !t->piece_off)
        return err_set(e, ERR_FAIL, "%s: out of memory for %llu tokens", gguf_path(f),
                       (unsigned long long)n);
    t->text_off[0] = 0;
    for (uint64_t i = 0; i < n; i++) {
        const char *s = gguf_arr_str(v, i, &len);
        memcpy(t->text + t->text_off[i], s, len + 1);
        t->text_off[i + 1] = t->text_off[i] + len + 1;
    }
    return 0;
}

/* An optional per-token array must have one item per token. */
static int per_token_arr(const gguf_file *f, const char *key, int32_t n, const gguf_value **v,
                         errmsg *e)
{
    *v = NULL;
    if (!gguf_find_key(f, key))
        return 0;
    if (gguf_get_arr(f, key, -1, v, e))
        return e->code;
    if (gguf_arr_count(*v) != (uint64_t)n)
        return err_set(e, ERR_FAIL, "%s: %s has %llu items but tokenizer.ggml.tokens has %d",
                       gguf_path(f), key, (unsigned long long)gguf_arr_count(*v), (int)n);
    return 0;
}

static int load_types_scores(tok *t, const gguf_file *f, errmsg *e)
{
    const gguf_value *types, *scores;
    if (per_token_arr(f, "tokenizer.ggml.token_type", t->n, &types, e) ||
        per_token_arr(f, "tokenizer.ggml.scores", t->n, &scores, e))
        return e->code;
    for (int32_t i = 0; i < t->n; i++) {
        int64_t ty = TOK_NORMAL;
        if (types && gguf_arr_i64(types, (uint64_t)i, &ty))
            return err_set(e, ERR_FAIL, "%s: tokenizer.ggml.token_type is not an integer array",
                           gguf_path(f));
        t->type[i] = ty >= TOK_NORMAL && ty <= TOK_BYTE ? (uint8_t)ty : TOK_NORMAL;
    }
    if (t->model != TOK_MODEL_LLAMA)
        return 0;
    t->score = calloc((size_t)t->n, sizeof *t->score);
    if (!t->score)
        return err_set(e, ERR_FAIL, "%s: out of memory for token scores", gguf_path(f));
    for (int32_t i = 0; scores && i < t->n; i++) {
        double d;
        if (gguf_arr_f64(scores, (uint64_t)i, &d))
            return err_set(e, ERR_FAIL, "%s: tokenizer.ggml.scores is not a number array",
                           gguf_path(f));
        t->score[i] = (float)d;
    }
    return 0;
}

/* Text -> id map; where two tokens share a text the later id wins, as in llama.cpp. */
static int build_token_map(tok *t, const gguf_file *f, errmsg *e)
{
    t->tok_mask = table_mask((size_t)t->n);
    t->tok_map = malloc(((size_t)t->tok_mask + 1) * sizeof *t->tok_map);
    if (!t->tok_map)
        return err_set(e, ERR_FAIL, "%s: out of memory for the token map", gguf_path(f));
    memset(t->tok_map, 0xff, ((size_t)t->tok_mask + 1) * sizeof *t->tok_map);
    for (int32_t id = 0; id < t->n; id++) {
        size_t len, l;
        const char *s = tok_text(t, id, &len);
        uint32_t i = (uint32_t)hash_bytes(s, len) & t->tok_mask;
        for (; t->tok_map[i] >= 0; i = (i + 1) & t->tok_mask) {
            const char *o = tok_text(t, t->tok_map[i], &l);
            if (l == len && memcmp(o, s, len) == 0)
                break;
        }
        t->tok_map[i] = id;
    }
    return 0;
}

/* ---- loading: byte tokens, merges, pieces ----------------------------------------------- */

static int load_byte_tokens(tok *t, const gguf_file *f, errmsg *e)
{
    for (int b = 0; b < 256; b++) {
        char s[8];
        size_t len = t->model == TOK_MODEL_GPT2 ? utf8_put(byte_cp(b), s)
                                                : (size_t)snprintf(s, sizeof s, "<0x%02X>", b);
        t->byte_tok[b] = tok_find(t, s, len);
        if (t->byte_tok[b] < 0 && t->model == TOK_MODEL_GPT2)
            return err_set(e, ERR_FAIL,
                           "%s: tokenizer.ggml.tokens has no token '%.*s' for byte "
                           "0x%02x, which byte-level BPE needs",
                           gguf_path(f), (int)len, s, b);
    }
    return 0;
}

static int merge_insert(tok *t, int32_t l, int32_t r, int32_t rank, int32_t id)
{
    uint64_t key = ((uint64_t)(uint32_t)l << 32 | (uint32_t)r) + 1;
    uint32_t i = (uint32_t)hash_u64(key) & t->merge_mask;
    for (; t->merges[i].key; i = (i + 1) & t->merge_mask)
        if (t->merges[i].key == key)
            return 0; /* the first (lowest) rank of a repeated merge counts */
    t->merges[i] = (merge_slot){key, rank, id};
    return 0;
}

static const merge_slot *merge_find(const tok *t, int32_t l, int32_t r)
{
    uint64_t key = ((uint64_t)(uint32_t)l << 32 | (uint32_t)r) + 1;
    for (uint32_t i = (uint32_t)hash_u64(key) & t->merge_mask; t->merges[i].key;
         i = (i + 1) & t->merge_mask)
        if (t->merges[i].key == key)
            return &t->merges[i];
    return NULL;
}

/* One "left right" merge (split at the first space after the first byte, so that a left
 * part may itself be a space) -> its three ids; an error names the part that is no token. */
static int parse_merge(tok *t, const gguf_file *f, uint64_t i, const char *s, size_t len, char *tmp,
                       int32_t ids[3], errmsg *e)
{
    const char *sp = len > 1 ? memchr(s + 1, ' ', len - 1) : NULL;
    if (!sp)
        return err_set(e, ERR_FAIL,
                       "%s: tokenizer.ggml.merges item %llu '%.64s' is not two "
                       "tokens separated by a space",
                       gguf_path(f), (unsigned long long)i, s);
    size_t ll = (size_t)(sp - s), rl = len - ll - 1;
    memcpy(tmp, s, ll);
    memcpy(tmp + ll, sp + 1, rl);
    ids[0] = tok_find(t, s, ll);
    ids[1] = tok_find(t, sp + 1, rl);
    ids[2] = tok_find(t, tmp, ll + rl);
    for (int k = 0; k < 3; k++)
        if (ids[k] < 0)
            return err_set(e, ERR_FAIL,
                           "%s: tokenizer.ggml.merges item %llu '%.64s': '%.*s' is "
                           "not in tokenizer.ggml.tokens",
                           gguf_path(f), (unsigned long long)i, s,
                           (int)(k == 0   ? ll
                                 : k == 1 ? rl
                                          : ll + rl),
                           k == 0   ? s
                           : k == 1 ? sp + 1
                                    : tmp);
    return 0;
}

static int load_merges(tok *t, const gguf_file *f, errmsg *e)
{
    const gguf_value *v;
    if (gguf_get_arr(f, "tokenizer.ggml.merges", GGUF_STR, &v, e))
        return e->code;
    uint64_t n = gguf_arr_count(v);
    t->merge_mask = table_mask((size_t)n);
    t->merges = calloc((size_t)t->merge_mask + 1, sizeof *t->merges);
    size_t max = 0, len;
    for (uint64_t i = 0; i < n; i++)
        if (gguf_arr_str(v, i, &len) && len > max)
            max = len;
    char *tmp = malloc(max + 1);
    if (!t->merges || !tmp) {
        free(tmp);
        return err_set(e, ERR_FAIL, "%s: out of memory for %llu merges", gguf_path(f),
                       (unsigned long long)n);
    }
    int rc = 0;
    for (uint64_t i = 0; i < n && !rc; i++) {
        int32_t ids[3] = {-1, -1, -1};
        const char *s = gguf_arr_str(v, i, &len);
        rc = parse_merge(t, f, i, s, len, tmp, ids, e);
        if (!rc)
            merge_insert(t, ids[0], ids[1], (int32_t)i, ids[2]);
    }
    free(tmp);
    return rc;
}

static uint32_t utf8_cp(const unsigned char *p, size_t len)
{
    static const unsigned char lead_mask[5] = {0, 0x7f, 0x1f, 0x0f, 0x07};
    uint32_t cp = p[0] & lead_mask[len];
    for (size_t i = 1; i < len; i++)
        cp = cp << 6 | (p[i] & 0x3f);
    return cp;
}

/* The bytes one token stands for, written to out (never longer than its text). */
static size_t token_piece(const tok *t, const int16_t *cp_byte, int32_t id, char *out)
{
    size_t len, n = 0;
    const unsigned char *s = (const unsigned char *)tok_text(t, id, &len);
    int ty = t->type[id];
    if (ty == TOK_CONTROL || ty == TOK_UNKNOWN || (ty == TOK_USER_DEFINED && cp_byte)) {
        memcpy(out, s, len);
        return len;
    }
    unsigned b;
    if (!cp_byte && ty == TOK_BYTE && len == 6 && sscanf((const char *)s, "<0x%2X>", &b) == 1) {
        out[0] = (char)b;
        return 1;
    }
    for (size_t i = 0; i < len;) {
        size_t cl = utf8_len(s + i, len - i);
        uint32_t cp = cl > 1 || s[i] < 0x80 ? utf8_cp(s + i, cl) : 0xfffd;
        if (cp_byte && cp < 512 && cp_byte[cp] >= 0)
            out[n++] = (char)cp_byte[cp];
        else if (!cp_byte && cp == 0x2581)
            out[n++] = ' ';
        else
            for (size_t k = 0; k < cl; k++)
                out[n++] = (char)s[i + k];
        i += cl;
    }
    return n;
}

static void build_pieces(tok *t)
{
    int16_t cp_byte[512];
    memset(cp_byte, 0xff, sizeof cp_byte);
    for (int b = 0; b < 256; b++)
        cp_byte[byte_cp(b)] = (int16_t)b;
    t->piece_off[0] = 0;
    for (int32_t id = 0; id < t->n; id++)
        t->piece_off[id + 1] =
            t->piece_off[id] + token_piece(t, t->model == TOK_MODEL_GPT2 ? cp_byte : NULL, id,
                                           t->piece + t->piece_off[id]);
}

/* ---- loading: special tokens, regexes, end-of-generation -------------------------------- */

typedef struct len_id {
    size_t len;
    int32_t id;
} len_id;

static int by_length_desc(const void *a, const void *b)
{
    const len_id *x = a, *y = b;
    if (x->len != y->len)
        return (x->len < y->len) - (x->len > y->len);
    return (x->id > y->id) - (x->id < y->id);
}

static int load_specials(tok *t, const gguf_file *f, errmsg *e)
{
    len_id *tmp = malloc((size_t)t->n * sizeof *tmp);
    t->special = malloc((size_t)t->n * sizeof *t->special);
    if (!t->special || !tmp) {
        free(tmp);
        return err_set(e, ERR_FAIL, "%s: out of memory for special tokens", gguf_path(f));
    }
    for (int32_t id = 0; id < t->n; id++) {
        size_t len;
        const char *s = tok_text(t, id, &len);
        int ty = t->type[id];
        if (len && (ty == TOK_CONTROL || ty == TOK_UNKNOWN || ty == TOK_USER_DEFINED)) {
            tmp[t->n_special++] = (len_id){len, id};
            t->special_first[(unsigned char)s[0]] = 1;
        }
    }
    qsort(tmp, (size_t)t->n_special, sizeof *tmp, by_length_desc);
    for (int i = 0; i < t->n_special; i++)
        t->special[i] = tmp[i].id;
    free(tmp);
    return 0;
}

#define RE_GPT2 "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)"
#define RE_QWEN_HEAD                                                                               \
    "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])"                                    \
    "|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|"
#define RE_QWEN_TAIL "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"

/* tokenizer.ggml.pre names and their regexes, applied in sequence. */
static const struct pre_def {
    const char *names[4];
    const char *re[MAX_REGEX];
    int ignore_merges;
} pre_defs[] = {
    {{"qwen2"}, {RE_QWEN_HEAD "\\p{N}" RE_QWEN_TAIL}, 0},
    {{"llama3", "llama-v3", "llama-bpe"}, {RE_QWEN_HEAD "\\p{N}{1,3}" RE_QWEN_TAIL}, 1},
    {{"smollm"}, {"\\p{N}", RE_GPT2}, 0},
    {{"gpt2", "gpt-2"}, {RE_GPT2}, 0},
    {{"default"}, {"[\\p{P}\\$\\+<=>\\^~\\|]+", RE_GPT2, "\\p{N}+", "[0-9][0-9][0-9]"}, 0},
};

static const struct pre_def *find_pre(const char *name)
{
    for (size_t i = 0; i < sizeof pre_defs / sizeof pre_defs[0]; i++)
        for (int k = 0; k < 4 && pre_defs[i].names[k]; k++)
            if (strcmp(pre_defs[i].names[k], name) == 0)
                return &pre_defs[i];
    return NULL;
}

static int compile_regexes(tok *t, const gguf_file *f, const struct pre_def *d, errmsg *e)
{
    for (int i = 0; i < MAX_REGEX && d->re[i]; i++) {
        int code;
        PCRE2_SIZE at;
        t->re[i] = pcre2_compile((PCRE2_SPTR)d->re[i], PCRE2_ZERO_TERMINATED,
                                 PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF, &code, &at, NULL);
        if (!t->re[i]) {
            PCRE2_UCHAR msg[256];
            pcre2_get_error_message(code, msg, sizeof msg);
            return err_set(e, ERR_FAIL, "%s: pre-tokenizer '%s' regex %d: %s at %zu", gguf_path(f),
                           t->pre, i, (const char *)msg, (size_t)at);
        }
        t->n_re = i + 1;
        pcre2_jit_compile(t->re[i], PCRE2_JIT_COMPLETE); /* the interpreter if no JIT */
    }
    return 0;
}

static int load_pre(tok *t, const gguf_file *f, errmsg *e)
{
    const char *pre = "default";
    if (gguf_find_key(f, "tokenizer.ggml.pre") && gguf_get_str(f, "tokenizer.ggml.pre", &pre, e))
        return e->code;
    const struct pre_def *d = find_pre(pre);
    if (!d)
        return err_set(e, ERR_FAIL,
                       "%s: tokenizer.ggml.pre '%.64s' is not a pre-tokenizer vkeve "
                       "knows (qwen2, llama3, llama-bpe, smollm, gpt2, default)",
                       gguf_path(f), pre);
    snprintf(t->pre, sizeof t->pre, "%s", pre);
    t->ignore_merges = d->ignore_merges;
    return compile_regexes(t, f, d, e);
}

/* Texts of CONTROL tokens that end a turn in the chat formats vkeve knows. */
static const char *const eog_texts[] = {
    "<|im_end|>",         "<|eot_id|>",    "<|end|>",    "<end_of_turn>",
    "<end_of_utterance>", "<|endoftext|>", "<|eom_id|>",
};

static void add_eog(tok *t, int32_t id)
{
    if (id >= 0 && !tok_is_eog(t, id) && t->n_eog < (int)(sizeof t->eog / sizeof t->eog[0]))
        t->eog[t->n_eog++] = id;
}

static void load_eog(tok *t)
{
    add_eog(t, t->eos);
    for (size_t i = 0; i < sizeof eog_texts / sizeof eog_texts[0]; i++) {
        int32_t id = tok_find(t, eog_texts[i], strlen(eog_texts[i]));
        if (id >= 0 && t->type[id] == TOK_CONTROL) {
            if (t->eot < 0 && i < 5)
                t->eot = id;
            add_eog(t, id);
        }
    }
    add_eog(t, t->eot);
}

static int load_ids(tok *t, const gguf_file *f, errmsg *e)
{
    if (opt_id(f, "tokenizer.ggml.bos_token_id", t->n, &t->bos, e) ||
        opt_id(f, "tokenizer.ggml.eos_token_id", t->n, &t->eos, e) ||
        opt_id(f, "tokenizer.ggml.eot_token_id", t->n, &t->eot, e) ||
        opt_id(f, "tokenizer.ggml.padding_token_id", t->n, &t->pad, e) ||
        opt_id(f, "tokenizer.ggml.unknown_token_id", t->n, &t->unk, e))
        return e->code;
    int llama = t->model == TOK_MODEL_LLAMA;
    if (opt_bool(f, "tokenizer.ggml.add_bos_token", llama, &t->add_bos, e) ||
        opt_bool(f, "tokenizer.ggml.add_space_prefix", llama, &t->add_space_prefix, e))
        return e->code;
    if (t->add_bos && t->bos < 0)
        return err_set(e, ERR_FAIL,
                       "%s: tokenizer.ggml.add_bos_token is true but there is no "
                       "tokenizer.ggml.bos_token_id",
                       gguf_path(f));
    if (llama && t->unk < 0)
        t->unk = tok_find(t, "<unk>", 5);
    load_eog(t);
    return 0;
}

static int load_model(tok *t, const gguf_file *f, errmsg *e)
{
    const char *model;
    if (gguf_get_str(f, "tokenizer.ggml.model", &model, e))
        return e->code;
    if (strcmp(model, "gpt2") == 0)
        t->model = TOK_MODEL_GPT2;
    else if (strcmp(model, "llama") == 0)
        t->model = TOK_MODEL_LLAMA;
    else
        return err_set(e, ERR_FAIL,
                       "%s: tokenizer.ggml.model '%.64s' is not one vkeve knows "
                       "(gpt2: byte-level BPE, llama: SentencePiece)",
                       gguf_path(f), model);
    return 0;
}

int tok_load(const gguf_file *f, tok **out, errmsg *e)
{
    *out = NULL;
    tok *t = calloc(1, sizeof *t);
    if (!t)
        return err_set(e, ERR_FAIL, "%s: out of memory for the tokenizer", gguf_path(f));
    int gpt2 = 0;
    int rc = load_model(t, f, e) || load_tokens(t, f, e) || load_types_scores(t, f, e) ||
             build_token_map(t, f, e);
    gpt2 = !rc && t->model == TOK_MODEL_GPT2;
    rc = rc || load_byte_tokens(t, f, e) || (gpt2 && (load_pre(t, f, e) || load_merges(t, f, e))) ||
         load_specials(t, f, e) || load_ids(t, f, e);
    if (rc) {
        tok_free(t);
        return e->code;
    }
    build_pieces(t);
    *out = t;
    return 0;
}

/* ---- encoding: state, priority queue ---------------------------------------------------- */

/* A candidate merge of symbols left and right: lowest key first, then leftmost. For BPE key
 * is the rank, a/b the ids it joins and c the merged id; for SentencePiece key is -score, a
 * the joined length and c the merged id. */
typedef struct cand {
    double key;
    int32_t left, right, a, b, c;
} cand;

/* Per-call scratch: nothing shared, so encoding is thread-safe. */
typedef struct enc {
    const tok *t;
    tok_ids *out;
    errmsg *e;
    int flags, prev_special;
    pcre2_match_data *md;
    int32_t *id, *prev, *next;
    uint32_t *start, *len;
    size_t sym_cap;
    cand *heap;
    size_t heap_n, heap_cap;
    char *buf;
    size_t buf_cap;
} enc;

static int oom(enc *s)
{
    return err_set(s->e, ERR_FAIL, "tokenizer: out of memory");
}

static int reserve_syms(enc *s, size_t n)
{
    if (n <= s->sym_cap)
        return 0;
    size_t cap = n < 256 ? 256 : n;
    free(s->id);
    free(s->prev);
    free(s->next);
    free(s->start);
    free(s->len);
    s->id = malloc(cap * sizeof *s->id);
    s->prev = malloc(cap * sizeof *s->prev);
    s->next = malloc(cap * sizeof *s->next);
    s->start = malloc(cap * sizeof *s->start);
    s->len = malloc(cap * sizeof *s->len);
    s->sym_cap = cap;
    if (!s->id || !s->prev || !s->next || !s->start || !s->len) {
        s->sym_cap = 0;
        return oom(s);
    }
    return 0;
}

static int reserve_buf(enc *s, size_t n)
{
    if (n <= s->buf_cap)
        return 0;
    char *b = realloc(s->buf, n);
    if (!b)
        return oom(s);
    s->buf = b;
    s->buf_cap = n;
    return 0;
}

static int cand_less(const cand *x, const cand *y)
{
    return x->key < y->key || (x->key == y->key && x->left < y->left);
}

static int heap_push(enc *s, cand c)
{
    if (s->heap_n == s->heap_cap) {
        size_t cap = s->heap_cap ? 2 * s->heap_cap : 256;
        cand *h = realloc(s->heap, cap * sizeof *h);
        if (!h)
            return oom(s);
        s->heap = h;
        s->heap_cap = cap;
    }
    size_t i = s->heap_n++;
    for (; i && cand_less(&c, &s->heap[(i - 1) / 2]); i = (i - 1) / 2)
        s->heap[i] = s->heap[(i - 1) / 2];
    s->heap[i] = c;
    return 0;
}

static cand heap_pop(enc *s)
{
    cand top = s->heap[0], last = s->heap[--s->heap_n];
    size_t i = 0, n = s->heap_n;
    for (;;) {
        size_t k = 2 * i + 1;
        if (k >= n)
            break;
        if (k + 1 < n && cand_less(&s->heap[k + 1], &s->heap[k]))
            k++;
        if (!cand_less(&s->heap[k], &last))
            break;
        s->heap[i] = s->heap[k];
        i = k;
    }
    if (n)
        s->heap[i] = last;
    return top;
}

static int emit(enc *s, int32_t id)
{
    return tok_ids_push(s->out, id) ? oom(s) : 0;
}

/* Links symbols 0..n-1 in a list and empties the queue. */
static void link_syms(enc *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        s->prev[i] = (int32_t)i - 1;
        s->next[i] = i + 1 < n ? (int32_t)i + 1 : -1;
    }
    s->heap_n = 0;
}

/* Removes symbol r (right of l) after l absorbed it. */
static void unlink_right(enc *s, int32_t l, int32_t r)
{
    s->next[l] = s->next[r];
    if (s->next[r] >= 0)
        s->prev[s->next[r]] = l;
}

/* ---- encoding: byte-level BPE ----------------------------------------------------------- */

static int bpe_cand(enc *s, int32_t l, int32_t r)
{
    if (l < 0 || r < 0)
        return 0;
    const merge_slot *m = merge_find(s->t, s->id[l], s->id[r]);
    return m ? heap_push(s, (cand){m->rank, l, r, s->id[l], s->id[r], m->id}) : 0;
}

/* A piece spelt in byte-level characters is a token as a whole (llama3's ignore_merges). */
static int32_t whole_piece(enc *s, const unsigned char *p, size_t n)
{
    if (reserve_buf(s, 2 * n))
        return -2;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += utf8_put(byte_cp(p[i]), s->buf + k);
    return tok_find(s->t, s->buf, k);
}

static int bpe_piece(enc *s, const unsigned char *p, size_t n)
{
    const tok *t = s->t;
    if (n == 1)
        return emit(s, t->byte_tok[p[0]]);
    int32_t whole = t->ignore_merges ? whole_piece(s, p, n) : -1;
    if (whole != -1)
        return whole >= 0 ? emit(s, whole) : s->e->code;
    if (reserve_syms(s, n))
        return s->e->code;
    for (size_t i = 0; i < n; i++)
        s->id[i] = t->byte_tok[p[i]];
    link_syms(s, n);
    for (size_t i = 0; i + 1 < n; i++)
        if (bpe_cand(s, (int32_t)i, (int32_t)i + 1))
            return s->e->code;
    while (s->heap_n) {
        cand c = heap_pop(s);
        if (s->id[c.left] != c.a || s->next[c.left] != c.right || s->id[c.right] != c.b)
            continue; /* stale: one side has merged since */
        s->id[c.left] = c.c;
        s->id[c.right] = -1;
        unlink_right(s, c.left, c.right);
        if (bpe_cand(s, s->prev[c.left], c.left) || bpe_cand(s, c.left, s->next[c.left]))
            return s->e->code;
    }
    for (int32_t i = 0; i >= 0; i = s->next[i])
        if (emit(s, s->id[i]))
            return s->e->code;
    return 0;
}

static int regex_error(enc *s, int rc)
{
    PCRE2_UCHAR msg[256];
    pcre2_get_error_message(rc, msg, sizeof msg);
    return err_set(s->e, ERR_FAIL, "tokenizer: pre-tokenizer regex failed: %s", (const char *)msg);
}

/* Splits p[0..n) by regex `level` (matches and the gaps between them), then by the next
 * regex, and runs BPE on what the last one leaves. */
static int split(enc *s, int level, const char *p, size_t n)
{
    const tok *t = s->t;
    if (level == t->n_re)
        return bpe_piece(s, (const unsigned char *)p, n);
    size_t at = 0, from = 0;
    while (from < n) {
        int rc = pcre2_match(t->re[level], (PCRE2_SPTR)p, n, from, 0, s->md, NULL);
        if (rc == PCRE2_ERROR_NOMATCH)
            break;
        if (rc < 0)
            return regex_error(s, rc);
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(s->md);
        size_t ms = ov[0], me = ov[1];
        if (me == ms) { /* an empty match splits nothing */
            from = ms + utf8_len((const unsigned char *)p + ms, n - ms);
            continue;
        }
        if ((ms > at && split(s, level + 1, p + at, ms - at)) ||
            split(s, level + 1, p + ms, me - ms))
            return s->e->code;
        at = from = me;
    }
    return at < n ? split(s, level + 1, p + at, n - at) : 0;
}

/* ---- encoding: SentencePiece ------------------------------------------------------------ */

static int spm_cand(enc *s, int32_t l, int32_t r)
{
    if (l < 0 || r < 0)
        return 0;
    uint32_t len = s->len[l] + s->len[r];
    int32_t id = tok_find(s->t, s->buf + s->start[l], len);
    if (id < 0)
        return 0;
    return heap_push(s, (cand){-(double)s->t->score[id], l, r, (int32_t)len, 0, id});
}

/* Text with spaces spelt U+2581 (and one prepended when asked) into s->buf. */
static int spm_escape(enc *s, const char *p, size_t n, int prefix, size_t *out_n)
{
    if (reserve_buf(s, 3 * n + 4))
        return s->e->code;
    size_t k = 0;
    for (size_t i = 0; i < n + (size_t)prefix; i++) {
        char c = i < (size_t)prefix ? ' ' : p[i - (size_t)prefix];
        if (c == ' ') {
            memcpy(s->buf + k, "\xe2\x96\x81", 3);
            k += 3;
        } else {
            s->buf[k++] = c;
        }
    }
    *out_n = k;
    return 0;
}

/* A symbol that is no token is spelt with byte tokens (or the unknown token). */
static int spm_emit(enc *s, int32_t i)
{
    if (s->id[i] >= 0)
        return emit(s, s->id[i]);
    for (uint32_t k = 0; k < s->len[i]; k++) {
        unsigned char byte = (unsigned char)s->buf[s->start[i] + k];
        int32_t id = s->t->byte_tok[byte] >= 0 ? s->t->byte_tok[byte] : s->t->unk;
        if (id < 0)
            return err_set(s->e, ERR_FAIL,
                           "tokenizer: byte 0x%02x has no <0x..> token and the "
                           "vocabulary has no unknown token",
                           byte);
        if (emit(s, id))
            return s->e->code;
    }
    return 0;
}

static int spm_fragment(enc *s, const char *p, size_t n, int prefix)
{
    size_t m = 0, k = 0;
    if (spm_escape(s, p, n, prefix, &m) || reserve_syms(s, m))
        return s->e->code;
    for (size_t i = 0; i < m; k++) {
        s->start[k] = (uint32_t)i;
        s->len[k] = (uint32_t)utf8_len((const unsigned char *)s->buf + i, m - i);
        s->id[k] = tok_find(s->t, s->buf + i, s->len[k]);
        i += s->len[k];
    }
    link_syms(s, k);
    for (size_t i = 0; i + 1 < k; i++)
        if (spm_cand(s, (int32_t)i, (int32_t)i + 1))
            return s->e->code;
    while (s->heap_n) {
        cand c = heap_pop(s);
        if (s->next[c.left] != c.right || s->len[c.left] + s->len[c.right] != (uint32_t)c.a)
            continue;
        s->len[c.left] += s->len[c.right];
        s->len[c.right] = 0;
        s->id[c.left] = c.c;
        unlink_right(s, c.left, c.right);
        if (spm_cand(s, s->prev[c.left], c.left) || spm_cand(s, c.left, s->next[c.left]))
            return s->e->code;
    }
    for (int32_t i = k ? 0 : -1; i >= 0; i = s->next[i])
        if (spm_emit(s, i))
            return s->e->code;
    return 0;
}

/* ---- encoding: special tokens, entry point ---------------------------------------------- */

static int encode_text(enc *s, const char *p, size_t n)
{
    if (n == 0)
        return 0;
    int prefix = s->t->add_space_prefix && s->prev_special;
    s->prev_special = 0;
    if (s->t->model == TOK_MODEL_LLAMA)
        return spm_fragment(s, p, n, prefix);
    return split(s, 0, p, n);
}

/* The longest special token spelt at p that the flags allow; -1 if none. */
static int32_t match_special(const enc *s, const char *p, size_t n, size_t *len)
{
    const tok *t = s->t;
    for (int i = 0; i < t->n_special; i++) {
        int32_t id = t->special[i];
        if (t->type[id] != TOK_USER_DEFINED && !(s->flags & TOK_PARSE_SPECIAL))
            continue;
        const char *txt = tok_text(t, id, len);
        if (*len <= n && txt[0] == p[0] && memcmp(txt, p, *len) == 0)
            return id;
    }
    return -1;
}

static int encode_all(enc *s, const char *text, size_t len)
{
    size_t frag = 0;
    for (size_t i = 0; i < len;) {
        size_t l;
        int32_t id = s->t->special_first[(unsigned char)text[i]]
                         ? match_special(s, text + i, len - i, &l)
                         : -1;
        if (id < 0) {
            i++;
            continue;
        }
        if (encode_text(s, text + frag, i - frag) || emit(s, id))
            return s->e->code;
        s->prev_special = 1;
        i += l;
        frag = i;
    }
    return encode_text(s, text + frag, len - frag);
}

int tok_encode(const tok *t, const char *text, size_t len, int flags, tok_ids *out, errmsg *e)
{
    enc s = {.t = t, .out = out, .e = e, .flags = flags, .prev_special = 1};
    int rc = 0;
    if (t->n_re) {
        s.md = pcre2_match_data_create(1, NULL);
        if (!s.md)
            rc = oom(&s);
    }
    if (!rc && (flags & TOK_ADD_BOS) && t->add_bos)
        rc = emit(&s, t->bos);
    if (!rc)
        rc = encode_all(&s, text, len);
    pcre2_match_data_free(s.md);
    free(s.id);
    free(s.prev);
    free(s.next);
    free(s.start);
    free(s.len);
    free(s.heap);
    free(s.buf);
    return rc;
}

/* ---- decoding --------------------------------------------------------------------------- */

static int skipped(const tok *t, int32_t id, int flags)
{
    int ty = t->type[id];
    return !(flags & TOK_DECODE_SPECIAL) && (ty == TOK_CONTROL || ty == TOK_UNKNOWN);
}

int tok_decode(const tok *t, const int32_t *ids, size_t n, int flags, char **out, size_t *len,
               errmsg *e)
{
    size_t total = 0, k = 0, pl;
    *out = NULL;
    for (size_t i = 0; i < n; i++) {
        if (ids[i] < 0 || ids[i] >= t->n)
            return err_set(e, ERR_FAIL,
                           "tokenizer: id %d at %zu is not a token (vocabulary "
                           "has %d)",
                           (int)ids[i], i, (int)t->n);
        total += skipped(t, ids[i], flags) ? 0 : (tok_piece(t, ids[i], &pl), pl);
    }
    char *buf = malloc(total + 1);
    if (!buf)
        return err_set(e, ERR_FAIL, "tokenizer: out of memory decoding %zu tokens", n);
    int strip = t->model == TOK_MODEL_LLAMA && t->add_space_prefix;
    for (size_t i = 0; i < n; i++) {
        if (skipped(t, ids[i], flags))
            continue;
        const char *p = tok_piece(t, ids[i], &pl);
        size_t skip = strip && pl && p[0] == ' ' ? 1 : 0;
        strip = 0;
        memcpy(buf + k, p + skip, pl - skip);
        k += pl - skip;
    }
    buf[k] = 0;
    *out = buf;
    *len = k;
    return 0;
}
