/* img_io.c - decoding through libjpeg (JPEG) and stb_image (PNG, BMP, GIF), PNG encoding
 * through libdeflate (see img_io.h).
 *
 * JPEG goes through libjpeg-turbo with the settings Pillow uses (the library Debian's Pillow
 * links), so decoded JPEG pixels are Pillow's bit for bit; stb's JPEG decoder differs by a
 * few levels, and stb 2.27 writes past a Huffman table on hostile files.
 *
 * stb_image is compiled here, from Debian's header, rather than linked from libstb.a: this
 * keeps every stb symbol static to this file (no clash with other users), leaves out the
 * formats we do not accept (less hostile-input surface), makes the failure reason
 * thread-local, and lets the sanitizer build instrument the decoder.
 */
#define _POSIX_C_SOURCE 200809L

#include "vision/img_io.h"

#include "base/afile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdio.h> /* before jpeglib.h, which uses FILE */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jerror.h>
#include <jpeglib.h>
#include <libdeflate.h>

#define STB_IMAGE_IMPLEMENTATION
#define STB_IMAGE_STATIC
#define STBI_NO_STDIO
#define STBI_NO_LINEAR
#define STBI_NO_HDR
#define STBI_ONLY_PNG
#define STBI_ONLY_BMP
#define STBI_ONLY_GIF
/* File-wide, not pushed: with STB_IMAGE_STATIC, stb 2.27 declares a function it never defines,
 * which GCC reports at the end of the file. */
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wunused-but-set-variable"
#pragma GCC diagnostic ignored "-Wimplicit-fallthrough"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#pragma GCC diagnostic ignored "-Wtype-limits"
#include <stb/stb_image.h>
#pragma GCC diagnostic pop

/* Files larger than this are refused before reading: no accepted image needs it. */
#define IMG_MAX_FILE_BYTES ((size_t)256 << 20)

/* ---- decoding ------------------------------------------------------------------------ */

/* The format named by the leading bytes, or NULL for one we do not accept. */
static const char *sniff_format(const uint8_t *p, size_t n)
{
    if (n >= 8 && memcmp(p, "\x89PNG\r\n\x1a\n", 8) == 0)
        return "PNG";
    if (n >= 3 && p[0] == 0xFF && p[1] == 0xD8 && p[2] == 0xFF)
        return "JPEG";
    if (n >= 2 && p[0] == 'B' && p[1] == 'M')
        return "BMP";
    if (n >= 6 && (memcmp(p, "GIF87a", 6) == 0 || memcmp(p, "GIF89a", 6) == 0))
        return "GIF";
    return NULL;
}

/* ---- JPEG through libjpeg ------------------------------------------------------------ */

/* libjpeg reports fatal errors through error_exit, which must not return: we jump back into
 * decode_jpeg with the message. */
typedef struct jpeg_job {
    struct jpeg_decompress_struct cinfo;
    struct jpeg_error_mgr err;
    jmp_buf jump;
    char why[JMSG_LENGTH_MAX];
    img *out;
    uint8_t *row; /* CMYK scanline */
} jpeg_job;

static void jpeg_fatal(j_common_ptr c)
{
    jpeg_job *job = (jpeg_job *)c->client_data;
    (*c->err->format_message)(c, job->why);
    longjmp(job->jump, 1);
}

/* Warnings are ignored, as Pillow ignores them, except running out of data: Pillow reports
 * a truncated file where libjpeg would pad the image with grey. */
static void jpeg_warning(j_common_ptr c, int level)
{
    if (level < 0 && c->err->msg_code == JWRN_JPEG_EOF)
        jpeg_fatal(c);
}

/* Pillow reads 4-channel JPEGs as inverted ("Adobe") CMYK; a program sees them after
 * .convert("RGB"), which is what we return. */
static void cmyk_row_to_rgb(uint8_t *rgb, const uint8_t *cmyk, int w)
{
    for (int x = 0; x < w; x++) {
        unsigned nk = cmyk[x * 4 + 3]; /* 255 - (255 - k) */
        for (int c = 0; c < 3; c++) {
            unsigned v = 255u - cmyk[x * 4 + c];
            unsigned t = v * nk + 128;
            rgb[x * 3 + c] = (uint8_t)(nk - (((t >> 8) + t) >> 8));
        }
    }
}

