"""``site-builder new news "Title" --lang nl``: a new news item with today's date."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

from site_builder.config import SiteConfig
from site_builder.errors import SiteError
from site_builder.frontmatter import NEWS_SECTION
from site_builder.load import CONTENT_DIR
from site_builder.model import slugify


def new_news(root: Path, config: SiteConfig, title: str, lang: str, today: datetime.date) -> Path:
    """Create ``content/<lang>/news/<date>-<slug>.md``; never overwrite a file."""
    if lang not in config.codes:
        raise SiteError(
            f"'{lang}' is not a language of this site", "site.yaml", hint="use one of: " + ", ".join(config.codes)
        )
    slug = slugify(title)
    if not title.strip() or not slug:
        raise SiteError("the title gives no usable web address", hint="use a title with letters or digits")
    rel = f"{CONTENT_DIR}/{lang}/{NEWS_SECTION}/{today.isoformat()}-{slug}.md"
    path = root / rel
    if path.exists():
        raise SiteError("the file already exists", rel, hint="choose another title, or edit the existing file")
    # A JSON string is a valid double-quoted YAML scalar, whatever the title contains.
    front = (
        f"title: {json.dumps(title.strip(), ensure_ascii=False)}\n"
        f'summary: ""\n'
        f"slug: {slug}\n"
        f"date: {today.isoformat()}\n"
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8") as handle:
        handle.write(f"---\n{front}---\n")
    return path
