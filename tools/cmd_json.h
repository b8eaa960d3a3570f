/* cmd_json.h - what the commands that print generations as JSON share. */
#ifndef VKEVE_CMD_JSON_H
#define VKEVE_CMD_JSON_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "runtime/gen.h"

/* A JSON array of n ids (or any ints). */
cJSON *cmd_json_ids(const int32_t *v, int n);

/* "stop", "stop_string", "length", "refused". */
const char *cmd_finish_name(gen_finish f);

/* Adds a sample's "ids", "logprobs", "text" and "finish" to o. */
void cmd_json_sample(cJSON *o, const gen_sample *s);

#endif
