/* cmd_describe.c - `vkeve describe`: an answer about one or more images from a vision-language
 * model (a qwen2vl GGUF and its mmproj), through the model's chat format. */
#include "tools/commands.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evolve/vlm.h"
#include "tools/cmd_json.h"
#include "vision/img_io.h"

const char cmd_describe_usage[] =
    "usage: vkeve describe --model M.gguf --mmproj P.gguf --image A.png [--image B.png ...]\n"
    "                      --prompt TEXT [-n N] [--temp T] [--seed S] [--min-pixels N]\n"
    "                      [--max-pixels N] [--json]\n\n"
    "Asks the model about the images: one user message with the images first, then the\n"
    "prompt. The answer streams to stdout.\n"
    "  --image F          a PNG or JPEG file; repeat for several images (at most 16)\n"
    "  -n N               at most N new tokens (default 256)\n"
    "  --temp T           temperature; 0 is greedy (default 0)\n"
    "  --seed S           the seed (default 0)\n"
    "  --min-pixels N, --max-pixels N   bounds on each resized image (default the\n"
    "                     mmproj's, else Qwen2-VL's 3136 .. 12845056)\n"
    "  --json             one JSON object: prompt_ids (one <|image_pad|> per image token),\n"
    "                     image_grid_thw, ids, logprobs, text, finish\n";

enum { MAX_IMAGES = 16 };

typedef struct describe_args {
    const char *model, *mmproj, *prompt;
    const char *images[MAX_IMAGES];
    int n_images, json;
    long min_pixels, max_pixels;
    gen_request r;
} describe_args;

static int parse_value(describe_args *a, const char *o, const char *v)
{
    long n;
    if (!strcmp(o, "--temp")) {
        char *end;
        double t = strtod(v, &end);
        a->r.sampling.temperature = (float)t;
        return *end || !(t >= 0 && t <= 100);
    }
    if (cmd_parse_int(v, 0, 1L << 30, &n))
        return 1;
    if (!strcmp(o, "-n"))
        a->r.max_tokens = (int)n;
    else if (!strcmp(o, "--seed"))
        a->r.seed = (uint64_t)n;
    else if (!strcmp(o, "--min-pixels"))
        a->min_pixels = n;
    else
        a->max_pixels = n;
    return n < 1 && strcmp(o, "--seed") != 0;
}

static int parse_args(int argc, char **argv, describe_args *a)
{
    static const char *const numbers[] = {"-n", "--temp", "--seed", "--min-pixels", "--max-pixels"};
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(o, "--json")) {
            a->json = 1;
            continue;
        }
        if (!v)
            return cmd_usage_error(argv[0], "'%s' needs a value", o);
        i++;
        bool number = false;
        for (size_t k = 0; k < sizeof numbers / sizeof numbers[0]; k++)
            number |= !strcmp(o, numbers[k]);
        if (number && parse_value(a, o, v))
            return cmd_usage_error(argv[0], "bad value '%s' for %s", v, o);
        else if (!strcmp(o, "--model"))
            a->model = v;
        else if (!strcmp(o, "--mmproj"))
            a->mmproj = v;
        else if (!strcmp(o, "--prompt"))
            a->prompt = v;
        else if (!strcmp(o, "--image") && a->n_images < MAX_IMAGES)
            a->images[a->n_images++] = v;
        else if (!strcmp(o, "--image"))
            return cmd_usage_error(argv[0], "at most %d images", MAX_IMAGES);
        else if (!number)
            return cmd_usage_error(argv[0], "unexpected argument '%s'", o);
    }
    if (!a->model || !a->mmproj || !a->prompt || !a->n_images)
        return cmd_usage_error(argv[0],
                               "give --model, --mmproj, --prompt and at least one --image");
    return 0;
}

static void stream(void *user, int request, int sample, int32_t id, const char *text, size_t len)
{
    (void)user, (void)request, (void)sample, (void)id;
    fwrite(text, 1, len, stdout);
    fflush(stdout);
}

static void print_json(const vlm_prompt *p, const gen_sample *s)
{
    cJSON *o = cJSON_CreateObject(), *grids = cJSON_CreateArray();
    cJSON_AddItemToObject(o, "prompt_ids", cmd_json_ids(p->ids.v, (int)p->ids.n));
    for (int i = 0; grids && i < p->n_images; i++) {
        int32_t thw[3] = {p->grids[i].t, p->grids[i].h, p->grids[i].w};
        cJSON_AddItemToArray(grids, cmd_json_ids(thw, 3));
    }
    cJSON_AddItemToObject(o, "image_grid_thw", grids);
    cmd_json_sample(o, s);
    char *line = cJSON_PrintUnformatted(o);
    if (line)
        puts(line);
    free(line);
    cJSON_Delete(o);
}

/* Loads the images, builds the prompt, generates and prints. */
static int describe(describe_args *a, vlm *v, img **images, errmsg *e)
{
    vlm_part parts[MAX_IMAGES + 1];
    for (int i = 0; i < a->n_images; i++) {
        if (!(images[i] = img_load(a->images[i], 0, e)))
            return e->code ? e->code : ERR_FAIL;
        parts[i] = VLM_IMAGE(images[i]);
    }
    parts[a->n_images] = (vlm_part){a->prompt, strlen(a->prompt), NULL};
    vlm_msg msg = {CHAT_USER, parts, a->n_images + 1};
    vlm_prompt p;
    if (vlm_prompt_make(v, &msg, 1, &p, e))
        return e->code;
    vlm_prompt_request(&p, &a->r);
    gen_result *res = NULL;
    gen_opts o = {a->json ? NULL : stream, NULL, NULL};
    int rc = vlm_generate(v, &a->r, 1, &o, &res, e);
    if (!rc && res[0].samples[0].finish == GEN_REFUSED)
        rc = err_set(e, ERR_FAIL, "%s", res[0].error);
    if (!rc && a->json)
        print_json(&p, &res[0].samples[0]);
    else if (!rc)
        putchar('\n');
    gen_results_free(res, 1);
    vlm_prompt_free(&p);
    return rc;
}

int cmd_describe(int argc, char **argv)
{
    describe_args a = {.r = gen_default_request()};
    a.r.sampling.temperature = 0;
    int r = parse_args(argc, argv, &a);
    if (r)
        return r;
    errmsg e = {0};
    vlm_opts o = vlm_default_opts();
    vk_ctx *ctx = vk_open(-1, &e);
    vlm *v = NULL;
    img *images[MAX_IMAGES] = {0};
    int rc = ctx ? 0 : e.code;
    if (!rc)
        rc = vlm_open(ctx, a.model, a.mmproj, &o, &v, &e);
    if (!rc && (a.min_pixels || a.max_pixels))
        rc = vlm_set_pixel_bounds(v, a.min_pixels, a.max_pixels, &e);
    if (!rc)
        rc = describe(&a, v, images, &e);
    if (rc)
        fprintf(stderr, "vkeve describe: %s\n", e.text);
    for (int i = 0; i < a.n_images; i++)
        img_free(images[i]);
    vlm_close(v);
    vk_close(ctx);
    return rc ? (e.code == ERR_ENV ? 2 : 1) : 0;
}
