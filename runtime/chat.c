/* chat.c - chat formatting of chat.h: ChatML (Qwen2-VL and plain) and llama3 conversations
 * encoded to ids, markers inserted as ids and text tokenized without special parsing. */
#include "runtime/chat.h"

#include <stdlib.h>
#include <string.h>

static const char qwen_default_system[] = "You are a helpful assistant.";
static const char *const role_names[] = {"system", "user", "assistant"};

/* Text waiting to be tokenized as one run, and where the ids go. */
typedef struct builder {
    const chat_fmt *c;
    tok_ids *ids;
    char *text;
    size_t n, cap;
    errmsg *e;
} builder;

static int put_text(builder *b, const char *s, size_t n)
{
    if (n == 0)
        return 0;
    if (b->n + n > b->cap) {
        size_t cap = (b->n + n) * 2 + 64;
        char *p = realloc(b->text, cap);
        if (!p)
            return err_set(b->e, ERR_FAIL, "chat: out of memory");
        b->text = p;
        b->cap = cap;
    }
    memcpy(b->text + b->n, s, n);
    b->n += n;
    return 0;
}

static int flush(builder *b)
{
    int rc = b->n ? tok_encode(b->c->t, b->text, b->n, 0, b->ids, b->e) : 0;
    b->n = 0;
    return rc;
}

static int put_id(builder *b, int32_t id)
{
    if (flush(b))
        return b->e->code;
    return tok_ids_push(b->ids, id) ? err_set(b->e, ERR_FAIL, "chat: out of memory") : 0;
}

static int put_image(builder *b, const chat_part *p, size_t *image_at)
{
    const chat_fmt *c = b->c;
    if (c->image_pad < 0)
        return err_set(b->e, ERR_FAIL,
                       "chat: an image part, but the vocabulary has no "
                       "<|vision_start|>/<|image_pad|>/<|vision_end|> tokens");
    if (p->n_image_tokens <= 0)
        return err_set(b->e, ERR_ENV, "chat: an image part needs at least one token (got %d)",
                       p->n_image_tokens);
    if (put_id(b, c->vision_start))
        return b->e->code;
    if (image_at)
        *image_at = b->ids->n;
    for (int i = 0; i < p->n_image_tokens; i++)
        if (put_id(b, c->image_pad))
            return b->e->code;
    return put_id(b, c->vision_end);
}

/* The parts of one message; *n_images counts image parts seen so far. */
static int put_parts(builder *b, const chat_msg *m, size_t *image_at, size_t *n_images)
{
    for (int i = 0; i < m->n_parts; i++) {
        const chat_part *p = &m->parts[i];
        int rc = p->text ? put_text(b, p->text, p->len)
                         : put_image(b, p, image_at ? &image_at[*n_images] : NULL);
        if (rc)
            return rc;
        *n_images += !p->text;
    }
    return 0;
}

static int put_message(builder *b, const chat_msg *m, size_t *image_at, size_t *n_images)
{
    const chat_fmt *c = b->c;
    const char *role = role_names[m->role];
    if (c->family == CHAT_LLAMA3) {
        if (put_id(b, c->start) || put_text(b, role, strlen(role)) || put_id(b, c->end) ||
            put_text(b, "\n\n", 2) || put_parts(b, m, image_at, n_images) || put_id(b, c->eot))
            return b->e->code;
        return 0;
    }
    if (put_id(b, c->start) || put_text(b, role, strlen(role)) || put_text(b, "\n", 1) ||
        put_parts(b, m, image_at, n_images) || put_id(b, c->end) || put_text(b, "\n", 1))
        return b->e->code;
    return 0;
}

static int put_conversation(builder *b, const chat_msg *msgs, int n_msgs, int flags,
                            size_t *image_at)
{
    const chat_fmt *c = b->c;
    size_t n_images = 0;
    if (c->family == CHAT_LLAMA3 && c->bos >= 0 && put_id(b, c->bos))
        return b->e->code;
    if (c->family == CHAT_QWEN2VL && (n_msgs == 0 || msgs[0].role != CHAT_SYSTEM)) {
        chat_part sys = CHAT_TEXT(qwen_default_system);
        chat_msg m = {CHAT_SYSTEM, &sys, 1};
        if (put_message(b, &m, NULL, &n_images))
            return b->e->code;
    }
    for (int i = 0; i < n_msgs; i++) {
        if ((unsigned)msgs[i].role > CHAT_ASSISTANT)
            return err_set(b->e, ERR_ENV, "chat: message %d has no valid role", i);
        if (put_message(b, &msgs[i], image_at, &n_images))
            return b->e->code;
    }
    if (flags & CHAT_GENERATION_PROMPT) {
        if (put_id(b, c->start) || put_text(b, "assistant", 9))
            return b->e->code;
        if (c->family == CHAT_LLAMA3 ? put_id(b, c->end) || put_text(b, "\n\n", 2)
                                     : put_text(b, "\n", 1))
            return b->e->code;
    }
    return flush(b);
}

