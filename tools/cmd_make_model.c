/* cmd_make_model.c - `vkeve make-model`: writes a random decoder-only language model or a
 * Qwen2-VL / Qwen2.5-VL vision projector as GGUF (tools/mkmodel.h), the test inputs of the
 * decoder and the vision encoder and of their PyTorch references in tests/reference/. */
#include "tools/commands.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "runtime/dtype.h"
#include "tools/mkmodel.h"

const char cmd_make_model_usage[] =
    "usage: vkeve make-model OUT.gguf [--arch qwen2|qwen2vl|llama] [--type TYPE]\n"
    "                        [--preset tiny|qwen2-0.5b] [--seed N] [--layers N] [--embd N]\n"
    "                        [--heads N] [--kv-heads N] [--ff N] [--ctx N] [--rope-theta X]\n"
    "                        [--rms-eps X] [--tied | --untied] [--vocab-from FILE.gguf]\n"
    "       vkeve make-model OUT.gguf --mmproj qwen2vl|qwen2.5vl [--type TYPE]\n"
    "                        [--preset tiny|qwen2vl-2b] [--seed N] [--layers N] [--embd N]\n"
    "                        [--heads N] [--ff N] [--text-embd N] [--wa-pattern N] [--rms-eps "
    "X]\n\n"
    "Writes a random decoder-only language model, or with --mmproj the vision projector\n"
    "(\"mmproj\") of Qwen2-VL or Qwen2.5-VL, with the tensor names and metadata of llama.cpp's\n"
    "converter. The same arguments give the same file bytes.\n\n"
    "options:\n"
    "  --arch A         qwen2 (default), qwen2vl (M-RoPE sections) or llama (no q/k/v\n"
    "                   biases; attn_q/attn_k rows permuted per head as the converter does)\n"
    "  --type T         type of the matrices, token_embd and output included: f32 (default),\n"
    "                   f16, bf16, q8_0, q4_0, q4_1, q5_0, q5_1, q4_K, q5_K, q6_K. Norms and\n"
    "                   biases stay f32. K-quant rows not a multiple of 256 fall back as in\n"
    "                   llama.cpp's quantizer: q4_K -> q5_0, q5_K -> q5_1, q6_K -> q8_0\n"
    "  --preset P       tiny (default): 2 layers, 64 wide, 4 heads, 2 KV heads, FFN 128,\n"
    "                   context 4096, rope base 10000, untied head;\n"
    "                   qwen2-0.5b: 24 layers, 896 wide, 14 heads, 2 KV heads, FFN 4864,\n"
    "                   context 32768, rope base 1000000, tied head\n"
    "  --seed N         weights' seed (default 0)\n"
    "  --layers N, --embd N, --heads N, --kv-heads N, --ff N, --ctx N\n"
    "                   override the preset's shape\n"
    "  --rope-theta X   RoPE base; --rms-eps X  RMSNorm epsilon (default 1e-6)\n"
    "  --tied, --untied without or with a separate output.weight\n"
    "  --vocab-from F   copy every tokenizer.* key from the GGUF file F (the embedding and\n"
    "                   output rows follow its vocabulary size); default: a built-in\n"
    "                   640-token byte-level BPE vocabulary with Qwen2's special tokens\n\n"
    "projector options (with --mmproj):\n"
    "  --mmproj P       qwen2vl (LayerNorm, quick-GELU MLP; projector qwen2vl_merger) or\n"
    "                   qwen2.5vl (RMSNorm, SwiGLU MLP, windowed attention; qwen2.5vl_merger)\n"
    "  --preset P       tiny (default): 2 layers, 64 wide, 4 heads, FFN 128, output 64;\n"
    "                   qwen2vl-2b: 32 layers, 1280 wide, 16 heads, FFN 5120 (3420 for\n"
    "                   qwen2.5vl), output 1536\n"
    "  --text-embd N    output width: the text model's embedding (clip.vision.projection_dim)\n"
    "  --wa-pattern N   qwen2.5vl: layers l with (l + 1) % N == 0 attend globally, the others\n"
    "                   within 112-pixel windows (default 2 for tiny, 8 for qwen2vl-2b)\n"
    "  --type, --seed, --layers, --embd, --heads, --ff, --rms-eps as above; the head\n"
    "                   dimension must be a multiple of 8, and rows that are not whole blocks\n"
    "                   of a quantized type (the patch kernels' 14) are stored as f16\n\n"
    "Weights: matrices N(0, 1/fan_in), norm weights 1 + 0.1 N(0, 1), biases 0.1 N(0, 1).\n"
    "exit status: 0 written, 1 write failure or unreadable --vocab-from file, 2 bad usage.\n";

