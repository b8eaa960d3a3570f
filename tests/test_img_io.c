/* test_img_io.c - decoding, PNG encoding and atomic writes (vision/img_io.h).
 *
 * Round trips, the formats' fixtures under tests/img/, hostile bytes (empty, garbage,
 * truncated PNG / JPEG / GIF / BMP, a header claiming a huge image) and failing writes (missing
 * folder, a file-size limit standing in for a full disk). Pixel agreement with Pillow's
 * decoders is checked by the img_conformance test.
 */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/testutil.h"
#include "vision/img_io.h"

/* A w x h image of the given mode filled with a position-dependent pattern and some noise. */
static img *pattern(int w, int h, img_mode mode, unsigned seed)
{
    errmsg e;
    img *im = img_new(w, h, mode, NULL, &e);
    if (!im)
        return NULL;
    unsigned s = seed * 2654435761u + 1;
    for (size_t i = 0; i < img_bytes(im); i++) {
        s = s * 1103515245u + 12345u;
        im->px[i] = (uint8_t)((i % 3 == 0) ? (s >> 16) : (i * 7 + seed));
    }
    return im;
}

static int same_image(const img *a, const img *b)
{
    return a && b && a->w == b->w && a->h == b->h && a->mode == b->mode &&
           memcmp(a->px, b->px, img_bytes(a)) == 0;
}

static uint8_t *read_all(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = malloc(len > 0 ? (size_t)len : 1);
    *n = buf ? fread(buf, 1, (size_t)len, f) : 0;
    fclose(f);
    return buf;
}

static void test_round_trip(void)
{
    const img_mode modes[] = {IMG_L, IMG_RGB, IMG_RGBA};
    const int sizes[][2] = {{1, 1}, {7, 5}, {97, 61}};
    for (int m = 0; m < 3; m++) {
        for (int s = 0; s < 3; s++) {
            errmsg e;
            img *im = pattern(sizes[s][0], sizes[s][1], modes[m], (unsigned)(m * 3 + s));
            uint8_t *png = NULL, *png2 = NULL;
            size_t n = 0, n2 = 0;
            T_CHECK(img_encode_png(im, &png, &n, &e) == 0, "encode: %s", e.text);
            T_CHECK(img_encode_png(im, &png2, &n2, &e) == 0, "encode again: %s", e.text);
            T_CHECK(n == n2 && png && png2 && memcmp(png, png2, n) == 0,
                    "%s %dx%d: encoding is not deterministic", img_mode_name(modes[m]), sizes[s][0],
                    sizes[s][1]);
            img *back = img_decode(png, n, "roundtrip.png", 0, &e);
            T_CHECK(back != NULL, "decode: %s", e.text);
            T_CHECK(same_image(im, back), "%s %dx%d: PNG round trip changed the pixels",
                    img_mode_name(modes[m]), sizes[s][0], sizes[s][1]);
            free(png);
            free(png2);
            img_free(im);
            img_free(back);
        }
    }
}

static void test_fixtures(void)
{
    const char *names[] = {"img/rgb_32x24.jpg", "img/rgb_32x24.bmp", "img/rgb_32x24.gif"};
    for (int i = 0; i < 3; i++) {
        errmsg e;
        img *im = img_load(t_data_path(names[i]), 0, &e);
        T_CHECK(im && im->w == 32 && im->h == 24 && im->mode == IMG_RGB,
                "%s: expected a 32x24 RGB image: %s", names[i], im ? "wrong shape" : e.text);
        img_free(im);
    }
    /* Gray + alpha has no mode of its own: it becomes RGBA. The fixture's L is (x * 8) % 256
     * and its alpha (y * 10) % 256. */
    errmsg e;
    img *la = img_load(t_data_path("img/la_32x24.png"), 0, &e);
    T_CHECK(la && la->mode == IMG_RGBA && la->w == 32 && la->h == 24, "LA png: %s",
            la ? "wrong shape" : e.text);
    int wrong = 0;
    for (int y = 0; la && y < 24; y++) {
        for (int x = 0; x < 32; x++) {
            const uint8_t *p = la->px + (y * 32 + x) * 4;
            int l = (x * 8) % 256, a = (y * 10) % 256;
            wrong += p[0] != l || p[1] != l || p[2] != l || p[3] != a;
        }
    }
    T_CHECK(wrong == 0, "LA png: %d pixels are not (L, L, L, A)", wrong);
    img_free(la);
}

/* Every prefix of a valid file must fail cleanly (or, for a few formats that tolerate a
 * missing tail, decode to the right size) - never crash. */
