/* test_tok.c - the tokenizer on small vocabularies written here with gguf_writer, where every
 * expected id can be worked out by hand: byte-level BPE (merge order, ties, special tokens,
 * half a special token, invalid UTF-8, empty input, 100 KB runs of one character in linear-
 * ish time), SentencePiece BPE (score order, leftmost ties, byte fallback, the space prefix,
 * BOS), ChatML on a vocabulary without vision tokens, and clear errors for broken tokenizer
 * metadata.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/rng.h"
#include "runtime/chat.h"
#include "runtime/gguf.h"
#include "runtime/tok.h"
#include "tests/testutil.h"

static char tmpdir[64];

/* Writes w to a temporary GGUF and loads a tokenizer from it; on failure returns NULL and
 * leaves the message in e. */
static tok *load_written(gguf_writer *w, const char *name, errmsg *e)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%s.gguf", tmpdir, name);
    gguf_file *f = NULL;
    tok *t = NULL;
    if (!gguf_writer_write(w, path, e) && !gguf_open(path, &f, e))
        tok_load(f, &t, e);
    gguf_close(f);
    gguf_writer_free(w);
    return t;
}

static int32_t enc1(const tok *t, const char *s, int flags, int32_t *out, int max)
{
    tok_ids ids = {0};
    errmsg e;
    T_CHECK(!tok_encode(t, s, strlen(s), flags, &ids, &e), "encode '%s': %s", s, e.text);
    int n = (int)ids.n;
    for (int i = 0; i < n && i < max; i++)
        out[i] = ids.v[i];
    tok_ids_free(&ids);
    return n;
}

static void expect_ids(const tok *t, const char *s, int flags, const int32_t *want, int n)
{
    int32_t got[64];
    int m = enc1(t, s, flags, got, 64);
    int ok = m == n && (n == 0 || memcmp(got, want, (size_t)n * sizeof *want) == 0);
    T_CHECK(ok, "'%s' (flags %d): %d ids, want %d; first got %d want %d", s, flags, m, n,
            m ? (int)got[0] : -1, n ? (int)want[0] : -1);
}

/* ---- byte-level BPE --------------------------------------------------------------------- */

/* Ids 0..255 are the byte characters in byte order (so id == byte), then: */
enum { AA = 256, AAAA, HE, LL, HELL, HELLO, G_H, IM_START, IM_END, THINK, N_BPE };

static void bpe_token(char **tok_text, int i)
{
    char buf[8];
    int cp = (i >= 33 && i <= 126) || (i >= 161 && i <= 172) || i >= 174 ? i : 0;
    if (!cp)
        for (int c = 0, k = 0; c <= i; c++)
            if (!((c >= 33 && c <= 126) || (c >= 161 && c <= 172) || c >= 174))
                cp = 256 + k++;
    if (cp < 0x80) {
        buf[0] = (char)cp;
        buf[1] = 0;
    } else {
        buf[0] = (char)(0xc0 | cp >> 6);
        buf[1] = (char)(0x80 | (cp & 0x3f));
        buf[2] = 0;
    }
    tok_text[i] = strdup(buf);
}

static gguf_writer *bpe_writer(const char *pre, const char *const *merges, int n_merges)
{
    static const char *const extra[] = {"aa",         "aaaa",   "he",        "ll",
                                        "hell",       "hello",  "\xc4\xa0h", "<|im_start|>",
                                        "<|im_end|>", "<think>"};
    char *tokens[N_BPE];
    int32_t types[N_BPE];
    for (int i = 0; i < N_BPE; i++) {
        if (i < 256)
            bpe_token(tokens, i);
        else
            tokens[i] = strdup(extra[i - 256]);
        types[i] = i == IM_START || i == IM_END ? TOK_CONTROL
                   : i == THINK                 ? TOK_USER_DEFINED
                                                : TOK_NORMAL;
    }
    gguf_writer *w = gguf_writer_new();
    gguf_add_str(w, "tokenizer.ggml.model", "gpt2");
    gguf_add_str(w, "tokenizer.ggml.pre", pre);
    gguf_add_arr(w, "tokenizer.ggml.tokens", GGUF_STR, tokens, N_BPE);
    gguf_add_arr(w, "tokenizer.ggml.token_type", GGUF_I32, types, N_BPE);
    gguf_add_arr(w, "tokenizer.ggml.merges", GGUF_STR, merges, (uint64_t)n_merges);
    gguf_add_u32(w, "tokenizer.ggml.eos_token_id", IM_END);
    for (int i = 0; i < N_BPE; i++)
        free(tokens[i]);
    return w;
}

