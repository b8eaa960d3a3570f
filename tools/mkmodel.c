/* mkmodel.c - random decoder-only language models as GGUF (see mkmodel.h): hyperparameter
 * metadata, a built-in byte-level BPE vocabulary or one copied from another GGUF, and
 * seeded weights in the chosen tensor type (also those of the projectors, mkmodel_vit.c). */
#include "tools/mkmodel.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/rng.h"
#include "runtime/dtype.h"
#include "runtime/gguf.h"
#include "runtime/quant.h"
#include "tools/mkmodel_int.h"

/* ---- presets and checks ----------------------------------------------------------------- */

mkmodel_spec mkmodel_preset_tiny(void)
{
    /* Small enough for lavapipe tests in seconds; untied so output.weight is exercised; a
     * low rope base so that positions visibly change every rotated pair. */
    mkmodel_spec s = {.arch = MK_QWEN2,
                      .type = DT_F32,
                      .n_layer = 2,
                      .n_embd = 64,
                      .n_head = 4,
                      .n_head_kv = 2,
                      .n_ff = 128,
                      .n_ctx = 4096,
                      .rope_theta = 10000.0,
                      .rms_eps = 1e-6};
    return s;
}

mkmodel_spec mkmodel_preset_qwen2_05b(void)
{
    /* The shape of Qwen2-0.5B (and of Qwen2.5-0.5B): tied head, rope base 1e6. */
    mkmodel_spec s = {.arch = MK_QWEN2,
                      .type = DT_F32,
                      .n_layer = 24,
                      .n_embd = 896,
                      .n_head = 14,
                      .n_head_kv = 2,
                      .n_ff = 4864,
                      .n_ctx = 32768,
                      .rope_theta = 1000000.0,
                      .rms_eps = 1e-6,
                      .tied = 1};
    return s;
}

const char *mkmodel_arch_name(mkmodel_arch a)
{
    return a == MK_QWEN2VL ? "qwen2vl" : a == MK_LLAMA ? "llama" : "qwen2";
}

static int is_k_quant(int type)
{
    return type == DT_Q4_K || type == DT_Q5_K || type == DT_Q6_K;
}

static int head_dim(const mkmodel_spec *s)
{
    return s->n_embd / s->n_head;
}

int mkmodel_check(const mkmodel_spec *s, errmsg *e)
{
    if (s->proj != MK_NO_PROJ)
        return mkvit_check(s, e);
    if (s->n_embd % s->n_head)
        return err_set(e, ERR_ENV, "--embd %d is not a multiple of --heads %d", s->n_embd,
                       s->n_head);
    if (s->n_head % s->n_head_kv)
        return err_set(e, ERR_ENV, "--heads %d is not a multiple of --kv-heads %d", s->n_head,
                       s->n_head_kv);
    if (head_dim(s) % 2)
        return err_set(e, ERR_ENV, "head dimension %d (--embd / --heads) must be even",
                       head_dim(s));
    /* Rows too short for a K-quant's 256 fall back to a 32-element type, as llama.cpp's
     * quantizer does, so every block type needs rows of whole 32-element blocks. */
    int block = is_k_quant(s->type) ? 32 : dtype_block(s->type);
    if (s->n_embd % block || s->n_ff % block)
        return err_set(e, ERR_ENV, "--type %s needs --embd and --ff multiples of %d (got %d, %d)",
                       dtype_name(s->type), block, s->n_embd, s->n_ff);
    if (!(s->rope_theta > 0) || !(s->rms_eps > 0))
        return err_set(e, ERR_ENV, "--rope-theta and --rms-eps must be positive");
    return 0;
}

/* ---- the built-in vocabulary: GPT-2 byte tokens, merges learnt from a fixed text -------- */

enum { N_BYTES = 256, N_MERGES = 377, MAX_PIECE = 24, MAX_PIECES = 2048 };

/* Qwen2's special tokens, typed CONTROL, after the BPE tokens as in Qwen2's vocabulary. */
static const char *const specials[] = {
    "<|endoftext|>",  "<|im_start|>",  "<|im_end|>",    "<|vision_start|>",
    "<|vision_end|>", "<|image_pad|>", "<|video_pad|>",
};
enum { N_SPECIALS = sizeof specials / sizeof specials[0] };
enum { N_BUILTIN_VOCAB = N_BYTES + N_MERGES + N_SPECIALS, ENDOFTEXT = N_BYTES + N_MERGES };
enum { TOKEN_NORMAL = 1, TOKEN_CONTROL = 3 };

