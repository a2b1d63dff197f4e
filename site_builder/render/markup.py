"""Markdown → HTML, resolving links written as ``.md`` files to page URLs.

One ``Markdown`` instance per ``MarkupRenderer``, reset before every document
(Python-Markdown keeps state such as footnotes between conversions otherwise).
A Treeprocessor rewrites ``[text](../swot.md)`` to the page's URL and records
every internal link with its line, for ``check``; a Postprocessor does the same
for the links and media written as raw HTML in the Markdown (``<a href="…">``,
``<img src="…">``, ``<video poster="…">``, …).
"""

from __future__ import annotations

import bisect
import hashlib
import html
import posixpath
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from html import unescape
from html.parser import HTMLParser
from typing import NamedTuple
from urllib.parse import urlsplit

import markdown
from markdown.extensions import (
    abbr,
    attr_list,
    def_list,
    fenced_code,
    footnotes,
    md_in_html,
    sane_lists,
    tables,
    toc,
)
from markdown.postprocessors import Postprocessor
from markdown.treeprocessors import Treeprocessor
from markdown.util import HTML_PLACEHOLDER_RE

from site_builder.checks.html_policy import (
    ends_with_parent,
    left_open,
    on_this_site,
    own_site_path,
    srcset_addresses,
)
from site_builder.content.load import MAX_NESTING, SourcePage
from site_builder.content.schema import shows_nothing
from site_builder.errors import SiteError, msg, raise_if_any
from site_builder.render.assets import ASSETS_URL, DIGEST_IN_NAME, asset_name
from site_builder.render.images import (
    RASTER_FORMATS,
    SUFFIXES,
    ImageSet,
    picture,
    shown_size,
    unshown_photo,
)
from site_builder.render.quick_markdown import QuickMarkdownExtension
from site_builder.render.table_classes import TableClassesExtension
from site_builder.render.workers import in_workers
from site_builder.site.model import Page, Site


@dataclass(frozen=True, slots=True)
class Link:
    """A link in a page's Markdown to a page or file of the site, written in Markdown or as raw HTML."""

    href: str  # as written in the Markdown (an HTML attribute's value with its references decoded)
    target: str | None  # the site path it leads to ("/en/swot/#x", "#x" on the page itself); None if nowhere
    line: int  # line in the source file


@dataclass(frozen=True, slots=True)
class Body:
    """Markdown converted to HTML, with what the checks need to know of it."""

    html: str
    links: tuple[Link, ...]  # internal links only
    problems: tuple[SiteError, ...] = ()  # images without alt text or size


@dataclass(frozen=True, slots=True)
class RenderedPage:
    """A page's Markdown rendered: the body, and for a SWOT page each item's text."""

    body: Body
    swot: Mapping[tuple[str, int], Body]  # (quadrant, index) → text


def markdown_extensions() -> list[markdown.Extension]:
    """Python-Markdown's "extra" (its seven extensions, in its order; md_in_html as
    ``MarkdownInHtmlExtension``), "sane_lists" and "toc", without trying patterns that cannot
    match (see ``quick_markdown``).
    Given as objects: a name would make Python-Markdown look through every installed
    package's entry points first, which takes longer than converting a page."""
    return [
        fenced_code.FencedCodeExtension(),
        footnotes.FootnoteExtension(),
        attr_list.AttrListExtension(),
        def_list.DefListExtension(),
        tables.TableExtension(),
        TableClassesExtension(),  # column alignment as classes: the CSP allows no inline styles
        abbr.AbbrExtension(),
        MarkdownInHtmlExtension(),
        sane_lists.SaneListExtension(),
        toc.TocExtension(slugify=toc.slugify_unicode),
        QuickMarkdownExtension(),
    ]


class _LinkResolver(Treeprocessor):
    def __init__(self, md, renderer: MarkupRenderer) -> None:
        super().__init__(md)
        self.renderer = renderer

    def run(self, root):
        self.renderer._rewrite(root)
        return None


@dataclass(frozen=True, slots=True)
class _WrittenImage:
    """An image as the content writes it, for ``_check_images``."""

    src: str  # its address as written (references decoded)
    line: int
    raw: bool  # written as raw HTML, not as ![…](…)
    missing: bool  # it names a file the site surely lacks, which the link check reports as such


class _Address(NamedTuple):
    """An address in a raw HTML attribute's value."""

    start: int  # where it starts and ends in the value as written
    end: int
    href: str  # with references decoded
    target: str | None  # where it leads (see ``MarkupRenderer._internal_target``)


class _RawHtmlLinks(Postprocessor):
    """Links and media written as raw HTML (``<a href="…">``, ``<img src="…">``, see
    ``_ADDRESS_ATTRIBUTES``): resolved and recorded as Markdown's links and images are.

    Python-Markdown keeps raw HTML aside (its "stash"), blocks and inline tags alike, and puts
    it back in the text in its own postprocessor ("raw_html"); this one runs just before,
    while the text holds a placeholder for each piece in the order the page shows them."""

    def __init__(self, md, renderer: MarkupRenderer) -> None:
        super().__init__(md)
        self.renderer = renderer

    def run(self, text: str) -> str:
        self.renderer._rewrite_raw(text, self.md.htmlStash.rawHtmlBlocks)
        return text


