/* commands.h - the subcommands of the vkeve command line. Each lives in its own
 * tools/cmd_*.c file and is listed once in the table in tools/vkeve.c.
 *
 * A command gets argv after the command name (argv[0] is the command name) and returns the
 * exit status: 0 ok, 1 runtime failure, 2 bad usage or environment (see base/errmsg.h).
 */
#ifndef VKEVE_COMMANDS_H
#define VKEVE_COMMANDS_H

#include <stddef.h>

typedef struct command {
    const char *name;
    const char *summary; /* one line for `vkeve --help` */
    const char *usage;   /* the full text for `vkeve help NAME` */
    int (*run)(int argc, char **argv);
} command;

int cmd_info(int argc, char **argv);
extern const char cmd_info_usage[];
int cmd_gguf_info(int argc, char **argv);
extern const char cmd_gguf_info_usage[];
int cmd_inspect(int argc, char **argv);
extern const char cmd_inspect_usage[];
int cmd_export(int argc, char **argv);
extern const char cmd_export_usage[];
int cmd_exec(int argc, char **argv);
extern const char cmd_exec_usage[];
int cmd_tokenize(int argc, char **argv);
extern const char cmd_tokenize_usage[];
int cmd_vocab(int argc, char **argv);
extern const char cmd_vocab_usage[];
int cmd_generate(int argc, char **argv);
extern const char cmd_generate_usage[];
int cmd_describe(int argc, char **argv);
extern const char cmd_describe_usage[];
int cmd_make_model(int argc, char **argv);
extern const char cmd_make_model_usage[];
int cmd_run(int argc, char **argv);
extern const char cmd_run_usage[];

/* Prints "vkeve NAME: message" and the usage hint to stderr; returns 2. */
int cmd_usage_error(const char *name, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The largest text file (a prompt, a text to tokenize) the commands read. */
#define CMD_MAX_TEXT_BYTES ((size_t)64 << 20)

/* Parses a non-negative integer option value; returns 0 on success. */
int cmd_parse_int(const char *text, long min, long max, long *out);

#endif
