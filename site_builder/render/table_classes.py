"""Column alignment in Markdown tables as classes, not inline styles.

Python-Markdown's tables extension writes the alignment of a column
(``| --: |``) on every cell as ``style="text-align: right;"`` (or, configured
so, as the obsolete ``align="right"``). The site's Content-Security-Policy
allows styles from its own stylesheet only (``style-src 'self'``), under which
a browser ignores such an attribute and reports a violation. This tree pass
turns either form into a class, ``align-left``, ``align-center`` or
``align-right``, which ``assets/site.css`` gives the same alignment.

Only a style that is exactly one ``text-align`` of those three values is
replaced; a cell whose style says anything else keeps it.
"""

from __future__ import annotations

import re

from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

ALIGNMENTS = ("left", "center", "right")
CLASS_PREFIX = "align-"
_ALIGN_STYLE = re.compile(r"\s*text-align\s*:\s*(left|center|right)\s*;?\s*", re.IGNORECASE)


def alignment_class(alignment: str) -> str:
    """``right`` → ``align-right``: the class ``site.css`` aligns a table cell by."""
    return CLASS_PREFIX + alignment


class TableClassesTreeprocessor(Treeprocessor):
    """Moves each table cell's alignment from ``style`` or ``align`` into its ``class``."""

    def run(self, root):
        for table in root.iter("table"):  # found in C: a page without tables costs no Python per element
            for cell in table.iter():
                if cell.tag == "td" or cell.tag == "th":
                    _to_class(cell)
        return None


def _to_class(cell) -> None:
    alignment = None
    style = cell.get("style")
    if style is not None:
        found = _ALIGN_STYLE.fullmatch(style)
        if found is None:
            return  # not an alignment alone: the content's own, left as written
        alignment = found.group(1).lower()
        del cell.attrib["style"]
    align = cell.get("align")
    if align is not None and align.strip().lower() in ALIGNMENTS:
        alignment = alignment or align.strip().lower()
        del cell.attrib["align"]
    if alignment is None:
        return
    classes = (cell.get("class") or "").split()
    name = alignment_class(alignment)
    if name not in classes:
        classes.append(name)
    cell.set("class", " ".join(classes))


class TableClassesExtension(Extension):
    """Adds ``TableClassesTreeprocessor``; runs before inline markup is parsed, while a
    document's tree holds only its blocks."""

    def extendMarkdown(self, md) -> None:  # Python-Markdown's name
        md.treeprocessors.register(TableClassesTreeprocessor(md), "table-classes", 30)
