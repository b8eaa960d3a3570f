/* vkeve.c - the command line's entry point: finds the subcommand and runs it. */
#include "tools/commands.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const command commands[] = {
    {"run", "the main job: rounds of challenger programs, verified questions, batches",
     cmd_run_usage, cmd_run},
    {"info", "list Vulkan devices and their probed features", cmd_info_usage, cmd_info},
    {"gguf-info", "describe a GGUF model file: metadata, tensors, totals", cmd_gguf_info_usage,
     cmd_gguf_info},
    {"inspect", "summarise or dump training batch files (*.vkb)", cmd_inspect_usage, cmd_inspect},
    {"export", "write the tasks selected for solver training as EVE's JSONL", cmd_export_usage,
     cmd_export},
    {"exec", "run a challenger program on an image (sandboxed Python subset)", cmd_exec_usage,
     cmd_exec},
    {"tokenize", "split a text into a model's tokens (ids and pieces)", cmd_tokenize_usage,
     cmd_tokenize},
    {"vocab-gguf", "convert a Hugging Face tokenizer.json into a tokenizer-only GGUF",
     cmd_vocab_usage, cmd_vocab},
    {"generate", "generate text from a GGUF model (samples, log-probs, JSON)", cmd_generate_usage,
     cmd_generate},
    {"describe", "answer a prompt about images with a vision-language model", cmd_describe_usage,
     cmd_describe},
    {"make-model", "write a random model or vision projector as GGUF (tests)", cmd_make_model_usage,
     cmd_make_model},
};
static const int n_commands = sizeof commands / sizeof commands[0];

static const command *find_command(const char *name)
{
    for (int i = 0; i < n_commands; i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

static void print_overview(FILE *out)
{
    fprintf(out, "usage: vkeve COMMAND [ARGS]\n\n"
                 "vkeve generates verified training data for vision-language models on any\n"
                 "Vulkan GPU (or a CPU through lavapipe).\n\ncommands:\n");
    for (int i = 0; i < n_commands; i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "  %-10s %s\n", "help", "describe one command: vkeve help COMMAND");
    fprintf(out, "\nexit status: 0 ok, 1 runtime failure, 2 bad usage or environment\n");
}

static int help(int argc, char **argv)
{
    if (argc < 2) {
        print_overview(stdout);
        return 0;
    }
    const command *c = find_command(argv[1]);
    if (!c)
        return cmd_usage_error("help", "unknown command '%s'", argv[1]);
    fputs(c->usage, stdout);
    return 0;
}

int cmd_usage_error(const char *name, const char *fmt, ...)
{
    fprintf(stderr, "vkeve %s: ", name);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n(see: vkeve help %s)\n", name);
    return 2;
}

int cmd_parse_int(const char *text, long min, long max, long *out)
{
    char *end;
    errno = 0;
    long v = text ? strtol(text, &end, 10) : 0;
    if (!text || !*text || *end || errno || v < min || v > max)
        return 1;
    *out = v;
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        print_overview(stderr);
        return 2;
    }
    const char *name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0 || strcmp(name, "help") == 0)
        return help(argc - 1, argv + 1);
    const command *c = find_command(name);
    if (!c) {
        fprintf(stderr, "vkeve: unknown command '%s'\n\n", name);
        print_overview(stderr);
        return 2;
    }
    for (int i = 2; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(c->usage, stdout);
            return 0;
        }
    return c->run(argc - 1, argv + 1);
}