class MarkdownInHtmlExtension(md_in_html.MarkdownInHtmlExtension):
    """Python-Markdown's md_in_html, reading raw HTML with ``HtmlBlocks``."""

    def extendMarkdown(self, md) -> None:  # Python-Markdown's name
        super().extendMarkdown(md)
        md.preprocessors.register(HtmlBlocks(md), "html_block", 20)  # in md_in_html's own place


class HtmlBlocks(md_in_html.HtmlBlockPreprocessor):
    """md_in_html's reading of the raw HTML in the text (see ``_MarkdownBlocks``), noting the
    first element read as Markdown that the text leaves open (``left_open``, which the
    renderer clears before each text)."""

    def __init__(self, md) -> None:
        super().__init__(md)
        self.left_open: tuple[str, str, int] | None = None

    def run(self, lines: list[str]) -> list[str]:
        parser = _MarkdownBlocks(self.md)
        parser.feed("\n".join(lines))
        parser.close()
        self.left_open = parser.left_open
        return "".join(parser.cleandoc).split("\n")


class _MarkdownBlocks(md_in_html.HTMLExtractorExtra):
    """md_in_html's parser, which also keeps the start tag of each element it reads as Markdown
    (``<div markdown="1">``) and notes the first it closes where the text has no end tag for it
    and HTML needs one: at the end of the text, or at the end tag of an element around it.
    Python-Markdown writes the end tag itself, so the HTML it makes is well formed and the
    raw-HTML policy (``html_policy``) cannot see what a browser reading the text would: the
    rest of the page inside the element."""

    def reset(self) -> None:
        self.opened: list[tuple[str, str, int]] = []  # beside mdstack: (tag, start tag, which one so written)
        self.left_open: tuple[str, str, int] | None = None
        self._written: dict[str, int] = {}
        self._ending = False
        super().reset()

    def handle_starttag(self, tag, attrs):
        super().handle_starttag(tag, attrs)
        if len(self.mdstack) > len(self.opened):
            written = self.get_starttag_text() or ""
            self._written[written] = nth = self._written.get(written, -1) + 1
            self.opened.append((tag, written, nth))

    def handle_endtag(self, tag):
        # The elements this end tag closes, as md_in_html's does: the innermost of its name and
        # those inside it; at the end of the text, all.
        if self.left_open is None and tag in self.block_level_tags and not self.inraw and tag in self.mdstack:
            closed = 0 if self._ending else len(self.mdstack) - self.mdstack[::-1].index(tag)
            for position in range(len(self.opened) - 1, closed - 1, -1):
                parent = self.opened[position - 1][0] if position else None
                if not ends_with_parent(self.opened[position][0], parent):
                    self.left_open = self.opened[position]
                    break
        super().handle_endtag(tag)
        del self.opened[len(self.mdstack) :]

    def close(self) -> None:
        self._ending = True
        super().close()


# The elements that each make one level of the nesting docs/content.md limits.
_NESTING_TAGS = ("blockquote", "ul", "ol", "dl")
_NESTING_HINT = msg("use fewer levels; deeper ones are hard to read anyway")


class _TooDeep(Exception):
    def __init__(self, line: int) -> None:
        super().__init__(line)
        self.line = line  # in the text, from 0


class _NestingCheck(Treeprocessor):
    """Quotes and lists nested more than ``MAX_NESTING`` deep, counted in the parsed document.
    ``load.markdown_problem`` refuses the usual ways of writing them before Python-Markdown
    recurses into them; this sees every way, whatever wrote it (raw HTML marked ``markdown=``
    included). Run before inline processing, while an element's text is still as written."""

    def __init__(self, md, renderer: MarkupRenderer) -> None:
        super().__init__(md)
        self.renderer = renderer

    def run(self, root):
        # Fewer such elements than the limit cannot be nested past it, and most pages have far
        # fewer: counted by ElementTree's own iteration (in C) before any walk in Python.
        if sum(1 for tag in _NESTING_TAGS for _ in root.iter(tag)) > MAX_NESTING:
            deepest = _deeper_than_limit(root)
            if deepest is not None:
                raise _TooDeep(self.renderer._line_of_text(deepest))


def _deeper_than_limit(root):
    """The first element inside more than ``MAX_NESTING`` quotes and lists, or None (without recursion)."""
    stack = [(child, 0) for child in reversed(root)]
    while stack:
        element, depth = stack.pop()
        if element.tag in _NESTING_TAGS:
            depth += 1
            if depth > MAX_NESTING:
                return element
        stack.extend((child, depth) for child in reversed(element))
    return None


