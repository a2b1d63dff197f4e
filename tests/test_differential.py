"""A build that uses its cache makes exactly what a cold build makes, whatever was edited.

Seeded, random series of edits over every kind of input (page text, front matter,
``site.yaml``, templates, catalogues, ``babel.cfg``, stylesheets, scripts, images and other
assets, pages and sections added, deleted and renamed, files reached by symbolic links, files
the build passes over, saves that change nothing), each step followed by three builds that
must agree file for file, byte for byte, and in what they print:

(a) the command line with its cache on disk (``.site-cache``), a new process each time, as
    an editor runs it;
(b) the preview's path: ``pipeline.build`` with one ``PreviewState`` (its memo) kept in this process;
(c) a cold build, ``--no-cache``.

Some edits break the site (bad YAML, a template typo, ...): then all three fail with the
same errors and what they had published stays as it was; the next step puts the file back.
A failure names the seed, the step and every edit so far, which replays it exactly.
"""

from __future__ import annotations

import datetime
import io
import os
import posixpath
import random
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import make_mini_site, read_tree

from site_builder import pipeline
from site_builder.config import load_config
from site_builder.content.load import is_ignored
from site_builder.content.scaffold import mark_translated
from site_builder.errors import SiteError, SiteErrors, format_error
from site_builder.incremental.memo import Memo

CACHED, PREVIEW, COLD = "(a) cached command line", "(b) preview's memo", "(c) cold build"

# Four series of 55 steps: 220 steps, each kind of edit in every series.
SEEDS = (101, 202, 303, 404)
STEPS = 55


# --- the project and its edits -------------------------------------------------------------


class Project:
    """The mini site's folder, with the reads and writes the edits need.

    While ``originals`` is a dict, each file's bytes before its first write are kept in it,
    so that an edit that breaks the site can be taken back by the next step.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.originals: dict[str, bytes | None] | None = None

    def read(self, rel: str) -> str:
        return (self.root / rel).read_text("utf-8")

    def write(self, rel: str, text: str | bytes) -> None:
        path = self.root / rel
        if self.originals is not None and rel not in self.originals:
            self.originals[rel] = path.read_bytes() if path.exists() else None
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, "utf-8", newline="\n")

    def delete(self, rel: str) -> None:
        (self.root / rel).unlink()

    def files(self, folder: str, pattern: str = "*", ignored: bool = False) -> list[str]:
        """The files the build reads below ``folder``; with ``ignored``, those it passes over."""
        found = (
            p.relative_to(self.root).as_posix() for p in (self.root / folder).rglob(pattern) if p.is_file()
        )
        return sorted(rel for rel in found if any(map(is_ignored, rel.split("/"))) == ignored)

    def pages(self) -> list[str]:
        return self.files("content", "*.md")

    def published(self) -> list[str]:
        """Pages not marked as drafts, which the build checks."""
        return [rel for rel in self.pages() if not re.search(r"^draft: true$", self.read(rel), re.MULTILINE)]

    def news(self) -> list[str]:
        """News items present in both languages, by file name."""
        names = [{p.name for p in (self.root / f"content/{lang}/news").glob("*.md")} for lang in ("en", "nl")]
        return sorted(name for name in names[0] & names[1] if not is_ignored(name) and name != "_index.md")

    def news_page(self, rng: random.Random) -> str:
        return f"content/{rng.choice(['en', 'nl'])}/news/{rng.choice(self.news())}"

    def assets(self) -> list[str]:
        return [rel.removeprefix("assets/") for rel in self.files("assets")]

    def referenced(self, asset: str) -> bool:
        """Whether a page, a stylesheet or a template names the asset (then it must stay)."""
        texts = self.pages() + self.files("assets", "*.css") + self.files("templates")
        return any(asset in self.read(rel) for rel in texts)


def _set_key(text: str, key: str, value: str) -> str:
    """The page's text with ``key: value`` as a top-level front matter setting."""
    head, end, body = text.partition("\n---\n")
    line = re.compile(rf"^{key}:.*$", re.MULTILINE)
    head = line.sub(f"{key}: {value}", head, count=1) if line.search(head) else f"{head}\n{key}: {value}"
    return head + end + body


def _drop_key(text: str, key: str) -> str:
    head, end, body = text.partition("\n---\n")
    return re.sub(rf"^{key}:.*\n?", "", head, flags=re.MULTILINE).rstrip("\n") + end + body


def _date(rng: random.Random) -> str:
    return (datetime.date(2016, 1, 1) + datetime.timedelta(days=rng.randrange(3000))).isoformat()


