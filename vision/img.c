/* img.c - creating, copying and freeing images (see img.h). */
#include "vision/img.h"

#include <stdlib.h>
#include <string.h>

size_t img_bytes(const img *im)
{
    return (size_t)im->w * (size_t)im->h * (size_t)img_channels(im->mode);
}

img *img_new(int w, int h, img_mode mode, const uint8_t *fill, errmsg *e)
{
    if (mode != IMG_L && mode != IMG_RGB && mode != IMG_RGBA) {
        err_set(e, ERR_FAIL, "image mode %d is not L, RGB or RGBA", (int)mode);
        return NULL;
    }
    if (w < 1 || h < 1) {
        err_set(e, ERR_FAIL, "image size %dx%d: both sides must be at least 1", w, h);
        return NULL;
    }
    size_t ch = (size_t)img_channels(mode);
    if ((size_t)w > IMG_MAX_BYTES / (size_t)h / ch) {
        err_set(e, ERR_FAIL, "image size %dx%d %s is over the %zu MiB limit", w, h,
                img_mode_name(mode), IMG_MAX_BYTES >> 20);
        return NULL;
    }
    img *im = malloc(sizeof *im);
    uint8_t *px = malloc((size_t)w * (size_t)h * ch);
    if (!im || !px) {
        free(im);
        free(px);
        err_set(e, ERR_FAIL, "out of memory for a %dx%d image", w, h);
        return NULL;
    }
    *im = (img){w, h, mode, px};
    if (!fill) {
        memset(px, 0, img_bytes(im));
    } else {
        size_t n = (size_t)w * (size_t)h;
        for (size_t i = 0; i < n; i++)
            memcpy(px + i * ch, fill, ch);
    }
    return im;
}

img *img_copy(const img *src, errmsg *e)
{
    img *im = img_new(src->w, src->h, src->mode, NULL, e);
    if (im)
        memcpy(im->px, src->px, img_bytes(src));
    return im;
}

void img_free(img *im)
{
    if (!im)
        return;
    free(im->px);
    free(im);
}

const char *img_mode_name(img_mode mode)
{
    switch (mode) {
    case IMG_L: return "L";
    case IMG_RGB: return "RGB";
    case IMG_RGBA: return "RGBA";
    }
    return "?";
}

img_mode img_mode_parse(const char *name)
{
    if (strcmp(name, "L") == 0)
        return IMG_L;
    if (strcmp(name, "RGB") == 0)
        return IMG_RGB;
    if (strcmp(name, "RGBA") == 0)
        return IMG_RGBA;
    return 0;
}