class MarkupRenderer:
    """Renders pages of one site; holds one Markdown instance (not thread-safe)."""

    def __init__(
        self,
        resolve_md: Callable[[str, str], str | None],
        assets: Mapping[str, str] | None = None,
        images: Mapping[str, ImageSet] | None = None,
        base_url: str = "",
    ) -> None:
        self._resolve_md = resolve_md
        self._assets = assets or {}  # "photo.jpg" → "/assets/photo.1a2b3c4d.jpg"
        self._images = images or {}  # "/assets/photo.1a2b3c4d.jpg" → its copies (see render.images)
        self._base_url = base_url  # where the site is published (see html_policy.own_site_path)
        self._md = self._new_markdown()
        self._source: SourcePage | None = None
        self._lines = _Lines("")
        self._first_line = 1
        self._links: list[Link] = []
        self._seen: dict[str, int] = {}
        self._tags_seen: dict[str, int] = {}
        # The images written so far, in order: Markdown's by the address the HTML shows, raw
        # HTML's by their start tag as the HTML shows it.
        self._written_images: dict[str, list[_WrittenImage]] = {}

    def _new_markdown(self) -> markdown.Markdown:
        md = markdown.Markdown(extensions=markdown_extensions(), output_format="html")
        md.treeprocessors.register(_NestingCheck(md, self), "nesting", 25)  # before "inline" (20)
        md.treeprocessors.register(_LinkResolver(md, self), "site-links", 0)
        md.postprocessors.register(_RawHtmlLinks(md, self), "raw-html-links", 35)  # before "raw_html" (30)
        return md

    def render_page(self, page: Page) -> RenderedPage:
        return self.render_source(page.source)

    def render_source(self, source: SourcePage) -> RenderedPage:
        body = self._convert(source, source.doc.body, source.doc.body_line)
        swot = {}
        if source.doc.front.swot is not None:
            for quadrant, items in source.doc.front.swot.quadrants():
                for index, item in enumerate(items):
                    swot[(quadrant, index)] = self._convert(source, item.text, item.text_line, item.written)
        return RenderedPage(body, swot)

    def _convert(self, source: SourcePage, text: str, first_line: int, written: str | None = None) -> Body:
        """``text`` converted; ``written`` is how it is written from the file's line ``first_line``
        on (if not as ``text``), where the lines of links and images are looked for."""
        self._source, self._lines, self._first_line = source, _Lines(written or text), first_line
        self._links, self._seen, self._tags_seen, self._written_images = [], {}, {}, {}
        self._md.preprocessors["html_block"].left_open = None
        self._md.reset()
        try:
            converted = self._md.convert(text)
        except _TooDeep as deep:
            message = msg("quotes and lists are nested more than {depth} levels deep", depth=MAX_NESTING)
            return Body("", (), (SiteError(message, source.path, first_line + deep.line, _NESTING_HINT),))
        except RecursionError:
            # Nesting written in a way that load.markdown_problem does not read, deep enough to
            # exhaust the stack before _NestingCheck could count it. Python-Markdown is left
            # mid-document, its parser's state included, which reset() does not clear: a new one
            # takes over.
            self._md = self._new_markdown()
            message = msg("the text is nested too deeply to be converted")
            hint = msg("use fewer levels of quotes, lists and HTML blocks")
            return Body("", (), (SiteError(message, source.path, first_line, hint),))
        # A news item's or a page's own photo (``image:``) is shown above its text (news_item.html,
        # page.html): every image in the text is then lazy.
        shown = 1 if source.front.image and source.kind in HERO_KINDS else 0
        html, problems = self._check_images(converted, shown)
        unclosed = self._md.preprocessors["html_block"].left_open
        if unclosed is not None:
            problems = (self._left_open_problem(*unclosed), *problems)
        return Body(html, tuple(self._links), problems)

    def _left_open_problem(self, tag: str, written: str, nth: int) -> SiteError:
        """An element read as Markdown that the text leaves open (see ``_MarkdownBlocks``): the
        raw-HTML policy's problem, at the line of the ``nth`` start tag ``written`` so."""
        problem = left_open(tag, written)
        line = self._nth_line({written: nth}, written, self._tag_lines(written, f"<{tag}"))
        return SiteError(problem.message_text, self._source.path, line, problem.hint_message)

    def _line_of_text(self, element) -> int:
        """The line (from 0) of the first text in ``element``, as written; 0 if not found."""
        for text in element.itertext():
            words = text.strip().split("\n", 1)[0].strip()
            if words:
                found = self._lines.lines_with(words)
                return found[0] if found else 0
        return 0

    def _rewrite(self, root) -> None:
        for element in root.iter():
            attribute = "href" if element.tag == "a" else "src" if element.tag == "img" else None
            if attribute is None or element.get(attribute) is None:
                continue
            href = element.get(attribute)
            target = self._internal_target(href)
            if target is None:
                continue
            resolved = target or None
            if resolved is not None:
                published = _with_query(resolved, href)
                if published != href:
                    element.set(attribute, published)
            line = self._line_of(href)
            self._links.append(Link(href, resolved, line))
            if element.tag == "img":
                written = _WrittenImage(href, line, raw=False, missing=self._no_such_file(target))
                self._written_images.setdefault(element.get(attribute), []).append(written)

    def _rewrite_raw(self, text: str, stash: list) -> None:
        """Resolve and record the addresses of the raw HTML whose placeholders ``text`` holds,
        in their order, and of the pieces nested in those (see ``md_in_html``)."""
        if not stash:
            return
        done: set[int] = set()
        pending = [int(m.group(1)) for m in HTML_PLACEHOLDER_RE.finditer(text)][::-1]
        while pending:
            index = pending.pop()
            if index in done or index >= len(stash):
                continue
            done.add(index)
            piece = stash[index]
            if isinstance(piece, str):
                piece = stash[index] = self._raw_links(piece)
                nested = piece
            else:  # an element md_in_html keeps: it holds its tags such as <a> as pieces of their own
                nested = "".join(piece.itertext())
            pending += [int(m.group(1)) for m in HTML_PLACEHOLDER_RE.finditer(nested)][::-1]

    def _raw_links(self, piece: str) -> str:
        """``piece`` of raw HTML with the addresses of its links and media resolved, each recorded."""
        if _ADDRESS_TAG.search(piece) is None:
            return piece
        changes = []
        for offset, written, tag, values in _AddressTags(piece).found:
            changed = self._raw_tag(written, tag, values)
            if changed != written:
                changes.append((offset, written, changed))
        for offset, written, changed in reversed(changes):
            piece = piece[:offset] + changed + piece[offset + len(written) :]
        return piece

    def _raw_tag(self, written: str, tag: str, values: Mapping[str, str]) -> str:
        """The start tag ``written`` with its addresses (``values``: its attributes that hold
        them, references decoded) resolved; each address of the site is recorded at the tag's
        line, and an ``<img>`` is noted for ``_check_images``.

        A link to a page's ``.md`` file is resolved to the page's address, as in a Markdown link:
        an editor who writes a link in HTML (for a class, say) links as the documentation
        teaches, by the file, and expects the same link to work; a file in assets/ is resolved
        to its published copy, as in a Markdown image. Only the path is replaced; the quotes, a
        query and a #fragment stay as written."""
        found = {}  # attribute → (where its value is in the tag, the value as written, its addresses)
        for name, value in values.items():
            where = _attribute_value(written, name)
            as_written = _unquoted(where.group(2)) if where else value
            found[name] = (where, as_written, list(self._raw_addresses(name, as_written, value)))
        internal = [
            each for _, _, addresses in found.values() for each in addresses if each.target is not None
        ]
        line = 0
        if internal or tag == "img":
            line = self._tag_line(written, internal[0].href if internal else values.get("src", ""))
        self._links += [Link(each.href, each.target or None, line) for each in internal]
        changed = written
        # From the last attribute to the first, so that the places of those before stay as found.
        for where, as_written, addresses in sorted(
            (item for item in found.values() if item[0] is not None), key=lambda item: -item[0].start()
        ):
            value = as_written
            for each in reversed(addresses):
                published = _published_path(each.href, each.target, value[each.start : each.end])
                if published is not None:
                    value = value[: each.start] + published + value[each.end :]
            if value != as_written:
                quote = where.group(2)[0] if where.group(2)[0] in "\"'" else '"'
                changed = f"{changed[: where.start(2)]}{quote}{value}{quote}{changed[where.end(2) :]}"
        if tag == "img":
            src = found["src"][2][0].target if "src" in found else None
            missing = src is not None and self._no_such_file(src)
            image = _WrittenImage(values.get("src", ""), line, raw=True, missing=missing)
            self._written_images.setdefault(changed, []).append(image)
        return changed

    def _raw_addresses(self, name: str, as_written: str, value: str) -> Iterator[_Address]:
        """The addresses of the attribute ``name``, whose value is ``as_written`` (``value``:
        with references decoded): one, or a ``srcset``'s each."""
        if name != "srcset":
            yield _Address(0, len(as_written), value, self._raw_target(value))
            return
        position = 0
        for candidate in srcset_addresses(as_written):
            start = as_written.find(candidate, position)
            position = start + len(candidate)
            href = html.unescape(candidate)
            yield _Address(start, position, href, self._raw_target(href))

    def _raw_target(self, href: str) -> str | None:
        """Where an address written in raw HTML leads (see ``_internal_target``); None for one a
        browser reads as another site's, however written (``\\\\host/x.png``, say): the raw-HTML
        policy judges those."""
        return self._internal_target(href) if on_this_site(href) or self._own_path(href) else None

    def _own_path(self, href: str) -> str | None:
        """The site path of ``href`` where it is an address of the site written in full."""
        return own_site_path(href, self._base_url) if self._base_url else None

    def _no_such_file(self, target: str | None) -> bool:
        """Whether an image's address, leading to ``target`` (see ``_internal_target``), names
        a file the site surely lacks, which the link check reports as such: a relative one; one
        in /assets/ that is no file there (the build's own files there, copies of assets and
        photos and social cards, carry a digest in their names); or an image's file elsewhere,
        where the build writes pages and files of its own (feeds, the search index), no image."""
        if not target:
            return True
        path = urlsplit(target).path
        if not path.startswith(ASSETS_URL):
            return posixpath.splitext(path)[1].lower() in _IMAGE_SUFFIXES
        return self._asset(path) is None and not DIGEST_IN_NAME.search(path[len(ASSETS_URL) :])

    def _asset(self, path: str) -> str | None:
        """The name in assets/ of the file the site path ``path`` names, written as the file is
        named or percent-encoded (see ``assets.asset_name``); None if it names none."""
        return asset_name(path[len(ASSETS_URL) :], self._assets) if path.startswith(ASSETS_URL) else None

    def _tag_line(self, written: str, href: str) -> int:
        """The line of a raw HTML tag: the n-th start tag written so is on the line of its n-th
        occurrence."""
        return self._nth_line(self._tags_seen, written, self._tag_lines(written, href))

    def _tag_lines(self, written: str, needle: str) -> tuple[int, ...]:
        """The line of each start tag ``written`` so; where Markdown changed the tag (a backslash
        escape, a tab), of each line that holds ``needle`` (its address, say)."""
        return self._lines.outside_code_first(
            lambda lines: lines.lines_of(written) or lines.lines_with(needle) or lines.lines_escaped(needle)
        )

    def _internal_target(self, href: str) -> str | None:
        """ "" for a broken internal link, None for an external one, else the site path."""
        # The site's own address written in full leads where its path does, resolved and
        # checked as the path would be (an asset's published name carries a digest).
        parts = urlsplit(self._own_path(href) or href)
        if href.startswith("#") and len(href) > 1:
            return href
        if parts.scheme or parts.netloc or not parts.path:
            return None
        fragment = f"#{parts.fragment}" if parts.fragment else ""
        if not parts.path.endswith(".md"):
            name = self._asset(parts.path)
            if name is not None:
                return self._assets[name] + fragment  # its fingerprinted copy
            if parts.path.startswith("/"):
                return parts.path + fragment
            return ""  # relative links to anything but a page are not supported
        lang, rel = linked_file(self._source, parts.path)
        if not rel:
            return ""
        url = self._resolve_md(lang, rel)
        return url + fragment if url else ""

    def _line_of(self, href: str) -> int:
        """The line of this link: the n-th link to ``href`` is on the line of its n-th occurrence."""
        found = self._lines.outside_code_first(
            lambda lines: lines.link_lines(href) or lines.lines_with(href) or lines.lines_escaped(href)
        )
        return self._nth_line(self._seen, href, found)

    def _nth_line(self, seen: dict[str, int], key: str, occurrences) -> int:
        """The file's line of the n-th ``key`` met so far (counted in ``seen``): that of the n-th
        of ``occurrences`` (lines in the text), or of the last where there are fewer."""
        nth = seen.get(key, 0)
        seen[key] = nth + 1
        occurrences = occurrences or (0,)
        return self._first_line + occurrences[min(nth, len(occurrences) - 1)]

    def _check_images(self, html: str, above: int = 0) -> tuple[str, tuple[SiteError, ...]]:
        """Every image needs alt text, a width and a height (so the page does not jump while it
        loads): a photo in assets/ has its own (see ``render.images``), which typed sizes
        override; others need them typed. An image of a file the site lacks is left to the link
        check, which says so. A photo is offered as a ``<picture>`` of its copies, unless raw
        HTML offers copies itself (a ``srcset``, or a ``<picture>`` of its own). Images after
        the first load lazily: the first is often in view when the page opens (``above``: the
        images the page shows above the text)."""
        path = self._source.path if self._source is not None else ""
        problems: list[SiteError] = []
        seen: dict[str, int] = {}
        count, pictures = above, 0

        def visit(match: re.Match) -> str:
            nonlocal count, pictures
            tag = match.group(0)
            if match.group(1) is not None:  # a <picture> of raw HTML starts or ends
                pictures += -1 if match.group(1) else 1
                return tag
            count += 1
            attrs = _Attributes(tag).attrs
            src = attrs.get("src", "")
            written = self._written_image(tag, src, seen)
            hint = _RAW_IMAGE_HINT if written.raw else _IMAGE_HINT
            image = self._images.get(src.partition("?")[0].partition("#")[0])
            if shows_nothing(unescape(attrs.get("alt", ""))):  # &#8203; as much as a space
                if image is not None:  # a photo has its size: none to type
                    hint = (
                        msg('write <img src="{src}" alt="what the image shows">', src=written.src)
                        if written.raw
                        # An address with a space goes between < and > in Markdown.
                        else msg("write ![what the image shows]({src})", src=_markdown_address(written.src))
                    )
                problems.append(
                    SiteError(msg("image '{src}' has no alt text", src=written.src), path, written.line, hint)
                )
            missing = [name for name in ("width", "height") if not attrs.get(name, "").isdigit()]
            unshown = unshown_photo(written.src)
            if unshown is not None:  # a size typed would not help
                problems.append(SiteError(unshown[0], path, written.line, unshown[1]))
            elif missing and image is None and not written.missing:
                problems.append(
                    SiteError(
                        msg("image '{src}' has no width and height in pixels", src=written.src)
                        if len(missing) == 2
                        else msg(
                            "image '{src}' has no {attribute} in pixels",
                            src=written.src,
                            attribute=missing[0],
                        ),
                        path,
                        written.line,
                        # Typed sizes would not help: an image elsewhere is refused (see html_policy).
                        hint if on_this_site(unescape(src)) else _ELSEWHERE_HINT,
                    )
                )
            lazy = count > 1 and "loading" not in attrs
            if image is not None and not pictures and "srcset" not in attrs:
                shown = list(attrs.items())
                if lazy:
                    shown.append(("loading", "lazy"))
                if "decoding" not in attrs:
                    shown.append(("decoding", "async"))
                return picture(image, shown)
            added = []
            if image is not None:  # in a <picture> of raw HTML, or with a srcset: the photo's size
                size = shown_size(image, attrs.get("width", ""), attrs.get("height", ""))
                added = [
                    (name, value)
                    for name, value in zip(("width", "height"), size, strict=True)
                    if name not in attrs
                ]
            # An editor who chose how the image loads meant it.
            if "loading" not in attrs and "decoding" not in attrs:
                added += [("loading", "lazy")] if lazy else []
                added.append(("decoding", "async"))
            return tag[:4] + "".join(f' {name}="{value}"' for name, value in added) + tag[4:]

        return _IMG.sub(visit, html), tuple(problems)

    def _written_image(self, tag: str, src: str, seen: dict[str, int]) -> _WrittenImage:
        """How the content writes the image the HTML shows as ``tag``, with the address ``src``;
        one whose address was left as written (another site's) is looked for by it (``seen``:
        how many such were met)."""
        for key in (tag, src):
            found = self._written_images.get(key)
            if found:
                return found.pop(0)
        found = self._lines.outside_code_first(lambda lines: lines.lines_with(src))
        return _WrittenImage(src, self._nth_line(seen, src, found), False, False)


