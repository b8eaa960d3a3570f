/* cmd_json.c - JSON pieces shared by `vkeve generate` and `vkeve describe` (cmd_json.h). */
#include "tools/cmd_json.h"

#include <stdlib.h>
#include <string.h>

#include "base/utf8.h"

char *cmd_json_text(const char *text, size_t n)
{
    char *out = malloc(3 * n + 1), *o = out;
    for (size_t i = 0; out && i < n;) {
        size_t len = utf8_char((const unsigned char *)text + i, n - i);
        memcpy(o, len ? text + i : "\xEF\xBF\xBD", len ? len : 3);
        o += len ? len : 3;
        i += len ? len : 1;
    }
    if (out)
        *o = '\0';
    return out;
}

cJSON *cmd_json_ids(const int32_t *v, int n)
{
    cJSON *a = cJSON_CreateArray();
    for (int i = 0; a && i < n; i++)
        cJSON_AddItemToArray(a, cJSON_CreateNumber(v[i]));
    return a;
}

const char *cmd_finish_name(gen_finish f)
{
    static const char *const names[] = {"stop", "stop_string", "length", "refused"};
    return names[f];
}

void cmd_json_sample(cJSON *o, const gen_sample *s)
{
    cJSON *lp = cJSON_CreateArray();
    cJSON_AddItemToObject(o, "ids", cmd_json_ids(s->ids, s->n));
    for (int i = 0; lp && i < s->n; i++)
        cJSON_AddItemToArray(lp, cJSON_CreateNumber(s->logprobs[i]));
    cJSON_AddItemToObject(o, "logprobs", lp);
    char *text = cmd_json_text(s->text ? s->text : "", s->text_len);
    cJSON_AddStringToObject(o, "text", text ? text : "");
    free(text);
    cJSON_AddStringToObject(o, "finish", cmd_finish_name(s->finish));
}
