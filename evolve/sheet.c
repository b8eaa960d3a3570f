/* sheet.c - contact sheets (evolve/sheet.h): thumbnails and text rows on one image. */
#include "evolve/sheet.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vision/img_geom.h"
#include "vision/img_text.h"

enum {
    PAD = 8,
    GAP = 4,         /* between thumbnails */
    TEXT_GAP = 14,   /* before each text column */
    QUESTION_W = 52, /* characters per line in the question column */
    CODE_W = 48,     /* characters per line in the code column */
    FOOTER_H = 22,
    LINE_H = IMG_TEXT_CELL_H,
    ROW_LINES = (SHEET_ROW_H - 8) / LINE_H,
    HEAD_LINES = 2,
    X_RESULTS = PAD + SHEET_THUMB + 3 * GAP,
    X_QUESTION = X_RESULTS + 4 * SHEET_THUMB + 3 * GAP + TEXT_GAP,
    X_CODE = X_QUESTION + QUESTION_W * IMG_TEXT_CELL_W + TEXT_GAP,
    SHEET_W = X_CODE + CODE_W * IMG_TEXT_CELL_W + PAD
};

static const uint8_t BACKGROUND[4] = {250, 250, 250, 255}, STRIPE[4] = {236, 239, 245, 255},
                     TITLE_BG[4] = {40, 52, 80, 255}, TITLE_INK[4] = {250, 250, 250, 255},
                     MISSING[4] = {200, 200, 200, 255}, FRAME[4] = {60, 110, 200, 255},
                     HEAD_INK[4] = {20, 60, 140, 255}, TEXT_INK[4] = {45, 45, 45, 255},
                     CODE_INK[4] = {110, 60, 20, 255}, MORE_INK[4] = {150, 30, 30, 255};

static int fill(img *im, int x0, int y0, int x1, int y1, const uint8_t ink[4], errmsg *e)
{
    return img_paste_color(im, ink, x0, y0, x1, y1, NULL, e);
}

/* src as a thumbnail centred in the SHEET_THUMB square at (x, y); a grey box when NULL. */
static int thumb(img *sheet, const img *src, int x, int y, errmsg *e)
{
    if (!src)
        return fill(sheet, x, y, x + SHEET_THUMB, y + SHEET_THUMB, MISSING, e);
    img *rgb = src->mode == IMG_RGB ? NULL : img_convert(src, IMG_RGB, e);
    if (src->mode != IMG_RGB && !rgb)
        return ERR_FAIL;
    img *t = img_thumbnail(rgb ? rgb : src, SHEET_THUMB, SHEET_THUMB, IMG_BICUBIC, 2.0, e);
    img_free(rgb);
    if (!t)
        return ERR_FAIL;
    int left = x + (SHEET_THUMB - t->w) / 2, top = y + (SHEET_THUMB - t->h) / 2;
    int rc = img_paste(sheet, t, left, top, left + t->w, top + t->h, NULL, e);
    img_free(t);
    return rc;
}

/* Bytes taken by the first k characters of s (a UTF-8 sequence is one character). */
static size_t char_bytes(const char *s, int k)
{
    size_t n = 0;
    for (int i = 0; i < k && s[n]; i++)
        for (n++; ((unsigned char)s[n] & 0xc0) == 0x80; n++)
            ;
    return n;
}

/* One line of text cut to `chars` characters, with "..." where it was cut; tabs as spaces. */
static void put_line(img *im, int x, int y, const char *line, size_t len, int chars,
                     const uint8_t ink[4])
{
    char buf[512];
    len = len < sizeof buf - 4 ? len : sizeof buf - 4;
    memcpy(buf, line, len);
    buf[len] = 0;
    for (char *c = strchr(buf, '\t'); c; c = strchr(c, '\t'))
        *c = ' ';
    if (img_text_width(buf, 1) > chars * IMG_TEXT_CELL_W)
        memcpy(buf + char_bytes(buf, chars - 3), "...", 4);
    img_draw_text(im, x, y, buf, ink, 1);
}

static const char *type_name(int type)
{
    static const char *const NAMES[] = {"args -> image", "image -> args", "match all four"};
    return type >= 0 && type < 3 ? NAMES[type] : "other type";
}

