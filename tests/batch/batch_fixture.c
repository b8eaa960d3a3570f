/* batch_fixture.c - writes the sample batch (batch_sample.h) for the Python and CLI tests:
 *     batch_fixture DIR EXPECTED.json
 * DIR receives round-0003-batch-0000.vkb, written by the C writer; EXPECTED.json is what
 * that file must contain, shaped like `flatc --json --strict-json --defaults-json` output. */
#include <stdio.h>
#include <stdlib.h>

#include "tests/batch/batch_sample.h"

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: batch_fixture DIR EXPECTED.json\n");
        return 2;
    }
    batch_sample s;
    errmsg e = {0};
    if (batch_sample_make(&s)) {
        fprintf(stderr, "batch_fixture: out of memory\n");
        return 1;
    }
    int rc = batch_sample_write(&s, argv[1], &e);
    char *json = rc ? NULL : batch_sample_json(&s);
    FILE *f = json ? fopen(argv[2], "w") : NULL;
    if (rc)
        fprintf(stderr, "batch_fixture: %s\n", e.text);
    else if (!f || fputs(json, f) < 0 || fclose(f) != 0) {
        fprintf(stderr, "batch_fixture: cannot write %s\n", argv[2]);
        rc = 1;
    }
    free(json);
    batch_sample_free(&s);
    return rc ? 1 : 0;
}