def _binary(rng: random.Random) -> bytes:
    """New bytes for an image or a PDF: a real PNG of a random size and colours (the build
    reads a photo's size and makes its copies; it copies a PDF as it is)."""
    from PIL import Image

    size = (rng.randrange(8, 64), rng.randrange(8, 64))
    image = Image.frombytes("RGB", size, rng.randbytes(size[0] * size[1] * 3))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _in_language(rel: str) -> str:
    """``content/en/news/x.md`` → ``news/x.md``."""
    return rel.split("/", 2)[2]


# Each edit changes the project as an editor or a designer would and says what it did; None
# when it does not apply now (nothing left to delete, say). ``step`` makes new text unique.
Edit = Callable[[Project, random.Random, int], "str | None"]


def edit_body(p: Project, rng: random.Random, step: int) -> str:
    rel = rng.choice(p.pages())
    text = p.read(rel)
    head, end, body = text.partition("\n---\n")
    letters = [  # outside links, where a changed letter would break the link
        len(head) + len(end) + line.start() + letter.start()
        for line in re.finditer(r"^.*$", body, re.MULTILINE)
        if "](" not in line.group(0)
        for letter in re.finditer("[a-z]", line.group(0))
    ]
    how = rng.choice(["sentence", "link", "same size"] if letters else ["sentence", "link"])
    if how == "sentence":
        text += f"\nStep {step} adds a sentence.\n"
    elif how == "link":  # by the other page's file: the HTML holds that page's address now
        target = rng.choice(
            ["about.md", "key-figures.md", "swot.md", "swot.md#swot-threats", "key-figures.md#lsh-budget"]
        )
        text += (
            f"\nSee [that page]({posixpath.relpath(target, posixpath.dirname(_in_language(rel)) or '.')}).\n"
        )
    else:  # one letter for another: the same size, maybe within the same tick of the clock
        at = rng.choice(letters)
        text = text[:at] + ("x" if text[at] != "x" else "y") + text[at + 1 :]
    p.write(rel, text)
    return f"body of {rel}: {how}"


def edit_title(p: Project, rng: random.Random, step: int) -> str:
    rel = rng.choice(p.pages())
    p.write(rel, _set_key(p.read(rel), "title", f"Title of step {step}"))
    return f"title of {rel}"


def edit_summary(p: Project, rng: random.Random, step: int) -> str:
    rel = p.news_page(rng)
    p.write(rel, _set_key(p.read(rel), "summary", f"Summary of step {step}."))
    return f"summary of {rel}"


def edit_date(p: Project, rng: random.Random, step: int) -> str:
    rel = p.news_page(rng)
    text = p.read(rel)
    if rng.random() < 0.3:  # shown as "July 2019" or "2018", formatted once and remembered
        precision = rng.choice(["day", "month", "year"])
        p.write(rel, _set_key(text, "date_precision", precision))
        return f"date of {rel} to the {precision}"
    date = _date(rng)
    p.write(rel, _set_key(text, "date", date))
    return f"date of {rel}: {date}"


def edit_draft(p: Project, rng: random.Random, step: int) -> str:
    rel = p.news_page(rng)
    text = p.read(rel)
    drafted = re.search(r"^draft: true$", text, re.MULTILINE) is not None
    p.write(rel, _drop_key(text, "draft") if drafted else _set_key(text, "draft", "true"))
    return f"{rel} {'published' if drafted else 'made a draft'}"


def edit_slug(p: Project, rng: random.Random, step: int) -> str:
    """A new address; pages that link to this one by its file follow it."""
    linked = [f"content/{lang}/{name}" for lang in ("en", "nl") for name in ("key-figures.md", "swot.md")]
    rel = rng.choice(linked) if rng.random() < 0.5 else p.news_page(rng)
    p.write(rel, _set_key(p.read(rel), "slug", f"step-{step}"))
    return f"slug of {rel}"


def edit_menu(p: Project, rng: random.Random, step: int) -> str:
    rel = rng.choice(
        [f"content/{lang}/{name}" for lang in ("en", "nl") for name in ("about.md", "key-figures.md")]
    )
    text = p.read(rel)
    if rng.random() < 0.5:
        p.write(rel, _set_key(text, "weight", str(rng.randrange(1, 50))))
        return f"menu weight of {rel}"
    shown = "menu: true" in text
    p.write(rel, _set_key(text, "menu", "false" if shown else "true"))
    return f"{rel} {'out of' if shown else 'in'} the menu"


def edit_aliases(p: Project, rng: random.Random, step: int) -> str:
    """An old address that now redirects to the page."""
    rel = rng.choice(p.pages())
    p.write(rel, _set_key(p.read(rel), "aliases", f"[/old/step-{step}/]"))
    return f"alias of {rel}"