def _with_query(target: str, href: str) -> str:
    """``target`` (a site path, with its #fragment) with the query ``href`` was written with:
    ``/en/search/?q=ai`` keeps its ``?q=ai`` once its path is resolved."""
    query = urlsplit(href).query
    if not query:
        return target
    path, mark, fragment = target.partition("#")
    return f"{path}?{query}{mark}{fragment}"


def linked_file(source: SourcePage, path: str) -> tuple[str, str]:
    """(language, path inside ``content/<language>/``) of the file a link to ``path`` in
    ``source`` names; the path is "" where it names no file inside a language's folder."""
    joined = posixpath.normpath(posixpath.join(f"/{source.lang}/{source.folder}", path))
    lang, _, rel = joined.lstrip("/").partition("/")  # "/en/news/x.md" → "en", "news/x.md"
    return lang, rel


# Python-Markdown's own pattern of a fenced code block, which it sets apart before reading the rest.
_FENCED_CODE = fenced_code.FencedBlockPreprocessor.FENCED_BLOCK_RE
# The first line of a list's item, which makes the indented blocks after it part of the list.
_LIST_ITEM = re.compile(r" {0,3}(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)")
# A code span: a run of backticks, text without a blank line, and a run of as many.
_CODE_SPAN = re.compile(r"(?<![\\`])(`+)(?!`)((?:(?!\n[ \t]*\n).)+?)(?<!`)\1(?!`)", re.DOTALL)


