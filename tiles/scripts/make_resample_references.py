"""Generates Pillow reference outputs for the resampling tests.

Run once (needs `pip install pillow`); the outputs are committed under
Tests/Fixtures/imaging/resample so the tests need neither Python nor network.
Inputs are small crops of tiles/samples (kept small so the fixtures stay small);
one input gets a synthetic alpha ramp to exercise Pillow's premultiplied RGBA path.

Each case is written as `<input>__<filter>__<width>x<height>.png` and listed in
cases.json together with the Pillow version that produced it.
"""
import json
from pathlib import Path

import PIL
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "tiles" / "samples"
OUT = ROOT / "Tests" / "Fixtures" / "imaging" / "resample"

FILTERS = {
    "lanczos": Image.Resampling.LANCZOS,
    "bicubic": Image.Resampling.BICUBIC,
    "bilinear": Image.Resampling.BILINEAR,
    "nearest": Image.Resampling.NEAREST,
}


def inputs():
    astronaut = Image.open(SAMPLES / "astronaut.png").convert("RGB").crop((180, 60, 308, 156))   # 128×96 face
    chelsea = Image.open(SAMPLES / "chelsea.png").convert("RGB").crop((150, 80, 250, 155))       # 100×75
    coffee = Image.open(SAMPLES / "coffee.png").convert("RGBA").crop((200, 150, 290, 220))      # 90×70
    # Alpha ramp with fully transparent and fully opaque areas, to test premultiplication.
    alpha = Image.linear_gradient("L").resize(coffee.size).rotate(30, fillcolor=0)
    coffee.putalpha(alpha)
    return {"astronaut": astronaut, "chelsea": chelsea, "coffee_alpha": coffee}


CASES = [
    # (input, filter, width, height)
    ("astronaut", "lanczos", 256, 192),   # 2×
    ("astronaut", "lanczos", 384, 288),   # 3×
    ("astronaut", "lanczos", 175, 131),   # 1.37× non-integer
    ("astronaut", "lanczos", 64, 48),     # 0.5× downscale
    ("astronaut", "lanczos", 40, 29),     # 0.31× downscale, non-integer
    ("astronaut", "lanczos", 200, 61),    # anisotropic: up in x, down in y
    ("astronaut", "lanczos", 128, 150),   # width unchanged (horizontal pass skipped)
    ("chelsea", "lanczos", 250, 187),     # 2.5×
    ("chelsea", "lanczos", 33, 77),       # down in x, up in y
    ("chelsea", "lanczos", 90, 20),       # height shrinks far more than width: Pillow 13 goes vertical first
    ("coffee_alpha", "lanczos", 180, 140),
    ("coffee_alpha", "lanczos", 61, 39),
    ("astronaut", "bicubic", 256, 192),
    ("astronaut", "bicubic", 51, 37),
    ("coffee_alpha", "bicubic", 157, 121),
    ("chelsea", "bilinear", 173, 130),
    ("astronaut", "nearest", 333, 250),
    ("astronaut", "nearest", 47, 35),
    ("coffee_alpha", "nearest", 101, 201),
]


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    sources = inputs()
    for name, image in sources.items():
        image.save(OUT / f"{name}.png")
    listed = []
    for name, filter_name, width, height in CASES:
        result = sources[name].resize((width, height), FILTERS[filter_name])
        file = f"{name}__{filter_name}__{width}x{height}.png"
        result.save(OUT / file)
        listed.append({"input": f"{name}.png", "filter": filter_name, "width": width, "height": height, "output": file})
    # Pillow ≤ 12 (A1111 pins 9.5) always ran the horizontal pass first; Pillow 13 runs the
    # vertical pass first when the height shrinks much more. Two single-axis resizes give the
    # old order exactly (each step has only one pass), so it can be produced with any Pillow.
    legacy = []
    for name, filter_name, width, height in [("astronaut", "lanczos", 200, 61), ("chelsea", "lanczos", 90, 20)]:
        source = sources[name]
        result = source.resize((width, source.height), FILTERS[filter_name]).resize((width, height), FILTERS[filter_name])
        file = f"{name}__{filter_name}__{width}x{height}__horizontal_first.png"
        result.save(OUT / file)
        legacy.append({"input": f"{name}.png", "filter": filter_name, "width": width, "height": height, "output": file})
    (OUT / "cases.json").write_text(json.dumps({"pillow": PIL.__version__, "cases": listed, "horizontal_first_cases": legacy}, indent=1) + "\n")
    print(len(listed), "cases")


if __name__ == "__main__":
    main()