def edit_figure(p: Project, rng: random.Random, step: int) -> str:
    """A key figure's value, the same in both languages as it must be."""
    index, value = rng.randrange(3), rng.randrange(1, 100000)
    for lang in ("en", "nl"):
        rel = f"content/{lang}/key-figures.md"
        text = p.read(rel)
        found = list(re.finditer(r"^    value: \d+$", text, re.MULTILINE))[index]
        p.write(rel, text[: found.start()] + f"    value: {value}" + text[found.end() :])
    return f"key figure {index}: {value}"


def edit_swot(p: Project, rng: random.Random, step: int) -> str:
    rel = f"content/{rng.choice(['en', 'nl'])}/swot.md"
    lines = p.read(rel).split("\n")
    texts = [n for n, line in enumerate(lines) if line.startswith("    text: ")]
    n = rng.choice(texts)
    lines[n] += f" Step {step} adds *this*."
    p.write(rel, "\n".join(lines))
    return f"a SWOT item of {rel}"


def edit_image_link(p: Project, rng: random.Random, step: int) -> str:
    images = [name for name in p.assets() if name.endswith(".png")]
    rel, image = p.news_page(rng), rng.choice(images)
    p.write(rel, p.read(rel) + f'\n![Image of step {step}](/assets/{image}){{: width="40" height="30"}}\n')
    return f"{rel} shows {image}"


def edit_config(p: Project, rng: random.Random, step: int) -> str:
    text = p.read("site.yaml")
    how = rng.choice(["news_page_size", "description", "title", "language name", "base_url", "locale"])
    if how == "news_page_size":
        size = rng.randrange(1, 5)
        text = re.sub(r"^news_page_size: \d+$", f"news_page_size: {size}", text, flags=re.MULTILINE)
        how += f" {size}"
    elif how == "description":
        text = re.sub(r"^(  en: Amsterdam, where).*$", rf"\1 step {step} happened.", text, flags=re.MULTILINE)
    elif how == "title":
        text = re.sub(r"^(title:\n  en: ).*$", rf"\1Site of step {step}", text, flags=re.MULTILINE)
    elif how == "language name":
        text = re.sub(r"^(    name: Nederlands).*$", rf"\1 {step}", text, flags=re.MULTILINE)
    elif how == "base_url":
        text = re.sub(
            r"^base_url: .*$", f"base_url: https://step{step}.example.org", text, flags=re.MULTILINE
        )
    else:  # dates and numbers formatted otherwise
        locale = "en_GB" if "locale: en_US" in text else "en_US"
        text = re.sub(r"^    locale: en_\w+$", f"    locale: {locale}", text, flags=re.MULTILINE)
    p.write("site.yaml", text)
    return f"site.yaml: {how}"


def edit_topics(p: Project, rng: random.Random, step: int) -> str:
    """A news item's topics, the same in both languages as they must be; or a topic's name."""
    text = p.read("site.yaml")
    declared = re.findall(r"^  ([a-z0-9-]+):$", text.split("\ntopics:\n", 1)[1], re.MULTILINE)
    if rng.random() < 0.3:
        key, lang = rng.choice(declared), rng.choice(["en", "nl"])
        named = re.compile(rf"^(  {key}:\n(?:    .*\n)*?    {lang}: {{name: )[^,]*", re.MULTILINE)
        p.write("site.yaml", named.sub(rf"\g<1>Topic of step {step}", text, count=1))
        return f"site.yaml: name of topic {key} in {lang}"
    name, chosen = rng.choice(p.news()), rng.sample(declared, rng.randrange(3))
    for lang in ("en", "nl"):
        rel = f"content/{lang}/news/{name}"
        listed = _set_key(p.read(rel), "topics", f"[{', '.join(chosen)}]")
        p.write(rel, listed if chosen else _drop_key(p.read(rel), "topics"))
    return f"topics of {name}: {', '.join(chosen) or 'none'}"


# Templates the build renders, and where text inside them shows on every page they make.
SHOWN_TEMPLATES = {
    "base.html": "<body>\n",
    "404.html": "{% block main %}",
    "home.html": "{% block main %}",
    "key_figures.html": "{% block main %}",
    "language_choice.html": "{% block main %}",
    "news_item.html": "{% block main %}",
    "news_list.html": "{% block main %}",
    "page.html": "{% block main %}",
    "swot.html": "{% block main %}",
    "macros.html": "{% macro news_card(item, heading='h3') %}",
}


def _insert_in_template(p: Project, rng: random.Random, text: str) -> str:
    name = rng.choice(sorted(SHOWN_TEMPLATES))
    rel, anchor = f"templates/{name}", SHOWN_TEMPLATES[name]
    old = p.read(rel)
    assert anchor in old, (rel, anchor)
    p.write(rel, old.replace(anchor, anchor + text, 1))
    return rel


