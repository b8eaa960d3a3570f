/* test_loop_ref.c - the loop's numeric parts against independent Python references
 * (tests/reference/loop_*.py, run with Debian's $PYTHON3):
 *   pHash        vision/img_phash.h   vs Pillow + scipy.fft.dct          (loop_phash.py)
 *   image checks evolve/valid.h       vs a numpy restatement of EVE's     (loop_valid.py)
 *                on crafted images at and around every limit, whose verdicts are also known
 *                by construction
 *   BLEU         evolve/bleu.h        vs NLTK sentence_bleu               (loop_bleu.py)
 *   clustering   evolve/cluster.h     vs scikit-learn AgglomerativeClustering
 *   penalty      evolve/cluster.h     vs NLTK + scikit-learn, EVE's formula restated
 * Inputs are random (seeded through base/rng.h) and crafted.
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "base/rng.h"
#include "evolve/bleu.h"
#include "evolve/cluster.h"
#include "evolve/valid.h"
#include "tests/testutil.h"
#include "vision/img_io.h"
#include "vision/img_phash.h"

#define MAX_LINES 4096

static char tmpdir[] = "/tmp/test_loop_ref_XXXXXX";

/* Runs reference/SCRIPT with args; returns the number of output lines stored in lines. */
static int run_ref(const char *script, const char *args, char **lines, int max)
{
    const char *py = getenv("PYTHON3");
    size_t len = strlen(args) + 1024;
    char *cmd = malloc(len);
    snprintf(cmd, len, "%s %s %s", py && *py ? py : "/usr/bin/python3", t_data_path(script), args);
    FILE *p = popen(cmd, "r");
    free(cmd);
    if (!p)
        return -1;
    int n = 0;
    char *line = NULL;
    size_t cap = 0;
    while (getline(&line, &cap, p) > 0 && n < max) {
        line[strcspn(line, "\n")] = 0;
        lines[n++] = strdup(line);
    }
    free(line);
    int status = pclose(p);
    T_CHECK(status == 0, "%s exited with status %d", script, status);
    return n;
}

static void free_lines(char **lines, int n)
{
    for (int i = 0; i < n; i++)
        free(lines[i]);
}

static const char *tmp_path(const char *name)
{
    static char path[4][512];
    static int slot;
    slot = (slot + 1) % 4;
    snprintf(path[slot], sizeof path[slot], "%s/%s", tmpdir, name);
    return path[slot];
}

static void write_json(const char *path, cJSON *json)
{
    char *s = cJSON_PrintUnformatted(json);
    FILE *f = fopen(path, "w");
    T_CHECK(f && s, "cannot write %s", path);
    if (f && s)
        fputs(s, f);
    if (f)
        fclose(f);
    free(s);
    cJSON_Delete(json);
}

/* ---- pHash ---- */

/* A random picture: noise, a noisy gradient or coloured blocks. */
static img *random_image(rng *r, int kind)
{
    static const img_mode modes[3] = {IMG_L, IMG_RGB, IMG_RGBA};
    int w = 8 + (int)rng_below(r, 400), h = 8 + (int)rng_below(r, 300);
    errmsg e;
    img *im = img_new(w, h, modes[rng_below(r, 3)], NULL, &e);
    int ch = img_channels(im->mode), bw = 4 + (int)rng_below(r, 40);
    uint8_t block[4][64];
    for (int c = 0; c < 4; c++)
        for (int b = 0; b < 64; b++)
            block[c][b] = (uint8_t)rng_below(r, 256);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            for (int c = 0; c < ch; c++) {
                int v = (int)rng_below(r, 256);
                if (kind == 1)
                    v = (x * 255 / w + y * (c + 1) * 90 / h + v / 8) % 256;
                else if (kind == 2)
                    v = block[c][((x / bw) * 7 + (y / bw) * 3) % 64];
                im->px[((size_t)y * w + x) * ch + c] = (uint8_t)v;
            }
    return im;
}

