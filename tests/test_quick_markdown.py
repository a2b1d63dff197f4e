"""Python-Markdown without trying patterns that cannot match gives Python-Markdown's own HTML."""

from __future__ import annotations

import faulthandler
import importlib
import subprocess
import sys
import xml.etree.ElementTree as etree
from pathlib import Path

import markdown
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_properties import EXAMPLES, PROPERTY

from site_builder.content.frontmatter import split
from site_builder.render import markup, quick_markdown
from site_builder.render.markup import markdown_extensions
from site_builder.render.quick_markdown import (
    BLOCK_NEEDS,
    INLINE_NEEDS,
    QuickBlockParser,
    QuickInlineProcessor,
    QuickMarkdownExtension,
)
from site_builder.stages import generate

ROOT = Path(__file__).resolve().parent.parent
GENERATOR = ROOT / "benchmarks" / "generate_site.py"


def converter(quick: bool) -> markdown.Markdown:
    extensions = [e for e in markdown_extensions() if quick or not isinstance(e, QuickMarkdownExtension)]
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


def test_the_build_uses_it_and_knows_its_block_processors_and_inline_patterns():
    md = converter(quick=True)
    assert isinstance(md.parser, QuickBlockParser)
    assert isinstance(md.treeprocessors["inline"], QuickInlineProcessor)
    keys = {quick_markdown._block_key(processor) for processor in md.parser.blockprocessors}
    assert BLOCK_NEEDS.keys() <= keys, (
        "a Python-Markdown version with other block processors: see BLOCK_NEEDS"
    )
    assert quick_markdown._class_path(md.preprocessors["html_block"]) in quick_markdown.PREPROCESSOR_NEEDS
    unknown = [p.compiled_re.pattern for p in md.inlinePatterns if p.compiled_re.pattern not in INLINE_NEEDS]
    assert unknown == [], "a Python-Markdown version with other inline patterns: see INLINE_NEEDS"


def test_block_processors_are_tried_only_where_what_they_need_is_in_the_block(monkeypatch):
    md = converter(quick=True)
    tried: list[str] = []

    def spy(processor):
        stock = processor.test

        def test(parent, block):
            tried.append(type(processor).__name__)
            return stock(parent, block)

        return test

    for processor in md.parser.blockprocessors:
        if quick_markdown._block_key(processor) in BLOCK_NEEDS:
            monkeypatch.setattr(processor, "test", spy(processor))
    assert md.convert("Plain prose, with nothing in it.") == "<p>Plain prose, with nothing in it.</p>"
    assert tried == []
    md.reset()
    assert md.convert("# Heading") == '<h1 id="heading">Heading</h1>'
    assert tried == ["HashHeaderProcessor"]


def test_inline_patterns_are_tried_only_where_what_they_need_is_in_the_text(monkeypatch):
    md = converter(quick=True)
    tried: list[str] = []
    apply = getattr(QuickInlineProcessor, quick_markdown._APPLY)

    def spy(self, pattern, data, index, start=0):
        tried.append(pattern.compiled_re.pattern)
        return apply(self, pattern, data, index, start)

    monkeypatch.setattr(QuickInlineProcessor, quick_markdown._APPLY, spy)
    assert (
        md.convert("Plain prose, with nothing inline in it.")
        == "<p>Plain prose, with nothing inline in it.</p>"
    )
    assert tried == []
    md.reset()
    assert md.convert("A [link](/en/) here.") == '<p>A <a href="/en/">link</a> here.</p>'
    assert set(tried) == {r"(?<!\!)\["}


def test_tree_passes_run_only_in_documents_holding_what_they_look_for(monkeypatch):
    ran: list[str] = []
    for class_path, (method, _) in quick_markdown.TREE_NEEDS.items():
        module, name = class_path.rsplit(".", 1)
        cls = getattr(importlib.import_module(module), name)
        stock_method = getattr(cls, method)

        def spy(self, *args, stock_method=stock_method, name=name):
            ran.append(name)
            return stock_method(self, *args)

        monkeypatch.setattr(cls, method, spy)  # before the converter takes the methods
    md, stock = converter(quick=True), converter(quick=False)
    assert md.convert("Plain prose.") == "<p>Plain prose.</p>"
    assert ran == []  # Python-Markdown's own would call both
    for text, runs in (
        ("# Contents\n\n[TOC]\n\nText.", ["TocTreeprocessor"]),
        ("A \\*starred\\* word", ["UnescapeTreeprocessor"]),
        ("Two \x0242\x03 controls", []),
        ('A picture ![Alt](/p.png){: width="20" }', ["AttrListTreeprocessor"]),
    ):
        expected = stock.reset().convert(text)
        ran.clear()
        assert md.reset().convert(text) == expected
        assert ran == runs
    assert '<div class="toc">' in md.reset().convert("# Contents\n\n[TOC]\n\nText.")
    assert md.reset().convert("A \\*starred\\* word") == "<p>A *starred* word</p>"