def outside_code(text: str) -> str:
    """``text`` (Markdown) with its code blanked: the code of fenced and indented code blocks and
    of code spans, each character but a line break a space. What is left is where the page's
    raw HTML is written as HTML, at the same offsets and lines: HTML shown as code (an example,
    say) is no tag of the page. Indented blocks inside a list belong to its items."""
    lines = (_FENCED_CODE.sub(_blank, text) if "```" in text or "~~~" in text else text).split("\n")
    after_blank, in_list, in_code = True, False, False
    for index, line in enumerate(lines):
        if not line.strip():
            after_blank = True
            continue
        indented = line.expandtabs(4).startswith("    ")
        in_code = indented and (in_code or (after_blank and not in_list))
        if in_code:
            lines[index] = " " * len(line)
        elif not indented:
            in_list = _LIST_ITEM.match(line) is not None or (in_list and not after_blank)
        after_blank = False
    blanked = "\n".join(lines)
    return _CODE_SPAN.sub(_blank, blanked) if "`" in blanked else blanked


def _blank(match: re.Match) -> str:
    return re.sub(r"[^\n]", " ", match.group(0))


_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")  # a backslash escape of ASCII punctuation, as Markdown reads it
_LINK_OPENING = r"(?:\]\([^\S\n]*<?|\]:[^\S\n]*<?|<)"
_LINK_CLOSING = r"(?=[\s)>\"']|$)"
_OPENING = re.compile(r"\](?:\(|:)|<")