static int parse_arch(const char *v, mkmodel_arch *out)
{
    static const mkmodel_arch archs[] = {MK_QWEN2, MK_QWEN2VL, MK_LLAMA};
    for (int i = 0; i < 3; i++)
        if (strcmp(v, mkmodel_arch_name(archs[i])) == 0) {
            *out = archs[i];
            return 0;
        }
    return cmd_usage_error("make-model", "--arch: '%s' is not qwen2, qwen2vl or llama", v);
}

static int parse_type(const char *v, int *out)
{
    for (int t = 0; t < 64; t++)
        if (dtype_supported(t) && strcasecmp(v, dtype_name(t)) == 0) {
            *out = t;
            return 0;
        }
    char names[256];
    dtype_supported_names(names, sizeof names);
    return cmd_usage_error("make-model", "--type: '%s' is not one of %s", v, names);
}

static int parse_positive(const char *opt, const char *v, double *out)
{
    char *end;
    double x = strtod(v, &end);
    if (!*v || *end || !isfinite(x) || x <= 0)
        return cmd_usage_error("make-model", "%s: '%s' is not a positive number", opt, v);
    *out = x;
    return 0;
}

/* The integer options: name, largest value, field. */
typedef struct int_option {
    const char *name;
    long max;
    int *field;
} int_option;

static int parse_int_option(mkmodel_spec *s, const char *opt, const char *v, int *matched)
{
    const int_option opts[] = {
        {"--layers", 1000, &s->n_layer},
        {"--embd", 65536, &s->n_embd},
        {"--heads", 1024, &s->n_head},
        {"--kv-heads", 1024, &s->n_head_kv},
        {"--ff", 1 << 20, &s->n_ff},
        {"--ctx", 1 << 24, &s->n_ctx},
        {"--text-embd", 65536, &s->n_text_embd},
        {"--wa-pattern", 1000, &s->n_wa_pattern},
    };
    for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++) {
        if (strcmp(opt, opts[i].name))
            continue;
        long x;
        *matched = 1;
        if (cmd_parse_int(v, 1, opts[i].max, &x))
            return cmd_usage_error("make-model", "%s: '%s' is not an integer from 1 to %ld", opt, v,
                                   opts[i].max);
        *opts[i].field = (int)x;
        return 0;
    }
    *matched = 0;
    return 0;
}

static int parse_valued(mkmodel_spec *s, const char *opt, const char *v)
{
    int matched, rc = parse_int_option(s, opt, v, &matched);
    long seed;
    if (matched)
        return rc;
    if (strcmp(opt, "--arch") == 0)
        return parse_arch(v, &s->arch);
    if (strcmp(opt, "--type") == 0)
        return parse_type(v, &s->type);
    if (strcmp(opt, "--rope-theta") == 0)
        return parse_positive(opt, v, &s->rope_theta);
    if (strcmp(opt, "--rms-eps") == 0)
        return parse_positive(opt, v, &s->rms_eps);
    if (strcmp(opt, "--vocab-from") == 0) {
        s->vocab_from = v;
        return 0;
    }
    if (strcmp(opt, "--mmproj") == 0)
        return 0;
    if (cmd_parse_int(v, 0, LONG_MAX, &seed))
        return cmd_usage_error("make-model", "--seed: '%s' is not a non-negative integer", v);
    s->seed = (uint64_t)seed;
    return 0;
}

static int takes_value(const char *a)
{
    static const char *const names[] = {"--arch",       "--type",   "--preset",     "--seed",
                                        "--layers",     "--embd",   "--heads",      "--kv-heads",
                                        "--ff",         "--ctx",    "--rope-theta", "--rms-eps",
                                        "--vocab-from", "--mmproj", "--text-embd",  "--wa-pattern"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(a, names[i]) == 0)
            return 1;
    return 0;
}

/* The value of the last `opt value` pair in argv, or NULL. */
static const char *find_value(int argc, char **argv, const char *opt)
{
    const char *v = NULL;
    for (int i = 1; i + 1 < argc; i++)
        if (strcmp(argv[i], opt) == 0)
            v = argv[++i];
    return v;
}

static int parse_proj(const char *v, mkmodel_proj *out)
{
    static const mkmodel_proj projs[] = {MK_PROJ_QWEN2VL, MK_PROJ_QWEN25VL};
    *out = MK_NO_PROJ;
    for (int i = 0; v && i < 2; i++)
        if (strcmp(v, mkmodel_proj_name(projs[i])) == 0)
            *out = projs[i];
    if (v && *out == MK_NO_PROJ)
        return cmd_usage_error("make-model", "--mmproj: '%s' is not qwen2vl or qwen2.5vl", v);
    return 0;
}

