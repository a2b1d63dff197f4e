"""A synthetic bilingual site for benchmarks: N news pages per language, deterministic.

Each page has about 700 words with headings, a list, a table and links to
other pages, like a long news item. The templates, assets, translations and
settings are this project's own.

    .venv/bin/python benchmarks/generate_site.py 1000 /tmp/site-1000
"""

from __future__ import annotations

import argparse
import random
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORDS = (
    "amsterdam health data science research hospital university patient care innovation startup "
    "company talent investment cohort biobank medicine technology region network programme "
    "prevention lifestyle cluster ecosystem analysis model trial laboratory partner city"
).split()


def sentence(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def paragraph(rng: random.Random) -> str:
    return " ".join(sentence(rng, rng.randint(10, 18)) for _ in range(7))


def page(rng: random.Random, lang: str, number: int, count: int) -> str:
    other = f"{rng.randrange(count):05d}"
    body = [
        paragraph(rng),
        "## " + sentence(rng, 4)[:-1],
        paragraph(rng),
        paragraph(rng),
        "\n".join(f"- {sentence(rng, 6)}" for _ in range(5)),
        "## " + sentence(rng, 3)[:-1],
        paragraph(rng),
        "| item | value |\n| --- | ---: |\n" + "\n".join(f"| {rng.choice(WORDS)} | {rng.randint(1, 9999)} |" for _ in range(4)),
        f"See also [an earlier item](item-{other}.md) and the [news overview](_index.md).",
        paragraph(rng),
        "### " + sentence(rng, 3)[:-1],
        paragraph(rng),
    ]
    day = 1 + number % 28
    month = 1 + (number // 28) % 12
    year = 2000 + number // (28 * 12)
    return (
        f"---\ntitle: \"{sentence(rng, 6)[:-1]} {number}\"\nsummary: \"{sentence(rng, 12)}\"\n"
        f"date: {year}-{month:02d}-{day:02d}\n---\n" + "\n\n".join(body) + "\n"
    )


def generate(count: int, out: Path) -> Path:
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    for name in ("templates", "assets", "translations"):
        shutil.copytree(ROOT / name, out / name)
    for name in ("site.yaml", "babel.cfg"):
        shutil.copy(ROOT / name, out / name)
    for lang, home, news in (("en", "Home", "News"), ("nl", "Home", "Nieuws")):
        folder = out / "content" / lang
        (folder / "news").mkdir(parents=True)
        (folder / "_index.md").write_text(f"---\ntitle: {home}\n---\nA synthetic site.\n")
        slug = "\nslug: nieuws" if lang == "nl" else ""
        (folder / "news" / "_index.md").write_text(f"---\ntitle: {news}{slug}\nmenu: true\n---\n")
        rng = random.Random(f"{lang}-{count}")
        for number in range(count):
            (folder / "news" / f"item-{number:05d}.md").write_text(page(rng, lang, number, count))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pages", type=int, help="news pages per language")
    parser.add_argument("out", type=Path, help="folder to create (replaced if it exists)")
    args = parser.parse_args()
    print(generate(args.pages, args.out))


if __name__ == "__main__":
    main()
