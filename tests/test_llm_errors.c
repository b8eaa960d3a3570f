/* test_llm_errors.c - the decoder refuses bad model files with a message naming the file
 * and what is wrong, and never crashes: a missing key, an unknown architecture, a
 * vocabulary that does not match the embedding, a tensor of the wrong shape, a missing
 * tensor; and a cache too small for a request is refused with the pages it would need. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/gen.h"
#include "tests/testutil.h"

enum { EMBD = 64, FF = 128, VOCAB = 96, HEADS = 4 };

typedef struct flaw {
    const char *skip_key;    /* metadata key left out */
    const char *arch;        /* general.architecture */
    int vocab_tokens;        /* tokenizer.ggml.tokens entries (0: none) */
    const char *skip_tensor; /* tensor left out */
    const char *bad_tensor;  /* tensor written one row short */
} flaw;

static void add_tensor(gguf_writer *w, const flaw *f, const char *name, int64_t ne0, int64_t ne1)
{
    if (f->skip_tensor && !strcmp(name, f->skip_tensor))
        return;
    if (f->bad_tensor && !strcmp(name, f->bad_tensor))
        ne1 = ne1 > 1 ? ne1 - 1 : ne1;
    int64_t ne[2] = {ne0, ne1};
    float *data = calloc((size_t)(ne0 * ne1), sizeof *data);
    for (int64_t i = 0; i < ne0 * ne1; i++)
        data[i] = (float)((i * 37) % 11) * 0.01f;
    gguf_add_tensor(w, name, DT_F32, ne1 > 1 ? 2 : 1, ne, data);
    free(data);
}

static void add_u32(gguf_writer *w, const flaw *f, const char *key, uint32_t v)
{
    if (!f->skip_key || strcmp(key, f->skip_key))
        gguf_add_u32(w, key, v);
}

static int write_model(const char *path, const flaw *f)
{
    gguf_writer *w = gguf_writer_new();
    const char *a = f->arch ? f->arch : "qwen2";
    char key[96];
    gguf_add_str(w, "general.architecture", a);
    static const char *const names[] = {"block_count",          "context_length",
                                        "embedding_length",     "feed_forward_length",
                                        "attention.head_count", "attention.head_count_kv"};
    const uint32_t values[] = {1, 256, EMBD, FF, HEADS, 2};
    for (int i = 0; i < 6; i++) {
        snprintf(key, sizeof key, "qwen2.%s", names[i]);
        add_u32(w, f, key, values[i]);
    }
    if (!f->skip_key || strcmp(f->skip_key, "qwen2.attention.layer_norm_rms_epsilon"))
        gguf_add_f32(w, "qwen2.attention.layer_norm_rms_epsilon", 1e-6f);
    if (f->vocab_tokens) {
        const char **tokens = malloc((size_t)f->vocab_tokens * sizeof *tokens);
        for (int i = 0; i < f->vocab_tokens; i++)
            tokens[i] = "x";
        gguf_add_arr(w, "tokenizer.ggml.tokens", GGUF_STR, tokens, (uint64_t)f->vocab_tokens);
        free(tokens);
    }
    add_tensor(w, f, "token_embd.weight", EMBD, VOCAB);
    add_tensor(w, f, "output_norm.weight", EMBD, 1);
    static const struct {
        const char *name;
        int64_t ne0, ne1;
    } blk[] = {{"attn_norm.weight", EMBD, 1}, {"attn_q.weight", EMBD, EMBD},
               {"attn_k.weight", EMBD, 32},   {"attn_v.weight", EMBD, 32},
               {"attn_q.bias", EMBD, 1},      {"attn_k.bias", 32, 1},
               {"attn_v.bias", 32, 1},        {"attn_output.weight", EMBD, EMBD},
               {"ffn_norm.weight", EMBD, 1},  {"ffn_gate.weight", EMBD, FF},
               {"ffn_up.weight", EMBD, FF},   {"ffn_down.weight", FF, EMBD}};
    for (size_t i = 0; i < sizeof blk / sizeof blk[0]; i++) {
        snprintf(key, sizeof key, "blk.0.%s", blk[i].name);
        add_tensor(w, f, key, blk[i].ne0, blk[i].ne1);
    }
    errmsg e = {0};
    int rc = gguf_writer_write(w, path, &e);
    gguf_writer_free(w);
    T_CHECK(rc == 0, "writing %s: %s", path, e.text);
    return rc;
}

/* Loads the model with this flaw: succeeds when want is NULL, else fails saying want. */
static void expect(vk_ctx *ctx, const char *dir, const flaw *f, const char *want)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/model.gguf", dir);
    if (write_model(path, f))
        return;
    errmsg e = {0};
    gguf_file *g = NULL;
    llm *m = NULL;
    int rc = gguf_open(path, &g, &e) || llm_load(ctx, g, NULL, &m, &e);
    if (!want)
        T_CHECK(rc == 0, "a good model failed: %s", e.text);
    else
        T_CHECK(rc != 0 && strstr(e.text, want) && strstr(e.text, "model.gguf"),
                "want '%s' (and the file) in '%s'", want, e.text);
    llm_free(m);
    gguf_close(g);
}

/* A request needing more pages than the whole cache is refused, saying how many. */
static void test_small_cache(vk_ctx *ctx, const char *dir)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/model.gguf", dir);
    flaw none = {0};
    errmsg e = {0};
    gguf_file *g = NULL;
    llm *m = NULL;
    kv_cache *kv = NULL;
    gen_result *res = NULL;
    int32_t ids[40] = {1, 2, 3};
    gen_request r = gen_default_request();
    r.ids = ids;
    r.n_ids = 40;
    r.max_tokens = 100;
    int rc = write_model(path, &none) || gguf_open(path, &g, &e) ||
             llm_load(ctx, g, NULL, &m, &e) || llm_new_cache(m, 4, &kv, &e) ||
             gen_run(m, kv, NULL, &r, 1, NULL, &res, &e);
    T_CHECK(rc == 0 && res[0].samples[0].finish == GEN_REFUSED &&
                strstr(res[0].error, "cache pages; the cache has 4"),
            "a cache too small: rc %d, '%s' '%s'", rc, e.text, res ? res[0].error : "");
    gen_results_free(res, 1);
    kv_free(kv);
    llm_free(m);
    gguf_close(g);
}

int main(void)
{
    vk_ctx *ctx = t_gpu_open();
    char dir[] = "/tmp/vkeve-test-llm-XXXXXX";
    if (!ctx || !mkdtemp(dir))
        return t_finish();
    expect(ctx, dir, &(flaw){0}, NULL);
    expect(ctx, dir, &(flaw){.vocab_tokens = VOCAB}, NULL);
    expect(ctx, dir, &(flaw){.skip_key = "qwen2.block_count"}, "qwen2.block_count");
    expect(ctx, dir, &(flaw){.skip_key = "qwen2.attention.layer_norm_rms_epsilon"},
           "layer_norm_rms_epsilon");
    expect(ctx, dir, &(flaw){.arch = "gptneox"}, "'gptneox' is not supported");
    expect(ctx, dir, &(flaw){.vocab_tokens = VOCAB + 5}, "vocabulary has 101 tokens");
    expect(ctx, dir, &(flaw){.skip_tensor = "blk.0.ffn_up.weight"}, "blk.0.ffn_up.weight");
    expect(ctx, dir, &(flaw){.bad_tensor = "blk.0.attn_k.weight"}, "expected [64, 32]");
    test_small_cache(ctx, dir);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    T_CHECK(system(cmd) == 0, "cleanup");
    t_gpu_close(ctx);
    return t_finish();
}
