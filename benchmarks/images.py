"""Encoder settings for the photos' copies compared: bytes and the median time per copy.

    python benchmarks/images.py [--runs 3] [PHOTO ...]

Without photos, a synthetic one (2400 × 1600: gradients, blurred noise and edges).
For each width of ``render.images.WIDTHS`` up to the photo's own: AVIF at speeds 6, 8
and 10, WebP at methods 2 and 4, JPEG, each at the quality ``render.images`` uses.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from site_builder.render.images import ENCODERS, WIDTHS  # noqa: E402

CANDIDATES = [
    ("AVIF", {**ENCODERS["avif"][1], "speed": 6}),
    ("AVIF", {**ENCODERS["avif"][1], "speed": 8}),
    ("AVIF", {**ENCODERS["avif"][1], "speed": 10}),
    ("WEBP", {**ENCODERS["webp"][1], "method": 2}),
    ("WEBP", {**ENCODERS["webp"][1], "method": 4}),
    ("JPEG", ENCODERS["jpeg"][1]),
]


def synthetic() -> Image.Image:
    image = Image.linear_gradient("L").resize((2400, 1600)).convert("RGB")
    noise = Image.effect_noise((2400, 1600), 48).convert("RGB").filter(ImageFilter.GaussianBlur(2))
    image = Image.blend(image, noise, 0.35)
    draw = ImageDraw.Draw(image)
    for i in range(24):
        draw.rectangle((40 + 96 * i, 700 - 13 * i, 110 + 96 * i, 1200), fill=(150 + 4 * i, 50, 40))
    return image


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("photos", nargs="*", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    photos = [(path.name, Image.open(path).convert("RGB")) for path in args.photos] or [
        ("synthetic", synthetic())
    ]
    print(f"{'photo':<14} {'width':>5} {'encoder':<34} {'bytes':>9} {'median ms':>10}")
    for name, photo in photos:
        for width in [w for w in WIDTHS if w <= photo.width]:
            resized = photo.resize(
                (width, round(photo.height * width / photo.width)), Image.Resampling.LANCZOS
            )
            for encoder, options in CANDIDATES:
                times = []
                for _ in range(args.runs):
                    out = io.BytesIO()
                    started = time.perf_counter()
                    resized.save(out, encoder, **options)
                    times.append(time.perf_counter() - started)
                setting = ", ".join(f"{key} {value}" for key, value in options.items())
                print(
                    f"{name:<14} {width:>5} {encoder + ' ' + setting:<34} {len(out.getvalue()):>9,}"
                    f" {statistics.median(times) * 1000:>10.0f}"
                )


if __name__ == "__main__":
    main()
