"""A synthetic bilingual site for benchmarks: N news pages per language, deterministic.

Each page has about 700 words with headings, a list, a table, links to other
pages and an image, like a long news item. The templates, assets, translations
and settings are this project's own.

With ``--hugo DIR`` and ``--pelican DIR`` the same text is also written as a
Hugo project (with the templates in benchmarks/hugo/) and a Pelican project
(benchmarks/pelican/), so that the three tools build the same site; only the
front matter and the way a link to another page or an image's size is written
differ.

    .venv/bin/python benchmarks/generate_site.py 1000 /tmp/site-1000
    .venv/bin/python benchmarks/generate_site.py 1000 /tmp/site-1000 --hugo /tmp/hugo-1000 --pelican /tmp/pelican-1000
"""

from __future__ import annotations

import argparse
import random
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORDS = (
    "amsterdam health data science research hospital university patient care innovation startup "
    "company talent investment cohort biobank medicine technology region network programme "
    "prevention lifestyle cluster ecosystem analysis model trial laboratory partner city"
).split()
LANGUAGES = (("en", "Home", "News", "news"), ("nl", "Home", "Nieuws", "nieuws"))
FIGURE = "photo.jpg"
SIZE = '{: width="250" height="120"}'  # for the peers, which read no photo's size


def figure_photo() -> bytes:
    """A photo of 960 × 540 pixels, the same bytes every time: a sky, a canal and the
    chart's bars as houses, so that the encoders have edges and gradients to work on."""
    import io

    from PIL import Image, ImageDraw

    rng = random.Random("photo")
    image = Image.linear_gradient("L").resize((960, 540)).convert("RGB")
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 420, 960, 540), fill=(40, 70, 110))
    for i in range(16):
        height = rng.randint(120, 300)
        draw.rectangle((20 + 58 * i, 420 - height, 66 + 58 * i, 420), fill=(rng.randint(90, 200), 40, 30))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


@dataclass(frozen=True)
class Item:
    lang: str
    number: int
    title: str
    summary: str
    date: str
    body: Callable[[Callable[[str, str], str], Callable[[str], str]], str]  # (link, image writers) → Markdown

    @property
    def name(self) -> str:
        return f"item-{self.number:05d}"


