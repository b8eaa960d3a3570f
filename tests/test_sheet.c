/* test_sheet.c - the bitmap font (vision/img_text.h) and contact sheets (evolve/sheet.h).
 *
 * Font: every printable character draws a glyph of its own, space draws nothing, lines and
 * scales land where the header says, text is clipped at every edge, non-ASCII draws '?'.
 * Sheets: sizes grow by one row per task up to SHEET_MAX_ROWS, thumbnails of solid images
 * show their colours, missing images are grey boxes, text pixels are present and stay in
 * their row, "+N more" appears past the cap, and the same input gives the same bytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evolve/sheet.h"
#include "tests/testutil.h"
#include "vision/img_text.h"

static const uint8_t INK[4] = {255, 255, 255, 255};

static img *blank(int w, int h)
{
    errmsg e = {0};
    img *im = img_new(w, h, IMG_RGB, NULL, &e);
    T_CHECK(im != NULL, "%s", e.text);
    return im;
}

/* Pixels of im equal to rgb within rows [y0, y1). */
static long count(const img *im, const uint8_t rgb[3], int y0, int y1)
{
    long n = 0;
    for (int y = y0 < 0 ? 0 : y0; y < y1 && y < im->h; y++)
        for (int x = 0; x < im->w; x++)
            n += !memcmp(im->px + ((size_t)y * im->w + x) * 3, rgb, 3);
    return n;
}

static void test_font(void)
{
    static uint8_t glyphs[95][6 * 9];
    for (int c = 32; c < 127; c++) {
        img *im = blank(6, 9);
        char s[2] = {(char)c, 0};
        img_draw_text(im, 0, 0, s, INK, 1);
        long lit = count(im, INK, 0, 9);
        T_CHECK(c == ' ' ? lit == 0 : lit > 0, "'%c' lights %ld pixels", c, lit);
        T_CHECK(count(im, INK, 7, 9) == 0, "'%c' stays in its 7 rows", c);
        for (int i = 0; i < 6 * 9; i++)
            glyphs[c - 32][i] = im->px[3 * i];
        img_free(im);
    }
    for (int a = 1; a < 95; a++)
        for (int b = a + 1; b < 95; b++)
            T_CHECK(memcmp(glyphs[a], glyphs[b], sizeof glyphs[a]) != 0, "'%c' and '%c' alike",
                    a + 32, b + 32);
    T_CHECK(img_text_width("abc\nlonger", 1) == 6 * IMG_TEXT_CELL_W &&
                img_text_width("\xc3\xa9t\xc3\xa9", 2) == 3 * 2 * IMG_TEXT_CELL_W,
            "widths");
    T_CHECK(img_text_fit("abcdef", 20, 1) == 3 && img_text_fit("ab\ncd", 100, 1) == 2, "fit");
    img *a = blank(40, 40), *b = blank(40, 40);
    img_draw_text(a, 3, 2, "A\nB", INK, 1);
    img_draw_text(b, 3, 2, "A", INK, 1);
    img_draw_text(b, 3, 2 + IMG_TEXT_CELL_H, "B", INK, 1);
    T_CHECK(!memcmp(a->px, b->px, img_bytes(a)), "'\\n' goes one cell down, back to x");
    img_free(a), img_free(b);
    a = blank(40, 40), b = blank(40, 40);
    img_draw_text(a, 0, 0, "W", INK, 1);
    img_draw_text(b, 0, 0, "W", INK, 3);
    T_CHECK(count(b, INK, 0, 40) == 9 * count(a, INK, 0, 40), "scale 3: 9 pixels per pixel");
    img_free(a), img_free(b);
    a = blank(12, 12), b = blank(12, 12);
    img_draw_text(a, 2, 2, "\xc3\xa9", INK, 1);
    img_draw_text(b, 2, 2, "?", INK, 1);
    T_CHECK(!memcmp(a->px, b->px, img_bytes(a)), "a UTF-8 sequence draws one '?'");
    img_free(a), img_free(b);
    a = blank(8, 8);
    img_draw_text(a, -3, -4, "MW#@", INK, 2);
    img_draw_text(a, 6, 6, "MW#@\n#", INK, 5);
    img_draw_text(a, 0, 0, "x", INK, 0);
    T_CHECK(count(a, INK, 0, 8) > 0, "clipped text still draws inside");
    img_free(a);
}

static img *solid(const uint8_t rgb[3], int w, int h)
{
    errmsg e = {0};
    img *im = img_new(w, h, IMG_RGB, rgb, &e);
    T_CHECK(im != NULL, "%s", e.text);
    return im;
}

