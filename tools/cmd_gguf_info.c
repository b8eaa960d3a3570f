/* cmd_gguf_info.c - `vkeve gguf-info FILE`: what a user checks on a downloaded GGUF file -
 * version, metadata, the tensor table and totals. */
#include "tools/commands.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "runtime/dtype.h"
#include "runtime/gguf.h"
#include "runtime/weights.h"

const char cmd_gguf_info_usage[] =
    "usage: vkeve gguf-info [--all] FILE\n\n"
    "Prints a GGUF file's version, metadata (arrays show their type, count and first\n"
    "items; long strings are cut), every tensor (name, type, shape, bytes, offset in the\n"
    "data section) and totals: parameters and bytes per tensor type.\n"
    "  --all   print arrays and strings in full\n";

enum { SHOW_ITEMS = 8, SHOW_CHARS = 72 };

/* A string with control characters escaped, cut to max bytes unless max is 0. */
static void print_str(const char *s, size_t len, size_t max)
{
    putchar('"');
    size_t n = max && len > max ? max : len;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\')
            printf("\\%c", c);
        else if (c == '\n')
            fputs("\\n", stdout);
        else if (c < 0x20 || c == 0x7f)
            printf("\\x%02x", c);
        else
            putchar(c);
    }
    putchar('"');
    if (n < len)
        printf("... (%zu bytes)", len);
}

static void print_item(const gguf_value *v, uint64_t i, int all)
{
    int64_t s;
    uint64_t u;
    double d;
    size_t len;
    gguf_type t = gguf_arr_type(v);
    if (t == GGUF_STR) {
        const char *str = gguf_arr_str(v, i, &len);
        print_str(str, len, all ? 0 : SHOW_CHARS);
    } else if (t == GGUF_BOOL) {
        gguf_arr_u64(v, i, &u);
        fputs(u ? "true" : "false", stdout);
    } else if (t == GGUF_F32 || t == GGUF_F64) {
        gguf_arr_f64(v, i, &d);
        printf("%.9g", d);
    } else if (!gguf_arr_i64(v, i, &s)) {
        printf("%" PRId64, s);
    } else if (!gguf_arr_u64(v, i, &u)) {
        printf("%" PRIu64, u);
    }
}

static void print_value(const gguf_value *v, int all)
{
    if (gguf_value_type(v) != GGUF_ARR) {
        print_item(v, 0, all);
        return;
    }
    uint64_t n = gguf_arr_count(v), shown = all || n <= SHOW_ITEMS ? n : SHOW_ITEMS;
    printf("[%s x %" PRIu64 "] [", gguf_type_name(gguf_arr_type(v)), n);
    for (uint64_t i = 0; i < shown; i++) {
        if (i)
            fputs(", ", stdout);
        if (gguf_arr_type(v) == GGUF_ARR)
            print_value(gguf_arr_arr(v, i), all);
        else
            print_item(v, i, all);
    }
    if (shown < n)
        printf(", ... %" PRIu64 " more", n - shown);
    putchar(']');
}

static void print_metadata(const gguf_file *f, int all)
{
    printf("\nmetadata (%" PRId64 " keys):\n", gguf_n_kv(f));
    for (int64_t i = 0; i < gguf_n_kv(f); i++) {
        const gguf_value *v = gguf_kv_value(f, i);
        printf("  %-40s %-6s ", gguf_kv_key(f, i), gguf_type_name(gguf_value_type(v)));
        print_value(v, all);
        putchar('\n');
    }
}

static void shape_text(const gguf_tensor *t, char *out, size_t size)
{
    int n = t->n_dims ? t->n_dims : 1, used = snprintf(out, size, "[");
    for (int d = 0; d < n && used > 0 && (size_t)used < size; d++)
        used += snprintf(out + used, size - (size_t)used, "%s%" PRId64, d ? ", " : "", t->ne[d]);
    if (used > 0 && (size_t)used < size)
        snprintf(out + used, size - (size_t)used, "]");
}

/* Per-type totals; ggml type ids are below 64. */
typedef struct totals {
    int64_t tensors[64], params[64];
    uint64_t bytes[64];
} totals;

static void print_tensors(const gguf_file *f, totals *tot)
{
    printf("\ntensors (%" PRId64 "; offsets are from the data section at byte %" PRIu64 "):\n",
           gguf_n_tensors(f), gguf_data_offset(f));
    printf("  %5s  %-48s %-7s %-26s %14s %14s\n", "#", "name", "type", "shape", "bytes", "offset");
    for (int64_t i = 0; i < gguf_n_tensors(f); i++) {
        const gguf_tensor *t = gguf_tensor_at(f, i);
        char shape[128];
        shape_text(t, shape, sizeof shape);
        printf("  %5" PRId64 "  %-48s %-7s %-26s %14zu %14" PRIu64 "\n", i, t->name,
               dtype_name(t->type), shape, t->size, t->offset);
        tot->tensors[t->type & 63]++;
        tot->params[t->type & 63] += gguf_tensor_nelements(t);
        tot->bytes[t->type & 63] += t->size;
    }
}

static void print_totals(const totals *tot)
{
    int64_t params = 0;
    uint64_t bytes = 0;
    printf("\nby type:\n");
    for (int type = 0; type < 64; type++) {
        if (!tot->tensors[type])
            continue;
        printf("  %-7s %6" PRId64 " tensors %16" PRId64 " params %16" PRIu64
               " bytes (%.2f bits/param)\n",
               dtype_name(type), tot->tensors[type], tot->params[type], tot->bytes[type],
               tot->params[type] ? 8.0 * (double)tot->bytes[type] / (double)tot->params[type]
                                 : 0.0);
        params += tot->params[type];
        bytes += tot->bytes[type];
    }
    printf("total: %" PRId64 " parameters (%.3f B), %" PRIu64 " bytes of tensor data (%.1f MiB)\n",
           params, (double)params / 1e9, bytes, (double)bytes / (1024.0 * 1024.0));
}

/* What loading the file onto a device takes, and whether vkeve computes with every tensor. */
static void print_device_needs(const gguf_file *f)
{
    printf("device memory for the weights: %.1f MiB\n",
           (double)wt_bytes_needed(f) / (1024.0 * 1024.0));
    int64_t unsupported = 0;
    for (int64_t i = 0; i < gguf_n_tensors(f); i++)
        unsupported += !dtype_supported(gguf_tensor_at(f, i)->type);
    if (unsupported)
        printf("%" PRId64 " tensors are of types vkeve does not compute with\n", unsupported);
}

int cmd_gguf_info(int argc, char **argv)
{
    const char *path = NULL;
    int all = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--all") == 0)
            all = 1;
        else if (argv[i][0] == '-' && argv[i][1])
            return cmd_usage_error("gguf-info", "unknown option '%s'", argv[i]);
        else if (path)
            return cmd_usage_error("gguf-info", "one FILE only");
        else
            path = argv[i];
    }
    if (!path)
        return cmd_usage_error("gguf-info", "missing FILE");
    gguf_file *f;
    errmsg e;
    if (gguf_open(path, &f, &e)) {
        fprintf(stderr, "vkeve gguf-info: %s\n", e.text);
        return 1;
    }
    printf("%s: GGUF version %" PRIu32 ", %" PRIu64 " bytes, alignment %" PRIu32 "\n", path,
           gguf_version(f), gguf_file_size(f), gguf_alignment(f));
    print_metadata(f, all);
    totals tot;
    memset(&tot, 0, sizeof tot);
    print_tensors(f, &tot);
    print_totals(&tot);
    print_device_needs(f);
    gguf_close(f);
    return 0;
}