def sentence(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def paragraph(rng: random.Random) -> str:
    return " ".join(sentence(rng, rng.randint(10, 18)) for _ in range(7))


def item(rng: random.Random, lang: str, number: int, count: int) -> Item:
    """One news item; links to other pages are left to ``link(text, target)``, target
    being an item's name or "" for the news overview, so each tool gets its own syntax."""
    other = f"item-{rng.randrange(count):05d}"
    parts = [
        paragraph(rng),
        "## " + sentence(rng, 4)[:-1],
        paragraph(rng),
        paragraph(rng),
        "\n".join(f"- {sentence(rng, 6)}" for _ in range(5)),
        "## " + sentence(rng, 3)[:-1],
        paragraph(rng),
        "| item | value |\n| --- | ---: |\n"
        + "\n".join(f"| {rng.choice(WORDS)} | {rng.randint(1, 9999)} |" for _ in range(4)),
        None,  # links
        paragraph(rng),
        None,  # image
        "### " + sentence(rng, 3)[:-1],
        paragraph(rng),
        "1. " + sentence(rng, 8) + "\n2. " + sentence(rng, 8) + "\n3. " + sentence(rng, 8),
    ]
    caption = sentence(rng, 5)[:-1]
    title = f"{sentence(rng, 6)[:-1]} {number}"
    summary = sentence(rng, 12)

    def body(link: Callable[[str, str], str], image: Callable[[str], str]) -> str:
        filled = list(parts)
        filled[8] = (
            f"See also {link('an earlier item', other)}, the {link('news overview', '')} "
            "and [the region's portal](https://www.amsterdam.nl/)."
        )
        filled[10] = image(caption)
        return "\n\n".join(filled) + "\n"

    day = 1 + number % 28
    month = 1 + (number // 28) % 12
    year = 2000 + number // (28 * 12)
    return Item(lang, number, title, summary, f"{year}-{month:02d}-{day:02d}", body)


def items(count: int, lang: str) -> Iterator[Item]:
    rng = random.Random(f"{lang}-{count}")
    for number in range(count):
        yield item(rng, lang, number, count)


def _fresh(out: Path) -> None:
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)


def _md_link(text: str, target: str) -> str:
    return f"[{text}]({target + '.md' if target else '_index.md'})"


def _image(alt: str) -> str:
    """The build links ``/assets/<name>`` to the photo's copies, and reads its size."""
    return f"![{alt}](/assets/{FIGURE})"


def _hugo_image(alt: str) -> str:
    """Goldmark takes attributes on an image that stands alone only as a block attribute on
    the next line; the render hook links the fingerprinted copy in assets/, as this
    project's build does."""
    return f'![{alt}](/assets/{FIGURE})\n{{width="250" height="120"}}'


def _pelican_image(alt: str) -> str:
    return f"![{alt}]({{static}}/images/{FIGURE}){SIZE}"


def generate(count: int, out: Path) -> Path:
    """This project's layout: content/<lang>/news/item-NNNNN.md."""
    _fresh(out)
    for name in ("templates", "assets", "translations"):
        shutil.copytree(ROOT / name, out / name)
    for name in ("site.yaml", "babel.cfg"):
        shutil.copy(ROOT / name, out / name)
    (out / "assets" / FIGURE).write_bytes(figure_photo())
    topics = _declared_topics(out / "site.yaml")
    for lang, home, news, slug in LANGUAGES:
        folder = out / "content" / lang
        (folder / "news").mkdir(parents=True)
        (folder / "_index.md").write_text(f"---\ntitle: {home}\n---\nA synthetic site.\n")
        slug_line = f"\nslug: {slug}" if slug != "news" else ""
        (folder / "news" / "_index.md").write_text(f"---\ntitle: {news}{slug_line}\nmenu: true\n---\n")
        for entry in items(count, lang):
            front = f'---\ntitle: "{entry.title}"\nsummary: "{entry.summary}"\ndate: {entry.date}\n'
            front += _topics_line(topics, entry.number) + "---\n"
            (folder / "news" / f"{entry.name}.md").write_text(front + entry.body(_md_link, _image))
    return out


def _declared_topics(config: Path) -> list[str]:
    """The keys of the topics site.yaml declares."""
    import yaml  # the site builder's own dependency: this script runs in its environment

    return list((yaml.safe_load(config.read_text(encoding="utf-8")) or {}).get("topics") or {})


def _topics_line(topics: list[str], number: int) -> str:
    """One or two of the declared topics, the same for an item in every language (its
    translation must list the same topics)."""
    if not topics:
        return ""
    chosen = [topics[number % len(topics)]]
    if number % 3 == 0 and len(topics) > 1:
        chosen.append(topics[(number + 1) % len(topics)])
    return f"topics: [{', '.join(chosen)}]\n"


def generate_hugo(count: int, out: Path) -> Path:
    """A Hugo project: content/<lang>/news/, the same front matter and text; .md links are
    resolved by a render hook, as this project's build resolves them."""
    _fresh(out)
    shutil.copytree(HERE / "hugo", out, dirs_exist_ok=True)
    shutil.copytree(ROOT / "assets", out / "assets", dirs_exist_ok=True)
    (out / "assets" / FIGURE).write_bytes(figure_photo())
    for lang, home, news, _slug in LANGUAGES:
        folder = out / "content" / lang
        (folder / "news").mkdir(parents=True)
        (folder / "_index.md").write_text(f"---\ntitle: {home}\n---\nA synthetic site.\n")
        (folder / "news" / "_index.md").write_text(f"---\ntitle: {news}\nmenus: main\n---\n")
        for entry in items(count, lang):
            front = f'---\ntitle: "{entry.title}"\nsummary: "{entry.summary}"\ndate: {entry.date}\n---\n'
            (folder / "news" / f"{entry.name}.md").write_text(front + entry.body(_md_link, _hugo_image))
    return out


def _pelican_link(text: str, target: str) -> str:
    return f"[{text}]({{filename}}{target}.md)" if target else f"[{text}]({{index}})"


def generate_pelican(count: int, out: Path) -> Path:
    """A Pelican project: every item an article with ``Lang``; translations pair by slug."""
    _fresh(out)
    shutil.copytree(HERE / "pelican", out, dirs_exist_ok=True)
    (out / "content" / "images").mkdir(parents=True)
    (out / "content" / "images" / FIGURE).write_bytes(figure_photo())
    for lang, _home, _news, _slug in LANGUAGES:
        folder = out / "content" / lang / "news"
        folder.mkdir(parents=True)
        for entry in items(count, lang):
            front = (
                f"Title: {entry.title}\nSummary: {entry.summary}\nDate: {entry.date}\n"
                f"Lang: {lang}\nSlug: {entry.name}\n\n"
            )
            (folder / f"{entry.name}.md").write_text(front + entry.body(_pelican_link, _pelican_image))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pages", type=int, help="news pages per language")
    parser.add_argument("out", type=Path, help="folder to create (replaced if it exists)")
    parser.add_argument("--hugo", type=Path, help="also write the Hugo project here")
    parser.add_argument("--pelican", type=Path, help="also write the Pelican project here")
    args = parser.parse_args()
    print(generate(args.pages, args.out))
    if args.hugo:
        print(generate_hugo(args.pages, args.hugo))
    if args.pelican:
        print(generate_pelican(args.pages, args.pelican))


if __name__ == "__main__":
    main()
