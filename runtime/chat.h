/* chat.h - chat formatting: a conversation of roles and parts (text, images) turned straight
 * into token ids, so callers never write strings with magic tokens in them.
 *
 * Formats:
 *   CHAT_QWEN2VL  ChatML as Qwen2-VL / Qwen2.5-VL's template writes it: a default system
 *                 message "You are a helpful assistant." when the first message is not a system
 *                 one, `<|im_start|>ROLE\n ... <|im_end|>\n` per message, and each image as
 *                 `<|vision_start|>` + N x `<|image_pad|>` + `<|vision_end|>`;
 *   CHAT_CHATML   the same without the default system message (Qwen2/Qwen3 templates that
 *                 have none, SmolLM2-style vocabularies with <|im_start|>);
 *   CHAT_LLAMA3   `<|begin_of_text|>` then `<|start_header_id|>ROLE<|end_header_id|>\n\n`
 *                 + text + `<|eot_id|>` per message (text only).
 * Markers are inserted as ids and text parts are tokenized without special-token parsing, so
 * a user text that spells "<|im_start|>" stays text. Adjacent text (the role line, text parts)
 * is tokenized as one run, as a template's string would be.
 *
 *     chat_fmt c;
 *     if (chat_init(&c, t, gguf, CHAT_AUTO, &e)) ...;     // or an explicit format
 *     chat_part parts[] = {CHAT_IMAGE(64), CHAT_TEXT("Describe this image.")};
 *     chat_msg msgs[] = {{CHAT_USER, parts, 2}};
 *     tok_ids ids = {0};
 *     size_t image_at[1];                  // index in ids of each image's first pad token
 *     if (chat_encode(&c, msgs, 1, CHAT_GENERATION_PROMPT, &ids, image_at, &e)) ...;
 */
#ifndef VKEVE_CHAT_H
#define VKEVE_CHAT_H

#include <stddef.h>

#include "base/errmsg.h"
#include "runtime/gguf.h"
#include "runtime/tok.h"

typedef enum chat_family {
    CHAT_AUTO = 0, /* chat_init decides from the GGUF */
    CHAT_QWEN2VL,
    CHAT_CHATML,
    CHAT_LLAMA3,
} chat_family;

typedef enum chat_role { CHAT_SYSTEM, CHAT_USER, CHAT_ASSISTANT } chat_role;

/* A text part (text non-NULL, len bytes) or an image part of n_image_tokens pad tokens. */
typedef struct chat_part {
    const char *text;
    size_t len;
    int n_image_tokens;
} chat_part;

#define CHAT_TEXT(s)  ((chat_part){(s), sizeof(s) - 1, 0})
#define CHAT_IMAGE(n) ((chat_part){NULL, 0, (n)})

typedef struct chat_msg {
    chat_role role;
    const chat_part *parts;
    int n_parts;
} chat_msg;

/* A format bound to a tokenizer: the family and the ids of its markers. */
typedef struct chat_fmt {
    const tok *t;
    chat_family family;
    int32_t start, end;                          /* <|im_start|> <|im_end|>; llama3 header ids */
    int32_t vision_start, vision_end, image_pad; /* -1 where the vocabulary has none */
    int32_t bos, eot;                            /* llama3 */
} chat_fmt;

enum { CHAT_GENERATION_PROMPT = 1 }; /* end with the assistant's opening */

/* The family from `tokenizer.chat_template` (ChatML with or without Qwen's default system
 * prompt, llama3 headers), else `general.architecture` (qwen2vl, qwen2), else the markers the
 * vocabulary has. f may be NULL with an explicit family. */
int chat_detect(const gguf_file *f, const tok *t, chat_family *out, errmsg *e);

/* Binds family (CHAT_AUTO: chat_detect) to t, checking the vocabulary has its markers. */
int chat_init(chat_fmt *c, const tok *t, const gguf_file *f, chat_family family, errmsg *e);

/* Appends the conversation's ids to ids. image_at (room for every image part, or NULL when
 * there are none) receives, per image part in order, the index in ids of its first pad. */
int chat_encode(const chat_fmt *c, const chat_msg *msgs, int n_msgs, int flags, tok_ids *ids,
                size_t *image_at, errmsg *e);

#endif