class _Lines:
    """A text's line numbers (from 0) by offset, computed once per text; searches are memoised."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._starts = [0] + [match.end() for match in re.finditer("\n", text)]
        self._links: dict[str, tuple[int, ...]] = {}
        self._containing: dict[str, tuple[int, ...]] = {}
        self._occurrences: dict[str, tuple[int, ...]] = {}
        self._openings: list[tuple[int, int]] | None = None  # where each "](", "]:" and "<" starts and ends
        self._unescaped: _Lines | None = None  # see lines_escaped
        self._outside_code: _Lines | None = None  # see outside_code_first

    def line_at(self, offset: int) -> int:
        return bisect.bisect_right(self._starts, offset) - 1

    def link_lines(self, href: str) -> tuple[int, ...]:
        """The line of each place ``href`` is written as a link address, one per occurrence:
        after ``](`` or ``]:`` (then spaces and an optional ``<``) or after ``<``, and followed
        by a space, ``)``, ``>``, a quote or the end of the line."""
        if href not in self._links:
            if "\n" in href:
                self._links[href] = ()
            elif href[0].isspace() or href[0] == "<":  # rare: let the pattern decide where it starts
                written = re.compile(_LINK_OPENING + re.escape(href) + _LINK_CLOSING, re.MULTILINE)
                self._links[href] = tuple(self.line_at(m.start()) for m in written.finditer(self.text))
            else:
                self._links[href] = self._link_lines(href)
        return self._links[href]

    def _link_lines(self, href: str) -> tuple[int, ...]:
        """``link_lines`` for an address that starts with neither a space nor ``<``: then each
        opening has one place where the address can start, so no pattern per address is needed."""
        if self._openings is None:
            self._openings = [(m.start(), m.end()) for m in _OPENING.finditer(self.text)]
        text, lines, end = self.text, [], 0
        for start, after in self._openings:
            if start < end:
                continue  # inside the previous match
            if after - start == 2:  # "](" or "]:": then spaces (not line breaks) and an optional "<"
                while after < len(text) and text[after] != "\n" and text[after].isspace():
                    after += 1
                if text.startswith("<", after):
                    after += 1
            following = after + len(href)
            if text.startswith(href, after) and (
                following == len(text) or text[following].isspace() or text[following] in ")>\"'"
            ):
                lines.append(self.line_at(start))
                end = following
        return tuple(lines)

    def lines_escaped(self, href: str) -> tuple[int, ...]:
        """Each line that holds ``href`` as Markdown may have written it, with a backslash before
        punctuation (``noth\\_ing.md``) or ``&amp;`` for ``&``: asked only of an address not
        found as it is. (Unescaping keeps every line break, and so every line's number.)"""
        if self._unescaped is None:
            self._unescaped = _Lines(_ESCAPED.sub(r"\1", self.text).replace("&amp;", "&"))
        return self._unescaped.lines_with(href)

    def outside_code_first(self, find: Callable[[_Lines], tuple[int, ...]]) -> tuple[int, ...]:
        """The lines ``find`` finds in this text with its code blanked (see ``outside_code``),
        where a link or a tag written as code is none; if none there, those it finds in the text."""
        if self._outside_code is None:
            self._outside_code = _Lines(outside_code(self.text))
        return find(self._outside_code) or find(self)

    def lines_of(self, piece: str) -> tuple[int, ...]:
        """The line where each occurrence of ``piece`` starts (which may span lines)."""
        if piece not in self._occurrences:
            lines, offset = [], self.text.find(piece) if piece else -1
            while offset >= 0:
                lines.append(self.line_at(offset))
                offset = self.text.find(piece, offset + len(piece))
            self._occurrences[piece] = tuple(lines)
        return self._occurrences[piece]

    def lines_with(self, needle: str) -> tuple[int, ...]:
        """Each line that contains ``needle``, once."""
        if needle not in self._containing:
            lines: list[int] = []
            if needle and "\n" not in needle:
                offset = self.text.find(needle)
                while offset >= 0:
                    line = self.line_at(offset)
                    lines.append(line)
                    if line + 1 == len(self._starts):
                        break
                    offset = self.text.find(needle, self._starts[line + 1])  # from the next line on
            self._containing[needle] = tuple(lines)
        return self._containing[needle]


# An <img> start tag, or a <picture>'s start or end tag (group 1: "" or "/").
_IMG = re.compile(r"<img\b[^>]*>|<(/?)picture\b", re.IGNORECASE)


def _markdown_address(address: str) -> str:
    return f"<{address}>" if " " in address else address


_IMAGE_HINT = msg('write ![what the image shows](/path.png){{: width="800" height="450"}}')
_RAW_IMAGE_HINT = msg('write <img src="/path.png" alt="what the image shows" width="800" height="450">')
_ELSEWHERE_HINT = msg(
    "save the image in assets/ and write its path, such as /assets/images/photo.jpg: the site shows"
    " only its own files, and takes a photo's size from its file"
)
# How the files of images are named: photos (see ``render.images``), drawings, icons.
_IMAGE_SUFFIXES = frozenset({*RASTER_FORMATS, *SUFFIXES.values(), ".gif", ".svg", ".ico"})


class _Attributes(HTMLParser):
    def __init__(self, tag: str) -> None:
        super().__init__()
        self.attrs: dict[str, str] = {}
        self.feed(tag)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.attrs = {name: value or "" for name, value in attrs}

    handle_startendtag = handle_starttag


# The attributes of raw HTML that hold an address the link check follows, by element: a link,
# and the files an image or a video or audio shows (a ``srcset`` holds several).
_ADDRESS_ATTRIBUTES = {
    "a": ("href",),
    "img": ("src", "srcset"),
    "source": ("src", "srcset"),
    "video": ("src", "poster"),
    "audio": ("src",),
    "track": ("src",),
}
_ADDRESS_TAG = re.compile(r"<(?:a|img|source|video|audio|track)[\s/>]", re.IGNORECASE)


class _AddressTags(HTMLParser):
    """The start tags of a piece of HTML that hold addresses (see ``_ADDRESS_ATTRIBUTES``), and
    every ``<img>``: (where each starts, the tag as written, its name, its attributes that hold
    addresses with their values, references decoded), in order. A browser takes an attribute's
    first value."""

    def __init__(self, piece: str) -> None:
        super().__init__()
        self._starts = [0] + [match.end() for match in re.finditer("\n", piece)]
        self.found: list[tuple[int, str, str, dict[str, str]]] = []
        self.feed(piece)
        self.close()

    def handle_starttag(self, tag, attrs):
        names = _ADDRESS_ATTRIBUTES.get(tag, ())
        first: dict[str, str | None] = {}
        for name, value in attrs:
            if name in names:
                first.setdefault(name, value)
        values = {name: value for name, value in first.items() if value is not None}
        if values or tag == "img":
            line, column = self.getpos()  # where the tag starts, while its handler runs
            self.found.append((self._starts[line - 1] + column, self.get_starttag_text() or "", tag, values))

    handle_startendtag = handle_starttag


# A start tag's attributes that hold addresses; quoted values are matched whole, so that text in
# another attribute's value ('title="see href=x"') is never taken for one.
_ADDRESS_VALUE = re.compile(
    r"""(?:"[^"]*"|'[^']*')|(?<=\s)(href|src|srcset|poster)\s*=\s*("[^"]*"|'[^']*'|[^\s"'=<>`]+)""",
    re.IGNORECASE,
)


def _attribute_value(tag: str, name: str) -> re.Match | None:
    """Where the start tag's attribute ``name`` (one of ``_ADDRESS_VALUE``'s) is: its value, as
    written, is the match's group 2."""
    return next((m for m in _ADDRESS_VALUE.finditer(tag) if m.group(1) and m.group(1).lower() == name), None)


def _published_path(href: str, target: str | None, as_written: str) -> str | None:
    """What to write for the address ``href`` (``as_written`` in the HTML), which leads to
    ``target`` (see ``_internal_target``): the target's path, with the query and #fragment as
    written; None where it stays as it is (another site's, one that leads nowhere)."""
    if not target:
        return None
    path = urlsplit(href).path
    new_path = target.partition("#")[0]
    if new_path == path:
        return None
    cut = min((i for i in (as_written.find("?"), as_written.find("#")) if i >= 0), default=len(as_written))
    return html.escape(new_path) + as_written[cut:]


def _unquoted(value: str) -> str:
    return value[1:-1] if value[:1] in ("'", '"') else value


# The kinds of page whose templates show the page's own photo above its text.
HERO_KINDS = ("news", "page")


@dataclass(frozen=True, slots=True)
class Addresses:
    """Every page's address by its language and its path inside content/<lang>/: what a
    page's links to .md files are resolved with; and ``base_url``, below which an address
    written in full is resolved as its path."""

    urls: Mapping[tuple[str, str], str]
    base_url: str
    digest: str  # of all of them

    @staticmethod
    def of(site: Site) -> Addresses:
        urls = {(page.lang, page.source.rel): page.url for page in site.pages}
        digest = hashlib.sha256("".join(f"{page.path}\0{page.url}\0" for page in site.pages).encode("utf-8"))
        base_url = site.config.base_url
        digest.update(f"{base_url}\0".encode())
        return Addresses(urls, base_url, digest.hexdigest())


def markup_renderer(site: Site, assets: Mapping[str, str] | None = None) -> MarkupRenderer:
    addresses = Addresses.of(site)
    return MarkupRenderer(
        lambda lang, rel: addresses.urls.get((lang, rel)), assets, base_url=addresses.base_url
    )


def convert_sources(
    sources: Sequence[SourcePage],
    addresses: Addresses,
    assets: Mapping[str, str],
    images: Mapping[str, ImageSet] | None = None,
    jobs: int = 1,
) -> list[RenderedPage]:
    """``sources`` converted, in their order; with ``jobs`` > 1 in that many worker processes
    (see ``workers``), each of which gets the addresses once and makes one renderer.
    ``images``: the photos' copies by the photo's published address (see ``render.images``),
    offered in a ``<picture>`` wherever the content shows the photo."""
    images = dict(images or {})
    if min(jobs, len(sources)) <= 1:
        renderer = MarkupRenderer(
            lambda lang, rel: addresses.urls.get((lang, rel)), assets, images, addresses.base_url
        )
        return [renderer.render_source(source) for source in sources]
    return in_workers(
        list(sources),
        jobs,
        _convert_chunk,
        _start_worker,
        (dict(addresses.urls), dict(assets), images, addresses.base_url),
    )


def convert_pages(
    site: Site, pages: Sequence[Page], assets: Mapping[str, str] | None = None, jobs: int = 1
) -> list[RenderedPage]:
    """``pages`` converted, in their order (see ``convert_sources``)."""
    return convert_sources([page.source for page in pages], Addresses.of(site), dict(assets or {}), jobs=jobs)


# A worker process's own renderer, made once by _start_worker: the process exists only
# to run _convert_chunk, and nothing else in it reads or changes this.
_worker_renderer: MarkupRenderer | None = None


def _start_worker(
    addresses: dict[tuple[str, str], str], assets: dict[str, str], images: dict[str, ImageSet], base_url: str
) -> None:
    global _worker_renderer
    _worker_renderer = MarkupRenderer(lambda lang, rel: addresses.get((lang, rel)), assets, images, base_url)


def _convert_chunk(sources: tuple[SourcePage, ...]) -> tuple[RenderedPage, ...]:
    assert _worker_renderer is not None
    return tuple(_worker_renderer.render_source(source) for source in sources)


def render_bodies(
    site: Site, assets: Mapping[str, str] | None = None, jobs: int = 1
) -> dict[tuple[str, str], RenderedPage]:
    """Every page's Markdown, keyed by (language, URL); raises what is wrong in any.

    ``assets`` maps a file in ``assets/`` to its fingerprinted URL: content
    links to ``/assets/photo.jpg`` and gets the published copy. ``jobs`` is
    the number of processes that convert pages (see ``convert_sources``).
    """
    return bodies_by_address(site, convert_pages(site, site.pages, assets, jobs))


def bodies_by_address(site: Site, converted: Sequence[RenderedPage]) -> dict[tuple[str, str], RenderedPage]:
    """The site's pages converted (``converted``, in the order of ``site.pages``) by
    (language, URL); raises what is wrong in any."""
    result = {(page.lang, page.url): rendered for page, rendered in zip(site.pages, converted, strict=True)}
    raise_if_any(
        [
            problem
            for rendered in result.values()
            for body in (rendered.body, *rendered.swot.values())
            for problem in body.problems
        ]
    )
    return result
