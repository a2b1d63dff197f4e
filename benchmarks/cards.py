"""Social cards (site_builder/render/cards.py): the time to draw one, and to encode it as PNG
in full colour and with the palette the build uses, at several compression levels.

    python benchmarks/cards.py [--runs 30]

Draws the card of the longest English news title of this repository's site with the
site's typeface; prints the median and min–max per card and the file's size.
"""

from __future__ import annotations

import argparse
import io
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from PIL import Image

from site_builder.render import cards

ROOT = Path(__file__).resolve().parent.parent


def full(level: int) -> Callable[[Image.Image], bytes]:
    def encode(image: Image.Image) -> bytes:
        out = io.BytesIO()
        image.save(out, "PNG", compress_level=level)
        return out.getvalue()

    return encode


def palette(colours: int, level: int) -> Callable[[Image.Image], bytes]:
    def encode(image: Image.Image) -> bytes:
        out = io.BytesIO()
        image.quantize(colours, method=Image.Quantize.FASTOCTREE).save(out, "PNG", compress_level=level)
        return out.getvalue()

    return encode


def timed(run: Callable[[], object], runs: int) -> tuple[list[float], object]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    return times, result


def row(name: str, times: list[float], size: str = "") -> str:
    return (
        f"| {name} | {statistics.median(times) * 1000:.1f} ms "
        f"| {min(times) * 1000:.1f}–{max(times) * 1000:.1f} ms | {size} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    font = (ROOT / "assets" / cards.CARD_FONT).read_bytes()
    titles = [
        line.split(":", 1)[1].strip().strip('"')
        for path in (ROOT / "content/en/news").glob("*.md")
        for line in path.read_text("utf-8").splitlines()
        if line.startswith("title:")
    ]
    card = cards.Card(
        "en", "news-x", max(titles, key=len), "News · 2019", "Life Sciences & Health Amsterdam", ""
    )
    cards.picture(card, font)  # the typeface loaded once, as in a build
    print(f"{args.runs} runs each; a title of {len(card.title)} characters")
    print("| step | median | min–max | bytes |")
    print("| --- | ---: | ---: | ---: |")
    times, image = timed(lambda: cards.picture(card, font), args.runs)
    print(row("drawing (text and shapes)", times))
    encoders = {
        "PNG, full colour, compress_level 6": full(6),
        "PNG, full colour, compress_level 1": full(1),
        "PNG, 32 colours, compress_level 6 (the build's)": palette(32, 6),
        "PNG, 32 colours, compress_level 9": palette(32, 9),
        "PNG, 16 colours, compress_level 6": palette(16, 6),
    }
    for name, encode in encoders.items():
        times, data = timed(lambda encode=encode: encode(image), args.runs)
        print(row(name, times, f"{len(data):,}"))
    assert palette(32, 6)(image) == cards.encode(image)  # the build's encoding is the one measured


if __name__ == "__main__":
    main()