static void test_phash(void)
{
    enum { N = 60 };
    rng r = rng_make(17, 1);
    uint64_t got[N];
    char args[N * 600] = "";
    for (int i = 0; i < N; i++) {
        img *im = random_image(&r, i % 3);
        char name[32];
        snprintf(name, sizeof name, "phash%02d.png", i);
        errmsg e;
        T_CHECK(!img_save_png(im, tmp_path(name), &e), "save: %s", e.text);
        T_CHECK(!img_phash(im, &got[i], &e), "phash: %s", e.text);
        strcat(args, " ");
        strcat(args, tmp_path(name));
        img_free(im);
    }
    char *lines[N];
    int n = run_ref("reference/loop_phash.py", args, lines, N);
    T_CHECK(n == N, "pHash reference printed %d lines, want %d", n, N);
    int exact = 0;
    for (int i = 0; i < n; i++) {
        unsigned long long want = 0, sure = 0;
        T_CHECK(sscanf(lines[i], "%llx %llx", &want, &sure) == 2, "reference: %s", lines[i]);
        T_CHECK(((got[i] ^ want) & sure) == 0, "pHash of image %d: %016llx, reference %s", i,
                (unsigned long long)got[i], lines[i]);
        exact += got[i] == want;
    }
    /* ties at the median (flat blocks) are rare: nearly every hash must match in full */
    T_CHECK(exact >= N - 5, "only %d of %d hashes match in every bit", exact, N);
    free_lines(lines, n);
    T_CHECK(img_phash_distance(0xf0, 0x0f) == 8, "distance of 0xf0 and 0x0f");
}

/* ---- per-image validity ---- */

typedef struct crafted {
    const char *what;
    int w, h;
    img_mode mode;
    uint8_t base[4];    /* every pixel */
    uint8_t special[4]; /* the first n_special pixels */
    long n_special;
    int rotates;
    const char *want; /* known by construction; NULL where only the reference decides */
} crafted;

static const crafted CRAFTED[] = {
    {"4096 pixels", 64, 64, IMG_RGB, {90, 90, 90}, {0}, 0, 0, "ok"},
    {"4095 pixels", 63, 65, IMG_RGB, {90, 90, 90}, {0}, 0, 0, "too_small"},
    {"1 row", 4096, 1, IMG_RGB, {90, 90, 90}, {0}, 0, 0, "ok"},
    {"1048576 pixels", 1024, 1024, IMG_RGB, {90, 90, 90}, {0}, 0, 0, "ok"},
    {"1048577+ pixels", 1025, 1024, IMG_RGB, {90, 90, 90}, {0}, 0, 0, "too_large"},
    {"4096x256", 4096, 256, IMG_L, {90}, {0}, 0, 0, "ok"},
    {"10% opaque", 100, 100, IMG_RGBA, {90, 90, 90, 9}, {90, 90, 90, 10}, 1000, 0, "ok"},
    {"9.99% opaque", 100, 100, IMG_RGBA, {90, 90, 90, 9}, {90, 90, 90, 10}, 999, 0, "transparent"},
    {"alpha 9", 100, 100, IMG_RGBA, {90, 90, 90, 0}, {90, 90, 90, 9}, 5000, 0, "transparent"},
    {"10% black", 100, 100, IMG_RGB, {90, 90, 90}, {0, 0, 0}, 1000, 0, "ok"},
    {"10.01% black", 100, 100, IMG_RGB, {90, 90, 90}, {0, 0, 0}, 1001, 0, "too_dark"},
    {"75% black rotating", 100, 100, IMG_RGB, {90, 90, 90}, {0, 0, 0}, 7500, 1, "ok"},
    {"75.01% black rotating", 100, 100, IMG_RGB, {90, 90, 90}, {0, 0, 0}, 7501, 1, "too_dark"},
    {"11% black rotating", 100, 100, IMG_RGB, {90, 90, 90}, {0, 0, 0}, 1100, 1, "ok"},
    {"black L", 100, 100, IMG_L, {200}, {3}, 1001, 0, "too_dark"},
    {"transparent black ignored",
     100,
     100,
     IMG_RGBA,
     {90, 90, 90, 255},
     {0, 0, 0, 5},
     5000,
     0,
     "ok"},
    {"opaque black counted",
     100,
     100,
     IMG_RGBA,
     {90, 90, 90, 0},
     {0, 0, 0, 255},
     1000,
     0,
     "too_dark"},
    {"black among half opaque", 100, 100, IMG_RGBA, {0, 0, 0, 0}, {90, 90, 90, 255}, 4600, 0, "ok"},
    {"gray 5", 100, 100, IMG_RGB, {90, 90, 90}, {5, 5, 5}, 2000, 0, NULL},
    {"gray 6", 100, 100, IMG_RGB, {90, 90, 90}, {6, 6, 6}, 2000, 0, "ok"},
    {"gray 4", 100, 100, IMG_RGB, {90, 90, 90}, {4, 4, 4}, 2000, 0, "too_dark"},
    {"red 23", 100, 100, IMG_RGB, {90, 90, 90}, {23, 0, 0}, 2000, 0, "too_dark"},
    {"red 24", 100, 100, IMG_RGB, {90, 90, 90}, {24, 0, 0}, 2000, 0, "ok"},
    {"green 6", 100, 100, IMG_RGB, {90, 90, 90}, {0, 6, 0}, 2000, 0, "too_dark"},
    {"green 7", 100, 100, IMG_RGB, {90, 90, 90}, {0, 7, 0}, 2000, 0, "ok"},
    {"blue 69", 100, 100, IMG_RGB, {90, 90, 90}, {0, 0, 69}, 2000, 0, "too_dark"},
    {"blue 70", 100, 100, IMG_RGB, {90, 90, 90}, {0, 0, 70}, 2000, 0, "ok"},
    {"mixed 3,4,9", 100, 100, IMG_RGB, {90, 90, 90}, {3, 4, 9}, 2000, 0, NULL},
    {"mixed 5,5,6", 100, 100, IMG_RGB, {90, 90, 90}, {5, 5, 6}, 2000, 0, NULL},
    {"mixed 6,5,1", 100, 100, IMG_RGB, {90, 90, 90}, {6, 5, 1}, 2000, 0, NULL},
};
#define N_CRAFTED (int)(sizeof CRAFTED / sizeof CRAFTED[0])

