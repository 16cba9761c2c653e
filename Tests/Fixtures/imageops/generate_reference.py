#!/usr/bin/env python3
"""Generates the small reference images for TesseraImageOpsTests (run once; outputs are committed).

Needs: pip install pillow opencv-python-headless numpy. The A1111 / ControlNet / StableSR steps
below are re-statements of the behaviour described in the A1111 semantics spec the project was given,
written for this script (library calls do the numeric work: Pillow, OpenCV, numpy).
OpenCV references are made with IPP switched off (cv2.ipp.setUseIPP(False)): that is OpenCV's own
algorithm, identical on every CPU. x86 wheels with IPP enabled resize bicubically with +-1 differences.
Generated with Pillow 13.0.0, opencv-python-headless 4.10.0.84, numpy 2.4.
Cases avoid downscales where Pillow >= 13 would change the pass order (A1111 pins Pillow 9.5).
"""
import os
import numpy as np
import cv2
from PIL import Image, ImageFilter, ImageOps

cv2.ipp.setUseIPP(False)
OUT = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(1234)


def save(name, array_or_image):
    image = array_or_image if isinstance(array_or_image, Image.Image) else Image.fromarray(array_or_image)
    image.save(os.path.join(OUT, name), optimize=True)


def synthetic_rgb(w, h, seed):
    r = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w]
    base = np.stack([x * 255 // max(1, w - 1), y * 255 // max(1, h - 1), (x * y) % 256], axis=2)
    noise = r.integers(-30, 30, size=(h, w, 3))
    return np.clip(base + noise, 0, 255).astype(np.uint8)


# --- resize modes (images.resize_image without an upscaler) ---
def resize_image(mode, im, width, height):
    def resize(im, w, h):
        return im.resize((w, h), resample=Image.LANCZOS)
    if mode == 0:
        return resize(im, width, height)
    ratio = width / height
    src_ratio = im.width / im.height
    if mode == 1:
        src_w = width if ratio > src_ratio else im.width * height // im.height
        src_h = height if ratio <= src_ratio else im.height * width // im.width
        resized = resize(im, src_w, src_h)
        res = Image.new("RGB", (width, height))
        res.paste(resized, box=(width // 2 - src_w // 2, height // 2 - src_h // 2))
        return res
    src_w = width if ratio < src_ratio else im.width * height // im.height
    src_h = height if ratio >= src_ratio else im.height * width // im.width
    resized = resize(im, src_w, src_h)
    res = Image.new("RGB", (width, height))
    res.paste(resized, box=(width // 2 - src_w // 2, height // 2 - src_h // 2))
    if ratio < src_ratio:
        fill_height = height // 2 - src_h // 2
        if fill_height > 0:
            res.paste(resized.resize((width, fill_height), box=(0, 0, width, 0)), box=(0, 0))
            res.paste(resized.resize((width, fill_height), box=(0, resized.height, width, resized.height)), box=(0, fill_height + src_h))
    elif ratio > src_ratio:
        fill_width = width // 2 - src_w // 2
        if fill_width > 0:
            res.paste(resized.resize((fill_width, height), box=(0, 0, 0, height)), box=(0, 0))
            res.paste(resized.resize((fill_width, height), box=(resized.width, 0, resized.width, height)), box=(fill_width + src_w, 0))
    return res


source = Image.fromarray(synthetic_rgb(37, 23, 1))
save("resize_source.png", source)
for mode, w, h in [(0, 50, 30), (1, 40, 40), (1, 60, 20), (2, 40, 40), (2, 30, 60), (2, 60, 20)]:
    save(f"resize_mode{mode}_{w}x{h}.png", resize_image(mode, source, w, h))

# --- mask blur (cv2, as processing.py) ---
mask = np.zeros((30, 40), np.uint8)
mask[8:20, 10:31] = 255
mask[22:26, 3:6] = 255
save("mask_source.png", mask)
for bx, by in [(4, 4), (2, 6)]:
    m = cv2.GaussianBlur(mask, (2 * int(2.5 * bx + 0.5) + 1, 1), bx)
    m = cv2.GaussianBlur(m, (1, 2 * int(2.5 * by + 0.5) + 1), by)
    save(f"mask_blur_{bx}_{by}.png", m)

# --- Pillow GaussianBlur on RGBA ---
rgba = np.dstack([synthetic_rgb(33, 21, 2), rng.integers(0, 256, size=(21, 33), dtype=np.uint8)])
save("pillow_blur_source.png", Image.fromarray(rgba, "RGBA"))
for radius in [3, 16]:
    save(f"pillow_blur_{radius}.png", Image.fromarray(rgba, "RGBA").filter(ImageFilter.GaussianBlur(radius)))

# --- masking.fill and apply_overlay ---
fill_image = Image.fromarray(synthetic_rgb(48, 40, 3))
fill_mask = Image.fromarray(cv2.GaussianBlur(mask_big := np.pad(np.where(np.add.outer(
    (np.arange(40) - 20) ** 2, (np.arange(48) - 24) ** 2) < 120, 255, 0).astype(np.uint8), 0), (9, 9), 2))
save("fill_source.png", fill_image)
save("fill_mask.png", fill_mask)
image_mod = Image.new('RGBA', (fill_image.width, fill_image.height))
image_masked = Image.new('RGBa', (fill_image.width, fill_image.height))
image_masked.paste(fill_image.convert("RGBA").convert("RGBa"), mask=ImageOps.invert(fill_mask.convert('L')))
for radius, repeats in [(256, 1), (64, 1), (16, 2), (4, 4), (2, 2), (0, 1)]:
    blurred = image_masked.filter(ImageFilter.GaussianBlur(radius)).convert('RGBA')
    for _ in range(repeats):
        image_mod.alpha_composite(blurred)
save("fill_result.png", image_mod.convert("RGB"))

generated = Image.fromarray(synthetic_rgb(48, 40, 4)[::-1].copy())
save("overlay_generated.png", generated)
overlay = Image.new('RGBa', (fill_image.width, fill_image.height))
overlay.paste(fill_image.convert("RGBA").convert("RGBa"), mask=ImageOps.invert(fill_mask))
overlay = overlay.convert('RGBA')
composited = generated.convert('RGBA')
composited.alpha_composite(overlay)
save("overlay_result.png", composited.convert('RGB'))

# --- OpenCV resize ---
cv_source = synthetic_rgb(45, 31, 5)
save("cv_source.png", cv_source)
save("cv_area_20x14.png", cv2.resize(cv_source, (20, 14), interpolation=cv2.INTER_AREA))
save("cv_cubic_70x50.png", cv2.resize(cv_source, (70, 50), interpolation=cv2.INTER_CUBIC))

# --- Canny and XDoG core (no resolution padding) ---
y, x = np.mgrid[0:64, 0:64]
shapes = np.zeros((64, 64, 3), np.uint8)
shapes[((x - 30) ** 2 + (y - 34) ** 2) < 300] = (200, 60, 20)
shapes[8:24, 40:58] = (30, 180, 240)
shapes = np.clip(shapes.astype(int) + rng.integers(-12, 12, size=shapes.shape), 0, 255).astype(np.uint8)
save("edges_source.png", shapes)
save("canny_100_200.png", cv2.Canny(shapes, 100, 200))
save("canny_20_60.png", cv2.Canny(shapes, 20, 60))
g1 = cv2.GaussianBlur(shapes.astype(np.float32), (0, 0), 0.5)
g2 = cv2.GaussianBlur(shapes.astype(np.float32), (0, 0), 5.0)
dog = (255 - np.min(g2 - g1, axis=2)).clip(0, 255).astype(np.uint8)
result = np.zeros((64, 64), dtype=np.uint8)
result[2 * (255 - dog) > 32] = 255
save("xdog_32.png", result)

# --- blur_gaussian core (8-bit fixed-point GaussianBlur, automatic kernel size) ---
save("gaussian_8bit_3.png", cv2.GaussianBlur(shapes, (0, 0), 3.0))

# --- ControlNet high_quality_resize of a binary one-pixel edge map (restated from the extension) ---
def rotations(patterns):
    return [np.rot90(p, k=k, axes=(0, 1)) for k in range(4) for p in patterns]


thin_kernels = rotations([np.array([[-1, -1, -1], [0, 1, 0], [1, 1, 1]], dtype=np.int32),
                          np.array([[0, -1, -1], [1, 1, -1], [0, 1, 0]], dtype=np.int32)])
prune_kernels = rotations([np.array([[-1, -1, -1], [-1, 1, -1], [0, 0, -1]], dtype=np.int32),
                           np.array([[-1, -1, -1], [-1, 1, -1], [-1, 0, 0]], dtype=np.int32)])


def thin_pass(x, kernels):
    done = True
    for k in kernels:
        hits = np.where(cv2.morphologyEx(x, cv2.MORPH_HITMISS, k) > 127)
        x[hits] = 0
        if hits[0].shape[0] > 0:
            done = False
    return x, done


def thin(x, prune):
    for _ in range(32):
        x, done = thin_pass(x, thin_kernels)
        if done:
            break
    if prune:
        x, _ = thin_pass(x, prune_kernels)
    return x


def naked_nms(x):
    y = np.zeros_like(x)
    for f in [np.array([[0, 0, 0], [1, 1, 1], [0, 0, 0]], np.uint8), np.array([[0, 1, 0], [0, 1, 0], [0, 1, 0]], np.uint8),
              np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1]], np.uint8), np.array([[0, 0, 1], [0, 1, 0], [1, 0, 0]], np.uint8)]:
        np.putmask(y, cv2.dilate(x, kernel=f) == x, x)
    return y


def high_quality_resize(x, size):
    smaller = size[0] * size[1] < x.shape[0] * x.shape[1]
    bigger = size[0] * size[1] > x.shape[0] * x.shape[1]
    colours = len(np.unique(x.reshape(-1, 3), axis=0))
    binary = colours == 2 and np.min(x) < 16 and np.max(x) > 240
    one_pixel = False
    if binary:
        xc = cv2.dilate(cv2.erode(x, np.ones((3, 3), np.uint8), iterations=1), np.ones((3, 3), np.uint8), iterations=1)
        one_pixel = np.where(xc < x)[0].shape[0] * 2 > np.where(x > 127)[0].shape[0]
    interpolation = cv2.INTER_NEAREST if 2 < colours < 200 else cv2.INTER_AREA if smaller else cv2.INTER_CUBIC
    y = cv2.resize(x, size, interpolation=interpolation)
    if binary:
        y = np.mean(y.astype(np.float32), axis=2).clip(0, 255).astype(np.uint8)
        if one_pixel:
            y = naked_nms(y)
            _, y = cv2.threshold(y, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
            y = thin(y, bigger)
        else:
            _, y = cv2.threshold(y, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
        y = np.stack([y] * 3, axis=2)
    return y


edge_map = np.stack([cv2.Canny(shapes, 100, 200)] * 3, axis=2)
save("hq_resize_canny_96x96.png", high_quality_resize(edge_map, (96, 96)))
save("hq_resize_canny_40x40.png", high_quality_resize(edge_map, (40, 40)))

# --- inpaint sketch (img2img mode 3), restated from modules/img2img.py ---
from PIL import ImageEnhance
sketch_orig = Image.fromarray(synthetic_rgb(40, 32, 6))
sketch_arr = np.array(sketch_orig).copy()
sketch_arr[10:20, 8:30] = (250, 30, 10)
sketch_arr[22:25, 5:12] = (20, 240, 60)
sketch = Image.fromarray(sketch_arr)
save("sketch_orig.png", sketch_orig)
save("sketch_strokes.png", sketch)
pred = np.any(np.array(sketch) != np.array(sketch_orig), axis=-1)
sketch_mask = Image.fromarray(pred.astype(np.uint8) * 255, "L")
sketch_mask = ImageEnhance.Brightness(sketch_mask).enhance(1 - 30 / 100)
sketch_blur = ImageFilter.GaussianBlur(4)
save("sketch_mask_a30.png", sketch_mask)
save("sketch_init_a30_b4.png", Image.composite(sketch.filter(sketch_blur), sketch_orig, sketch_mask.filter(sketch_blur)))
