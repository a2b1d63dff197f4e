"""Python-Markdown, without trying patterns that cannot match.

Python-Markdown reads a page in passes that try candidates in turn. Each
block (a paragraph, a list, a table) is offered to its block processors in
order, until one takes it: a paragraph is first tested for a heading, a rule,
a quote, a definition, a table and more. Then each piece of text in the
blocks is offered to fifteen inline patterns (links, emphasis, code spans and
the like), again in order. Every test is a regular expression reached
through several layers of Python, and most blocks and pieces of prose
contain none of the characters the candidates need: on the generated news
pages, these tests took nearly two thirds of a page's conversion. Before
that, the whole text goes through a search for code fences and a parser
for raw HTML, whatever it holds; after it, the table-of-contents extension
looks through the whole tree for its ``[TOC]`` marker, other passes look in
every text for attribute lists and for backslash escapes to restore, and
several passes ask of each element whether its tag is block-level, each
time lowering the tag's case and searching a list.

``QuickMarkdownExtension`` adds to Python-Markdown's own block parser and
inline processor the one check they lack: a candidate is tried only if the
text holds a string that it needs to match (``#`` for a heading, ``|`` for a
table, ``[`` for a link, ``&`` for an entity). Likewise, the two
preprocessors run only on text with a fence, ``<`` or ``&``, and the three
tree passes only on a document holding ``[TOC]``, ``{`` or a backslash. A
tag's answer is remembered for the rest of the document (the list of
block-level tags does not change within one). Candidates are known by class
and exact regular expression; one not in ``BLOCK_NEEDS`` or ``INLINE_NEEDS``
(another version's, or an extension's) is tried as before. A skipped
candidate is one that would have declined the text, leaving it as it was,
and Python-Markdown then goes on with the next, as here: the output is the
same, byte for byte (tested against Python-Markdown's own parser and
processors on the real and the generated site and on random text).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from markdown import util
from markdown.blockparser import BlockParser
from markdown.extensions import Extension
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import InlineProcessor

# A block processor (class, and the regular expression it tests blocks with) → strings of
# which a block it takes contains one. Each of these declines any other block: its test
# fails, or its run puts the block back and returns False.
BLOCK_NEEDS: dict[tuple[str, str | None], tuple[str, ...]] = {
    (
        "markdown.blockprocessors.HashHeaderProcessor",
        r"(?:^|\n)(?P<level>#{1,6})(?P<header>(?:\\.|[^\\#]|#+(?=[^#\n]))*?)#*(?:\n|$)",
    ): ("#",),
    ("markdown.blockprocessors.SetextHeaderProcessor", r"^.*?\n(?:=+|-+)[ ]*(\n|$)"): ("\n=", "\n-"),
    (
        "markdown.blockprocessors.HRProcessor",
        r"^[ ]{0,3}(?=(?P<atomicgroup>(-+[ ]{0,2}){3,}|(_+[ ]{0,2}){3,}|(\*+[ ]{0,2}){3,}))(?P=atomicgroup)[ ]*$",
    ): ("-", "_", "*"),
    ("markdown.extensions.def_list.DefListProcessor", r"(^|\n)[ ]{0,3}:[ ]{1,3}(.*?)(\n|$)"): (": ",),
    ("markdown.blockprocessors.BlockQuoteProcessor", r"(^|\n)[ ]{0,3}>[ ]?(.*)"): (">",),
    ("markdown.extensions.footnotes.FootnoteBlockProcessor", r"^[ ]{0,3}\[\^([^\]]*)\]:[ ]*(.*)$"): ("[^",),
    (
        "markdown.extensions.abbr.AbbrBlockprocessor",
        r"^[*]\[(?P<abbr>[^\\]*?)\][ ]?:[ ]*\n?[ ]*(?P<title>.*)$",
    ): ("*[",),
    (
        "markdown.blockprocessors.ReferenceProcessor",
        r"""^[ ]{0,3}\[([^\[\]]*)\]:[ ]*(?:\n[ ]*)?([^\s]+)[ ]*(?:\n[ ]*)?((["\'])(.*)\4[ ]*|\((.*)\)[ ]*)?$""",
    ): ("]:",),
    # Tested in Python, not by a pattern: the first row needs a pipe to have two cells or a border.
    ("markdown.extensions.tables.TableProcessor", None): ("|",),
}

# A preprocessor (class) → strings without any of which it returns the lines as they are:
# no fence can open without three backticks or tildes, and no HTML without "<" or "&".
PREPROCESSOR_NEEDS: dict[str, tuple[str, ...]] = {
    "markdown.extensions.fenced_code.FencedBlockPreprocessor": ("```", "~~~"),
    "markdown.extensions.md_in_html.HtmlBlockPreprocessor": ("<", "&"),
    "site_builder.render.markup.HtmlBlocks": ("<", "&"),  # md_in_html's, noting what is left open
}

# An inline pattern's regular expression → strings of which every match contains one.
INLINE_NEEDS: dict[str, tuple[str, ...]] = {
    r"(?:(?<!\\)((?:\\{2})+)(?=`+)|(?<!\\)`)": ("`",),  # code span (backslashes before one, too)
    r"\\(.)": ("\\",),  # escaped character
    r"\[\^([^\]]*)\]": ("[^",),  # footnote reference
    r"(?<!\!)\[": ("[",),  # link, reference, short reference
    r"\!\[": ("![",),  # image, image reference, short image reference
    r"<([A-Za-z][A-Za-z0-9+.-]*://[^<>]*)>": ("<",),  # automatic link
    r"<([^<> !]+@[^@<> ]+)>": ("<",),  # automatic e-mail link
    r"  \n": ("  \n",),  # line break
    (
        r"""(<(\/?+[a-zA-Z][^\s"'<>@]*+(?:\s+[^\s"'=<>]++(?:\s*+=\s*+(?:"[^"]*+"|'[^']*+'|[^\s"'=<>]++))?+)*+\s*+/?"""
        r"""|!--(?:(?!<!--|-->).)*--|[?](?:(?!<[?]|[?]>).)*[?]|!\[CDATA\[(?:(?!<!\[CDATA\[|\]\]>).)*\]\])>)"""
    ): ("<",),  # inline HTML
    r"(&(?:\#[0-9]+|\#x[0-9a-fA-F]+|[a-zA-Z0-9]+);)": ("&",),  # entity
    r"\*|_": ("*", "_"),  # emphasis and strong
}

# A tree processor (class) → its method that changes nothing in a document whose lines hold
# none of the strings its second item gives for it. Attribute lists are written in braces; the
# table of contents looks for its marker; only a backslash escape puts in what unescaping
# restores (Python-Markdown first removes from the text the control characters that mark it).
TREE_NEEDS: dict[str, tuple[str, Callable[[Any], tuple[str, ...]]]] = {
    "markdown.extensions.attr_list.AttrListTreeprocessor": ("run", lambda attr_list: ("{",)),
    "markdown.extensions.toc.TocTreeprocessor": ("replace_marker", lambda toc: (toc.marker,)),
    "markdown.treeprocessors.UnescapeTreeprocessor": ("run", lambda unescape: ("\\",)),
}

# The inline processor's private methods this one replaces or calls (name-mangled in its class).
_HANDLE, _APPLY = "_InlineProcessor__handleInline", "_InlineProcessor__applyPattern"


def _has_any(text: str, needed: tuple[str, ...]) -> bool:
    for part in needed:
        if part in text:
            return True
    return False


def _class_path(processor) -> str:
    return f"{type(processor).__module__}.{type(processor).__qualname__}"


def _block_key(processor) -> tuple[str, str | None]:
    pattern = getattr(processor, "SEARCH_RE", None) or getattr(processor, "RE", None)
    return _class_path(processor), getattr(pattern, "pattern", None)


def _run_where_needed(run, needed: tuple[str, ...]):
    """A preprocessor's ``run`` that hands back lines holding none of ``needed`` as they are."""

    def run_where_needed(lines: list[str]) -> list[str]:
        return run(lines) if _has_any("\n".join(lines), needed) else lines

    return run_where_needed


def _tree_pass_where_needed(processor, method: str, needs: Callable[[Any], tuple[str, ...]]):
    """A tree processor's ``method`` that does nothing in a document whose lines (after the
    preprocessors, as Python-Markdown keeps them in ``md.lines``) hold none of ``needs(processor)``.

    Raw HTML is not in those lines: the preprocessors put it aside (``md.htmlStash``), and
    Markdown inside it (``<figure markdown="1">``) is parsed from there. A document with raw
    HTML gets every pass."""
    run = getattr(processor, method)

    def run_where_needed(*args):
        lines = getattr(processor.md, "lines", None)
        stash = getattr(processor.md, "htmlStash", None)
        if lines is None or getattr(stash, "html_counter", 1) or _has_any("\n".join(lines), needs(processor)):
            return run(*args)
        return None

    return run_where_needed


def _remembered(answer):
    """``answer(tag)``, asked once per tag."""
    known: dict = {}

    def remembered(tag) -> bool:
        try:
            return known[tag]
        except KeyError:
            known[tag] = result = answer(tag)
            return result
        except TypeError:  # a tag that cannot be a key
            return answer(tag)

    return remembered


class BlockLevelMemo(Preprocessor):
    """Runs first on each document and gives its ``Markdown`` a fresh ``is_block_level`` that
    remembers its answers: an extension may have changed the block-level tags since the last."""

    def run(self, lines: list[str]) -> list[str]:
        self.md.is_block_level = _remembered(type(self.md).is_block_level.__get__(self.md))
        return lines


class QuickBlockParser(BlockParser):
    """Python-Markdown's ``BlockParser``, skipping block processors whose needed strings are absent."""

    _pairs: tuple = ()

    def _candidates(self) -> tuple:
        self._pairs = tuple((p, BLOCK_NEEDS.get(_block_key(p))) for p in self.blockprocessors)
        return self._pairs

    def parseDocument(self, lines):  # Python-Markdown's name
        self._candidates()  # per document: an extension may have changed the processors since the last
        return super().parseDocument(lines)

    def parseBlocks(self, parent, blocks: list[str]) -> None:
        # Python-Markdown's loop, with the check before each processor.
        pairs = self._pairs if len(self._pairs) == len(self.blockprocessors) else self._candidates()
        while blocks:
            for processor, needed in pairs:
                if needed is not None:
                    block = blocks[0]
                    for part in needed:  # written out, not a call: this runs a million times a build
                        if part in block:
                            break
                    else:
                        continue
                if processor.test(parent, blocks[0]) and processor.run(parent, blocks) is not False:
                    break


class QuickInlineProcessor(InlineProcessor):
    """Python-Markdown's ``InlineProcessor``, skipping patterns whose needed strings are absent."""

    _needs: tuple[tuple[str, ...] | None, ...] = ()

    def _candidates(self) -> tuple:
        self._needs = tuple(INLINE_NEEDS.get(pattern.compiled_re.pattern) for pattern in self.inlinePatterns)
        return self._needs

    def run(self, tree, ancestors=None):
        self._candidates()  # per document: an extension may have changed the patterns since the last
        return super().run(tree, ancestors)

    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:
        # Python-Markdown's loop, with the check before each pattern.
        if isinstance(data, util.AtomicString):
            return data
        apply, patterns = getattr(self, _APPLY), self.inlinePatterns
        needs = self._needs if len(self._needs) == len(patterns) else self._candidates()
        start, count = 0, len(patterns)
        while patternIndex < count:
            needed = needs[patternIndex]
            if needed is not None:
                for part in needed:
                    if part in data:
                        break
                else:  # what a search that found nothing leads to: the next pattern, from the start
                    patternIndex, start = patternIndex + 1, 0
                    continue
            data, matched, start = apply(patterns[patternIndex], data, patternIndex, start)
            if not matched:
                patternIndex += 1
        return data


def _inline_available() -> bool:
    """Whether this Python-Markdown's inline processor has the methods ``QuickInlineProcessor`` builds on."""
    return callable(getattr(InlineProcessor, _HANDLE, None)) and callable(
        getattr(InlineProcessor, _APPLY, None)
    )


class QuickMarkdownExtension(Extension):
    """Lets the preprocessors in ``PREPROCESSOR_NEEDS`` and the tree passes in ``TREE_NEEDS``
    run only where needed, makes Python-Markdown's block parser a ``QuickBlockParser``,
    replaces its inline processor by a ``QuickInlineProcessor`` (same name and priority)
    and adds a ``BlockLevelMemo``. Given after the other extensions, it finds their
    preprocessors and tree processors."""

    def extendMarkdown(self, md) -> None:  # Python-Markdown's name
        for processor in md.preprocessors:
            needed = PREPROCESSOR_NEEDS.get(_class_path(processor))
            if needed is not None:
                processor.run = _run_where_needed(processor.run, needed)  # this instance's only
        for processor in md.treeprocessors:
            method_needs = TREE_NEEDS.get(_class_path(processor))
            if method_needs is not None:
                setattr(processor, method_needs[0], _tree_pass_where_needed(processor, *method_needs))
        # The parser's own class changes, not the parser: every block processor holds it.
        if type(md.parser) is BlockParser:
            md.parser.__class__ = QuickBlockParser
        md.preprocessors.register(BlockLevelMemo(md), "block-level-memo", 1000)
        if _inline_available():
            md.treeprocessors.register(QuickInlineProcessor(md), "inline", 20)
