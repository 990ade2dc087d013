"""Generate the Teams app icons (standard library only).

    python manifest/make_icons.py            # rewrite manifest/color.png and manifest/outline.png
    python manifest/make_icons.py --check    # exit 1 if the committed icons differ from what this script draws

Teams wants two PNGs in the app package:

* ``color.png`` -- 192x192, full colour. Here: a white open book under a school roof on the accent-blue
  background (the manifest's ``accentColor``), the glyph kept inside the central area Teams recommends.
* ``outline.png`` -- 32x32, white on a transparent background. Every pixel is pure white; only the alpha
  channel varies (anti-aliased edges).

The glyph is described once in unit coordinates (0..1 on both axes, y downwards) and rasterised with
supersampling, so the output is deterministic byte for byte.
"""

from __future__ import annotations

import argparse
import struct
import sys
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent

ACCENT = (0x1F, 0x5C, 0x99)  # keep in step with "accentColor" in manifest.json
WHITE = (0xFF, 0xFF, 0xFF)

Point = tuple[float, float]

# An open book (two pages with a gap at the spine) under a school roof (a pediment).
ROOF: list[Point] = [(0.50, 0.10), (0.86, 0.34), (0.14, 0.34)]
LEFT_PAGE: list[Point] = [(0.08, 0.42), (0.30, 0.40), (0.47, 0.47), (0.47, 0.90), (0.30, 0.83), (0.08, 0.85)]
RIGHT_PAGE: list[Point] = [(1.0 - x, y) for (x, y) in reversed(LEFT_PAGE)]
GLYPH: list[list[Point]] = [ROOF, LEFT_PAGE, RIGHT_PAGE]


def _inside(polygon: list[Point], x: float, y: float) -> bool:
    """Even-odd point-in-polygon test."""
    inside = False
    j = len(polygon) - 1
    for i, (xi, yi) in enumerate(polygon):
        xj, yj = polygon[j]
        if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


def coverage(size: int, *, inset: float, samples: int = 4) -> list[list[float]]:
    """Fraction (0..1) of each pixel covered by the glyph, the glyph scaled into the square
    ``[inset, 1 - inset]`` of a ``size`` x ``size`` image."""
    span = 1.0 - 2.0 * inset
    rows: list[list[float]] = []
    total = samples * samples
    for py in range(size):
        row: list[float] = []
        for px in range(size):
            hits = 0
            for sy in range(samples):
                for sx in range(samples):
                    u = ((px + (sx + 0.5) / samples) / size - inset) / span
                    v = ((py + (sy + 0.5) / samples) / size - inset) / span
                    if 0.0 <= u <= 1.0 and 0.0 <= v <= 1.0 and any(_inside(p, u, v) for p in GLYPH):
                        hits += 1
            row.append(hits / total)
        rows.append(row)
    return rows


def png_bytes(width: int, height: int, rows: list[bytes], *, color_type: int) -> bytes:
    """Encode 8-bit scanlines as a PNG (colour type 2 = RGB, 6 = RGBA), filter type 0 on every row."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, color_type, 0, 0, 0)
    raw = b"".join(b"\x00" + row for row in rows)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def color_png() -> bytes:
    """192x192 RGB: white glyph on the accent colour, glyph inside the central ~120 px."""
    size = 192
    rows = []
    for cov_row in coverage(size, inset=0.19):
        row = bytearray()
        for c in cov_row:
            row.extend(round(bg + (fg - bg) * c) for bg, fg in zip(ACCENT, WHITE))
        rows.append(bytes(row))
    return png_bytes(size, size, rows, color_type=2)


def outline_png() -> bytes:
    """32x32 RGBA: pure white, the glyph carried by the alpha channel only."""
    size = 32
    rows = []
    for cov_row in coverage(size, inset=0.02):
        row = bytearray()
        for c in cov_row:
            row.extend((*WHITE, round(255 * c)))
        rows.append(bytes(row))
    return png_bytes(size, size, rows, color_type=6)


ICONS = {"color.png": color_png, "outline.png": outline_png}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out-dir", type=Path, default=HERE, help="where to write the icons (default: %(default)s)")
    parser.add_argument("--check", action="store_true", help="only compare with the existing files")
    args = parser.parse_args(argv)
    stale = []
    for name, draw in ICONS.items():
        data = draw()
        target = args.out_dir / name
        if args.check:
            if not target.is_file() or target.read_bytes() != data:
                stale.append(name)
        else:
            target.write_bytes(data)
            print(f"wrote {target} ({len(data)} bytes)")
    if stale:
        print(f"icons out of date: {', '.join(stale)} (run python manifest/make_icons.py)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
