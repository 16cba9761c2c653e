"""Copies a few public-domain photographs from scikit-image into tiles/samples/ as PNG.

Run once (needs `pip install scikit-image pillow`); the PNGs are committed so tests
and CI need no network. Images are cropped to at most 512 px per side.
"""
from pathlib import Path

from PIL import Image
from skimage import data

OUT = Path(__file__).resolve().parent.parent / "samples"


def save(name, array, box=None):
    image = Image.fromarray(array).convert("RGB")
    if box is not None:
        image = image.crop(box)
    image.save(OUT / f"{name}.png", optimize=True)
    print(name, image.size)


OUT.mkdir(parents=True, exist_ok=True)
save("astronaut", data.astronaut())                 # 512×512
save("coffee", data.coffee(), box=(44, 0, 556, 400))  # 600×400 → centre 512×400
save("chelsea", data.chelsea())                     # 451×300
