/* mkmodel_vit.c - random Qwen2-VL / Qwen2.5-VL vision projectors ("mmproj" GGUF files, see
 * mkmodel.h): the keys and tensor names llama.cpp's converter writes for qwen2vl_merger and
 * qwen2.5vl_merger, with weights from mkmodel.c's seeded maker. */
#include <stdio.h>

#include "runtime/dtype.h"
#include "tools/mkmodel.h"
#include "tools/mkmodel_int.h"

enum { IMAGE_SIZE = 560, PATCH = 14, MERGE = 2 };

/* OpenAI CLIP's normalisation, which Qwen2-VL's image processor uses. */
static const float clip_mean[3] = {0.48145466f, 0.4578275f, 0.40821073f};
static const float clip_std[3] = {0.26862954f, 0.26130258f, 0.27577711f};

mkmodel_spec mkmodel_preset_vit_tiny(mkmodel_proj p)
{
    /* Output 64 wide to feed the tiny text model; n_wa_pattern 2 makes layer 0 windowed and
     * layer 1 global. */
    mkmodel_spec s = mkmodel_preset_tiny();
    s.n_head_kv = s.n_head;
    s.proj = p;
    s.n_text_embd = 64;
    s.n_wa_pattern = p == MK_PROJ_QWEN25VL ? 2 : 0;
    return s;
}

mkmodel_spec mkmodel_preset_vit_2b(mkmodel_proj p)
{
    /* Qwen2-VL-2B's vision tower (and Qwen2.5-VL-3B's, but for the output width). */
    mkmodel_spec s = mkmodel_preset_vit_tiny(p);
    s.n_layer = 32;
    s.n_embd = 1280;
    s.n_head = s.n_head_kv = 16;
    s.n_ff = p == MK_PROJ_QWEN25VL ? 3420 : 5120;
    s.n_text_embd = 1536;
    s.n_wa_pattern = p == MK_PROJ_QWEN25VL ? 8 : 0;
    return s;
}

const char *mkmodel_proj_name(mkmodel_proj p)
{
    return p == MK_PROJ_QWEN2VL ? "qwen2vl" : p == MK_PROJ_QWEN25VL ? "qwen2.5vl" : NULL;
}

static const char *projector_type(mkmodel_proj p)
{
    return p == MK_PROJ_QWEN25VL ? "qwen2.5vl_merger" : "qwen2vl_merger";
}

int mkvit_check(const mkmodel_spec *s, errmsg *e)
{
    if (s->n_embd % s->n_head)
        return err_set(e, ERR_ENV, "--embd %d is not a multiple of --heads %d", s->n_embd,
                       s->n_head);
    /* The 2-D RoPE gives a quarter of each head's dimensions to rows and a quarter to
     * columns, so the device kernels want whole groups of 8. */
    int hd = s->n_embd / s->n_head;
    if (hd % 8)
        return err_set(e, ERR_ENV, "head dimension %d (--embd / --heads) must be a multiple of 8",
                       hd);
    /* llama.cpp's loader takes an ffn_down with ne0 == n_embd for an old conversion that
     * swapped up and down, so equal widths would be read the wrong way round. */
    if (s->n_ff == s->n_embd)
        return err_set(e, ERR_ENV,
                       "--ff %d must differ from --embd (llama.cpp would swap "
                       "ffn_up and ffn_down)",
                       s->n_ff);
    if (s->proj == MK_PROJ_QWEN25VL && s->n_wa_pattern < 1)
        return err_set(e, ERR_ENV, "--wa-pattern must be at least 1");
    if (!(s->rms_eps > 0))
        return err_set(e, ERR_ENV, "--rms-eps must be positive");
    return 0;
}

/* The keys the converter writes for a Qwen2-VL / Qwen2.5-VL vision tower, in its order. */
static void add_hparams(gguf_writer *w, const mkmodel_spec *s)
{
    char name[64];
    snprintf(name, sizeof name, "vkeve random %s mmproj", mkmodel_proj_name(s->proj));
    gguf_add_str(w, "general.architecture", "clip");
    gguf_add_str(w, "general.type", "mmproj");
    gguf_add_str(w, "general.name", name);
    gguf_add_u32(w, "general.file_type", mk_file_type(s->type));
    gguf_add_bool(w, "clip.has_vision_encoder", 1);
    gguf_add_u32(w, "clip.vision.projection_dim", (uint32_t)s->n_text_embd);
    gguf_add_u32(w, "clip.vision.image_size", IMAGE_SIZE);
    gguf_add_u32(w, "clip.vision.patch_size", PATCH);
    gguf_add_u32(w, "clip.vision.embedding_length", (uint32_t)s->n_embd);
    gguf_add_u32(w, "clip.vision.feed_forward_length", (uint32_t)s->n_ff);
    gguf_add_u32(w, "clip.vision.block_count", (uint32_t)s->n_layer);
    gguf_add_u32(w, "clip.vision.attention.head_count", (uint32_t)s->n_head);
    gguf_add_arr(w, "clip.vision.image_mean", GGUF_F32, clip_mean, 3);
    gguf_add_arr(w, "clip.vision.image_std", GGUF_F32, clip_std, 3);
    gguf_add_str(w, "clip.projector_type", projector_type(s->proj));
    if (s->proj == MK_PROJ_QWEN25VL) {
        gguf_add_bool(w, "clip.use_silu", 1);
        gguf_add_u32(w, "clip.vision.n_wa_pattern", (uint32_t)s->n_wa_pattern);
    }
    gguf_add_f32(w, "clip.vision.attention.layer_norm_epsilon", (float)s->rms_eps);
    gguf_add_u32(w, "clip.vision.spatial_merge_size", MERGE);
    gguf_add_u32(w, "general.quantization_version", 2);
}

