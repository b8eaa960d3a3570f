/* vlm.h - a vision-language model as the loop and `vkeve describe` use it: the decoder with
 * its tokenizer, chat format and cache, and the vision encoder, so that a conversation of text
 * and images becomes a generation request (runtime/gen.h).
 *
 * An image goes through Hugging Face's preprocessing (vision/vlm_pre.h), the encoder
 * (runtime/vit.h) and into the prompt as <|vision_start|>, one <|image_pad|> per merged token,
 * <|vision_end|>; the pad rows are replaced by the image's embeddings and the tokens get the
 * M-RoPE positions of Hugging Face's get_rope_index. Encoded images are kept by content
 * (SHA-256 of the pixels and the size bounds), so the same image in many prompts is encoded
 * once per run.
 *
 *     vlm *v;
 *     if (vlm_open(ctx, "model.gguf", "mmproj.gguf", NULL, &v, &e)) ...
 *     vlm_part parts[] = {VLM_IMAGE(im), VLM_TEXT("What is in the image?")};
 *     vlm_msg msg = {CHAT_USER, parts, 2};
 *     vlm_prompt p;
 *     if (vlm_prompt_make(v, &msg, 1, &p, &e)) ...
 *     gen_request r = gen_default_request();
 *     vlm_prompt_request(&p, &r);                  // ids, positions, image rows
 *     r.n_samples = 6;
 *     gen_result *res;
 *     if (vlm_generate(v, &r, 1, NULL, &res, &e)) ...
 *     gen_results_free(res, 1);
 *     vlm_prompt_free(&p);
 *     vlm_close(v);
 */
#ifndef VKEVE_VLM_H
#define VKEVE_VLM_H

#include <stddef.h>
#include <stdint.h>

#include "base/errmsg.h"
#include "runtime/chat.h"
#include "runtime/gen.h"
#include "runtime/llm.h"
#include "runtime/tok.h"
#include "runtime/vit.h"
#include "vision/img.h"
#include "vision/vlm_pre.h"

typedef struct vlm_opts {
    llm_opts llm;
    vpre_params pre;  /* image size bounds (default vpre_params_qwen(), the file's if set) */
    chat_family chat; /* CHAT_AUTO */
    int cache_pages;  /* KV cache pages; 0: as many as fit the device memory left */
    int image_cache;  /* encoded images kept (default 64) */
} vlm_opts;

vlm_opts vlm_default_opts(void);

typedef struct vlm vlm;

/* Opens the decoder and, when mmproj_path is not NULL, the vision encoder, checking that they
 * belong together. */
int vlm_open(vk_ctx *ctx, const char *model_path, const char *mmproj_path, const vlm_opts *o,
             vlm **out, errmsg *e);
void vlm_close(vlm *v);

/* Overrides the bounds on a resized image's pixels (0 keeps a bound). Images already encoded
 * stay cached under their old bounds. */
int vlm_set_pixel_bounds(vlm *v, int64_t min_pixels, int64_t max_pixels, errmsg *e);

llm *vlm_llm(const vlm *v);
kv_cache *vlm_kv(const vlm *v);
const tok *vlm_tok(const vlm *v);
const chat_fmt *vlm_chat(const vlm *v);
int vlm_has_vision(const vlm *v);

/* A text part or an image part. */
typedef struct vlm_part {
    const char *text;
    size_t len;
    const img *image;
} vlm_part;

#define VLM_TEXT(s)   ((vlm_part){(s), sizeof(s) - 1, NULL})
#define VLM_IMAGE(im) ((vlm_part){NULL, 0, (im)})

typedef struct vlm_msg {
    chat_role role;
    const vlm_part *parts;
    int n_parts;
} vlm_msg;

typedef struct vlm_grid {
    int t, h, w; /* patches, as Hugging Face's image_grid_thw */
} vlm_grid;

typedef struct vlm_prompt {
    tok_ids ids;  /* one <|image_pad|> per merged token */
    int32_t *pos; /* four per id (t, h, w, e) */
    int next_pos; /* the first generated token's position */
    float *embd;  /* n_embd_rows rows of the text embedding width */
    int *embd_at; /* the id each row replaces */
    int n_embd_rows;
    vlm_grid *grids; /* per image, in prompt order */
    int n_images;
} vlm_prompt;

/* Builds the prompt of a conversation (ending with the assistant's opening), encoding its
 * images (or taking them from the cache). Images need the vision encoder. */
int vlm_prompt_make(vlm *v, const vlm_msg *msgs, int n_msgs, vlm_prompt *out, errmsg *e);
void vlm_prompt_free(vlm_prompt *p);

/* Points r's prompt fields (ids, pos, next_pos, embd, embd_at, n_embd_rows) at p, which must
 * outlive the requests' run. */
void vlm_prompt_request(const vlm_prompt *p, gen_request *r);

/* gen_run on this model, its cache and its tokenizer. */
int vlm_generate(vlm *v, const gen_request *reqs, int n, const gen_opts *o, gen_result **out,
                 errmsg *e);

typedef struct vlm_stats {
    long images_encoded, image_cache_hits;
    double encode_seconds;
} vlm_stats;

vlm_stats vlm_stats_of(const vlm *v);

#endif