/* Two lines: the row number and question type; the answer and the pass rate. */
static void head_lines(img *im, const sheet_task *t, size_t index, int y)
{
    char text[160];
    snprintf(text, sizeof text, "#%zu  type %d (%s)", index + 1, t->question_type,
             type_name(t->question_type));
    put_line(im, X_QUESTION, y, text, strlen(text), QUESTION_W, HEAD_INK);
    int n = snprintf(text, sizeof text, "answer %s   ", t->answer ? t->answer : "-");
    if (t->n_samples > 0)
        snprintf(text + n, sizeof text - n, "p=%.2f (%d/%d)", (double)t->n_correct / t->n_samples,
                 t->n_correct, t->n_samples);
    else
        snprintf(text + n, sizeof text - n, "p not measured");
    put_line(im, X_QUESTION, y + LINE_H, text, strlen(text), QUESTION_W, HEAD_INK);
}

/* The question's lines: those outside ``` fences into the question column, those inside
 * into the code column; blank lines skipped, each column cut at ROW_LINES lines. */
static void question_lines(img *im, const char *q, int y)
{
    int in_code = 0, n_text = HEAD_LINES, n_code = 0;
    while (q && *q) {
        size_t len = strcspn(q, "\n");
        int fence = len >= 3 && !strncmp(q, "```", 3);
        int blank = strspn(q, " \t\r") >= len;
        if (fence)
            in_code = !in_code;
        else if (!blank && in_code && n_code < ROW_LINES)
            put_line(im, X_CODE, y + LINE_H * n_code++, q, len, CODE_W, CODE_INK);
        else if (!blank && !in_code && n_text < ROW_LINES)
            put_line(im, X_QUESTION, y + LINE_H * n_text++, q, len, QUESTION_W, TEXT_INK);
        q += len + (q[len] == '\n');
    }
}

static int draw_row(img *sheet, const sheet_task *t, size_t index, int y, errmsg *e)
{
    int rc = index % 2 ? fill(sheet, 0, y, SHEET_W, y + SHEET_ROW_H, STRIPE, e) : 0;
    int top = y + (SHEET_ROW_H - SHEET_THUMB) / 2;
    if (!rc)
        rc = fill(sheet, PAD - 2, top - 2, PAD + SHEET_THUMB + 2, top + SHEET_THUMB + 2, FRAME, e);
    if (!rc)
        rc = fill(sheet, PAD, top, PAD + SHEET_THUMB, top + SHEET_THUMB, BACKGROUND, e);
    if (!rc)
        rc = thumb(sheet, t->original, PAD, top, e);
    for (int k = 0; k < 4 && !rc; k++)
        rc = thumb(sheet, t->results[k], X_RESULTS + k * (SHEET_THUMB + GAP), top, e);
    if (rc)
        return rc;
    head_lines(sheet, t, index, y + 4);
    question_lines(sheet, t->question, y + 4);
    return 0;
}

int sheet_render(const sheet_task *tasks, size_t n, const char *title, img **out, errmsg *e)
{
    *out = NULL;
    if (n && !tasks)
        return err_set(e, ERR_FAIL, "sheet_render: %zu tasks but no array", n);
    size_t rows = n < SHEET_MAX_ROWS ? n : SHEET_MAX_ROWS;
    int height = SHEET_TITLE_H + (int)rows * SHEET_ROW_H + FOOTER_H;
    img *sheet = img_new(SHEET_W, height, IMG_RGB, BACKGROUND, e);
    if (!sheet)
        return err_prefix(e, "contact sheet: ");
    int rc = fill(sheet, 0, 0, SHEET_W, SHEET_TITLE_H, TITLE_BG, e);
    img_draw_text(sheet, PAD, (SHEET_TITLE_H - 2 * IMG_TEXT_CELL_H) / 2 + 2, title ? title : "",
                  TITLE_INK, 2);
    for (size_t i = 0; i < rows && !rc; i++)
        rc = draw_row(sheet, &tasks[i], i, SHEET_TITLE_H + (int)i * SHEET_ROW_H, e);
    char footer[80];
    if (n > rows)
        snprintf(footer, sizeof footer, "+%zu more tasks", n - rows);
    else
        snprintf(footer, sizeof footer, "%zu task%s", n, n == 1 ? "" : "s");
    img_draw_text(sheet, PAD, height - FOOTER_H + 6, footer, n > rows ? MORE_INK : TEXT_INK, 1);
    if (rc) {
        img_free(sheet);
        return err_prefix(e, "contact sheet: ");
    }
    *out = sheet;
    return 0;
}