/* One tensor named printf-style from fmt and layer. */
static int add(mk_builder *b, const char *fmt, int layer, mk_wkind kind, int64_t ne0, int64_t ne1)
{
    char name[GGUF_MAX_NAME];
    snprintf(name, sizeof name, fmt, layer);
    mk_wdesc d = {name, kind, {ne0, ne1}, 0};
    return mk_add_weight(b, &d);
}

/* A Linear layer [in -> out]: weight ne [in, out] and bias [out]. */
static int add_linear(mk_builder *b, const char *fmt, int layer, int64_t in, int64_t out)
{
    char weight[GGUF_MAX_NAME], bias[GGUF_MAX_NAME];
    snprintf(weight, sizeof weight, "%s.weight", fmt);
    snprintf(bias, sizeof bias, "%s.bias", fmt);
    return add(b, weight, layer, MK_MATRIX, in, out) || add(b, bias, layer, MK_BIAS, out, 0);
}

/* LayerNorm (weight and bias) for Qwen2-VL, RMSNorm (weight) for Qwen2.5-VL. */
static int add_norm(mk_builder *b, const char *fmt, int layer)
{
    char weight[GGUF_MAX_NAME], bias[GGUF_MAX_NAME];
    snprintf(weight, sizeof weight, "%s.weight", fmt);
    snprintf(bias, sizeof bias, "%s.bias", fmt);
    return add(b, weight, layer, MK_NORM, b->s->n_embd, 0) ||
           (b->s->proj == MK_PROJ_QWEN2VL && add(b, bias, layer, MK_BIAS, b->s->n_embd, 0));
}

/* Attention with q/k/v split from Hugging Face's fused qkv; Qwen2-VL's fc1 -> QuickGELU -> fc2
 * as ffn_up/ffn_down, Qwen2.5-VL's SwiGLU as ffn_gate/ffn_up/ffn_down, all with biases. */
static int add_block(mk_builder *b, int l)
{
    int64_t d = b->s->n_embd, ff = b->s->n_ff;
    int swiglu = b->s->proj == MK_PROJ_QWEN25VL;
    return add_norm(b, "v.blk.%d.ln1", l) || add_linear(b, "v.blk.%d.attn_q", l, d, d) ||
           add_linear(b, "v.blk.%d.attn_k", l, d, d) || add_linear(b, "v.blk.%d.attn_v", l, d, d) ||
           add_linear(b, "v.blk.%d.attn_out", l, d, d) || add_norm(b, "v.blk.%d.ln2", l) ||
           (swiglu && add_linear(b, "v.blk.%d.ffn_gate", l, d, ff)) ||
           add_linear(b, "v.blk.%d.ffn_up", l, d, ff) ||
           add_linear(b, "v.blk.%d.ffn_down", l, ff, d);
}

/* The Conv3d kernel [E, 3, 2, 14, 14] as two temporal slices ne [14, 14, 3, E], no bias. */
static int add_patch_kernels(mk_builder *b)
{
    static const char *const names[] = {"v.patch_embd.weight", "v.patch_embd.weight.1"};
    for (int i = 0; i < 2; i++) {
        mk_wdesc d = {names[i], MK_MATRIX, {PATCH, PATCH, 3, b->s->n_embd}, 0};
        if (mk_add_weight(b, &d))
            return ERR_FAIL;
    }
    return 0;
}

int mkvit_build(mk_builder *b)
{
    const mkmodel_spec *s = b->s;
    int64_t merged = (int64_t)s->n_embd * MERGE * MERGE;
    add_hparams(b->w, s);
    if (add_patch_kernels(b))
        return ERR_FAIL;
    for (int l = 0; l < s->n_layer; l++)
        if (add_block(b, l))
            return ERR_FAIL;
    if (add_norm(b, "v.post_ln", 0) || add_linear(b, "mm.0", 0, merged, merged) ||
        add_linear(b, "mm.2", 0, merged, s->n_text_embd))
        return ERR_FAIL;
    return 0;
}