def test_block_level_tags_are_taken_afresh_for_each_document():
    md, stock = converter(quick=True), converter(quick=False)
    text = "<section>\n*Not emphasis*\n</section>\n\n<b>*emphasis*</b>"
    assert md.convert(text) == stock.convert(text)
    for converted in (md, stock):
        converted.block_level_elements.remove("section")
        converted.block_level_elements.append("b")
    md.reset(), stock.reset()
    assert md.convert(text) == stock.convert(text)
    assert "<em>Not emphasis</em>" in md.reset().convert(text)


def test_a_parser_used_before_any_document_finds_its_processors():
    """Extensions may parse a chunk outside ``convert``; the processors are not yet known then."""
    trees = []
    faulthandler.dump_traceback_later(60, exit=True)  # a parser that tries no processor loops forever
    try:
        for quick in (True, False):
            root = etree.Element("div")
            converter(quick).parser.parseChunk(root, "# Title\n\nText, and [a link](/en/).\n\n> Quoted")
            trees.append(etree.tostring(root))
    finally:
        faulthandler.cancel_dump_traceback_later()
    assert trees[0] == trees[1]
    assert b"<h1>Title</h1>" in trees[0] and b"<blockquote>" in trees[0]


def test_same_html_as_python_markdown_on_the_real_site():
    texts = bodies(ROOT)
    assert len(texts) > 30
    assert convert_all(converter(quick=True), texts) == convert_all(converter(quick=False), texts)


def test_same_html_as_python_markdown_on_a_generated_site(tmp_path):
    subprocess.run([sys.executable, GENERATOR, "40", tmp_path / "site"], check=True, capture_output=True)
    texts = bodies(tmp_path / "site")
    assert len(texts) > 80
    assert convert_all(converter(quick=True), texts) == convert_all(converter(quick=False), texts)


def test_the_real_site_is_built_the_same_with_python_markdown_alone(monkeypatch):
    """Every page, SWOT item, feed and check, not only page bodies."""
    quick = {f.path: f.digest for f in generate(ROOT).files}
    stock_extensions = [e for e in markdown_extensions() if not isinstance(e, QuickMarkdownExtension)]
    monkeypatch.setattr(markup, "markdown_extensions", lambda: list(stock_extensions))
    assert not any(isinstance(e, QuickMarkdownExtension) for e in markup.markdown_extensions())
    stock = {f.path: f.digest for f in generate(ROOT).files}
    assert sum(path.endswith(".html") for path in stock) > 30
    assert quick == stock


# Pieces of Markdown around every pattern's needed strings, and near misses of them.
_PIECES = [
    "word",
    " ",
    "  \n",
    "\n",
    "\n\n",
    "*",
    "**",
    "_",
    "__",
    "`",
    "``",
    "\\",
    "\\\\",
    "[",
    "]",
    "(",
    ")",
    "[^1]",
    "[^1]: note\n",
    "![",
    "](/en/)",
    "[x]: /en/\n",
    "<",
    ">",
    "<https://example.org>",
    "<a@b.nl>",
    "<b>",
    "</b>",
    "<!-- c -->",
    "&amp;",
    "&#38;",
    "&x",
    ";",
    "!",
    "@",
    "://",
    "{: #id .c }",
    "# ",
    "- ",
    "1. ",
    "> ",
    "    ",
    "| a | b |\n|---|---|\n",
    "Term\n:   Definition\n",
    "*[HTML]: Hyper Text\n",
    "HTML",
    "```\n",
    "é",
    "|",
    ":",
    ": ",
    "#",
    "\n===\n",
    "\n---\n",
    "\n-",
    "\n=",
    "* * *",
    "___",
    "[^1]:",
    "]:",
    "*[",
    "\t",
    "> > ",
    "Term\n: Definition\n",
    "[^a]: other\n",
    "*[W3C]: World Wide Web Consortium\n",
    "[y]:/nl/\n",
    "W3C",
    "[^a]",
    "<ftp://example.org/x>",
    "[TOC]",
    "\n\n[TOC]\n\n",
    "\x02",
    "\x03",
    "65",
    "<div>\n",
    "</div>\n",
]


@pytest.mark.filterwarnings("ignore")
@settings(PROPERTY, max_examples=5 * EXAMPLES)  # about 2 ms each
@given(st.lists(st.sampled_from(_PIECES), max_size=40).map("".join))
def test_same_html_as_python_markdown_on_any_text(text):
    assert convert_all(converter(quick=True), [text]) == convert_all(converter(quick=False), [text])


def test_same_html_as_python_markdown_inside_raw_html_with_markdown():
    """Markdown inside ``<figure markdown="1">`` is parsed from the raw HTML put aside, not
    from the document's lines: its attribute lists still apply."""
    texts = [
        '<figure markdown="1">\n![A map](/assets/map.png){: width="800" height="450"}\n'
        "<figcaption>The area</figcaption>\n</figure>\n",
        '<div markdown="1">\nA [link](/en/){: .button} and a backslash \\*star\\*.\n</div>\n',
    ]
    quick, stock = convert_all(converter(quick=True), texts), convert_all(converter(quick=False), texts)
    assert quick == stock
    assert 'height="450"' in quick[0] and "{:" not in quick[0]