static img *make_crafted(const crafted *c)
{
    errmsg e;
    img *im = img_new(c->w, c->h, c->mode, c->base, &e);
    int ch = img_channels(c->mode);
    for (long i = 0; i < c->n_special; i++)
        memcpy(im->px + i * ch, c->special, (size_t)ch);
    return im;
}

static void test_image_rules(void)
{
    valid_options o = valid_default_options();
    char args[N_CRAFTED * 600] = "";
    const char *got[N_CRAFTED];
    for (int i = 0; i < N_CRAFTED; i++) {
        img *im = make_crafted(&CRAFTED[i]);
        char name[32], msg[256];
        snprintf(name, sizeof name, "valid%02d.png", i);
        errmsg e;
        T_CHECK(!img_save_png(im, tmp_path(name), &e), "save: %s", e.text);
        got[i] = valid_reason_name(valid_image(im, CRAFTED[i].rotates, &o, msg, sizeof msg));
        if (CRAFTED[i].want)
            T_CHECK(!strcmp(got[i], CRAFTED[i].want), "%s: got %s (%s), want %s", CRAFTED[i].what,
                    got[i], msg, CRAFTED[i].want);
        sprintf(args + strlen(args), " %s:%d", tmp_path(name), CRAFTED[i].rotates);
        img_free(im);
    }
    char *lines[N_CRAFTED];
    int n = run_ref("reference/loop_valid.py", args, lines, N_CRAFTED);
    T_CHECK(n == N_CRAFTED, "validity reference printed %d lines", n);
    for (int i = 0; i < n; i++)
        T_CHECK(!strcmp(got[i], lines[i]), "%s: got %s, reference %s", CRAFTED[i].what, got[i],
                lines[i]);
    free_lines(lines, n);
}

/* ---- BLEU ---- */

static const char *const WORDS[] = {"a", "b", "c", "img", "=", "(x)", "draw", "w,", "é", "0"};

static void random_sentence(rng *r, char *out, size_t cap, int vocab, int max_len)
{
    static const char *const gaps[] = {" ", " ", " ", "  ", "\t", "\n", " \r\n "};
    int len = (int)rng_below(r, (uint32_t)max_len + 1);
    out[0] = 0;
    if (rng_below(r, 4) == 0)
        strcat(out, gaps[rng_below(r, 7)]);
    for (int i = 0; i < len && strlen(out) + 16 < cap; i++) {
        strcat(out, WORDS[rng_below(r, (uint32_t)vocab)]);
        strcat(out, gaps[rng_below(r, 7)]);
    }
}

static const char *const BLEU_PAIRS[][2] = {
    {"", ""},
    {"a b c", ""},
    {"", "a b c"},
    {"a b c d", "a b c d"},
    {"a b c d e f", "a b c"},
    {"a", "a"},
    {"a b", "a b"},
    {"a b c", "a b c d e f g"},
    {"x y z", "a b c"},
    {"the the the the", "the the the the the the the"},
    {"a b a b a b", "a b a b"},
    {"def f(img):\n\treturn img", "def  f(img):   return img"},
    {"a\x1c b", "a b"},
};