def edit_template(p: Project, rng: random.Random, step: int) -> str:
    if rng.random() < 0.5:
        return _insert_in_template(p, rng, f'<p class="step">Step {step}</p>')
    # A new UI string: shown untranslated, and reported missing from the catalogues.
    return _insert_in_template(p, rng, f'<p>{{{{ _("Text of step {step}") }}}}</p>') + " (new UI string)"


def edit_catalogue(p: Project, rng: random.Random, step: int) -> str:
    rel = f"translations/{rng.choice(['en', 'nl'])}/LC_MESSAGES/messages.po"
    lines = p.read(rel).split("\n")
    entries = [n for n, line in enumerate(lines) if re.fullmatch(r'msgstr ".+"', line)]
    n = rng.choice(entries)
    if rng.random() < 0.25 and not lines[n - 2].startswith("#, fuzzy"):
        lines.insert(n - 1, "#, fuzzy")  # left out of the compiled catalogue
        how = "made fuzzy"
    else:
        lines[n] = lines[n][:-1] + f' ({step})"'
        how = "msgstr changed"
    p.write(rel, "\n".join(lines))
    return f"{rel}: {how}"


def edit_style_or_script(p: Project, rng: random.Random, step: int) -> str:
    rel = rng.choice(["assets/site.css", "assets/language.js"])
    p.write(rel, p.read(rel) + f"\n/* step {step} */\n")
    return rel


def edit_image_bytes(p: Project, rng: random.Random, step: int) -> str:
    name = rng.choice([name for name in p.assets() if name.endswith((".png", ".pdf"))])
    p.write(f"assets/{name}", _binary(rng))
    return f"new bytes for assets/{name}"


def edit_asset_add(p: Project, rng: random.Random, step: int) -> str:
    name = rng.choice([f"images/picture-{step}.png", f"files/report-{step}.pdf", f"extra-{step}.png"])
    p.write(f"assets/{name}", _binary(rng))
    return f"assets/{name} added"


def edit_asset_delete(p: Project, rng: random.Random, step: int) -> str | None:
    unused = [name for name in p.assets() if not p.referenced(name)]
    if not unused:
        return None
    name = rng.choice(unused)
    p.delete(f"assets/{name}")
    return f"assets/{name} deleted"


def edit_news_add(p: Project, rng: random.Random, step: int) -> str:
    name, date = f"{_date(rng)}-step-{step}.md", _date(rng)
    for lang in ("en", "nl"):
        p.write(
            f"content/{lang}/news/{name}",
            f"---\ntitle: News of step {step} ({lang})\ndate: {date}\n---\nAdded at step {step}.\n",
        )
    return f"news item {name} added"


def edit_news_delete(p: Project, rng: random.Random, step: int) -> str | None:
    if len(p.news()) < 2:
        return None
    name = rng.choice(p.news())
    for lang in ("en", "nl"):
        p.delete(f"content/{lang}/news/{name}")
    return f"news item {name} deleted"


def edit_news_rename(p: Project, rng: random.Random, step: int) -> str:
    name = rng.choice(p.news())
    new = re.sub(r"(-r\d+)?\.md$", f"-r{step}.md", name)
    for lang in ("en", "nl"):
        (p.root / f"content/{lang}/news/{name}").rename(p.root / f"content/{lang}/news/{new}")
    return f"news item {name} renamed {new}"


def edit_touch(p: Project, rng: random.Random, step: int) -> str:
    """Saved without a change: a new time, the same bytes."""
    rel = rng.choice(
        p.pages() + p.files("templates") + p.files("assets") + p.files("translations") + ["site.yaml"]
    )
    p.write(rel, (p.root / rel).read_bytes())
    return f"{rel} saved unchanged"


def edit_line_ends(p: Project, rng: random.Random, step: int) -> str:
    """Windows line ends or a byte order mark, put in or taken out: new bytes, the same page."""
    rel = rng.choice(p.pages())
    data = (p.root / rel).read_bytes()
    if rng.random() < 0.5:
        crlf = b"\r\n" in data
        p.write(rel, data.replace(b"\r\n", b"\n") if crlf else data.replace(b"\n", b"\r\n"))
        return f"{rel} {'without' if crlf else 'with'} Windows line ends"
    bom = data.startswith(b"\xef\xbb\xbf")
    p.write(rel, data[3:] if bom else b"\xef\xbb\xbf" + data)
    return f"{rel} {'without' if bom else 'with'} a byte order mark"