/* Qwen2-Instruct's ChatML template (default system prompt when none is given). */
static const char chat_template[] =
    "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}"
    "{{ '<|im_start|>system\\nYou are a helpful assistant.<|im_end|>\\n' }}{% endif %}"
    "{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}"
    "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

/* The text the merges are learnt from: plain English of the kind the loop's prompts hold, so
 * the merges form common words and word pieces. */
static const char corpus[] =
    "Look at the image and write a program that transforms it. The program defines a "
    "function edit_image that takes the image and a few parameters, and returns a new image. "
    "It is called four times with four different sets of parameters, and each result is "
    "shown to the solver as one of four options. The solver looks at the original image and "
    "at the edited images, and answers a question about them: which option was rotated by "
    "the largest angle, which one is the brightest, which one was flipped, which one has "
    "the most colors, where the red square is, how many circles there are in the picture. "
    "The answer is checked against the result of running the program, so every answer is "
    "verified without a judge. A good question is one that the solver answers correctly "
    "some of the time but not always: questions that are too easy or too hard teach nothing. "
    "The challenger is rewarded for questions that are neither, and the solver is rewarded "
    "for correct answers. Both roles are played by the same model, which improves over many "
    "rounds of this game. The images are photographs of streets, rooms, animals, food and "
    "landscapes, drawings, charts and diagrams, screenshots of text, and scenes with people "
    "in them. The operations include rotation, cropping, resizing, mirroring, changing the "
    "brightness, the contrast, the color balance and the sharpness, blurring, drawing lines, "
    "rectangles, ellipses and polygons, pasting one part of the image onto another, and "
    "converting between color modes. Parameters are numbers such as angles in degrees, "
    "factors, sizes in pixels and positions, or colors given as names or as red, green and "
    "blue values between zero and two hundred fifty five. The program must run within the "
    "step and memory budgets, must not read files or the network, and must return an image "
    "for every set of parameters. When a program fails for one set, that case is reported "
    "with the kind of error and the line where it happened, and the other cases still run. "
    "Describe this image. What is the color of the car on the left? How many people are "
    "standing near the window? Is the text in the top right corner readable after the "
    "transformation? Which of the four images is the original one turned upside down? "
    "Answer with the letter of the option: A, B, C or D. The first option is A, the second "
    "is B, the third is C and the fourth is D. Think step by step before you answer, and "
    "then give the final answer on its own line. Questions about counting, comparing, "
    "locating and reading are all useful, because they test different skills of the model. "
    "A model that learns to see small differences between images becomes better at "
    "describing images, at following instructions about them, and at reasoning about what "
    "changed and why. The training data written by each round holds the token ids, the "
    "log probabilities, the rewards and the advantages of every rollout, together with the "
    "images and the questions, so that a trainer can update the model from it directly.\n"
    "def edit_image(img, angle=0, scale=1.0):\n"
    "    w, h = img.size\n"
    "    out = img.rotate(angle, expand=True)\n"
    "    return out.resize((int(w * scale), int(h * scale)))\n"
    "args_list = [{'angle': 15}, {'angle': 30}, {'angle': 45}, {'angle': 60}]\n";

typedef struct vocab {
    int n_tokens, n_merges;
    char **tokens; /* UTF-8 */
    int32_t *types;
    char **merges; /* "left right", rank = index */
} vocab;

static void vocab_free(vocab *v)
{
    for (int i = 0; i < v->n_tokens; i++)
        free(v->tokens[i]);
    for (int i = 0; i < v->n_merges; i++)
        free(v->merges[i]);
    free(v->tokens);
    free(v->types);
    free(v->merges);
}

/* GPT-2's byte-to-unicode table: printable bytes stand for themselves and take the first
 * ids in byte order; the 68 others map to U+0100 upwards and take the ids after them. */