static void test_truncated(const char *fixture)
{
    size_t n = 0;
    uint8_t *data = read_all(t_data_path(fixture), &n);
    T_CHECK(data && n > 16, "%s: fixture missing", fixture);
    if (!data)
        return;
    int refused = 0;
    for (size_t cut = 0; cut < n; cut += (cut < 64 ? 1 : 17)) {
        errmsg e = {0};
        img *im = img_decode(data, cut, fixture, 0, &e);
        if (!im) {
            refused++;
            T_CHECK(strstr(e.text, fixture) != NULL, "%s cut at %zu: message '%s' lacks the name",
                    fixture, cut, e.text);
        } else {
            T_CHECK(im->w == 32 && im->h == 24, "%s cut at %zu decoded to %dx%d", fixture, cut,
                    im->w, im->h);
        }
        img_free(im);
    }
    T_CHECK(refused > 0, "%s: no truncation was refused", fixture);
    /* Flipped bytes (headers included): must not crash; a result, if any, is within the
     * default decode budget. */
    for (size_t at = 20; at < n; at += 29) {
        uint8_t *bad = malloc(n);
        memcpy(bad, data, n);
        bad[at] ^= 0x5A;
        errmsg e;
        img *im = img_decode(bad, n, fixture, 0, &e);
        T_CHECK(!im || (im->w >= 1 && im->h >= 1 && img_bytes(im) <= IMG_DECODE_DEFAULT_MAX_BYTES),
                "%s corrupted at %zu: decoded to %dx%d", fixture, at, im ? im->w : 0,
                im ? im->h : 0);
        img_free(im);
        free(bad);
    }
    free(data);
}

/* A Huffman table declaring 512 codes (stb_image 2.27 wrote past its table on this; the
 * JPEG path must refuse it cleanly, and the sanitizer build checks nothing is overrun). */
static void test_hostile_jpeg(void)
{
    size_t n = 0;
    uint8_t *data = read_all(t_data_path("img/rgb_32x24.jpg"), &n);
    size_t at = 0;
    while (data && at + 22 < n && !(data[at] == 0xFF && data[at + 1] == 0xC4))
        at++;
    T_CHECK(data && at + 22 < n, "fixture has no DHT segment");
    if (!data || at + 22 >= n) {
        free(data);
        return;
    }
    for (size_t k = at + 5; k < at + 21; k++)
        data[k] = 0x20;
    errmsg e;
    img *im = img_decode(data, n, "hostile.jpg", 0, &e);
    T_CHECK(!im && strstr(e.text, "hostile.jpg") && strstr(e.text, "Huffman"),
            "oversized Huffman table: '%s'", im ? "decoded" : e.text);
    img_free(im);
    free(data);
}

/* Seeded random damage (a few changed bytes, sometimes a cut) to each fixture: every result
 * is a clean refusal or a sane image; the sanitizer build checks the decoder's memory use.
 * (This is how the oversized Huffman table above was found.) */
static void test_mutations(const char *fixture, unsigned seed, int rounds)
{
    size_t n = 0;
    uint8_t *data = read_all(t_data_path(fixture), &n);
    uint8_t *m = malloc(n ? n : 1);
    int insane = 0;
    for (int r = 0; data && m && r < rounds; r++) {
        memcpy(m, data, n);
        int changes = 1 + (int)((seed >> 7) % 4);
        for (int k = 0; k < changes; k++) {
            seed = seed * 1103515245u + 12345u;
            size_t at = (seed >> 8) % n;
            seed = seed * 1103515245u + 12345u;
            m[at] = (seed >> 16) & 1 ? (uint8_t)(seed >> 20)
                                     : m[at] ^ (uint8_t)(1u << ((seed >> 12) % 8));
        }
        seed = seed * 1103515245u + 12345u;
        size_t len = (seed >> 9) % 8 == 0 ? (seed >> 12) % n : n;
        errmsg e;
        img *im = img_decode(m, len, fixture, 0, &e);
        insane += im && (im->w < 1 || im->h < 1 || img_bytes(im) > IMG_DECODE_DEFAULT_MAX_BYTES);
        img_free(im);
    }
    T_CHECK(data && insane == 0, "%s: %d damaged files decoded to impossible images", fixture,
            insane);
    free(m);
    free(data);
}

