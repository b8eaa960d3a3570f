/* sheet.h - a round's contact sheet: one picture showing what the round made.
 *
 * One row per task: the original image, the program's four results (thumbnails of at most
 * SHEET_THUMB pixels a side; a missing image is a grey box), then text in the built-in font
 * (vision/img_text.h): the row number, question type, ground-truth answer and solver pass
 * rate ("p=0.50 (3/6)"), the question without its code block, and beside it the code block
 * (the function the solver saw). Lines too long for their column are cut with "...". At most
 * SHEET_MAX_ROWS rows are drawn; a last line says "+N more tasks". A title bar holds the
 * title. The result is RGB and depends only on the input (save it with img_save_png).
 *
 *     sheet_task t = {.original = input, .results = {r0, r1, r2, r3}, .question_type = 0,
 *                     .question = q.text, .answer = q.answer, .n_correct = 3, .n_samples = 6};
 *     img *sheet;
 *     if (sheet_render(&t, 1, "round 3", &sheet, &e)) return e.code;
 *     img_save_png(sheet, "out/round-0003.png", &e);
 *     img_free(sheet);
 */
#ifndef VKEVE_SHEET_H
#define VKEVE_SHEET_H

#include <stddef.h>

#include "base/errmsg.h"
#include "vision/img.h"

#define SHEET_MAX_ROWS 32
#define SHEET_THUMB    128 /* thumbnail box side */
#define SHEET_TITLE_H                                                                              \
    30 /* the title bar's height; row i starts at SHEET_TITLE_H + i * SHEET_ROW_H */
#define SHEET_ROW_H 140

typedef struct sheet_task {
    const img *original;   /* the program's input, or NULL */
    const img *results[4]; /* the four outputs in args_list order; NULL where there is none */
    int question_type;
    const char *question; /* the question as the solver saw it (NULL: none) */
    const char *answer;   /* ground truth, "B" or "BDAC" (NULL: none) */
    int n_correct;        /* solver samples that were right */
    int n_samples;        /* solver samples; 0 when the pass rate was not measured */
} sheet_task;

/* Draws tasks[0..n) (n may be 0) under title (NULL: none) into *out (the caller frees it).
 * Returns 0, or ERR_FAIL with e filled (out of memory). */
int sheet_render(const sheet_task *tasks, size_t n, const char *title, img **out, errmsg *e);

#endif