static int byte_printable(int b)
{
    return (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || b >= 174;
}

static void byte_tokens(vocab *v, int *byte_id)
{
    int n = 0, extra = 0;
    for (int pass = 0; pass < 2; pass++)
        for (int b = 0; b < 256; b++) {
            if (byte_printable(b) != !pass)
                continue;
            unsigned cp = pass ? 256u + (unsigned)extra++ : (unsigned)b;
            char *s = malloc(3);
            byte_id[b] = n;
            v->tokens[n++] = s;
            if (!s)
                continue;
            s[0] = (char)(cp < 0x80 ? cp : 0xC0 | cp >> 6);
            s[1] = (char)(cp < 0x80 ? 0 : 0x80 | (cp & 0x3F));
            s[2] = 0;
        }
}

typedef struct piece {
    int count, len;
    int ids[MAX_PIECE];
} piece;

static int is_letter(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Length of the pre-token at p: an optional space and a run of letters (as the qwen2
 * pre-tokenizer splits words), else one character. */
static int pretoken_len(const char *p)
{
    int n = p[0] == ' ' && is_letter(p[1]) ? 1 : 0;
    while (is_letter(p[n]) && n < MAX_PIECE)
        n++;
    return n ? n : 1;
}

/* The corpus as distinct pieces (byte-token id sequences) with their counts; -1 when there
 * are more than MAX_PIECES. */
static int split_corpus(const int *byte_id, piece *pieces)
{
    int n = 0;
    for (const char *p = corpus; *p;) {
        int len = pretoken_len(p), k;
        for (k = 0; k < n; k++) {
            if (pieces[k].len != len)
                continue;
            int same = 1;
            for (int i = 0; i < len && same; i++)
                same = pieces[k].ids[i] == byte_id[(unsigned char)p[i]];
            if (same)
                break;
        }
        if (k == MAX_PIECES)
            return -1;
        if (k == n) {
            pieces[n].count = 0;
            pieces[n].len = len;
            for (int i = 0; i < len; i++)
                pieces[n].ids[i] = byte_id[(unsigned char)p[i]];
            n++;
        }
        pieces[k].count++;
        p += len;
    }
    return n;
}

/* The most frequent adjacent pair; ties go to the smaller (left, right). counts is a
 * zeroed N_BUILTIN_VOCAB^2 table: pass 0 counts, pass 1 picks, pass 2 zeroes it again.
 * Returns 0 when no pair is left. */
static int best_pair(const piece *pieces, int n, int *counts, int *left, int *right)
{
    int best = 0;
    for (int pass = 0; pass < 3; pass++)
        for (int k = 0; k < n; k++)
            for (int i = 0; i + 1 < pieces[k].len; i++) {
                int a = pieces[k].ids[i], b = pieces[k].ids[i + 1];
                int *c = &counts[a * N_BUILTIN_VOCAB + b];
                if (pass == 0)
                    *c += pieces[k].count;
                else if (pass == 2)
                    *c = 0;
                else if (*c > best || (*c == best && (a < *left || (a == *left && b < *right)))) {
                    best = *c;
                    *left = a;
                    *right = b;
                }
            }
    return best > 0;
}

static void merge_pieces(piece *pieces, int n, int a, int b, int id)
{
    for (int k = 0; k < n; k++) {
        int out = 0, *ids = pieces[k].ids;
        for (int i = 0; i < pieces[k].len; i++) {
            int pair = i + 1 < pieces[k].len && ids[i] == a && ids[i + 1] == b;
            ids[out++] = pair ? id : ids[i];
            i += pair;
        }
        pieces[k].len = out;
    }
}

static char *concat(const char *a, const char *sep, const char *b)
{
    char *s = malloc(strlen(a) + strlen(sep) + strlen(b) + 1);
    if (s)
        sprintf(s, "%s%s%s", a, sep, b);
    return s;
}

static int learn_merges(vocab *v, const int *byte_id, errmsg *e)
{
    piece *pieces = malloc(MAX_PIECES * sizeof *pieces);
    int *counts = calloc((size_t)N_BUILTIN_VOCAB * N_BUILTIN_VOCAB, sizeof *counts);
    int rc = pieces && counts ? 0 : err_set(e, ERR_FAIL, "out of memory building the vocab");
    int n = rc ? 0 : split_corpus(byte_id, pieces);
    if (n < 0)
        rc = err_set(e, ERR_FAIL, "built-in corpus has more than %d distinct words", MAX_PIECES);
    for (int m = 0; !rc && m < N_MERGES; m++) {
        int a = 0, b = 0, id = N_BYTES + m;
        if (!best_pair(pieces, n, counts, &a, &b)) {
            rc = err_set(e, ERR_FAIL, "built-in corpus ran out of pairs after %d merges", m);
            break;
        }
        merge_pieces(pieces, n, a, b, id);
        v->tokens[id] = concat(v->tokens[a], "", v->tokens[b]);
        v->merges[m] = concat(v->tokens[a], " ", v->tokens[b]);
        v->n_merges = m + 1;
        if (!v->tokens[id] || !v->merges[m])
            rc = err_set(e, ERR_FAIL, "out of memory building the vocab");
    }
    free(pieces);
    free(counts);
    return rc;
}

static int builtin_vocab(vocab *v, errmsg *e)
{
    int byte_id[256];
    memset(v, 0, sizeof *v);
    v->tokens = calloc(N_BUILTIN_VOCAB, sizeof *v->tokens);
    v->types = malloc(N_BUILTIN_VOCAB * sizeof *v->types);
    v->merges = calloc(N_MERGES, sizeof *v->merges);
    if (!v->tokens || !v->types || !v->merges)
        return err_set(e, ERR_FAIL, "out of memory building the vocab");
    v->n_tokens = N_BUILTIN_VOCAB;
    byte_tokens(v, byte_id);
    for (int i = 0; i < N_SPECIALS; i++)
        v->tokens[ENDOFTEXT + i] = concat(specials[i], "", "");
    for (int i = 0; i < N_BUILTIN_VOCAB; i++) {
        v->types[i] = i < ENDOFTEXT ? TOKEN_NORMAL : TOKEN_CONTROL;
        if (i >= ENDOFTEXT && !v->tokens[i])
            return err_set(e, ERR_FAIL, "out of memory building the vocab");
    }
    for (int b = 0; b < N_BYTES; b++)
        if (!v->tokens[byte_id[b]])
            return err_set(e, ERR_FAIL, "out of memory building the vocab");
    return learn_merges(v, byte_id, e);
}

/* The keys llama.cpp's converter writes for a Qwen2 vocabulary: bos = pad = <|endoftext|>,
 * eos = <|im_end|>, no BOS added. */
static void add_builtin_vocab(gguf_writer *w, const vocab *v)
{
    gguf_add_str(w, "tokenizer.ggml.model", "gpt2");
    gguf_add_str(w, "tokenizer.ggml.pre", "qwen2");
    gguf_add_arr(w, "tokenizer.ggml.tokens", GGUF_STR, v->tokens, (uint64_t)v->n_tokens);
    gguf_add_arr(w, "tokenizer.ggml.token_type", GGUF_I32, v->types, (uint64_t)v->n_tokens);
    gguf_add_arr(w, "tokenizer.ggml.merges", GGUF_STR, v->merges, (uint64_t)v->n_merges);
    gguf_add_u32(w, "tokenizer.ggml.bos_token_id", ENDOFTEXT);
    gguf_add_u32(w, "tokenizer.ggml.eos_token_id", ENDOFTEXT + 2);
    gguf_add_u32(w, "tokenizer.ggml.padding_token_id", ENDOFTEXT);
    gguf_add_bool(w, "tokenizer.ggml.add_bos_token", 0);
    gguf_add_str(w, "tokenizer.chat_template", chat_template);
}

/* ---- a vocabulary copied from another GGUF ---------------------------------------------- */

/* Element i of a number array (or scalar) stored as C type t at out. */
static int pack_number(const gguf_value *v, uint64_t i, gguf_type t, void *out)
{
    int64_t s = 0;
    uint64_t u = 0;
    double d = 0;
    int rc = t == GGUF_F32 || t == GGUF_F64 ? gguf_arr_f64(v, i, &d)
             : t == GGUF_U64                ? gguf_arr_u64(v, i, &u)
                                            : gguf_arr_i64(v, i, &s);
    union {
        uint8_t u8;
        int8_t i8;
        uint16_t u16;
        int16_t i16;
        uint32_t u32;
        int32_t i32;
        float f32;
        uint64_t u64;
        int64_t i64;
        double f64;
    } x;
    switch (t) {
    case GGUF_U8:
    case GGUF_BOOL: x.u8 = (uint8_t)s; break;
    case GGUF_I8: x.i8 = (int8_t)s; break;
    case GGUF_U16: x.u16 = (uint16_t)s; break;
    case GGUF_I16: x.i16 = (int16_t)s; break;
    case GGUF_U32: x.u32 = (uint32_t)s; break;
    case GGUF_I32: x.i32 = (int32_t)s; break;
    case GGUF_F32: x.f32 = (float)d; break;
    case GGUF_U64: x.u64 = u; break;
    case GGUF_I64: x.i64 = s; break;
    default: x.f64 = d; break;
    }
    memcpy(out, &x, gguf_type_size(t));
    return rc;
}

/* An array's n elements packed as the writer takes them: C numbers or string pointers. */
static void *pack_array(const gguf_value *v, errmsg *e)
{
    gguf_type t = gguf_arr_type(v);
    uint64_t n = gguf_arr_count(v);
    size_t size = t == GGUF_STR ? sizeof(char *) : gguf_type_size(t);
    char *items = malloc(n ? n * size : 1);
    if (!items) {
        err_set(e, ERR_FAIL, "out of memory");
        return NULL;
    }
    for (uint64_t i = 0; i < n; i++) {
        int bad = 0;
        if (t == GGUF_STR) {
            const char *s = gguf_arr_str(v, i, NULL);
            memcpy(items + i * size, &s, size);
        } else {
            bad = size == 0 || pack_number(v, i, t, items + i * size);
        }
        if (bad) {
            free(items);
            err_set(e, ERR_FAIL, "element %llu of type %s cannot be copied", (unsigned long long)i,
                    gguf_type_name(t));
            return NULL;
        }
    }
    return items;
}

static int copy_arr_of_arr(gguf_writer *w, const char *key, const gguf_value *v, errmsg *e)
{
    uint64_t n = gguf_arr_count(v);
    const void **items = calloc(n ? n : 1, sizeof *items);
    uint64_t *counts = calloc(n ? n : 1, sizeof *counts);
    gguf_type elem = n ? gguf_arr_type(gguf_arr_arr(v, 0)) : GGUF_U8;
    int rc = items && counts ? 0 : err_set(e, ERR_FAIL, "out of memory");
    for (uint64_t j = 0; j < n && !rc; j++) {
        const gguf_value *inner = gguf_arr_arr(v, j);
        if (gguf_arr_type(inner) != elem || elem == GGUF_STR || elem == GGUF_ARR)
            rc = err_set(e, ERR_FAIL, "nested arrays of mixed or non-number types");
        else if (!(items[j] = pack_array(inner, e)))
            rc = ERR_FAIL;
        counts[j] = rc ? 0 : gguf_arr_count(inner);
    }
    if (!rc)
        gguf_add_arr_of_arr(w, key, elem, n, items, counts);
    for (uint64_t j = 0; items && j < n; j++)
        free((void *)items[j]);
    free(items);
    free(counts);
    return rc;
}

static void add_scalar(gguf_writer *w, const char *key, gguf_type t, const void *p)
{
    switch (t) {
    case GGUF_U8: gguf_add_u8(w, key, *(const uint8_t *)p); break;
    case GGUF_I8: gguf_add_i8(w, key, *(const int8_t *)p); break;
    case GGUF_U16: gguf_add_u16(w, key, *(const uint16_t *)p); break;
    case GGUF_I16: gguf_add_i16(w, key, *(const int16_t *)p); break;
    case GGUF_U32: gguf_add_u32(w, key, *(const uint32_t *)p); break;
    case GGUF_I32: gguf_add_i32(w, key, *(const int32_t *)p); break;
    case GGUF_F32: gguf_add_f32(w, key, *(const float *)p); break;
    case GGUF_BOOL: gguf_add_bool(w, key, *(const uint8_t *)p); break;
    case GGUF_U64: gguf_add_u64(w, key, *(const uint64_t *)p); break;
    case GGUF_I64: gguf_add_i64(w, key, *(const int64_t *)p); break;
    default: gguf_add_f64(w, key, *(const double *)p); break;
    }
}

/* Copies one value of any type under the same key and type. */
static int copy_value(gguf_writer *w, const char *key, const gguf_value *v, errmsg *e)
{
    gguf_type t = gguf_value_type(v);
    if (t == GGUF_STR) {
        gguf_add_str(w, key, gguf_arr_str(v, 0, NULL));
        return 0;
    }
    if (t == GGUF_ARR && gguf_arr_type(v) == GGUF_ARR)
        return copy_arr_of_arr(w, key, v, e);
    void *items = pack_array(v, e);
    if (!items)
        return err_prefix(e, "key %s: ", key);
    if (t == GGUF_ARR)
        gguf_add_arr(w, key, gguf_arr_type(v), items, gguf_arr_count(v));
    else
        add_scalar(w, key, t, items);
    free(items);
    return 0;
}

/* The vocabulary size of a source GGUF: the length of its tokenizer.ggml.tokens. */
static int source_vocab_size(const gguf_file *f, int64_t *n_vocab, errmsg *e)
{
    const gguf_value *tokens;
    if (gguf_get_arr(f, "tokenizer.ggml.tokens", GGUF_STR, &tokens, e))
        return ERR_FAIL;
    *n_vocab = (int64_t)gguf_arr_count(tokens);
    if (*n_vocab == 0)
        return err_set(e, ERR_FAIL, "%s: tokenizer.ggml.tokens is empty", gguf_path(f));
    return 0;
}

/* Every tokenizer.* key of f, in file order, with its type. */
static int copy_tokenizer_keys(gguf_writer *w, const gguf_file *f, errmsg *e)
{
    for (int64_t i = 0; i < gguf_n_kv(f); i++) {
        const char *key = gguf_kv_key(f, i);
        if (strncmp(key, "tokenizer.", 10) == 0 && copy_value(w, key, gguf_kv_value(f, i), e))
            return err_prefix(e, "%s: ", gguf_path(f));
    }
    return 0;
}

/* ---- hyperparameters -------------------------------------------------------------------- */

uint32_t mk_file_type(int type)
{
    switch (type) {
    case DT_F16: return 1;
    case DT_Q4_0: return 2;
    case DT_Q4_1: return 3;
    case DT_Q8_0: return 7;
    case DT_Q5_0: return 8;
    case DT_Q5_1: return 9;
    case DT_Q4_K: return 14; /* Q4_K_S */
    case DT_Q5_K: return 16; /* Q5_K_S */
    case DT_Q6_K: return 18;
    case DT_BF16: return 32;
    default: return 0; /* all f32 */
    }
}

/* "{arch}.{suffix}" in buf. */
static const char *akey(char *buf, size_t size, const mkmodel_spec *s, const char *suffix)
{
    snprintf(buf, size, "%s.%s", mkmodel_arch_name(s->arch), suffix);
    return buf;
}

/* M-RoPE sections in rotated pairs, in Qwen2-VL's proportions 1/4 : 3/8 : 3/8 : 0
 * ([16, 24, 24, 0] for head dimension 128). */
static void mrope_sections(int hd, int32_t sections[4])
{
    int half = hd / 2;
    sections[0] = half / 4;
    sections[1] = (half - sections[0]) / 2;
    sections[2] = half - sections[0] - sections[1];
    sections[3] = 0;
}

/* The keys llama.cpp's converter writes for the architecture, in its order. */
static void add_hparams(gguf_writer *w, const mkmodel_spec *s, int64_t n_vocab)
{
    char k[128], name[64];
    snprintf(name, sizeof name, "vkeve random %s", mkmodel_arch_name(s->arch));
    gguf_add_str(w, "general.architecture", mkmodel_arch_name(s->arch));
    gguf_add_str(w, "general.type", "model");
    gguf_add_str(w, "general.name", name);
    gguf_add_u32(w, akey(k, sizeof k, s, "block_count"), (uint32_t)s->n_layer);
    gguf_add_u32(w, akey(k, sizeof k, s, "context_length"), (uint32_t)s->n_ctx);
    gguf_add_u32(w, akey(k, sizeof k, s, "embedding_length"), (uint32_t)s->n_embd);
    gguf_add_u32(w, akey(k, sizeof k, s, "feed_forward_length"), (uint32_t)s->n_ff);
    gguf_add_u32(w, akey(k, sizeof k, s, "attention.head_count"), (uint32_t)s->n_head);
    gguf_add_u32(w, akey(k, sizeof k, s, "attention.head_count_kv"), (uint32_t)s->n_head_kv);
    gguf_add_f32(w, akey(k, sizeof k, s, "rope.freq_base"), (float)s->rope_theta);
    gguf_add_f32(w, akey(k, sizeof k, s, "attention.layer_norm_rms_epsilon"), (float)s->rms_eps);
    gguf_add_u32(w, "general.file_type", mk_file_type(s->type));
    if (s->arch == MK_LLAMA) {
        gguf_add_u32(w, akey(k, sizeof k, s, "vocab_size"), (uint32_t)n_vocab);
        gguf_add_u32(w, akey(k, sizeof k, s, "rope.dimension_count"), (uint32_t)head_dim(s));
    }
    if (s->arch == MK_QWEN2VL) {
        int32_t sections[4];
        mrope_sections(head_dim(s), sections);
        gguf_add_arr(w, akey(k, sizeof k, s, "rope.dimension_sections"), GGUF_I32, sections, 4);
    }
    gguf_add_u32(w, "general.quantization_version", 2);
}

/* ---- weights ---------------------------------------------------------------------------- */

/* FNV-1a: a tensor's rng stream from its name. */
static uint64_t name_stream(const char *name)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        h = (h ^ *p) * 0x100000001b3ull;
    return h;
}

static int n_dims(const mk_wdesc *d)
{
    int n = 1;
    while (n < 4 && d->ne[n])
        n++;
    return n;
}

/* The product of the dimensions after the first: the number of rows. */
static int64_t n_rows(const mk_wdesc *d)
{
    int64_t rows = 1;
    for (int i = 1; i < n_dims(d); i++)
        rows *= d->ne[i];
    return rows;
}

/* Norms and biases stay f32 as the converter keeps them. A K-quant row shorter than its
 * 256-element block takes the type llama.cpp's quantizer falls back to; a row that is still
 * not whole blocks (a patch kernel's 14) is f16, as the converter falls back. */
static int tensor_type(const mkmodel_spec *s, const mk_wdesc *d)
{
    if (d->kind != MK_MATRIX)
        return DT_F32;
    int type = s->type;
    if (is_k_quant(type) && d->ne[0] % 256)
        type = type == DT_Q4_K ? DT_Q5_0 : type == DT_Q5_K ? DT_Q5_1 : DT_Q8_0;
    return d->ne[0] % dtype_block(type) ? DT_F16 : type;
}

/* Matrices N(0, 1/fan_in): unit-variance inputs give unit-variance outputs, so activations
 * and logits stay O(1). Norm weights 1 + 0.1 N(0, 1), biases 0.1 N(0, 1). */
static void fill(float *x, int64_t n, const mk_wdesc *d, rng *r)
{
    int64_t fan_in = n / d->ne[n_dims(d) - 1];
    float std = d->kind == MK_MATRIX ? 1.0f / sqrtf((float)fan_in) : 0.1f;
    float mean = d->kind == MK_NORM ? 1.0f : 0.0f;
    for (int64_t i = 0; i < n; i++)
        x[i] = mean + std * rng_normal(r);
}

/* Per head of hd rows: file row 2i + j = Hugging Face row j * hd/2 + i, the converter's
 * reshape(heads, 2, hd/2, ...) -> swap axes 1 and 2. */
static void permute_rows(const float *src, float *dst, const mk_wdesc *d)
{
    int64_t hd = d->permute_hd, half = hd / 2, ne0 = d->ne[0];
    for (int64_t row = 0; row < n_rows(d); row++) {
        int64_t head = row / hd, i = row % hd / 2, j = row % 2;
        const float *from = src + (head * hd + j * half + i) * ne0;
        memcpy(dst + row * ne0, from, (size_t)ne0 * sizeof *dst);
    }
}

int mk_add_weight(mk_builder *b, const mk_wdesc *d)
{
    int64_t rows = n_rows(d), n = d->ne[0] * rows;
    int type = tensor_type(b->s, d);
    size_t bytes = dtype_row_bytes(type, d->ne[0]) * (size_t)rows;
    float *x = malloc((size_t)n * sizeof *x);
    float *y = d->permute_hd ? malloc((size_t)n * sizeof *y) : NULL;
    void *q = malloc(bytes);
    int rc = x && q && (y || !d->permute_hd) ? 0 : err_set(b->e, ERR_FAIL, "out of memory");
    if (!rc) {
        rng r = rng_make(b->s->seed, name_stream(d->name));
        fill(x, n, d, &r);
        if (y)
            permute_rows(x, y, d);
        rc = quant_quantize(type, y ? y : x, q, n, b->e);
    }
    if (!rc && gguf_add_tensor(b->w, d->name, type, n_dims(d), d->ne, q))
        rc = err_set(b->e, ERR_FAIL, "cannot add tensor %s", d->name);
    if (!rc) {
        b->sum->n_tensors++;
        b->sum->n_params += n;
        b->sum->count_by_type[type]++;
    }
    free(x);
    free(y);
    free(q);
    return rc;
}

static int add_block(mk_builder *b, int layer)
{
    const mkmodel_spec *s = b->s;
    int64_t hd = head_dim(s), q_rows = s->n_head * hd, kv_rows = s->n_head_kv * hd;
    int bias = s->arch != MK_LLAMA, perm = s->arch == MK_LLAMA ? (int)hd : 0;
    const mk_wdesc descs[] = {
        {"attn_norm.weight", MK_NORM, {s->n_embd}, 0},
        {"attn_q.weight", MK_MATRIX, {s->n_embd, q_rows}, perm},
        {"attn_q.bias", MK_BIAS, {q_rows}, 0},
        {"attn_k.weight", MK_MATRIX, {s->n_embd, kv_rows}, perm},
        {"attn_k.bias", MK_BIAS, {kv_rows}, 0},
        {"attn_v.weight", MK_MATRIX, {s->n_embd, kv_rows}, 0},
        {"attn_v.bias", MK_BIAS, {kv_rows}, 0},
        {"attn_output.weight", MK_MATRIX, {q_rows, s->n_embd}, 0},
        {"ffn_norm.weight", MK_NORM, {s->n_embd}, 0},
        {"ffn_gate.weight", MK_MATRIX, {s->n_embd, s->n_ff}, 0},
        {"ffn_up.weight", MK_MATRIX, {s->n_embd, s->n_ff}, 0},
        {"ffn_down.weight", MK_MATRIX, {s->n_ff, s->n_embd}, 0},
    };
    for (size_t i = 0; i < sizeof descs / sizeof descs[0]; i++) {
        if (descs[i].kind == MK_BIAS && !bias)
            continue;
        char name[GGUF_MAX_NAME];
        mk_wdesc d = descs[i];
        snprintf(name, sizeof name, "blk.%d.%s", layer, descs[i].name);
        d.name = name;
        if (mk_add_weight(b, &d))
            return ERR_FAIL;
    }
    return 0;
}

static int add_weights(mk_builder *b, int64_t n_vocab)
{
    const mkmodel_spec *s = b->s;
    mk_wdesc embd = {"token_embd.weight", MK_MATRIX, {s->n_embd, n_vocab}, 0};
    mk_wdesc norm = {"output_norm.weight", MK_NORM, {s->n_embd}, 0};
    mk_wdesc head = {"output.weight", MK_MATRIX, {s->n_embd, n_vocab}, 0};
    if (mk_add_weight(b, &embd))
        return ERR_FAIL;
    for (int l = 0; l < s->n_layer; l++)
        if (add_block(b, l))
            return ERR_FAIL;
    if (mk_add_weight(b, &norm) || (!s->tied && mk_add_weight(b, &head)))
        return ERR_FAIL;
    return 0;
}

/* ---- the file ----------------------------------------------------------------------------- */

/* Metadata: hyperparameters, then the vocabulary (built in, or copied from src). */
static int add_metadata(gguf_writer *w, const mkmodel_spec *s, const gguf_file *src,
                        int64_t *n_vocab, errmsg *e)
{
    if (src) {
        if (source_vocab_size(src, n_vocab, e))
            return ERR_FAIL;
        add_hparams(w, s, *n_vocab);
        return copy_tokenizer_keys(w, src, e);
    }
    vocab v;
    int rc = builtin_vocab(&v, e);
    if (!rc) {
        *n_vocab = v.n_tokens;
        add_hparams(w, s, *n_vocab);
        add_builtin_vocab(w, &v);
    }
    vocab_free(&v);
    return rc;
}

int mkmodel_write(const mkmodel_spec *s, const char *path, mkmodel_summary *sum, errmsg *e)
{
    memset(sum, 0, sizeof *sum);
    gguf_file *src = NULL;
    int lm = s->proj == MK_NO_PROJ;
    if (lm && s->vocab_from && gguf_open(s->vocab_from, &src, e))
        return ERR_FAIL;
    gguf_writer *w = gguf_writer_new();
    mk_builder b = {w, s, sum, e};
    int rc = w ? 0 : err_set(e, ERR_FAIL, "out of memory");
    if (!rc && lm)
        rc = add_metadata(w, s, src, &sum->n_vocab, e);
    gguf_close(src);
    if (!rc)
        rc = lm ? add_weights(&b, sum->n_vocab) : mkvit_build(&b);
    if (!rc)
        rc = gguf_writer_write(w, path, e);
    gguf_writer_free(w);
    return rc ? ERR_FAIL : 0;
}
