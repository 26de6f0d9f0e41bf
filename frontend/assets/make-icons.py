#!/usr/bin/env python3
"""Writes the PWA icons (192, 512 and a maskable 512) as PNG with the standard library only.
The icons are committed; run this again only to change them: python3 make-icons.py"""
import struct
import zlib

BG = (0x0F, 0x6E, 0x6E)
FG = (0xFF, 0xFF, 0xFF)


def png(path, size, inset):
    """A calendar sheet on a teal square; `inset` is the safe-zone margin (maskable: larger)."""
    rows = []
    lo, hi = int(size * inset), int(size * (1 - inset))
    bar = lo + int((hi - lo) * 0.22)
    line = max(2, size // 48)
    for y in range(size):
        row = bytearray([0])
        for x in range(size):
            inside = lo <= x < hi and lo <= y < hi
            frame = inside and (x < lo + line or x >= hi - line or y >= hi - line or y < bar)
            # Two rows of three "days" inside the sheet.
            cell = False
            if inside and y > bar + line * 2:
                cw = (hi - lo) / 3
                ch = (hi - bar) / 3
                cx = (x - lo) % cw
                cy = (y - bar) % ch
                cell = cw * 0.25 < cx < cw * 0.75 and ch * 0.3 < cy < ch * 0.7 and y < hi - line * 2
            row += bytes(FG if frame or cell else BG)
        rows.append(bytes(row))
    raw = zlib.compress(b"".join(rows), 9)

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b""))


png("icon-192.png", 192, 0.2)
png("icon-512.png", 512, 0.2)
png("icon-maskable-512.png", 512, 0.3)
