/* tok.h - the text tokenizer, built from a GGUF file's tokenizer.* metadata alone.
 *
 * Two kinds of vocabulary, as llama.cpp names them in `tokenizer.ggml.model`:
 *   "gpt2"   byte-level BPE (Qwen2, Qwen2-VL, SmolLM2): text is split by the pre-tokenizer
 *            regexes that `tokenizer.ggml.pre` names (qwen2, llama3/llama-bpe, smollm, gpt2,
 *            default), each piece's bytes are spelt with GPT-2's byte-to-unicode table and
 *            merged by `tokenizer.ggml.merges` rank, lowest first;
 *   "llama"  SentencePiece BPE: spaces become U+2581, a space is prepended, adjacent symbols
 *            merge by `tokenizer.ggml.scores`, highest first, and characters that are not
 *            tokens fall back to `<0xNN>` byte tokens.
 * Added tokens (types CONTROL and USER_DEFINED) are matched in the text before BPE, longest
 * first: USER_DEFINED always, CONTROL (and UNKNOWN) only with TOK_PARSE_SPECIAL, as llama.cpp
 * does. Merging uses a priority queue over a linked list of symbols, so a long run of one
 * character costs O(n log n); merge ranks and token texts are hash maps.
 *
 * Invalid UTF-8 is never rejected: bytes that do not form a character are kept as pieces of
 * their own (byte-level BPE gives each its byte token; SentencePiece its `<0xNN>` token), so
 * decode(encode(x)) == x for every byte string x. (llama.cpp and Hugging Face replace such
 * bytes with U+FFFD instead; for valid UTF-8 the ids are the same.) Text is not Unicode-
 * normalised: Qwen's Hugging Face tokenizer applies NFC first, llama.cpp does not.
 *
 * A loaded tokenizer is read-only, so any number of threads may encode and decode with it
 * at once. The tokenizer copies what it needs; the gguf_file may be closed after loading.
 *
 *     tok *t;
 *     errmsg e;
 *     if (tok_load(gguf, &t, &e)) { fprintf(stderr, "%s\n", e.text); return 1; }
 *     tok_ids ids = {0};
 *     if (tok_encode(t, "Hello", 5, TOK_PARSE_SPECIAL, &ids, &e)) ...;
 *     for (size_t i = 0; i < ids.n; i++) {
 *         size_t len;
 *         const char *piece = tok_piece(t, ids.v[i], &len); // bytes, maybe half a character
 *     }
 *     if (tok_is_eog(t, id)) ... // stop generating
 *     tok_ids_free(&ids);
 *     tok_free(t);
 */
#ifndef VKEVE_TOK_H
#define VKEVE_TOK_H

#include <stddef.h>
#include <stdint.h>

#include "base/errmsg.h"
#include "runtime/gguf.h"

typedef struct tok tok;

/* tokenizer.ggml.model */
typedef enum tok_model { TOK_MODEL_GPT2 = 1, TOK_MODEL_LLAMA = 2 } tok_model;

/* tokenizer.ggml.token_type values (a missing array means every token is NORMAL). */
enum tok_type {
    TOK_NORMAL = 1,
    TOK_UNKNOWN = 2,
    TOK_CONTROL = 3,
    TOK_USER_DEFINED = 4,
    TOK_UNUSED = 5,
    TOK_BYTE = 6,
};

/* tok_encode flags. */
enum {
    TOK_PARSE_SPECIAL = 1, /* match CONTROL tokens spelt in the text ("<|im_start|>") */
    TOK_ADD_BOS = 2,       /* prepend BOS when the file's add_bos_token says so */
};

/* tok_decode flags. */
enum { TOK_DECODE_SPECIAL = 1 }; /* render CONTROL/UNKNOWN tokens as their text */

/* A growable array of token ids; zero-initialise before first use. */
typedef struct tok_ids {
    int32_t *v;
    size_t n, cap;
} tok_ids;

int tok_ids_push(tok_ids *a, int32_t id); /* 0, or ERR_FAIL when out of memory */
void tok_ids_free(tok_ids *a);

/* Builds the tokenizer; errors name the file and the key at fault. */
int tok_load(const gguf_file *f, tok **out, errmsg *e);
void tok_free(tok *t); /* NULL is fine */

tok_model tok_get_model(const tok *t);
const char *tok_pre(const tok *t); /* pre-tokenizer name ("qwen2"); "" for llama */
int32_t tok_n_vocab(const tok *t);

/* Special ids from the metadata; -1 when the file names none. */
int32_t tok_bos(const tok *t);
int32_t tok_eos(const tok *t);
int32_t tok_eot(const tok *t); /* eot_token_id, else a known end-of-turn token's id */
int32_t tok_pad(const tok *t);
int tok_add_bos(const tok *t);

/* End-of-generation ids: eos, eot and the CONTROL tokens that end a turn in the known chat
 * formats (<|im_end|>, <|endoftext|>, <|eot_id|>, <end_of_turn>, <end_of_utterance> ...).
 * For Qwen2: 151645 <|im_end|> and 151643 <|endoftext|>. */
int tok_is_eog(const tok *t, int32_t id);
const int32_t *tok_eog(const tok *t, int *n);

int tok_type(const tok *t, int32_t id); /* enum tok_type; 0 for an id out of range */
/* The vocabulary string of a token (as stored: byte-level or U+2581 spelling); NULL for an id
 * out of range. */
const char *tok_text(const tok *t, int32_t id, size_t *len);
/* The token whose vocabulary string is exactly text[0..len); -1 if none. */
int32_t tok_find(const tok *t, const char *text, size_t len);

/* The bytes a token stands for (its piece): byte-level and `<0xNN>` spellings undone, U+2581
 * turned back into a space; CONTROL tokens give their text. A piece may be part of a UTF-8
 * character. NULL for an id out of range. */
const char *tok_piece(const tok *t, int32_t id, size_t *len);

/* Appends the ids of text[0..len) to out (which keeps what it held). */
int tok_encode(const tok *t, const char *text, size_t len, int flags, tok_ids *out, errmsg *e);

/* The bytes of ids[0..n), NUL-terminated (*out to be freed); CONTROL/UNKNOWN tokens are left
 * out unless TOK_DECODE_SPECIAL. A SentencePiece vocabulary drops the leading space its
 * encoder added. Fails on an id out of range. */
int tok_decode(const tok *t, const int32_t *ids, size_t n, int flags, char **out, size_t *len,
               errmsg *e);

#endif
