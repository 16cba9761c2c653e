"""Pillow references for RGBAImage.flattened (A1111's images.flatten). Run once; outputs committed."""
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
RESAMPLE = ROOT / "Tests" / "Fixtures" / "imaging" / "resample"
OUT = ROOT / "Tests" / "Fixtures" / "imaging" / "flatten"
OUT.mkdir(parents=True, exist_ok=True)


def flatten(image, colour):
    # A1111 modules/images.py flatten(): alpha_composite onto an opaque background, then RGB.
    background = Image.new("RGBA", image.size, colour)
    background.alpha_composite(image)
    return background.convert("RGB")


source = Image.open(RESAMPLE / "coffee_alpha.png").convert("RGBA")
flatten(source, "#ffffff").save(OUT / "coffee_alpha_on_ffffff.png")
flatten(source, "#ff8000").save(OUT / "coffee_alpha_on_ff8000.png")
print("written to", OUT)
