"""Writes small PNGs with A1111-style text chunks the way Pillow (and so A1111) writes them.

Run once (needs `pip install pillow`); outputs are committed under Tests/Fixtures/imaging/text.
"""
from pathlib import Path

from PIL import Image
from PIL.PngImagePlugin import PngInfo

OUT = Path(__file__).resolve().parents[2] / "Tests" / "Fixtures" / "imaging" / "text"
OUT.mkdir(parents=True, exist_ok=True)

PARAMETERS = (
    "a lighthouse at dusk, (oil painting:1.2)\n"
    "Negative prompt: blurry\n"
    "Steps: 20, Sampler: Euler a, CFG scale: 7, Seed: 1234, Size: 16x8, Model: v1-5-pruned-emaonly"
)

image = Image.new("RGB", (16, 8), (200, 100, 50))

info = PngInfo()
info.add_text("parameters", PARAMETERS)  # Latin-1 → tEXt
image.save(OUT / "a1111_parameters.png", pnginfo=info)

info = PngInfo()
info.add_text("parameters", "café ☕ 東京\nSteps: 20")  # not Latin-1 → iTXt
image.save(OUT / "a1111_parameters_itxt.png", pnginfo=info)

info = PngInfo()
info.add_text("parameters", PARAMETERS, zip=True)  # zTXt
info.add_text("Comment", "second chunk")
image.save(OUT / "a1111_parameters_ztxt.png", pnginfo=info)
print("written to", OUT)