static const char *const bpe_merges[] = {"a a",   "aa aa",  "h e",       "l l",
                                         "he ll", "hell o", "\xc4\xa0 h"};

static void check_bpe_basics(const tok *t)
{
    expect_ids(t, "hello", 0, (int32_t[]){HELLO}, 1);
    expect_ids(t, "aaaaa", 0, (int32_t[]){AAAA, 'a'}, 2); /* (a a) leftmost first, then aa aa */
    expect_ids(t, "aaa", 0, (int32_t[]){AA, 'a'}, 2);
    expect_ids(t, " hello", 0, (int32_t[]){' ', HELLO}, 2); /* "h e" ranks before "Ġ h" */
    expect_ids(t, " h", 0, (int32_t[]){G_H}, 1);
    expect_ids(t, "", 0, NULL, 0);
    expect_ids(t, "<|im_start|>hello", TOK_PARSE_SPECIAL, (int32_t[]){IM_START, HELLO}, 2);
    expect_ids(t, "<|im_sta", TOK_PARSE_SPECIAL,
               (int32_t[]){'<', '|', 'i', 'm', '_', 's', 't', 'a'}, 8);
    expect_ids(t, "<think>", 0, (int32_t[]){THINK}, 1); /* user-defined: always matched */
    int32_t got[32];
    int n = enc1(t, "<|im_start|>", 0, got, 32);
    T_CHECK(n == 12 && got[0] == '<', "'<|im_start|>' without special parsing: %d ids", n);
    T_CHECK(tok_is_eog(t, IM_END) && tok_eos(t) == IM_END && !tok_is_eog(t, IM_START),
            "end of generation: eos %d", (int)tok_eos(t));
    size_t len;
    const char *p = tok_piece(t, 0xc3, &len);
    T_CHECK(len == 1 && (unsigned char)p[0] == 0xc3, "piece of byte token 0xc3: %zu bytes", len);
    p = tok_piece(t, G_H, &len);
    T_CHECK(len == 2 && memcmp(p, " h", 2) == 0, "piece of 'Ġh' is not ' h'");
}

/* Every byte string survives encode + decode; invalid bytes become their byte tokens. */
static void check_bpe_bytes(const tok *t)
{
    static const char bad[] = "\xff\xfe a\xc3 \xe4\xbd \xed\xa0\x80";
    int32_t got[32];
    int n = enc1(t, bad, 0, got, 32);
    T_CHECK(n >= 2 && got[0] == 0xff && got[1] == 0xfe, "invalid UTF-8: first ids %d %d",
            n > 0 ? (int)got[0] : -1, n > 1 ? (int)got[1] : -1);
    static const char alphabet[] = " \n\tah<|>\xc3\xa9\xe4";
    rng r = rng_make(5, 0);
    int bad_trips = 0;
    for (int i = 0; i < 500; i++) {
        char s[64];
        size_t len = rng_below(&r, sizeof s);
        for (size_t k = 0; k < len; k++)
            s[k] = i % 2 ? (char)rng_below(&r, 256) : alphabet[rng_below(&r, 11)];
        tok_ids ids = {0};
        errmsg e;
        char *out = NULL;
        size_t out_len = 0;
        int rc = tok_encode(t, s, len, TOK_PARSE_SPECIAL, &ids, &e) ||
                 tok_decode(t, ids.v, ids.n, TOK_DECODE_SPECIAL, &out, &out_len, &e);
        bad_trips += rc || out_len != len || memcmp(out, s, len) != 0;
        free(out);
        tok_ids_free(&ids);
    }
    T_CHECK(bad_trips == 0, "%d of 500 random byte strings did not decode back", bad_trips);
}