static void test_bleu(void)
{
    enum { N_RANDOM = 400 };
    int n_fixed = (int)(sizeof BLEU_PAIRS / sizeof BLEU_PAIRS[0]), n = n_fixed + N_RANDOM;
    rng r = rng_make(17, 2);
    cJSON *pairs = cJSON_CreateArray();
    double *got = malloc(n * sizeof *got);
    for (int i = 0; i < n; i++) {
        char ref[512], hyp[512];
        if (i < n_fixed) {
            snprintf(ref, sizeof ref, "%s", BLEU_PAIRS[i][0]);
            snprintf(hyp, sizeof hyp, "%s", BLEU_PAIRS[i][1]);
        } else {
            int vocab = 2 + (int)rng_below(&r, 9);
            random_sentence(&r, ref, sizeof ref, vocab, 24);
            random_sentence(&r, hyp, sizeof hyp, vocab, 24);
        }
        cJSON *pair = cJSON_CreateArray();
        cJSON_AddItemToArray(pair, cJSON_CreateString(ref));
        cJSON_AddItemToArray(pair, cJSON_CreateString(hyp));
        cJSON_AddItemToArray(pairs, pair);
        errmsg e;
        T_CHECK(!bleu_sentence(ref, hyp, &got[i], &e), "bleu: %s", e.text);
    }
    write_json(tmp_path("bleu.json"), pairs);
    char args[600], **lines = malloc(n * sizeof *lines);
    snprintf(args, sizeof args, "bleu %s", tmp_path("bleu.json"));
    int m = run_ref("reference/loop_bleu.py", args, lines, n);
    T_CHECK(m == n, "BLEU reference printed %d lines, want %d", m, n);
    for (int i = 0; i < m; i++) {
        double want = strtod(lines[i], NULL);
        T_CHECK(fabs(got[i] - want) <= 1e-13, "BLEU pair %d: %.17g, NLTK %.17g", i, got[i], want);
    }
    T_CHECK(fabs(got[3] - 1.0) < 1e-15 && got[0] == 0.0 && got[8] == 0.0,
            "BLEU of identical / empty / disjoint: %g %g %g", got[3], got[0], got[8]);
    free_lines(lines, m);
    free(lines);
    free(got);
}

/* ---- clustering ---- */

/* Same partition, whatever the label numbers. */
static int same_partition(const int *a, const int *b, int n)
{
    for (int i = 0; i < n; i++)
        for (int j = 0; j < i; j++)
            if ((a[i] == a[j]) != (b[i] == b[j]))
                return 0;
    return 1;
}

/* Items in a few groups: close inside a group, far across, some pairs near the threshold. */
static double *random_matrix(rng *r, int n, int structured)
{
    double *d = calloc((size_t)n * n, sizeof *d);
    int groups = 1 + (int)rng_below(r, 6), g[64];
    for (int i = 0; i < n; i++)
        g[i] = (int)rng_below(r, (uint32_t)groups);
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++) {
            double v = rng_float(r);
            if (structured)
                v = g[i] == g[j] ? 0.05 + 0.45 * v : 0.45 + 0.55 * v;
            if (rng_below(r, 50) == 0)
                v = 0.5;
            d[i * n + j] = d[j * n + i] = v;
        }
    return d;
}

static void test_cluster(void)
{
    enum { N_MATRICES = 120 };
    rng r = rng_make(17, 3);
    cJSON *all = cJSON_CreateArray();
    int sizes[N_MATRICES], *labels[N_MATRICES];
    for (int k = 0; k < N_MATRICES; k++) {
        int n = sizes[k] = 2 + (int)rng_below(&r, 50);
        double *d = random_matrix(&r, n, k % 2);
        labels[k] = malloc(n * sizeof(int));
        errmsg e;
        T_CHECK(!cluster_average(d, (size_t)n, 0.5, labels[k], &e), "cluster: %s", e.text);
        cJSON *rows = cJSON_CreateArray();
        for (int i = 0; i < n; i++)
            cJSON_AddItemToArray(rows, cJSON_CreateDoubleArray(d + (size_t)i * n, n));
        cJSON_AddItemToArray(all, rows);
        free(d);
    }
    write_json(tmp_path("cluster.json"), all);
    char args[600], *lines[N_MATRICES];
    snprintf(args, sizeof args, "cluster %s", tmp_path("cluster.json"));
    int m = run_ref("reference/loop_bleu.py", args, lines, N_MATRICES);
    T_CHECK(m == N_MATRICES, "clustering reference printed %d lines", m);
    for (int k = 0; k < m; k++) {
        int want[64], n = 0;
        for (char *p = lines[k], *end; n < 64; p = end, n++) {
            want[n] = (int)strtol(p, &end, 10);
            if (end == p)
                break;
        }
        T_CHECK(n == sizes[k] && same_partition(labels[k], want, n),
                "matrix %d (%d items): partition differs from scikit-learn", k, sizes[k]);
    }
    free_lines(lines, m);
    for (int k = 0; k < N_MATRICES; k++)
        free(labels[k]);
}

