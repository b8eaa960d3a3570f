/* test_seedimg.c - the synthetic seed images (evolve/seedimg.h): the same (index, seed) gives
 * the same bytes and another seed other bytes; sizes lie within 320..640 x 240..640 with
 * both orientations; no two of the first N images share a pHash (vision/img_phash.h); each
 * passes EVE's image checks (evolve/valid.h: size, opacity, darkness); a bad index fails.
 */
#include <stdint.h>
#include <string.h>

#include "evolve/seedimg.h"
#include "evolve/valid.h"
#include "tests/testutil.h"
#include "vision/img_phash.h"

enum { N = 24 };

static int same_image(const img *a, const img *b)
{
    return a->w == b->w && a->h == b->h && a->mode == b->mode &&
           memcmp(a->px, b->px, img_bytes(a)) == 0;
}

static void test_determinism(void)
{
    errmsg e = {0};
    img *a = NULL, *b = NULL, *c = NULL;
    T_CHECK(seedimg_render(5, 42, &a, &e) == 0 && seedimg_render(5, 42, &b, &e) == 0 &&
                seedimg_render(5, 43, &c, &e) == 0,
            "render: %s", e.text);
    if (a && b && c) {
        T_CHECK(same_image(a, b), "same index and seed, same bytes");
        T_CHECK(a->w == c->w && a->h == c->h && !same_image(a, c),
                "another seed: same size, other pixels");
    }
    img_free(a), img_free(b), img_free(c);
}

static void test_set(void)
{
    errmsg e = {0};
    uint64_t hash[N];
    int portrait = 0, landscape = 0;
    valid_options o = valid_default_options();
    for (int i = 0; i < N; i++) {
        img *im = NULL;
        T_CHECK(seedimg_render(i, 7, &im, &e) == 0, "image %d: %s", i, e.text);
        if (!im)
            return;
        int lo = im->w < im->h ? im->w : im->h, hi = im->w < im->h ? im->h : im->w;
        T_CHECK(im->mode == IMG_RGB && lo >= 240 && hi <= 640 && im->w >= 320, "image %d: %dx%d %s",
                i, im->w, im->h, img_mode_name(im->mode));
        portrait += im->h > im->w;
        landscape += im->w > im->h;
        char msg[256];
        valid_reason why = valid_image(im, 0, &o, msg, sizeof msg);
        T_CHECK(why == VALID_OK, "image %d fails %s: %s", i, valid_reason_name(why), msg);
        T_CHECK(img_phash(im, &hash[i], &e) == 0, "phash %d: %s", i, e.text);
        img_free(im);
    }
    T_CHECK(portrait >= 2 && landscape >= 2, "%d portrait, %d landscape", portrait, landscape);
    for (int i = 0; i < N; i++)
        for (int j = i + 1; j < N; j++)
            T_CHECK(hash[i] != hash[j], "images %d and %d share pHash %016llx", i, j,
                    (unsigned long long)hash[i]);
}

static void test_bad_index(void)
{
    errmsg e = {0};
    img *im = (img *)&e;
    T_CHECK(seedimg_render(-1, 1, &im, &e) == ERR_FAIL && im == NULL && strstr(e.text, "-1"),
            "negative index: %s", e.text);
}

int main(void)
{
    test_determinism();
    test_set();
    test_bad_index();
    return t_finish();
}
