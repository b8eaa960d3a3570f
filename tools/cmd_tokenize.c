/* cmd_tokenize.c - `vkeve tokenize`: shows how a model's tokenizer splits a text, to check a
 * GGUF's vocabulary against another tokenizer or to see what a prompt costs in tokens. */
#include "tools/commands.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/afile.h"
#include "base/utf8.h"
#include "runtime/gguf.h"
#include "runtime/tok.h"

const char cmd_tokenize_usage[] =
    "usage: vkeve tokenize --model M.gguf [--ids] [--no-special] [--file F | TEXT]\n\n"
    "Tokenizes TEXT (or the bytes of file F) with the tokenizer in M.gguf and prints one\n"
    "line per token: the id, a tab, and the token's bytes, with \\n, \\t, \\r, \\\\ and\n"
    "\\xNN for other control bytes and for bytes that are not a whole UTF-8 character.\n"
    "  --ids          print only [id, id, ...] on one line\n"
    "  --no-special   treat control tokens spelt in the text (<|im_start|>) as plain text\n";

typedef struct tokenize_args {
    const char *model, *file, *text;
    int ids, special;
} tokenize_args;

static int parse_args(int argc, char **argv, tokenize_args *a)
{
    *a = (tokenize_args){.special = 1};
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--model") == 0 && i + 1 < argc)
            a->model = argv[++i];
        else if (strcmp(argv[i], "--file") == 0 && i + 1 < argc)
            a->file = argv[++i];
        else if (strcmp(argv[i], "--ids") == 0)
            a->ids = 1;
        else if (strcmp(argv[i], "--no-special") == 0)
            a->special = 0;
        else if ((argv[i][0] == '-' && argv[i][1]) || a->text)
            return cmd_usage_error(argv[0], "unexpected argument '%s'", argv[i]);
        else
            a->text = argv[i];
    }
    if (!a->model)
        return cmd_usage_error(argv[0], "--model M.gguf is required");
    if (!a->file == !a->text)
        return cmd_usage_error(argv[0], "give either --file F or TEXT");
    return 0;
}

static void print_piece(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        size_t cl = p[i] >= 0x80 ? utf8_char(p + i, n - i) : 0;
        if (cl) {
            fwrite(p + i, 1, cl, stdout);
            i += cl;
            continue;
        }
        unsigned char c = p[i++];
        if (c == '\n' || c == '\t' || c == '\r' || c == '\\')
            printf("\\%c", c == '\n' ? 'n' : c == '\t' ? 't' : c == '\r' ? 'r' : '\\');
        else if (c < 0x20 || c >= 0x7f)
            printf("\\x%02x", c);
        else
            putchar(c);
    }
}

static void print_ids(const tok *t, const tok_ids *ids, int only_ids)
{
    if (only_ids)
        putchar('[');
    for (size_t i = 0; i < ids->n; i++) {
        if (only_ids) {
            printf(i ? ", %d" : "%d", (int)ids->v[i]);
            continue;
        }
        size_t len;
        const char *piece = tok_piece(t, ids->v[i], &len);
        printf("%d\t", (int)ids->v[i]);
        print_piece(piece, len);
        putchar('\n');
    }
    if (only_ids)
        puts("]");
}

static int tokenize(const tokenize_args *a, const char *text, size_t len)
{
    gguf_file *f;
    tok *t = NULL;
    tok_ids ids = {0};
    errmsg e;
    int rc = gguf_open(a->model, &f, &e) || tok_load(f, &t, &e) ||
             tok_encode(t, text, len, a->special ? TOK_PARSE_SPECIAL : 0, &ids, &e);
    if (rc)
        fprintf(stderr, "vkeve tokenize: %s\n", e.text);
    else
        print_ids(t, &ids, a->ids);
    tok_ids_free(&ids);
    tok_free(t);
    gguf_close(f);
    return rc ? 1 : 0;
}

int cmd_tokenize(int argc, char **argv)
{
    tokenize_args a;
    if (parse_args(argc, argv, &a))
        return 2;
    size_t len = a.text ? strlen(a.text) : 0;
    char *buf = NULL;
    errmsg e;
    if (a.file && afile_read(a.file, CMD_MAX_TEXT_BYTES, "a text file", &buf, &len, &e)) {
        fprintf(stderr, "vkeve tokenize: cannot read: %s\n", e.text);
        return 1;
    }
    int rc = tokenize(&a, buf ? buf : a.text, len);
    free(buf);
    return rc;
}