/* --mmproj and the preset first, so that every other option overrides the preset wherever
 * it stands. */
static int parse_preset(int argc, char **argv, mkmodel_spec *s)
{
    mkmodel_proj proj;
    if (parse_proj(find_value(argc, argv, "--mmproj"), &proj))
        return 2;
    const char *v = find_value(argc, argv, "--preset");
    const char *big = proj == MK_NO_PROJ ? "qwen2-0.5b" : "qwen2vl-2b";
    if (v && strcmp(v, "tiny") != 0 && strcmp(v, big) != 0)
        return cmd_usage_error("make-model", "--preset: '%s' is not tiny or %s%s", v, big,
                               proj == MK_NO_PROJ ? "" : " (with --mmproj)");
    int tiny = !v || strcmp(v, "tiny") == 0;
    if (proj == MK_NO_PROJ)
        *s = tiny ? mkmodel_preset_tiny() : mkmodel_preset_qwen2_05b();
    else
        *s = tiny ? mkmodel_preset_vit_tiny(proj) : mkmodel_preset_vit_2b(proj);
    return 0;
}

/* Options of one kind of file only: refused for the other kind, rather than ignored. */
static int check_applies(const mkmodel_spec *s, const char *opt)
{
    static const char *const text_only[] = {"--arch", "--kv-heads", "--ctx",       "--rope-theta",
                                            "--tied", "--untied",   "--vocab-from"};
    for (size_t i = 0; s->proj != MK_NO_PROJ && i < sizeof text_only / sizeof text_only[0]; i++)
        if (strcmp(opt, text_only[i]) == 0)
            return cmd_usage_error("make-model", "%s does not apply to --mmproj", opt);
    if (s->proj == MK_NO_PROJ && (!strcmp(opt, "--text-embd") || !strcmp(opt, "--wa-pattern")))
        return cmd_usage_error("make-model", "%s needs --mmproj", opt);
    if (s->proj == MK_PROJ_QWEN2VL && strcmp(opt, "--wa-pattern") == 0)
        return cmd_usage_error("make-model", "--wa-pattern needs --mmproj qwen2.5vl");
    return 0;
}

static int parse_options(int argc, char **argv, mkmodel_spec *s, const char **out)
{
    int rc = parse_preset(argc, argv, s);
    for (int i = 1; i < argc && !rc; i++) {
        const char *a = argv[i];
        if (check_applies(s, a))
            return 2;
        if (strcmp(a, "--tied") == 0 || strcmp(a, "--untied") == 0) {
            s->tied = strcmp(a, "--tied") == 0;
        } else if (takes_value(a)) {
            if (i + 1 >= argc)
                return cmd_usage_error("make-model", "%s needs a value", a);
            i++;
            rc = strcmp(a, "--preset") == 0 ? 0 : parse_valued(s, a, argv[i]);
        } else if (a[0] == '-' && a[1]) {
            return cmd_usage_error("make-model", "unknown option '%s'", a);
        } else if (*out) {
            return cmd_usage_error("make-model", "unexpected argument '%s'", a);
        } else {
            *out = a;
        }
    }
    if (!rc && !*out)
        return cmd_usage_error("make-model", "expected OUT.gguf");
    return rc;
}

static void print_summary(const char *path, const mkmodel_spec *s, const mkmodel_summary *sum)
{
    if (s->proj == MK_NO_PROJ)
        printf("wrote %s: %s, %d layers, %d wide, vocab %lld", path, mkmodel_arch_name(s->arch),
               s->n_layer, s->n_embd, (long long)sum->n_vocab);
    else
        printf("wrote %s: %s mmproj, %d layers, %d wide, output %d", path,
               mkmodel_proj_name(s->proj), s->n_layer, s->n_embd, s->n_text_embd);
    printf(", %lld parameters, %lld tensors (", (long long)sum->n_params,
           (long long)sum->n_tensors);
    const char *sep = "";
    for (int t = 0; t < 64; t++)
        if (sum->count_by_type[t]) {
            printf("%s%s %lld", sep, dtype_name(t), (long long)sum->count_by_type[t]);
            sep = ", ";
        }
    printf(")\n");
}

int cmd_make_model(int argc, char **argv)
{
    mkmodel_spec s;
    const char *out = NULL;
    int rc = parse_options(argc, argv, &s, &out);
    if (rc)
        return rc;
    errmsg e;
    if (mkmodel_check(&s, &e))
        return cmd_usage_error("make-model", "%s", e.text);
    mkmodel_summary sum;
    if (mkmodel_write(&s, out, &sum, &e)) {
        fprintf(stderr, "vkeve make-model: %s\n", e.text);
        return 1;
    }
    print_summary(out, &s, &sum);
    return 0;
}