int chat_encode(const chat_fmt *c, const chat_msg *msgs, int n_msgs, int flags, tok_ids *ids,
                size_t *image_at, errmsg *e)
{
    builder b = {.c = c, .ids = ids, .e = e};
    int rc = put_conversation(&b, msgs, n_msgs, flags, image_at);
    free(b.text);
    return rc;
}

/* ---- format detection and binding ------------------------------------------------------- */

static int find_control(const tok *t, const char *text)
{
    int32_t id = tok_find(t, text, strlen(text));
    return id >= 0 && tok_type(t, id) == TOK_CONTROL ? id : -1;
}

static int from_template(const char *tmpl, chat_family *out)
{
    if (strstr(tmpl, "<|im_start|>")) {
        /* Qwen2.5's default ("You are Qwen, created by ...") is not Qwen2-VL's. */
        *out = strstr(tmpl, qwen_default_system) && !strstr(tmpl, "You are Qwen") ? CHAT_QWEN2VL
                                                                                  : CHAT_CHATML;
        return 1;
    }
    if (strstr(tmpl, "<|start_header_id|>")) {
        *out = CHAT_LLAMA3;
        return 1;
    }
    return 0;
}

int chat_detect(const gguf_file *f, const tok *t, chat_family *out, errmsg *e)
{
    const char *s = NULL;
    if (f && gguf_find_key(f, "tokenizer.chat_template") &&
        gguf_get_str(f, "tokenizer.chat_template", &s, e))
        return e->code;
    if (s && from_template(s, out))
        return 0;
    const char *arch = "";
    if (f && gguf_find_key(f, "general.architecture") &&
        gguf_get_str(f, "general.architecture", &arch, e))
        return e->code;
    if (strcmp(arch, "qwen2vl") == 0 || strcmp(arch, "qwen2") == 0)
        *out = CHAT_QWEN2VL;
    else if (find_control(t, "<|im_start|>") >= 0)
        *out = CHAT_CHATML;
    else if (find_control(t, "<|start_header_id|>") >= 0)
        *out = CHAT_LLAMA3;
    else
        return err_set(e, ERR_FAIL,
                       "%s: cannot tell the chat format (no known "
                       "tokenizer.chat_template, general.architecture '%s'); choose one",
                       f ? gguf_path(f) : "tokenizer", arch);
    return 0;
}

static int need(const tok *t, const char *text, int32_t *id, errmsg *e)
{
    *id = find_control(t, text);
    if (*id < 0)
        return err_set(e, ERR_FAIL,
                       "chat: the vocabulary has no control token %s, which the "
                       "chat format needs",
                       text);
    return 0;
}

int chat_init(chat_fmt *c, const tok *t, const gguf_file *f, chat_family family, errmsg *e)
{
    *c = (chat_fmt){.t = t, .family = family, .bos = -1, .eot = -1};
    if (family == CHAT_AUTO && chat_detect(f, t, &c->family, e))
        return e->code;
    c->vision_start = find_control(t, "<|vision_start|>");
    c->vision_end = find_control(t, "<|vision_end|>");
    c->image_pad = find_control(t, "<|image_pad|>");
    if (c->vision_start < 0 || c->vision_end < 0)
        c->image_pad = -1;
    if (c->family == CHAT_LLAMA3) {
        c->bos = find_control(t, "<|begin_of_text|>");
        c->image_pad = -1;
        return need(t, "<|start_header_id|>", &c->start, e) ||
                       need(t, "<|end_header_id|>", &c->end, e) || need(t, "<|eot_id|>", &c->eot, e)
                   ? e->code
                   : 0;
    }
    if (c->family != CHAT_QWEN2VL && c->family != CHAT_CHATML)
        return err_set(e, ERR_ENV, "chat: unknown chat format %d", (int)c->family);
    return need(t, "<|im_start|>", &c->start, e) || need(t, "<|im_end|>", &c->end, e) ? e->code : 0;
}
