# Generates the USDU seams-fix mask references with Pillow, exactly as ultimate-upscale.py builds them
# (spec §6.4), at a small tile size so the files stay tiny. Run once: python3 gen_usdu_masks.py OUTDIR
import sys
from PIL import Image, ImageOps
out = sys.argv[1]
tw, th, seam, W, H = 64, 64, 16, 160, 96
g = Image.linear_gradient("L")
mirror = Image.new("L", (256, 256), "black")
mirror.paste(g.resize((256, 128), resample=Image.BICUBIC), (0, 0))
mirror.paste(g.rotate(180).resize((256, 128), resample=Image.BICUBIC), (0, 128))
mirror.rotate(90).resize((seam, H), resample=Image.BICUBIC).save(f"{out}/band_vertical_16x96.png")
mirror.resize((W, seam), resample=Image.BICUBIC).save(f"{out}/band_horizontal_160x16.png")
row = Image.new("L", (tw, th), "black")
row.paste(g.resize((tw, th // 2), resample=Image.BICUBIC), (0, 0))
row.paste(g.rotate(180).resize((tw, th // 2), resample=Image.BICUBIC), (0, th // 2))
row.save(f"{out}/half_tile_row_64.png")
col = Image.new("L", (tw, th), "black")
col.paste(g.rotate(90).resize((tw // 2, th), resample=Image.BICUBIC), (0, 0))
col.paste(g.rotate(270).resize((tw // 2, th), resample=Image.BICUBIC), (tw // 2, 0))
col.save(f"{out}/half_tile_column_64.png")
ImageOps.invert(Image.radial_gradient("L").resize((tw, th), resample=Image.BICUBIC)).save(f"{out}/intersection_64.png")
# The redraw mask of tile (1, 0) of a 160x96 image: PIL rectangle with inclusive end coordinates.
from PIL import ImageDraw
m = Image.new("L", (W, H), "black")
ImageDraw.Draw(m).rectangle((1 * tw, 0, 1 * tw + tw, 0 + th), fill="white")
m.save(f"{out}/redraw_tile_1_0_160x96.png")