/* The libjpeg calls proper; on a libjpeg error they jump to decode_jpeg's setjmp. */
static int jpeg_run(jpeg_job *job, const uint8_t *bytes, size_t n, const char *name,
                    size_t max_bytes, errmsg *e)
{
    struct jpeg_decompress_struct *ci = &job->cinfo;
    jpeg_mem_src(ci, bytes, (unsigned long)n);
    jpeg_read_header(ci, TRUE);
    int comps = ci->num_components;
    if (comps != 1 && comps != 3 && comps != 4)
        return err_set(e, ERR_FAIL, "%s: JPEG with %d channels is not supported", name, comps);
    img_mode mode = comps == 1 ? IMG_L : IMG_RGB;
    size_t want = (size_t)ci->image_width * ci->image_height * (size_t)img_channels(mode);
    if (ci->image_width < 1 || ci->image_height < 1 || want > max_bytes)
        return err_set(e, ERR_FAIL,
                       "%s: JPEG image of %ux%u is over the decode limit of %zu "
                       "bytes",
                       name, ci->image_width, ci->image_height, max_bytes);
    /* Pillow's settings: libjpeg's defaults (accurate integer IDCT, fancy upsampling). */
    ci->out_color_space = comps == 1 ? JCS_GRAYSCALE : comps == 3 ? JCS_RGB : JCS_CMYK;
    jpeg_start_decompress(ci);
    job->out = img_new((int)ci->output_width, (int)ci->output_height, mode, NULL, e);
    if (!job->out)
        return err_prefix(e, "%s: ", name);
    if (comps == 4 && !(job->row = malloc((size_t)ci->output_width * 4)))
        return err_set(e, ERR_FAIL, "%s: out of memory", name);
    size_t stride = (size_t)job->out->w * (size_t)img_channels(mode);
    while (ci->output_scanline < ci->output_height) {
        uint8_t *dst = job->out->px + (size_t)ci->output_scanline * stride;
        JSAMPROW rowp = comps == 4 ? job->row : dst;
        jpeg_read_scanlines(ci, &rowp, 1);
        if (comps == 4)
            cmyk_row_to_rgb(dst, job->row, job->out->w);
    }
    jpeg_finish_decompress(ci);
    return 0;
}

static img *decode_jpeg(const uint8_t *bytes, size_t n, const char *name, size_t max_bytes,
                        errmsg *e)
{
    jpeg_job *job = calloc(1, sizeof *job);
    if (!job) {
        err_set(e, ERR_FAIL, "%s: out of memory", name);
        return NULL;
    }
    job->cinfo.err = jpeg_std_error(&job->err);
    job->err.error_exit = jpeg_fatal;
    job->err.emit_message = jpeg_warning;
    job->cinfo.client_data = job;
    int rc;
    if (setjmp(job->jump)) {
        rc = err_set(e, ERR_FAIL, "%s: corrupt or truncated JPEG (%s)", name, job->why);
    } else {
        jpeg_create_decompress(&job->cinfo);
        rc = jpeg_run(job, bytes, n, name, max_bytes, e);
    }
    jpeg_destroy_decompress(&job->cinfo);
    img *out = job->out;
    if (rc) {
        img_free(out);
        out = NULL;
    }
    free(job->row);
    free(job);
    return out;
}

/* stb reports gray+alpha as 2 channels; we have no LA mode, so it becomes RGBA. */
static img_mode mode_for_channels(int comp)
{
    switch (comp) {
    case 1: return IMG_L;
    case 3: return IMG_RGB;
    default: return IMG_RGBA;
    }
}

/* GIF always decodes to RGBA; an opaque GIF is RGB, which is what a program expects after
 * Pillow's usual .convert("RGB"). */
static int all_opaque(const uint8_t *rgba, size_t pixels)
{
    for (size_t i = 0; i < pixels; i++)
        if (rgba[i * 4 + 3] != 255)
            return 0;
    return 1;
}

static void rgba_to_rgb_inplace(uint8_t *px, size_t pixels)
{
    for (size_t i = 0; i < pixels; i++)
        memmove(px + i * 3, px + i * 4, 3);
}

/* The header of the sniffed format only, through stb's per-format reader: the generic
 * stbi_info tries every format in turn and reports the last one's complaint. */
