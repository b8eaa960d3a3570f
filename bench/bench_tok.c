/* bench_tok.c - tokenizer speed on a real vocabulary: the time to load it from GGUF and the
 * encode throughput on English prose and on Python code, as JSON lines.
 * usage: bench_tok VOCAB.gguf   (e.g. the Qwen2 GGUF that tests/tok.cmake's fixture writes
 * with `vkeve vocab-gguf`, build/tests/tok/qwen2.gguf) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/now.h"
#include "runtime/gguf.h"
#include "runtime/tok.h"

enum { TEXT_BYTES = 4 << 20 };

static const char prose[] =
    "It was the best of times, it was the worst of times, it was the age of wisdom, it was "
    "the age of foolishness; the committee's 2024 report found 17 of 23 projects on time. ";
static const char code[] = "def edit_image(img, angle=15, fill=(0, 0, 0)):\n"
                           "    w, h = img.size\n"
                           "    out = img.rotate(angle, expand=True, fillcolor=fill)\n"
                           "    for i in range(3):\n"
                           "        out = out.resize((w // 2 + i, h // 2 + i))\n"
                           "    return out\n\n";

/* Encodes `unit` repeated to TEXT_BYTES, in 4 KB requests as a caller would send them. */
static int bench_encode(const tok *t, const char *name, const char *unit)
{
    size_t ulen = strlen(unit), n = 0, tokens = 0;
    char *text = malloc(TEXT_BYTES);
    for (; n + ulen <= TEXT_BYTES; n += ulen)
        memcpy(text + n, unit, ulen);
    errmsg e;
    double t0 = now_seconds();
    for (size_t at = 0; at < n; at += 4096) {
        tok_ids ids = {0};
        if (tok_encode(t, text + at, n - at < 4096 ? n - at : 4096, 0, &ids, &e)) {
            fprintf(stderr, "bench_tok: %s\n", e.text);
            free(text);
            return 1;
        }
        tokens += ids.n;
        tok_ids_free(&ids);
    }
    double dt = now_seconds() - t0;
    printf("{\"bench\": \"tok_encode\", \"text\": \"%s\", \"bytes\": %zu, \"tokens\": %zu, "
           "\"seconds\": %.4f, \"mb_per_s\": %.2f, \"tokens_per_s\": %.0f}\n",
           name, n, tokens, dt, (double)n / dt / 1e6, (double)tokens / dt);
    free(text);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: bench_tok VOCAB.gguf\n");
        return 2;
    }
    gguf_file *f;
    tok *t = NULL;
    errmsg e;
    double t0 = now_seconds();
    if (gguf_open(argv[1], &f, &e) || tok_load(f, &t, &e)) {
        fprintf(stderr, "bench_tok: %s\n", e.text);
        return 1;
    }
    double dt = now_seconds() - t0;
    printf("{\"bench\": \"tok_load\", \"file\": \"%s\", \"tokens\": %d, \"seconds\": %.4f}\n",
           argv[1], (int)tok_n_vocab(t), dt);
    gguf_close(f);
    int rc = bench_encode(t, "prose", prose) || bench_encode(t, "code", code);
    tok_free(t);
    return rc;
}