static img *render(const sheet_task *t, size_t n)
{
    errmsg e = {0};
    img *s = NULL;
    T_CHECK(sheet_render(t, n, "round 7", &s, &e) == 0 && s, "render %zu: %s", n, e.text);
    return s;
}

static const uint8_t RED[3] = {255, 0, 0}, GREEN[3] = {0, 255, 0}, BLUE[3] = {0, 0, 255},
                     YELLOW[3] = {255, 255, 0}, GREY[3] = {200, 200, 200}, TEXT[3] = {45, 45, 45};

static void test_sheet(void)
{
    img *orig = solid(RED, 300, 200), *r0 = solid(GREEN, 100, 300), *r1 = solid(BLUE, 64, 64),
        *r3 = solid(YELLOW, 500, 500);
    errmsg e = {0};
    uint8_t level = 178;
    img *l = img_new(90, 90, IMG_L, &level, &e);
    char question[4000] = "Which image?\n```python\ndef edit_image(img):\n    return img\n```\n";
    for (int i = 0; i < 40; i++)
        strcat(question, "A long line of question text that goes on and on past the column.\n");
    sheet_task t = {.original = orig,
                    .results = {r0, r1, NULL, r3},
                    .question_type = 1,
                    .question = question,
                    .answer = "C",
                    .n_correct = 3,
                    .n_samples = 6};
    sheet_task tasks[40];
    for (int i = 0; i < 40; i++)
        tasks[i] = (sheet_task){.original = l, .question_type = i % 3, .answer = "B"};
    tasks[0] = t;
    img *one = render(tasks, 1), *two = render(tasks, 2), *many = render(tasks, 40);
    img *capped = render(tasks, SHEET_MAX_ROWS), *none = render(NULL, 0), *again = render(tasks, 2);
    if (one && two && many && capped && none && again) {
        T_CHECK(two->w == one->w && two->h - one->h == SHEET_ROW_H &&
                    one->h - none->h == SHEET_ROW_H && one->w >= 5 * SHEET_THUMB,
                "sizes %dx%d, %dx%d, %dx%d", none->w, none->h, one->w, one->h, two->w, two->h);
        T_CHECK(many->h == capped->h && many->h == none->h + SHEET_MAX_ROWS * SHEET_ROW_H,
                "at most %d rows: %d", SHEET_MAX_ROWS, many->h);
        int foot = many->h - (none->h - SHEET_TITLE_H);
        T_CHECK(memcmp(many->px + (size_t)foot * many->w * 3,
                       capped->px + (size_t)foot * many->w * 3,
                       (size_t)(many->h - foot) * many->w * 3) != 0,
                "the footer says there are more");
        long red = count(one, RED, 0, one->h), green = count(one, GREEN, 0, one->h);
        long blue = count(one, BLUE, 0, one->h), yellow = count(one, YELLOW, 0, one->h);
        T_CHECK(red == 128L * 85 && green == 43L * 128 && blue == 64L * 64 && yellow == 128L * 128,
                "thumbnails: red %ld, green %ld, blue %ld, yellow %ld", red, green, blue, yellow);
        T_CHECK(count(one, GREY, 0, one->h) >= 128L * 128, "a missing result is a grey box");
        T_CHECK(count(two, (uint8_t[3]){178, 178, 178}, 0, two->h) >= 90 * 90,
                "an L image shows as grey levels");
        int row1 = SHEET_TITLE_H, row2 = SHEET_TITLE_H + SHEET_ROW_H;
        T_CHECK(count(two, TEXT, row1, row2) > 500, "question text in row 1: %ld",
                count(two, TEXT, row1, row2));
        T_CHECK(count(two, TEXT, row2, row2 + SHEET_ROW_H) == 0, "row 1's text stays in row 1");
        T_CHECK(count(one, (uint8_t[3]){250, 250, 250}, 0, SHEET_TITLE_H) > 0, "title drawn");
        T_CHECK(two->w == again->w && two->h == again->h &&
                    !memcmp(two->px, again->px, img_bytes(two)),
                "deterministic");
    }
    img *bad = NULL;
    T_CHECK(sheet_render(NULL, 3, "x", &bad, &e) == ERR_FAIL && !bad, "tasks without an array");
    img *list[] = {one, two, many, capped, none, again, orig, r0, r1, r3, l};
    for (size_t i = 0; i < sizeof list / sizeof list[0]; i++)
        img_free(list[i]);
}

int main(void)
{
    test_font();
    test_sheet();
    return t_finish();
}