static int format_info(const char *format, const uint8_t *bytes, size_t n, int *w, int *h,
                       int *comp)
{
    stbi__context s;
    stbi__start_mem(&s, bytes, (int)n);
    switch (format[0]) {
    case 'P': return stbi__png_info(&s, w, h, comp);
    case 'B': return stbi__bmp_info(&s, w, h, comp);
    default: return stbi__gif_info(&s, w, h, comp);
    }
}

img *img_decode(const void *data, size_t n, const char *name, size_t max_bytes, errmsg *e)
{
    const uint8_t *bytes = data;
    if (!name)
        name = "<input>";
    if (max_bytes == 0)
        max_bytes = IMG_DECODE_DEFAULT_MAX_BYTES;
    if (max_bytes > IMG_MAX_BYTES)
        max_bytes = IMG_MAX_BYTES;
    if (n == 0) {
        err_set(e, ERR_FAIL, "%s: empty file, not an image", name);
        return NULL;
    }
    if (n > (size_t)INT_MAX) {
        err_set(e, ERR_FAIL, "%s: %zu bytes is too large for an image file", name, n);
        return NULL;
    }
    const char *format = sniff_format(bytes, n);
    if (!format) {
        err_set(e, ERR_FAIL, "%s: not a PNG, JPEG, BMP or GIF file (unknown leading bytes)", name);
        return NULL;
    }
    if (strcmp(format, "JPEG") == 0)
        return decode_jpeg(bytes, n, name, max_bytes, e);
    int w = 0, h = 0, comp = 0;
    if (!format_info(format, bytes, n, &w, &h, &comp)) {
        const char *why = stbi_failure_reason();
        if (strcmp(why, "too large") == 0)
            err_set(e, ERR_FAIL,
                    "%s: %s header describes an image over the decode limit of %zu "
                    "bytes",
                    name, format, max_bytes);
        else
            err_set(e, ERR_FAIL, "%s: corrupt or truncated %s header (%s)", name, format, why);
        return NULL;
    }
    img_mode mode = mode_for_channels(comp);
    size_t want = (size_t)w * (size_t)h * (size_t)img_channels(mode);
    if (w < 1 || h < 1 || want > max_bytes) {
        err_set(e, ERR_FAIL, "%s: %s image of %dx%d is over the decode limit of %zu bytes", name,
                format, w, h, max_bytes);
        return NULL;
    }
    int got_w = 0, got_h = 0, file_comp = 0;
    uint8_t *px =
        stbi_load_from_memory(bytes, (int)n, &got_w, &got_h, &file_comp, img_channels(mode));
    if (!px) {
        err_set(e, ERR_FAIL, "%s: corrupt or truncated %s data (%s)", name, format,
                stbi_failure_reason());
        return NULL;
    }
    if (got_w != w || got_h != h) {
        stbi_image_free(px);
        err_set(e, ERR_FAIL, "%s: %s header says %dx%d but the data decodes to %dx%d", name, format,
                w, h, got_w, got_h);
        return NULL;
    }
    size_t pixels = (size_t)w * (size_t)h;
    if (mode == IMG_RGBA && strcmp(format, "GIF") == 0 && all_opaque(px, pixels)) {
        rgba_to_rgb_inplace(px, pixels);
        mode = IMG_RGB;
    }
    img *im = malloc(sizeof *im);
    if (!im) {
        stbi_image_free(px);
        err_set(e, ERR_FAIL, "%s: out of memory", name);
        return NULL;
    }
    /* stb allocates with malloc (STBI_MALLOC default), so img_free's free() matches. */
    *im = (img){w, h, mode, px};
    return im;
}

img *img_load(const char *path, size_t max_bytes, errmsg *e)
{
    char *buf = NULL;
    size_t n = 0;
    if (afile_read(path, IMG_MAX_FILE_BYTES, "an image file", &buf, &n, e))
        return NULL;
    img *im = img_decode((const uint8_t *)buf, n, path, max_bytes, e);
    free(buf);
    return im;
}

/* ---- PNG encoding -------------------------------------------------------------------- */

/* The container is written here and the rows compressed by libdeflate in one call: on
 * 448x448 photographs that is 1.5-2.7x faster than libpng + zlib at level 1 with files 4-8 %
 * smaller (bench_img, and the comparison in the README). Every row uses the Paeth filter
 * and level 1, fixed so the same pixels always give the same bytes with the same libdeflate. */