def edit_ignored(p: Project, rng: random.Random, step: int) -> str:
    """Files the build passes over (see docs/content.md), added or removed: nothing changes."""
    present = [
        rel
        for rel in p.files("content", ignored=True) + p.files("assets", ignored=True)
        if rel not in (SHARED_PAGE, SHARED_LOGO)  # kept: links lead to them
    ]
    if present and rng.random() < 0.4:
        rel = rng.choice(present)
        p.delete(rel)
        return f"{rel} removed"
    rel = rng.choice([
        f"content/en/news/.draft-{step}.md", f"content/nl/_notes-{step}.md", f"content/en/about.md.{step}~",
        "assets/.DS_Store", f"assets/images/.picture-{step}.png", f"content/nl/.about.md.{step}.swp",
    ])  # fmt: skip
    p.write(rel, f"---\ntitle: Ignored {step}\n---\nNot a page.\n")
    return f"{rel} added"


# Files the build passes over (their names start with "_"), which links in the same folder lead to.
SHARED_PAGE, SHARED_LOGO = "content/en/_shared/page.md", "assets/_shared/logo.png"


def edit_linked_file(p: Project, rng: random.Random, step: int) -> str:
    """A file the build passes over that a symbolic link in its folder leads to (a link must
    stay inside its folder: see docs/content.md)."""
    rel = rng.choice([SHARED_PAGE, SHARED_LOGO])
    p.write(
        rel,
        p.read(rel) + f"\nStep {step} changed the shared text.\n" if rel.endswith(".md") else _binary(rng),
    )
    return f"{rel}, linked to from the site's folders"


def edit_section(p: Project, rng: random.Random, step: int) -> str:
    """A folder of pages in both languages, added or removed whole."""
    if (p.root / "content/en/programme").exists():
        for lang in ("en", "nl"):
            shutil.rmtree(p.root / f"content/{lang}/programme")
        return "section programme/ removed"
    for lang in ("en", "nl"):
        p.write(
            f"content/{lang}/programme/_index.md",
            f"---\ntitle: Programme {step}\nmenu: true\n---\nIts pages.\n",
        )
        p.write(
            f"content/{lang}/programme/data.md",
            f"---\ntitle: Data {step}\n---\nSee [the SWOT](../swot.md).\n",
        )
    return "section programme/ added"


def edit_translation_done(p: Project, rng: random.Random, step: int) -> str:
    """What ``site-builder translations done`` writes: later edits of the source make it stale."""
    rel = rng.choice(
        [
            rel
            for rel in p.pages()
            if rel.startswith("content/nl/") and (p.root / f"content/en/{_in_language(rel)}").exists()
        ]
    )
    mark_translated(p.root, load_config(p.root), str(p.root / rel), "en")
    return f"{rel} marked as translated"


def edit_mapping(p: Project, rng: random.Random, step: int) -> str:
    p.write("babel.cfg", p.read("babel.cfg") + f"# step {step}\n")
    return "babel.cfg"


# Edits that make the build fail.


def break_config(p: Project, rng: random.Random, step: int) -> str:
    how = rng.choice(["YAML", "value", "key"])
    text = p.read("site.yaml")
    if how == "YAML":
        text = text.replace("news_page_size: ", "news_page_size: [", 1)
    elif how == "value":
        text = re.sub(r"^news_page_size: \d+$", "news_page_size: 0", text, flags=re.MULTILINE)
    else:
        text += "colour: red\n"
    p.write("site.yaml", text)
    return f"site.yaml broken: {how}"


def break_template(p: Project, rng: random.Random, step: int) -> str:
    typo = rng.choice(["{% if %}", "{{ page.title(", "{% endblock %}{% endblock %}", "{{ _('x' }}"])
    return _insert_in_template(p, rng, typo) + f" broken: {typo}"


def break_catalogue(p: Project, rng: random.Random, step: int) -> str:
    rel = f"translations/{rng.choice(['en', 'nl'])}/LC_MESSAGES/messages.po"
    p.write(rel, p.read(rel).replace('msgstr "', 'msgstr "unterminated\n', 1 + rng.randrange(3)))
    return f"{rel} broken"


def break_date(p: Project, rng: random.Random, step: int) -> str:
    rel = p.news_page(rng)
    p.write(rel, _set_key(p.read(rel), "date", "2017-11-31"))
    return f"{rel}: impossible date"


def break_link(p: Project, rng: random.Random, step: int) -> str:
    rel = rng.choice([rel for rel in p.published() if not rel.endswith("/swot.md")])
    target = rng.choice([f"missing-{step}.md", f"/{rel.split('/')[1]}/swot/#no-part-{step}"])
    p.write(rel, p.read(rel) + f"\nA link to [nowhere]({target}).\n")
    return f"{rel}: link to {target}"


