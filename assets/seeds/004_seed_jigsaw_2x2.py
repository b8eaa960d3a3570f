from PIL import Image


def edit_image(img: Image.Image, N: int, order: list) -> Image.Image:
    w, h = img.size
    w2, h2 = w - w % N, h - h % N
    img = img.resize((w2, h2))
    bw, bh = w2 // N, h2 // N
    blocks = []
    for r in range(N):
        for c in range(N):
            blocks.append(img.crop((c * bw, r * bh, (c + 1) * bw, (r + 1) * bh)))
    out = Image.new(img.mode, (w2, h2))
    for i, k in enumerate(order):
        out.paste(blocks[k], ((i % N) * bw, (i // N) * bh))
    return out


args_list = [
    {"N": 2, "order": [1, 0, 3, 2]},
    {"N": 2, "order": [3, 2, 1, 0]},
    {"N": 2, "order": [2, 3, 0, 1]},
    {"N": 2, "order": [0, 3, 2, 1]},
]