enum { PNG_LEVEL = 1, PNG_FILTER_PAETH = 4 };

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static int paeth(int a, int b, int c)
{
    int p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c);
    return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/* Each row as PNG stores it: the filter byte, then every byte minus its Paeth predictor. */
static void filter_rows(const img *im, uint8_t *out)
{
    size_t bpp = (size_t)img_channels(im->mode), stride = (size_t)im->w * bpp;
    for (int y = 0; y < im->h; y++) {
        const uint8_t *row = im->px + (size_t)y * stride, *up = y ? row - stride : NULL;
        uint8_t *o = out + (size_t)y * (stride + 1);
        o[0] = PNG_FILTER_PAETH;
        for (size_t i = 0; i < stride; i++) {
            int a = i >= bpp ? row[i - bpp] : 0, b = up ? up[i] : 0;
            int c = up && i >= bpp ? up[i - bpp] : 0;
            o[1 + i] = (uint8_t)(row[i] - paeth(a, b, c));
        }
    }
}

/* Writes a chunk (length, type, data, CRC of type and data) at dst; returns its size. */
static size_t put_chunk(uint8_t *dst, const char *type, const uint8_t *data, size_t n)
{
    put_be32(dst, (uint32_t)n);
    memcpy(dst + 4, type, 4);
    if (n && data != dst + 8)
        memmove(dst + 8, data, n);
    put_be32(dst + 8 + n, libdeflate_crc32(0, dst + 4, 4 + n));
    return 12 + n;
}

static int png_color_type(img_mode mode)
{
    switch (mode) {
    case IMG_L: return 0;
    case IMG_RGB: return 2;
    default: return 6;
    }
}

/* Signature and IHDR: 33 bytes. */
static size_t put_header(uint8_t *dst, const img *im)
{
    static const uint8_t signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    uint8_t ihdr[13] = {0};
    put_be32(ihdr, (uint32_t)im->w);
    put_be32(ihdr + 4, (uint32_t)im->h);
    ihdr[8] = 8; /* bits per sample; compression, filter method and interlace stay 0 */
    ihdr[9] = (uint8_t)png_color_type(im->mode);
    memcpy(dst, signature, 8);
    return 8 + put_chunk(dst + 8, "IHDR", ihdr, sizeof ihdr);
}

int img_encode_png(const img *im, uint8_t **out, size_t *out_n, errmsg *e)
{
    *out = NULL;
    *out_n = 0;
    size_t raw_n = ((size_t)im->w * (size_t)img_channels(im->mode) + 1) * (size_t)im->h;
    struct libdeflate_compressor *z = libdeflate_alloc_compressor(PNG_LEVEL);
    size_t bound = z ? libdeflate_zlib_compress_bound(z, raw_n) : 0;
    uint8_t *raw = malloc(raw_n), *png = malloc(33 + 12 + bound + 12);
    if (!z || !raw || !png) {
        libdeflate_free_compressor(z);
        free(raw);
        free(png);
        return err_set(e, ERR_FAIL, "encoding a %dx%d %s PNG: out of memory", im->w, im->h,
                       img_mode_name(im->mode));
    }
    filter_rows(im, raw);
    size_t n = put_header(png, im);
    size_t zn = libdeflate_zlib_compress(z, raw, raw_n, png + n + 8, bound);
    libdeflate_free_compressor(z);
    free(raw);
    if (zn == 0 || zn > UINT32_MAX) {
        free(png);
        return err_set(e, ERR_FAIL, "encoding a %dx%d %s PNG: too large to compress", im->w, im->h,
                       img_mode_name(im->mode));
    }
    n += put_chunk(png + n, "IDAT", png + n + 8, zn);
    n += put_chunk(png + n, "IEND", NULL, 0);
    *out = png;
    *out_n = n;
    return 0;
}

int img_save_png(const img *im, const char *path, errmsg *e)
{
    uint8_t *png = NULL;
    size_t n = 0;
    if (img_encode_png(im, &png, &n, e))
        return err_prefix(e, "%s: ", path);
    int rc = afile_save(path, png, n, e);
    free(png);
    return rc;
}