EDITS: dict[str, Edit] = {
    "body": edit_body,
    "title": edit_title,
    "summary": edit_summary,
    "date": edit_date,
    "draft": edit_draft,
    "slug": edit_slug,
    "menu": edit_menu,
    "key figure": edit_figure,
    "SWOT item": edit_swot,
    "image in a page": edit_image_link,
    "site.yaml": edit_config,
    "topics": edit_topics,
    "template": edit_template,
    "catalogue": edit_catalogue,
    "CSS or JS": edit_style_or_script,
    "asset bytes": edit_image_bytes,
    "asset added": edit_asset_add,
    "asset deleted": edit_asset_delete,
    "news added": edit_news_add,
    "news deleted": edit_news_delete,
    "news renamed": edit_news_rename,
    "saved unchanged": edit_touch,
    "line ends": edit_line_ends,
    "ignored file": edit_ignored,
    "aliases": edit_aliases,
    "linked file": edit_linked_file,
    "section": edit_section,
    "translation done": edit_translation_done,
    "babel.cfg": edit_mapping,
}
BREAKING: dict[str, Edit] = {
    "site.yaml broken": break_config,
    "template typo": break_template,
    "catalogue broken": break_catalogue,
    "impossible date": break_date,
    "broken link": break_link,
}


def seeded_project(root: Path) -> Project:
    """The mini site, with images and a file in assets/: a news item at the top of both feeds
    shows one, the stylesheet uses it too, and a page links to a PDF."""
    make_mini_site(root)
    p = Project(root)
    rng = random.Random(0)
    p.write("assets/photo.png", _binary(rng))
    p.write("assets/images/chart.png", _binary(rng))
    p.write("assets/files/brochure.pdf", _binary(rng))
    p.write("assets/files/unused.pdf", _binary(rng))
    p.write("assets/site.css", p.read("assets/site.css") + "\n.hero { background-image: url(photo.png); }\n")
    for lang in ("en", "nl"):
        rel = f"content/{lang}/news/2019-09-26-mou.md"
        p.write(rel, p.read(rel) + '\n![The signing](/assets/photo.png){: width="40" height="30"}\n')
    p.write(
        "content/en/about.md",
        p.read("content/en/about.md") + "\n[Our brochure](/assets/files/brochure.pdf).\n",
    )
    # A page and an image kept elsewhere in the project, each reached by a symbolic link.
    p.write(SHARED_PAGE, "---\ntitle: Shared\n---\nA page kept in _shared/.\n")
    p.write(SHARED_LOGO, _binary(rng))
    (root / "content/en/shared.md").symlink_to("_shared/page.md")
    p.write("content/nl/shared.md", "---\ntitle: Gedeeld\n---\nEen pagina.\n")
    (root / "assets/logo.png").symlink_to("_shared/logo.png")
    p.write(
        "content/nl/about.md",
        p.read("content/nl/about.md") + '\n![Het logo](/assets/logo.png){: width="40" height="30"}\n',
    )
    return p


# --- the three builds ----------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    code: int
    lines: tuple[str, ...]  # warnings, or errors, as the command line prints them
    tree: dict[str, bytes] = field(repr=False)  # the output folder after the build


