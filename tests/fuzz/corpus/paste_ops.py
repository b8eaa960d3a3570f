from PIL import Image, ImageOps

def edit_image(img, bits, border):
    w, h = img.size
    base = Image.new("RGBA", (w + 2 * border, h + 2 * border), "navy")
    base.paste(img, (border, border))
    mask = Image.new("L", img.size, 128)
    base.paste((255, 0, 0), (0, 0, w, h), mask)
    r, g, b, a = base.split()
    out = Image.merge("RGB", (b, g, r))
    out = ImageOps.posterize(out, bits)
    out = ImageOps.expand(out, border=border, fill="white")
    return ImageOps.autocontrast(out, cutoff=2)

args_list = [{"bits": b, "border": b * 2} for b in (1, 2, 4, 8)]