static double seconds_to_encode(const tok *t, const char *s, size_t len, size_t *n)
{
    struct timespec t0, t1;
    tok_ids ids = {0};
    errmsg e;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    T_CHECK(!tok_encode(t, s, len, 0, &ids, &e), "long input: %s", e.text);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    *n = ids.n;
    tok_ids_free(&ids);
    return (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
}

/* 100 KB of one character: a quadratic merge loop would take minutes. */
static void check_long_runs(const tok *t)
{
    enum { N = 100000 };
    char *s = malloc(N);
    size_t n;
    memset(s, 'a', N);
    double dt = seconds_to_encode(t, s, N, &n);
    T_CHECK(n == N / 4 && dt < 2.0, "100 KB of 'a': %zu ids in %.3f s", n, dt);
    memset(s, ' ', N);
    dt = seconds_to_encode(t, s, N, &n);
    T_CHECK(n == N && dt < 2.0, "100 KB of spaces: %zu ids in %.3f s", n, dt);
    memset(s, '\n', N);
    dt = seconds_to_encode(t, s, N, &n);
    T_CHECK(n == N && dt < 2.0, "100 KB of newlines: %zu ids in %.3f s", n, dt);
    free(s);
}

/* ChatML on a vocabulary without vision tokens: no default system prompt, images refused. */
static void check_chatml(const tok *t)
{
    chat_fmt c;
    errmsg e;
    T_CHECK(!chat_init(&c, t, NULL, CHAT_AUTO, &e) && c.family == CHAT_CHATML,
            "chat format of a vocabulary with <|im_start|>: %s", e.text);
    chat_part text = CHAT_TEXT("hello"), image = CHAT_IMAGE(4);
    chat_msg m = {CHAT_USER, &text, 1};
    tok_ids ids = {0};
    T_CHECK(!chat_encode(&c, &m, 1, CHAT_GENERATION_PROMPT, &ids, NULL, &e), "%s", e.text);
    int32_t want[] = {IM_START, 'u', 's', 'e', 'r', '\n', HELLO, IM_END, '\n', IM_START,
                      'a',      's', 's', 'i', 's', 't',  'a',   'n',    't',  '\n'};
    T_CHECK(ids.n == 20 && memcmp(ids.v, want, sizeof want) == 0, "ChatML: %zu ids", ids.n);
    m.parts = &image;
    T_CHECK(chat_encode(&c, &m, 1, 0, &ids, NULL, &e) && strstr(e.text, "<|vision_start|>"),
            "an image without vision tokens: '%s'", e.text);
    T_CHECK(chat_init(&c, t, NULL, CHAT_LLAMA3, &e) && strstr(e.text, "<|start_header_id|>"),
            "llama3 format without its tokens: '%s'", e.text);
    tok_ids_free(&ids);
}

static void check_bpe(void)
{
    errmsg e;
    tok *t = load_written(bpe_writer("qwen2", bpe_merges, 7), "bpe", &e);
    T_CHECK(t != NULL, "byte-level vocabulary: %s", e.text);
    if (!t)
        return;
    check_bpe_basics(t);
    check_bpe_bytes(t);
    check_long_runs(t);
    check_chatml(t);
    tok_free(t);
}

/* ---- SentencePiece ---------------------------------------------------------------------- */

/* Ids: 0 <unk>, 1 <s>, 2 </s>, 3..258 <0x00>..<0xFF>, then the pieces below. */
enum { SPM_BYTES = 3, SPM_FIRST = 259 };
static const char *const spm_pieces[] = {"\xe2\x96\x81",
                                         "h",
                                         "e",
                                         "l",
                                         "o",
                                         "w",
                                         "r",
                                         "d",
                                         "a",
                                         "ll",
                                         "\xe2\x96\x81h",
                                         "\xe2\x96\x81he",
                                         "llo",
                                         "\xe2\x96\x81hello",
                                         "aa",
                                         "\xe2\x96\x81w",
                                         "or",
                                         "\xe2\x96\x81wor",
                                         "\xe2\x96\x81world",
                                         "ld"};
static const float spm_scores[] = {-10, -10, -10, -10, -10, -10, -10, -10, -10, -1,
                                   -2,  -3,  -4,  -6,  -1,  -2,  -3,  -4,  -5,  -1};
enum {
    S_SP = SPM_FIRST,
    S_H,
    S_E,
    S_L,
    S_O,
    S_W,
    S_R,
    S_D,
    S_A,
    S_LL,
    S_SP_H,
    S_SP_HE,
    S_LLO,
    S_SP_HELLO,
    S_AA,
    S_SP_W,
    S_OR,
    S_SP_WOR,
    S_SP_WORLD,
    S_LD,
    N_SPM
};

static gguf_writer *spm_writer(void)
{
    char *tokens[N_SPM];
    int32_t types[N_SPM];
    float scores[N_SPM];
    for (int i = 0; i < N_SPM; i++) {
        char buf[16];
        if (i < SPM_BYTES)
            snprintf(buf, sizeof buf, "%s", i == 0 ? "<unk>" : i == 1 ? "<s>" : "</s>");
        else if (i < SPM_FIRST)
            snprintf(buf, sizeof buf, "<0x%02X>", i - SPM_BYTES);
        tokens[i] = strdup(i < SPM_FIRST ? buf : spm_pieces[i - SPM_FIRST]);
        types[i] = i == 0          ? TOK_UNKNOWN
                   : i < SPM_BYTES ? TOK_CONTROL
                   : i < SPM_FIRST ? TOK_BYTE
                                   : TOK_NORMAL;
        scores[i] = i < SPM_FIRST ? 0 : spm_scores[i - SPM_FIRST];
    }
    gguf_writer *w = gguf_writer_new();
    gguf_add_str(w, "tokenizer.ggml.model", "llama");
    gguf_add_arr(w, "tokenizer.ggml.tokens", GGUF_STR, tokens, N_SPM);
    gguf_add_arr(w, "tokenizer.ggml.token_type", GGUF_I32, types, N_SPM);
    gguf_add_arr(w, "tokenizer.ggml.scores", GGUF_F32, scores, N_SPM);
    gguf_add_u32(w, "tokenizer.ggml.bos_token_id", 1);
    gguf_add_u32(w, "tokenizer.ggml.eos_token_id", 2);
    for (int i = 0; i < N_SPM; i++)
        free(tokens[i]);
    return w;
}

static void check_spm_decode(const tok *t)
{
    int32_t ids[] = {1, S_SP_HELLO, S_SP_WORLD, SPM_BYTES + 0xc3, SPM_BYTES + 0xa9, 2};
    char *out;
    size_t len;
    errmsg e;
    T_CHECK(!tok_decode(t, ids, 6, 0, &out, &len, &e), "%s", e.text);
    T_CHECK(len == 13 && memcmp(out, "hello world\xc3\xa9", 13) == 0,
            "SentencePiece decode gave '%s'", out);
    free(out);
}

static void check_spm(void)
{
    errmsg e;
    tok *t = load_written(spm_writer(), "spm", &e);
    T_CHECK(t != NULL, "SentencePiece vocabulary: %s", e.text);
    if (!t)
        return;
    /* ▁ h e l l o: ll (-1) > ▁h (-2) > ▁he (-3) > llo (-4) > ▁hello (-6), all merge. */
    expect_ids(t, "hello", 0, (int32_t[]){S_SP_HELLO}, 1);
    expect_ids(t, "hello world", 0, (int32_t[]){S_SP_HELLO, S_SP_WORLD}, 2);
    expect_ids(t, "aaa", 0, (int32_t[]){S_SP, S_AA, S_A}, 3); /* equal scores: leftmost */
    expect_ids(t, "h\xc3\xa9", 0, (int32_t[]){S_SP_H, SPM_BYTES + 0xc3, SPM_BYTES + 0xa9}, 3);
    expect_ids(t, "hello", TOK_ADD_BOS, (int32_t[]){1, S_SP_HELLO}, 2);
    expect_ids(t, "<s>hello", TOK_PARSE_SPECIAL, (int32_t[]){1, S_SP_HELLO}, 2);
    expect_ids(t, "hello<s>world", TOK_PARSE_SPECIAL, (int32_t[]){S_SP_HELLO, 1, S_SP_WORLD},
               3); /* a space after a special token */
    expect_ids(t, "", TOK_ADD_BOS, (int32_t[]){1}, 1);
    T_CHECK(tok_add_bos(t) && tok_bos(t) == 1 && tok_is_eog(t, 2), "llama defaults");
    check_spm_decode(t);
    tok_free(t);
}

/* ---- errors ----------------------------------------------------------------------------- */

static void expect_error(gguf_writer *w, const char *name, const char *want)
{
    errmsg e = {0};
    tok *t = load_written(w, name, &e);
    T_CHECK(!t && strstr(e.text, want) && strstr(e.text, name),
            "%s: want an error naming the file and '%s', got '%s'", name, want, e.text);
    tok_free(t);
}

static void check_errors(void)
{
    gguf_writer *w = gguf_writer_new();
    gguf_add_str(w, "tokenizer.ggml.model", "gpt2");
    expect_error(w, "no_tokens", "tokenizer.ggml.tokens");
    expect_error(bpe_writer("nonsense", bpe_merges, 7), "bad_pre", "tokenizer.ggml.pre 'nonsense'");
    static const char *const unknown[] = {"a a", "a zz"};
    expect_error(bpe_writer("qwen2", unknown, 2), "bad_merge",
                 "item 1 'a zz': 'zz' is not in tokenizer.ggml.tokens");
    static const char *const no_space[] = {"aa"};
    expect_error(bpe_writer("qwen2", no_space, 1), "merge_no_space", "not two tokens");
    static const char *const not_token[] = {"a h"};
    expect_error(bpe_writer("qwen2", not_token, 1), "merge_result", "'ah' is not in");
    w = bpe_writer("qwen2", bpe_merges, 7);
    gguf_add_arr(w, "tokenizer.ggml.scores", GGUF_F32, (float[]){1, 2, 3}, 3);
    expect_error(w, "short_scores", "tokenizer.ggml.scores has 3 items but");
    w = bpe_writer("qwen2", bpe_merges, 7);
    gguf_add_u32(w, "tokenizer.ggml.bos_token_id", 99999);
    expect_error(w, "bad_bos", "bos_token_id = 99999 is not a token");
    w = gguf_writer_new();
    gguf_add_str(w, "tokenizer.ggml.model", "bert");
    expect_error(w, "bad_model", "tokenizer.ggml.model 'bert'");
    w = gguf_writer_new();
    gguf_add_str(w, "tokenizer.ggml.model", "gpt2");
    gguf_add_arr(w, "tokenizer.ggml.tokens", GGUF_STR, (const char *[]){"a", "b"}, 2);
    expect_error(w, "no_bytes", "no token");
}

int main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/vkeve_tok_XXXXXX");
    T_CHECK(mkdtemp(tmpdir) != NULL, "mkdtemp");
    check_bpe();
    check_spm();
    check_errors();
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    T_CHECK(system(cmd) == 0, "removing %s", tmpdir);
    return t_finish();
}
