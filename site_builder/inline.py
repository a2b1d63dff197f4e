"""Python-Markdown's inline stage, without trying patterns that cannot match.

Python-Markdown finds links, emphasis, code spans and the like by trying each
of its inline patterns, in order, on every piece of text: fifteen regular
expressions, each called through several layers of Python, on every
paragraph, list item and table cell. Most pieces of prose contain none of
the characters those patterns start with, and trying them took about a
third of a page's conversion.

``QuickInlineExtension`` puts in Python-Markdown's own inline processor the
one check it lacks: a pattern is tried only if the text holds a string that
every match of that pattern contains (``[`` for a link, ``&`` for an
entity). The patterns are known by their exact regular expressions; one not
in ``NEEDS`` (another version's, or an extension's) is tried as before. A
skipped pattern is one whose search would have found nothing, and Python-
Markdown then goes on with the next pattern from the start of the text,
as here: the output is the same, byte for byte (tested against Python-
Markdown's own processor on the real and the generated site and on random
text).
"""

from __future__ import annotations

from markdown import util
from markdown.extensions import Extension
from markdown.treeprocessors import InlineProcessor

# An inline pattern's regular expression → strings of which every match contains one.
NEEDS: dict[str, tuple[str, ...]] = {
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

# The inline processor's private methods this one replaces or calls (name-mangled in its class).
_HANDLE, _APPLY = "_InlineProcessor__handleInline", "_InlineProcessor__applyPattern"


def available() -> bool:
    """Whether this Python-Markdown's inline processor works as this module expects."""
    return callable(getattr(InlineProcessor, _HANDLE, None)) and callable(getattr(InlineProcessor, _APPLY, None))


class QuickInlineProcessor(InlineProcessor):
    """Python-Markdown's ``InlineProcessor``, skipping patterns whose needed strings are absent."""

    _needs: tuple[tuple[str, ...] | None, ...] = ()

    def run(self, tree, ancestors=None):
        # Per document: an extension may have changed the patterns since the last one.
        self._needs = tuple(NEEDS.get(pattern.compiled_re.pattern) for pattern in self.inlinePatterns)
        return super().run(tree, ancestors)

    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:  # noqa: N802, N803
        # Python-Markdown's loop, with the check before each pattern.
        if isinstance(data, util.AtomicString):
            return data
        apply, patterns, needs = getattr(self, _APPLY), self.inlinePatterns, self._needs
        start, count = 0, len(patterns)
        while patternIndex < count:
            needed = needs[patternIndex]
            if needed is not None:
                for text in needed:
                    if text in data:
                        break
                else:  # what a search that found nothing leads to: the next pattern, from the start
                    patternIndex, start = patternIndex + 1, 0
                    continue
            data, matched, start = apply(patterns[patternIndex], data, patternIndex, start)
            if not matched:
                patternIndex += 1
        return data


class QuickInlineExtension(Extension):
    """Replaces Python-Markdown's inline processor by ``QuickInlineProcessor`` (same name and
    priority), where this version of Python-Markdown has the methods it builds on."""

    def extendMarkdown(self, md) -> None:  # noqa: N802 - Python-Markdown's name
        if available():
            md.treeprocessors.register(QuickInlineProcessor(md), "inline", 20)
