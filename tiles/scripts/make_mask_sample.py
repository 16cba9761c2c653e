"""Writes tiles/samples/coffee-mask.png: an inpaint mask for coffee.png (512×400, grey 8-bit, white = repaint),
an ellipse over the cup. Standard library only, so it runs anywhere; the PNG is committed."""
import struct
import zlib
from pathlib import Path

WIDTH, HEIGHT = 512, 400
CX, CY, RX, RY = 256, 190, 120, 90


def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


rows = b"".join(
    b"\x00" + bytes(255 if ((x - CX) / RX) ** 2 + ((y - CY) / RY) ** 2 <= 1 else 0 for x in range(WIDTH))
    for y in range(HEIGHT)
)
png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", WIDTH, HEIGHT, 8, 0, 0, 0, 0))
       + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b""))
out = Path(__file__).resolve().parent.parent / "samples" / "coffee-mask.png"
out.write_bytes(png)
print(out, len(png), "bytes")
