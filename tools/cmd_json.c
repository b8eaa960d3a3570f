/* cmd_json.c - JSON pieces shared by `vkeve generate` and `vkeve describe` (cmd_json.h). */
#include "tools/cmd_json.h"

#include <stdlib.h>
#include <string.h>

#include "base/utf8.h"

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
    char *text = utf8_clean(s->text ? s->text : "", s->text_len, 0);
    cJSON_AddStringToObject(o, "text", text ? text : "");
    free(text);
    cJSON_AddStringToObject(o, "finish", cmd_finish_name(s->finish));
}
