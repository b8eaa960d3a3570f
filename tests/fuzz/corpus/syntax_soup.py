x = [1, 2, 3][::-1]; y = {'a': [(1, 2.5e-3, None, True)]}
def f(a, b=lambda q: q ** 2, *, c=3):
    return b(a) if a not in (1, 2) else -a // c % 7
z = f"{x!r:>20}{y['a'][0][1]:.2%}{f(5, c=2)}"
assert z, "empty"
def edit_image(img):
    return img
args_list = [{'k': z}]