class Builds:
    """The three builds of one project, each into its own output folder."""

    def __init__(self, root: Path, work: Path, run_cli) -> None:
        self.root, self.run_cli = root, run_cli
        self.preview_out, self.cold_out = work / "preview", work / "cold"
        self.cache = pipeline.PreviewState()  # kept from step to step, as the preview keeps it

    def run(self) -> dict[str, Outcome]:
        # (a) runs in its own process while (b) and (c) run here: each writes only its own
        # output folder (and (a) its cache), and none of them writes what the others read.
        process = subprocess.Popen(
            [sys.executable, "-m", "site_builder", "-q", "-C", str(self.root), "build", "--jobs", "1"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        )
        try:
            preview = self._preview()
            cold = self._cold()
            _, err = process.communicate(timeout=120)
        finally:
            if process.poll() is None:  # this process failed, or the build hangs
                process.kill()
                process.wait()
        cached = Outcome(process.returncode, tuple(err.splitlines()), _tree(self.root / "build"))
        return {CACHED: cached, PREVIEW: preview, COLD: cold}

    def _preview(self) -> Outcome:
        try:
            report = pipeline.build(self.root, self.preview_out, cache=self.cache, preview=False, jobs=1)
        except (SiteError, SiteErrors) as failure:
            errors = failure.errors if isinstance(failure, SiteErrors) else (failure,)
            return Outcome(1, tuple(map(format_error, errors)), _tree(self.preview_out))
        lines = tuple(f"warning: {format_error(warning)}" for warning in report.warnings)
        return Outcome(0, lines, _tree(self.preview_out))

    def _cold(self) -> Outcome:
        args = ("-q", "-C", self.root, "build", "--no-cache", "--jobs", "1", "--out", self.cold_out)
        code, _, err = self.run_cli(*args)
        return Outcome(code, tuple(err.splitlines()), _tree(self.cold_out))


def _tree(folder: Path) -> dict[str, bytes]:
    return read_tree(folder) if folder.is_dir() else {}


def differences(outcomes: dict[str, Outcome], before: dict[str, Outcome] | None, breaks: bool) -> list[str]:
    """How the three builds disagree with each other, or with what the step should do."""
    found = []
    cold = outcomes[COLD]
    expected = 1 if breaks else 0
    for name, outcome in outcomes.items():
        if outcome.code != expected:
            found.append(f"{name} exited {outcome.code}, not {expected}: {' / '.join(outcome.lines[-5:])}")
        if name != COLD and outcome.lines != cold.lines:
            found.append(f"{name} printed {list(outcome.lines)}, {COLD} {list(cold.lines)}")
        if breaks and before is not None and outcome.tree != before[name].tree:
            found.append(
                f"{name} failed but changed its output: {_tree_difference(outcome.tree, before[name].tree)}"
            )
        if not breaks and name != COLD and outcome.tree != cold.tree:
            found.append(f"{name} differs from {COLD}: {_tree_difference(outcome.tree, cold.tree)}")
    return found


def _tree_difference(ours: dict[str, bytes], cold: dict[str, bytes]) -> str:
    parts = []
    if ours.keys() - cold.keys():
        parts.append(f"only it has {sorted(ours.keys() - cold.keys())[:5]}")
    if cold.keys() - ours.keys():
        parts.append(f"it lacks {sorted(cold.keys() - ours.keys())[:5]}")
    for path in sorted(p for p in ours.keys() & cold.keys() if ours[p] != cold[p])[:3]:
        mine, theirs = ours[path], cold[path]
        at = next(
            (i for i, (a, b) in enumerate(zip(mine, theirs, strict=False)) if a != b),
            min(len(mine), len(theirs)),
        )
        near = slice(max(at - 60, 0), at + 60)
        parts.append(f"{path} at byte {at}: {mine[near]!r} instead of {theirs[near]!r}")
    return "; ".join(parts)


# --- the series ----------------------------------------------------------------------------


class Series:
    """Seeded steps over one project: each step some edits, then the three builds compared."""

    def __init__(self, seed: int, work: Path, run_cli) -> None:
        self.seed, self.rng = seed, random.Random(seed)
        self.project = seeded_project(work / "site")
        self.builds = Builds(self.project.root, work, run_cli)
        self.log: list[str] = []  # every edit so far, for the failure message
        self.kinds: set[str] = set()
        self._deck: list[str] = []
        self._pending: dict[str, bytes | None] = {}  # what the last breaking edit changed
        self.last: dict[str, Outcome] | None = None
        self.changed = 0  # steps after which the site built differs from the one before

    def first(self) -> list[str]:
        self.log.append("step 0: the seeded mini site as it is")
        self.last = self.builds.run()
        return differences(self.last, None, False)

    def step(self, step: int) -> list[str]:
        """Edit, build three ways, compare; returns what disagreed (nothing, normally)."""
        edits = self._take_back()
        breaks = False
        for _ in range(self.rng.choice([1, 1, 1, 2, 3])):
            kind = self._draw()
            edit = BREAKING.get(kind) or EDITS[kind]
            if kind in BREAKING:
                self.project.originals = {}
            done = edit(self.project, self.rng, step)
            if done is None:
                continue
            self.kinds.add(kind)
            edits.append(done)
            if kind in BREAKING:
                self._pending, self.project.originals, breaks = self.project.originals, None, True
                break  # the next step puts the file back, before anything else
        self.log.append(f"step {step}: " + "; ".join(edits))
        outcomes = self.builds.run()
        found = differences(outcomes, self.last, breaks)
        if not breaks:
            self.changed += outcomes[COLD].tree != self.last[COLD].tree
            self.last = outcomes
        return found

    def _draw(self) -> str:
        """Kinds of edit are dealt like cards from a shuffled deck, so each series makes every kind."""
        if not self._deck:
            self._deck = sorted(EDITS) + sorted(BREAKING)
            self.rng.shuffle(self._deck)
        return self._deck.pop()

    def _take_back(self) -> list[str]:
        taken = []
        for rel, data in sorted(self._pending.items()):
            if data is None:
                self.project.delete(rel)
            else:
                (self.project.root / rel).write_bytes(data)
            taken.append(f"{rel} put back")
        self._pending = {}
        return taken

    def failure(self, step: int, found: list[str]) -> str:
        """What disagreed, and every edit that led there (the seed makes the same ones again)."""
        lines = [f"seed {self.seed}, step {step}: the builds disagree", *found, "edits:", *self.log]
        return "\n  ".join(lines)


@pytest.mark.parametrize("seed", SEEDS)
def test_cached_builds_equal_cold_builds_over_random_edits(tmp_path, run_cli, seed, request):
    series = Series(seed, tmp_path, run_cli)
    replay = f"replay: pytest '{request.node.nodeid}'\n"
    found = series.first()
    assert not found, replay + series.failure(0, found)
    for step in range(1, STEPS + 1):
        found = series.step(step)
        assert not found, replay + series.failure(step, found)
    # Every kind of edit was made, and the site was broken and mended along the way.
    every = set(EDITS) | set(BREAKING)
    assert series.kinds == every, f"never made: {sorted(every - series.kinds)}"
    # And most steps changed the site: the builds were compared on new work, not on the old.
    assert series.changed > STEPS // 2, series.changed


# --- the check finds what a cache key leaves out -------------------------------------------


def leave_asset_manifest_out_of_feeds_key(monkeypatch) -> None:
    """The feeds' step keyed as if its items' HTML depended on their files alone, leaving out
    the assets' fingerprinted names, which a feed item's HTML holds: as if the step had been
    given the items' source pages instead of their converted HTML."""
    real_one = Memo.one

    def one(self, step, run, *inputs, reads=None, **how):
        if step != "feeds":
            return real_one(self, step, run, *inputs, reads=reads, **how)
        site, bodies = inputs
        sources = tuple(page.source.digest for page in site.pages if (page.lang, page.url) in bodies)
        key = (site.inputs, sources)
        table = self.tables.setdefault("feeds, keyed without the assets", {})
        if key not in table:
            table[key] = run(*inputs)
        return table[key]

    monkeypatch.setattr(Memo, "one", one)


def _photo_changed(series: Series) -> tuple[dict[str, Outcome], list[str]]:
    """Build the seeded site, give the image at the top of both feeds new bytes, build again."""
    assert not series.first()
    series.project.write("assets/photo.png", _binary(random.Random("new bytes")))
    outcomes = series.builds.run()
    return outcomes, differences(outcomes, series.last, False)


def test_a_feed_names_a_changed_image_by_its_new_fingerprint(tmp_path, run_cli):
    outcomes, found = _photo_changed(Series(SEEDS[0], tmp_path, run_cli))
    assert not found
    for outcome in outcomes.values():
        names = set(
            re.findall(
                rb"/assets/(photo\.(?:\d+\.)?[0-9a-f]{8}\.(?:png|webp|avif))", outcome.tree["en/feed.xml"]
            )
        )
        assert names and all(f"assets/{name.decode()}" in outcome.tree for name in names), names


def test_the_check_finds_a_cache_key_that_leaves_out_an_input(tmp_path, run_cli, monkeypatch):
    leave_asset_manifest_out_of_feeds_key(monkeypatch)  # in this process: the preview's path (b)
    _, found = _photo_changed(Series(SEEDS[0], tmp_path, run_cli))
    assert found and all(line.startswith(f"{PREVIEW} differs") for line in found), found
    assert "en/feed.xml" in found[0] and "nl/feed.xml" in found[0]


# --- a file replaced by one of the same size and time --------------------------------------


def _replace_keeping_size_and_time(page: Path, text: str, how: str, spare: Path) -> None:
    """Put ``text`` (as long as the page's) in place of the page, keeping its size and time:
    what ``cp -p``, ``rsync -t``, unpacking an archive or pointing a symbolic link elsewhere
    leave behind."""
    status = page.stat()
    spare.write_text(text, "utf-8", newline="\n")
    assert spare.stat().st_size == status.st_size
    os.utime(spare, ns=(status.st_atime_ns, status.st_mtime_ns))
    if how == "replaced":
        os.replace(spare, page)
    else:
        page.unlink()
        page.symlink_to(spare)


@pytest.mark.parametrize("how", ["replaced", "linked"])
def test_a_page_replaced_by_one_of_the_same_size_and_time_is_built(tmp_path, run_cli, how):
    series = Series(SEEDS[0], tmp_path, run_cli)
    page = series.project.root / "content/en/news/2019-06-12-ema.md"
    long_ago = 1_577_836_800_000_000_000  # 2020-01-01, as files unpacked from an archive are dated
    os.utime(page, ns=(long_ago, long_ago))
    assert not series.first()
    text = page.read_text("utf-8")
    assert "About 900 EMA staff" in text
    spare = series.project.root / "content/en/news/_new.md"  # a link may lead anywhere inside its folder
    _replace_keeping_size_and_time(page, text.replace("About 900", "About 901"), how, spare)
    series.log.append(f"step 1: content/en/news/2019-06-12-ema.md {how} by a page of the same size and time")
    found = differences(series.builds.run(), series.last, False)
    assert not found, series.failure(1, found)
