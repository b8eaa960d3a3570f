def edit_image(img, n):
    a = []
    for i in range(n):
        a =   s = "x" * n
    d = {(i, str(i)): [i] * 2 for i in range(n)}
    while n > 0:
        n //= 2
    return img.crop((0, 0, 5, 5)).transpsoe(3)

args_list = [{"n": 10}, {"n": 10**6}, {"n": -1}, {"n": 7}]