static void test_bad_bytes(void)
{
    errmsg e;
    const uint8_t junk[] = "this is not an image at all";
    T_CHECK(!img_decode(junk, 0, "empty.png", 0, &e) && strstr(e.text, "empty"),
            "empty input: '%s'", e.text);
    T_CHECK(!img_decode(junk, sizeof junk, "junk.bin", 0, &e) && strstr(e.text, "junk.bin") &&
                strstr(e.text, "not a PNG"),
            "junk input: '%s'", e.text);
    T_CHECK(!img_load("/nonexistent/dir/x.png", 0, &e) && strstr(e.text, "/nonexistent/dir/x.png"),
            "missing file: '%s'", e.text);

    /* A PNG whose header claims 60000 x 60000 RGBA must be refused before any allocation. */
    img *small = pattern(4, 4, IMG_RGBA, 9);
    uint8_t *png = NULL;
    size_t n = 0;
    img_encode_png(small, &png, &n, &e);
    const uint8_t huge[8] = {0, 0, 0xEA, 0x60, 0, 0, 0xEA, 0x60};
    memcpy(png + 16, huge, 8); /* IHDR width and height */
    T_CHECK(!img_decode(png, n, "bomb.png", 0, &e) && strstr(e.text, "limit"),
            "decompression bomb: '%s'", e.text);
    free(png);
    img_free(small);

    /* A caller's smaller budget is honoured. */
    img *mid = pattern(64, 64, IMG_RGB, 3);
    img_encode_png(mid, &png, &n, &e);
    T_CHECK(!img_decode(png, n, "mid.png", 1000, &e) && strstr(e.text, "limit"),
            "budget of 1000 bytes: '%s'", e.text);
    img *ok = img_decode(png, n, "mid.png", 64 * 64 * 3, &e);
    T_CHECK(ok != NULL, "budget of exactly the image: %s", e.text);
    img_free(ok);
    free(png);
    img_free(mid);
}

/* Names in dir starting with prefix (to find leftover temporary files). */
static int count_prefixed(const char *dir, const char *prefix)
{
    DIR *d = opendir(dir);
    int count = 0;
    struct dirent *ent;
    while (d && (ent = readdir(d)))
        count += strncmp(ent->d_name, prefix, strlen(prefix)) == 0;
    if (d)
        closedir(d);
    return count;
}

static void test_atomic_write(void)
{
    char dir[] = "/tmp/vkeve_img_io_XXXXXX";
    T_CHECK(mkdtemp(dir) != NULL, "mkdtemp failed");
    char path[256];
    snprintf(path, sizeof path, "%s/out.png", dir);
    errmsg e;
    img *im = pattern(97, 61, IMG_RGB, 5);

    T_CHECK(img_save_png(im, path, &e) == 0, "save: %s", e.text);
    img *back = img_load(path, 0, &e);
    T_CHECK(same_image(im, back), "saved file does not decode to the image");
    img_free(back);
    struct stat st;
    T_CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0644, "saved file mode %o",
            (unsigned)(st.st_mode & 0777));

    char missing[300];
    snprintf(missing, sizeof missing, "%s/no/such/dir/x.png", dir);
    T_CHECK(img_save_png(im, missing, &e) != 0 && strstr(e.text, missing),
            "save into a missing folder: '%s'", e.text);

    /* A full disk, simulated by a file-size limit: the write fails, the old file survives
     * untouched and no temporary file is left behind. */
    size_t before_n = 0;
    uint8_t *before = read_all(path, &before_n);
    img *big = pattern(300, 300, IMG_RGB, 77);
    struct rlimit old_limit, small_limit;
    getrlimit(RLIMIT_FSIZE, &old_limit);
    small_limit = old_limit;
    small_limit.rlim_cur = 4096;
    void (*old_handler)(int) = signal(SIGXFSZ, SIG_IGN);
    setrlimit(RLIMIT_FSIZE, &small_limit);
    int rc = img_save_png(big, path, &e);
    setrlimit(RLIMIT_FSIZE, &old_limit);
    signal(SIGXFSZ, old_handler);
    T_CHECK(rc != 0 && strstr(e.text, path), "save past the size limit: rc %d '%s'", rc, e.text);
    size_t after_n = 0;
    uint8_t *after = read_all(path, &after_n);
    T_CHECK(before && after && before_n == after_n && memcmp(before, after, before_n) == 0,
            "a failed save changed the existing file");
    T_CHECK(count_prefixed(dir, "out.png.tmp.") == 0, "a temporary file was left behind");
    free(before);
    free(after);
    img_free(big);

    /* A read-only folder (not meaningful for root, who may write anyway). */
    if (geteuid() != 0) {
        char ro[300], ro_file[320];
        snprintf(ro, sizeof ro, "%s/ro", dir);
        mkdir(ro, 0555);
        snprintf(ro_file, sizeof ro_file, "%s/x.png", ro);
        T_CHECK(img_save_png(im, ro_file, &e) != 0, "save into a read-only folder succeeded");
        T_CHECK(access(ro_file, F_OK) != 0, "a file appeared in the read-only folder");
        rmdir(ro);
    }
    unlink(path);
    rmdir(dir);
    img_free(im);
}

int main(void)
{
    test_round_trip();
    test_fixtures();
    test_truncated("img/rgb_32x24.jpg");
    test_truncated("img/rgb_32x24.gif");
    test_truncated("img/rgb_32x24.bmp");
    test_truncated("img/la_32x24.png");
    test_hostile_jpeg();
    test_mutations("img/rgb_32x24.jpg", 1, 1500);
    test_mutations("img/rgb_32x24.gif", 2, 500);
    test_mutations("img/rgb_32x24.bmp", 3, 500);
    test_mutations("img/la_32x24.png", 4, 500);
    test_bad_bytes();
    test_atomic_write();
    return t_finish();
}
