"""The inline stage that skips patterns which cannot match gives Python-Markdown's own HTML."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import markdown
import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_properties import PROPERTY

from site_builder import inline
from site_builder.frontmatter import split
from site_builder.inline import NEEDS, QuickInlineExtension, QuickInlineProcessor
from site_builder.markup import markdown_extensions

ROOT = Path(__file__).resolve().parent.parent
GENERATOR = ROOT / "benchmarks" / "generate_site.py"


def converter(quick: bool) -> markdown.Markdown:
    extensions = [e for e in markdown_extensions() if quick or not isinstance(e, QuickInlineExtension)]
    return markdown.Markdown(extensions=extensions, output_format="html")


def convert_all(md: markdown.Markdown, texts: list[str]) -> list[str]:
    results = []
    for text in texts:
        md.reset()
        results.append(md.convert(text))
    return results


def bodies(folder: Path) -> list[str]:
    paths = sorted(folder.glob("content/*/**/*.md"))
    return [split(path.read_text("utf-8"), str(path))[2] for path in paths]


def test_the_build_uses_it_and_knows_every_inline_pattern():
    md = converter(quick=True)
    assert isinstance(md.treeprocessors["inline"], QuickInlineProcessor)
    unknown = [p.compiled_re.pattern for p in md.inlinePatterns if p.compiled_re.pattern not in NEEDS]
    assert unknown == [], "a Python-Markdown version with other inline patterns: add them to inline.NEEDS"


def test_patterns_are_tried_only_where_what_they_need_is_in_the_text(monkeypatch):
    md = converter(quick=True)
    tried: list[str] = []
    apply = getattr(QuickInlineProcessor, inline._APPLY)

    def spy(self, pattern, data, index, start=0):
        tried.append(pattern.compiled_re.pattern)
        return apply(self, pattern, data, index, start)

    monkeypatch.setattr(QuickInlineProcessor, inline._APPLY, spy)
    assert md.convert("Plain prose, with nothing inline in it.") == "<p>Plain prose, with nothing inline in it.</p>"
    assert tried == []
    md.reset()
    assert md.convert("A [link](/en/) here.") == '<p>A <a href="/en/">link</a> here.</p>'
    assert set(tried) == {r"(?<!\!)\["}


def test_same_html_as_python_markdown_on_the_real_site():
    texts = bodies(ROOT)
    assert len(texts) > 30
    assert convert_all(converter(quick=True), texts) == convert_all(converter(quick=False), texts)


def test_same_html_as_python_markdown_on_a_generated_site(tmp_path):
    subprocess.run([sys.executable, GENERATOR, "40", tmp_path / "site"], check=True, capture_output=True)
    texts = bodies(tmp_path / "site")
    assert len(texts) > 80
    assert convert_all(converter(quick=True), texts) == convert_all(converter(quick=False), texts)


# Pieces of Markdown around every pattern's needed strings, and near misses of them.
_PIECES = [
    "word", " ", "  \n", "\n", "\n\n", "*", "**", "_", "__", "`", "``", "\\", "\\\\", "[", "]", "(", ")", "[^1]",
    "[^1]: note\n", "![", "](/en/)", "[x]: /en/\n", "<", ">", "<https://example.org>", "<a@b.nl>", "<b>", "</b>",
    "<!-- c -->", "&amp;", "&#38;", "&x", ";", "!", "@", "://", "{: #id .c }", "# ", "- ", "1. ", "> ", "    ",
    "| a | b |\n|---|---|\n", "Term\n:   Definition\n", "*[HTML]: Hyper Text\n", "HTML", "```\n", "é",
]


@pytest.mark.filterwarnings("ignore")
@PROPERTY
@given(st.lists(st.sampled_from(_PIECES), max_size=40).map("".join))
def test_same_html_as_python_markdown_on_any_text(text):
    assert convert_all(converter(quick=True), [text]) == convert_all(converter(quick=False), [text])
