#!/usr/bin/env python3
"""Generates the test vectors of docs/protocol.md §12 from the spec alone.

This is a second, independent encoder (Python, standard library only) written from the
specification text, so the Swift implementation is checked against the document rather than
against itself. Run: python3 docs/protocol-vectors.py  — prints the markdown for §12.
"""
import struct

SIG = b"TESS"
VERSION = 1


def crc32c(data: bytes) -> int:
    crc = 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1
    return crc ^ 0xFFFFFFFF


def u8(v): return struct.pack("<B", v)
def u16(v): return struct.pack("<H", v)
def u32(v): return struct.pack("<I", v)
def u64(v): return struct.pack("<Q", v)
def str8(s): b = s.encode(); return u8(len(b)) + b
def str16(s): b = s.encode(); return u16(len(b)) + b
def str32(s): b = s.encode(); return u32(len(b)) + b
def header(cmd, body): return SIG + u8(VERSION) + u8(cmd) + body
def tile_ref(job, tile, attempt): return str8(job) + u32(tile) + u32(attempt)


def payload(role, fmt, width, height, raw, lz4_block=None):
    encoding, data = (0, raw) if lz4_block is None else (1, lz4_block)
    return (u8(role) + u8(encoding) + u8(fmt) + u8(0) + u32(width) + u32(height)
            + u32(len(raw)) + u32(crc32c(raw)) + data)


def lz4_block_decode(block: bytes, size: int) -> bytes:
    """Minimal LZ4 block decoder, used only to prove the hand-written block is valid."""
    out, i = bytearray(), 0
    while i < len(block):
        token = block[i]; i += 1
        lit = token >> 4
        if lit == 15:
            while True:
                b = block[i]; i += 1; lit += b
                if b != 255: break
        out += block[i:i + lit]; i += lit
        if i >= len(block): break
        offset = block[i] | block[i + 1] << 8; i += 2
        mlen = (token & 15) + 4
        if token & 15 == 15:
            while True:
                b = block[i]; i += 1; mlen += b
                if b != 255: break
        for _ in range(mlen): out.append(out[-offset])
    assert len(out) == size
    return bytes(out)


zeros16 = bytes(16)
# 1 literal (0x00), a 10-byte match at offset 1, then the 5 mandatory trailing literals.
zeros16_lz4 = bytes([0x16, 0x00, 0x01, 0x00, 0x50, 0, 0, 0, 0, 0])
assert lz4_block_decode(zeros16_lz4, 16) == zeros16

VECTORS = [
    ("ready", "READY, credit 2", [header(0x03, u16(2))]),
    ("hello", 'HELLO from worker "w1": software "tessera 0.1", versions [1], 4 threads, renderer "img2img", model "sd15.safetensors" hash "6ce0161689"',
     [header(0x01, str8("w1") + str8("tessera 0.1") + u8(1) + u8(1) + u16(4) + u8(1) + str8("img2img")
                    + u16(1) + str16("sd15.safetensors") + str8("6ce0161689"))]),
    ("heartbeat", 'HEARTBEAT, busy on job "j1" tile 7', [header(0x08, u8(1) + str8("j1") + u32(7))]),
    ("error", 'ERROR, request 0, UNSUPPORTED_VERSION (101), "version 2 not supported"',
     [header(0x0A, u32(0) + u16(101) + str16("version 2 not supported"))]),
    ("tile", 'TILE job "j1" tile 3 attempt 1, lease 30000 ms, rect (448, 0, 2, 1), JSON parameters {"seed":42}, one raw rgb8 2x1 context payload (red, blue)',
     [header(0x04, tile_ref("j1", 3, 1) + u32(30000) + u32(448) + u32(0) + u32(2) + u32(1) + u8(1) + str32('{"seed":42}')),
      payload(1, 2, 2, 1, bytes([255, 0, 0, 0, 0, 255]))]),
    ("result", 'RESULT job "j1" tile 3 attempt 1, render 1500 ms, gray8 4x4 all-zero pixels as an LZ4 block',
     [header(0x06, tile_ref("j1", 3, 1) + u32(1500)), payload(4, 1, 4, 4, zeros16, zeros16_lz4)]),
    ("revoke", 'REVOKE every tile of job "j1"', [header(0x0B, str8("j1") + u8(0) + u32(0))]),
    ("update", 'UPDATE for WATCH request 2: job "j1" running, 4 tiles, 1 done, 2 running, 0 failed, progress 0.4375, no result yet, empty message',
     [header(0x32, u32(2) + str8("j1") + u8(1) + u32(4) + u32(1) + u32(2) + u32(0) + u16(4375) + u64(0) + str16(""))]),
    ("fetch", 'FETCH request 5, job "j1", offset 0, max_length 65536', [header(0x24, u32(5) + str8("j1") + u64(0) + u32(65536))]),
    ("chunk", 'CHUNK request 5, job "j1", offset 0, total_length 3, opaque raw payload "abc"',
     [header(0x34, u32(5) + str8("j1") + u64(0) + u64(3)), payload(6, 0, 0, 0, b"abc")]),
]


def dump(frames):
    lines = []
    for n, frame in enumerate(frames):
        hexes = [f"{b:02x}" for b in frame]
        rows = [" ".join(hexes[i:i + 16]) for i in range(0, len(hexes), 16)] or [""]
        lines.append(f"frame {n} ({len(frame)} bytes):")
        lines += ["  " + r for r in rows]
    return "\n".join(lines)


if __name__ == "__main__":
    print(f'CRC-32C check values: "123456789" -> {crc32c(b"123456789"):#010x}, '
          f'16 zero bytes -> {crc32c(zeros16):#010x}, "abc" -> {crc32c(b"abc"):#010x}\n')
    for key, title, frames in VECTORS:
        print(f"#### Vector `{key}`: {title}\n")
        print(f"<!-- vector:{key} -->")
        print("```text")
        print(dump(frames))
        print("```\n")