/* ---- the diversity penalty ---- */

/* A program-like text: one of a few templates with some tokens changed. */
static char *random_program(rng *r, const char *const *bases, int n_bases)
{
    static const char *const swaps[] = {"x", "y", "img", "w", "h", "2", "(", ")", "é"};
    const char *base = bases[rng_below(r, (uint32_t)n_bases)];
    char *out = malloc(strlen(base) * 3 + 64);
    out[0] = 0;
    int changes = (int)rng_below(r, 12);
    for (const char *p = base; *p;) {
        size_t n = strcspn(p, " ");
        if (changes && rng_below(r, 6) == 0) {
            strcat(out, swaps[rng_below(r, 9)]);
            changes--;
        } else {
            strncat(out, p, n);
        }
        p += n;
        if (*p)
            strcat(out, " "), p++;
    }
    return out;
}

static char *make_base(rng *r, int tokens)
{
    static const char *const vocab[] = {"def",
                                        "edit_image(img,",
                                        "angle):",
                                        "return",
                                        "img.rotate(angle)",
                                        "w,",
                                        "h",
                                        "=",
                                        "img.size",
                                        "draw",
                                        "ImageDraw.Draw(img)",
                                        "for",
                                        "i",
                                        "in",
                                        "range(4):",
                                        "box",
                                        "[x,",
                                        "y]",
                                        "fill='red'"};
    char *s = malloc((size_t)tokens * 24 + 1);
    s[0] = 0;
    for (int i = 0; i < tokens; i++) {
        strcat(s, vocab[rng_below(r, 19)]);
        if (i + 1 < tokens)
            strcat(s, " ");
    }
    return s;
}

static void test_penalty(void)
{
    enum { N_BATCHES = 30 };
    rng r = rng_make(17, 4);
    cJSON *all = cJSON_CreateArray();
    int sizes[N_BATCHES];
    double *got[N_BATCHES];
    cluster_options o = cluster_default_options();
    for (int k = 0; k < N_BATCHES; k++) {
        int n_bases = 1 + (int)rng_below(&r, 5), n = sizes[k] = 1 + (int)rng_below(&r, 40);
        char *bases[5], **progs = malloc(n * sizeof *progs);
        for (int b = 0; b < n_bases; b++)
            bases[b] = make_base(&r, 5 + (int)rng_below(&r, k % 3 ? 60 : 400));
        cJSON *batch = cJSON_CreateArray();
        for (int i = 0; i < n; i++) {
            progs[i] = rng_below(&r, 8) ? random_program(&r, (const char *const *)bases, n_bases)
                                        : strdup("");
            cJSON_AddItemToArray(batch, cJSON_CreateString(progs[i]));
        }
        cJSON_AddItemToArray(all, batch);
        got[k] = malloc(n * sizeof(double));
        errmsg e;
        T_CHECK(!cluster_penalty((const char *const *)progs, (size_t)n, &o, got[k], &e),
                "penalty: %s", e.text);
        for (int i = 0; i < n; i++)
            free(progs[i]);
        for (int b = 0; b < n_bases; b++)
            free(bases[b]);
        free(progs);
    }
    write_json(tmp_path("penalty.json"), all);
    char args[600], *lines[N_BATCHES];
    snprintf(args, sizeof args, "penalty %s", tmp_path("penalty.json"));
    int m = run_ref("reference/loop_bleu.py", args, lines, N_BATCHES);
    T_CHECK(m == N_BATCHES, "penalty reference printed %d lines", m);
    for (int k = 0; k < m; k++) {
        char *p = lines[k];
        for (int i = 0; i < sizes[k]; i++) {
            double want = strtod(p, &p);
            T_CHECK(fabs(got[k][i] - want) <= 1e-12,
                    "batch %d program %d: penalty %.17g, "
                    "reference %.17g",
                    k, i, got[k][i], want);
        }
    }
    free_lines(lines, m);
    for (int k = 0; k < N_BATCHES; k++)
        free(got[k]);
}

static void remove_tmpdir(void)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    T_CHECK(system(cmd) == 0, "cannot remove %s", tmpdir);
}

int main(void)
{
    T_CHECK(mkdtemp(tmpdir) != NULL, "mkdtemp failed");
    test_phash();
    test_image_rules();
    test_bleu();
    test_cluster();
    test_penalty();
    remove_tmpdir();
    return t_finish();
}
