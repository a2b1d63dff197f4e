"""What raw HTML the content may hold: the raw-HTML policy of docs/content.md.

Editors may write HTML in their Markdown. What they write there may not run code,
send the visitor elsewhere, submit data or load anything from another host: the
site's templates and assets do those things, reviewed once, not every page.
Links out to other sites are fine (following a link is the visitor's choice), and
so is an ``<iframe>`` showing an https page of a host listed under ``embed_hosts``
in ``site.yaml`` (a video, say). Images and media come from the site itself: a
path, or an address on the host of ``base_url``, which is the site's own.

The HTML is read with the standard library's ``html.parser`` and judged against an
allow-list of elements and attributes, each attribute with what its value may be:
text, a link, a file the page loads, an embedded page or a style. Anything not
listed is refused, so an element or attribute a browser adds tomorrow is refused
too. Addresses are judged as a browser reads them: character references decoded
(the parser does that), spaces and control characters around them and tabs and
line breaks inside them dropped, the scheme in any case.

The parser is not a browser, and where the two could read the same text
differently, the text is refused rather than trusted: comments a browser ends
earlier than the parser does, ``<![CDATA[``, a ``<`` that starts no complete tag
(the page's template follows the text, and a browser would finish the tag there),
elements whose content browsers read as plain text (all refused but ``<iframe>``,
which must then be empty), and ``<svg>`` and ``<math>``, whose content follows
other rules.

The HTML must also be well formed, since the page's template goes on after it: the
elements are read as a browser builds them (``Structure``), with the end tags HTML
lets an author leave out, and an end tag that closes nothing, an element left open
or closed out of order is refused, naming the tag and its line.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from html import unescape
from html.parser import HTMLParser

from site_builder.errors import Message, msg

# What a violation does, which its message says.
CODE = "runs code"
NAVIGATION = "sends the visitor elsewhere"
SUBMISSION = "submits data"
LOAD = "loads from another host"
STYLE_LOAD = "loads files from a style attribute"
ADDRESS = "uses an address the site does not allow"
NOT_ALLOWED = "is not allowed"
UNFINISHED = "is not finished"
STRUCTURE = "breaks the page's structure"

# The same, as the message shows it in the reader's language (see errors.Message); each ends
# the clause "raw HTML that …", where Dutch puts the verb last.
_KIND_WORDS = {
    CODE: msg("runs code"),
    NAVIGATION: msg("sends the visitor elsewhere"),
    SUBMISSION: msg("submits data"),
    LOAD: msg("loads from another host"),
    STYLE_LOAD: msg("loads files from a style attribute"),
    ADDRESS: msg("uses an address the site does not allow"),
    NOT_ALLOWED: msg("is not allowed"),
    UNFINISHED: msg("is not finished"),
    STRUCTURE: msg("breaks the page's structure"),
}

# Structure problems (STRUCTURE) carry hints of their own, which name the tag.
_HINTS = {
    CODE: msg("write content in Markdown; scripts belong in templates/ and assets/"),
    NAVIGATION: msg('link to the page with <a href="…"> instead'),
    SUBMISSION: msg('forms belong in templates/; link to a form elsewhere with <a href="…">'),
    LOAD: msg("put the file in assets/ and write /assets/ before its name"),
    STYLE_LOAD: msg("show an image with ![what it shows](/assets/…); styles belong in assets/"),
    ADDRESS: msg("links may use https:, http:, mailto: and tel:; files go in assets/"),
    NOT_ALLOWED: msg("docs/content.md, 'Raw HTML', lists what is allowed"),
    UNFINISHED: msg("end every tag with >, and write &lt; for a < that is text"),
}
EMBED_HINT = msg("embed only https:// pages of a host listed under embed_hosts in site.yaml")
_STYLE_HINT = msg("styles belong in assets/site.css")
_INLINE_STYLE_HINT = msg(
    "browsers ignore inline styles under the site's CSP: give the element a class and style it in assets/site.css"
)
_FOREIGN_HINT = msg(
    "save the drawing as an .svg file in assets/ and show it with ![what it shows](/assets/…)"
)

# --- the allow-list ---------------------------------------------------------------------

TEXT = "text"  # any value
LINK = "link"  # an address the visitor may follow: anywhere on the web
RESOURCE = "resource"  # an address the page loads: a file of the site
SRCSET = "srcset"  # a list of such addresses, with sizes
EMBED = "embed"  # a page shown in the page: https on an allowed host
STYLE = "style"  # declarations that load nothing and run nothing

GLOBAL_ATTRIBUTES = {
    name: TEXT for name in ("id", "class", "title", "lang", "dir", "role", "hidden", "translate")
} | {"style": STYLE}
_CELL = {"colspan": TEXT, "rowspan": TEXT, "headers": TEXT}
_CITE = {"cite": LINK}
_CHANGE = {"cite": LINK, "datetime": TEXT}
_MEDIA = {
    name: TEXT
    for name in ("controls", "width", "height", "loop", "muted", "preload", "autoplay", "playsinline")
}
# Elements with no attributes of their own (the global ones apply to every element).
# fmt: off
_PLAIN = (
    "abbr", "address", "article", "aside", "b", "bdi", "bdo", "br", "caption", "cite", "code", "dd", "dfn",
    "div", "dl", "dt", "em", "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6",
    "header", "hgroup", "hr", "i", "kbd", "mark", "p", "picture", "pre", "rp", "rt", "ruby", "s", "samp",
    "section", "small", "span", "strong", "sub", "summary", "sup", "table", "tbody", "tfoot", "thead",
    "tr", "u", "ul", "var", "wbr",
)
# fmt: on
ELEMENTS: dict[str, dict[str, str]] = {
    **{name: {} for name in _PLAIN},
    "a": {"href": LINK, "hreflang": TEXT, "rel": TEXT, "target": TEXT, "type": TEXT},
    "blockquote": _CITE,
    "q": _CITE,
    "del": _CHANGE,
    "ins": _CHANGE,
    "time": {"datetime": TEXT},
    "data": {"value": TEXT},
    "details": {"open": TEXT},
    "ol": {"start": TEXT, "reversed": TEXT, "type": TEXT},
    "li": {"value": TEXT},
    "col": {"span": TEXT},
    "colgroup": {"span": TEXT},
    "td": _CELL,
    "th": _CELL | {"scope": TEXT, "abbr": TEXT},
    "img": {
        "src": RESOURCE,
        "srcset": SRCSET,
        "sizes": TEXT,
        "alt": TEXT,
        "width": TEXT,
        "height": TEXT,
        "loading": TEXT,
        "decoding": TEXT,
    },
    "video": _MEDIA | {"src": RESOURCE, "poster": RESOURCE},
    "audio": _MEDIA | {"src": RESOURCE},
    "source": {
        "src": RESOURCE,
        "srcset": SRCSET,
        "type": TEXT,
        "media": TEXT,
        "sizes": TEXT,
        "width": TEXT,
        "height": TEXT,
    },
    "track": {"src": RESOURCE, "kind": TEXT, "srclang": TEXT, "label": TEXT, "default": TEXT},
    # What video hosts' "embed" buttons give, but ``name`` (a target for links and forms).
    "iframe": {
        "src": EMBED,
        "width": TEXT,
        "height": TEXT,
        "allow": TEXT,
        "allowfullscreen": TEXT,
        "frameborder": TEXT,
        "loading": TEXT,
        "referrerpolicy": TEXT,
        "sandbox": TEXT,
    },
}

# Refused elements, by what they do; any other element not in ELEMENTS "is not allowed".
_CODE_ELEMENTS = frozenset({"script", "object", "embed", "applet"})
_SUBMITTING_ELEMENTS = frozenset({"form", "input", "button", "select", "textarea", "keygen", "isindex"})
_FRAMES = frozenset({"frame", "frameset", "portal", "fencedframe"})
_FOREIGN = frozenset({"svg", "math"})  # their content follows the rules of XML, not of HTML
_CODE_ATTRIBUTES = frozenset({"srcdoc"})
_SUBMITTING_ATTRIBUTES = frozenset({"action", "formaction", "ping"})
# Attributes that hold an address some element loads (in HTML, SVG or an old browser).
# fmt: off
_RESOURCE_ATTRIBUTES = frozenset((
    "src", "href", "xlink:href", "data", "poster", "background", "codebase", "archive", "lowsrc", "dynsrc",
    "imagesrcset", "srcset",
))
# fmt: on

LINK_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
_CODE_SCHEMES = frozenset({"javascript", "vbscript"})
_CSS_FUNCTIONS = frozenset({"", "rgb", "rgba", "hsl", "hsla", "calc", "min", "max", "clamp", "var"})
# Old browsers' ways for a style to run code: IE's expression() and behavior, Firefox's XBL.
_CSS_CODE = re.compile(r"expression\s*\(|(?<![-\w])behaviou?r\s*:|-moz-binding|javascript:|vbscript:")


@dataclass(frozen=True, slots=True)
class Policy:
    """What the HTML may use besides the site's own files: its own origin's absolute addresses
    (``base_url``) and the hosts pages may be embedded from."""

    own: str  # host[:port] of base_url, in lower case
    embed_hosts: frozenset[str]

    @classmethod
    def of(cls, base_url: str, embed_hosts: Iterable[str] = ()) -> Policy:
        return cls(_authority(base_url.partition(":")[2]), frozenset(host.lower() for host in embed_hosts))

    @property
    def key(self) -> tuple[str, tuple[str, ...]]:
        """What a cached verdict depends on besides the HTML itself."""
        return (self.own, tuple(sorted(self.embed_hosts)))


@dataclass(frozen=True, slots=True)
class Violation:
    """One thing in the HTML that the policy refuses."""

    kind: str  # CODE, NAVIGATION, …: what it does
    what: str  # the construct as the message names it, such as <script or onerror=
    written: str  # the start tag (or text) as written in the HTML; "" if none
    needles: tuple[str, ...] = ()  # what else to look for in the Markdown to find its line
    hint_text: Message | None = None
    # Which of the HTML's tags written so it is, from 0, where several are (an end tag, say);
    # None: the first in the Markdown after those of the findings before it.
    occurrence: int | None = None
    address: str | None = None  # the address refused, where that is what is wrong

    @property
    def message_text(self) -> Message:
        return msg(
            "raw HTML that {does} ('{what}') in the content", does=_KIND_WORDS[self.kind], what=self.what
        )

    def in_link_or_image(self, address: str) -> Message:
        """The message of the problem in a link or an image whose ``address`` the text holds."""
        return msg(
            "a link or image that {does} ('{what}') in the content", does=_KIND_WORDS[self.kind], what=address
        )

    @property
    def message(self) -> str:
        return str(self.message_text)

    @property
    def hint_message(self) -> Message:
        return self.hint_text or _HINTS[self.kind]

    @property
    def hint(self) -> str:
        return str(self.hint_message)


def violations(html: str, policy: Policy, markdown: str | None = None) -> list[Violation]:
    """Everything in ``html`` that ``policy`` refuses, in order.

    ``markdown``: the text Python-Markdown made ``html`` from. When it holds no raw HTML and no
    numeric character reference, and its attribute lists (``{: …}``) set only classes, ids and
    sizes, the HTML holds only Markdown's own elements and attributes, each written
    ``name="value"``, and its only addresses are in ``href`` and ``src``: those are judged
    without parsing the page, and only a page with an address to refuse is parsed. Most pages
    are such pages, and parsing one takes ten times as long.
    """
    if (
        markdown is not None
        and _markdown_alone(markdown)
        and not any(_markdown_address_problem(m, policy) for m in _MARKDOWN_ADDRESS.finditer(html))
    ):
        return []
    checker = _Checker(policy)
    checker.feed(html)
    checker.close()
    return checker.found


# An attribute list that sets classes, ids, a width or a height and nothing else. Python-Markdown
# reads a list from its "{" on, and stops at a "}" outside quotes: where every "{" starts such a
# list, no list sets anything else.
_PLAIN_LIST = re.compile(r"""\{:?[ ]*(?:(?:[.#][\w-]+|(?:width|height)=(?:"\d+"|'\d+'|\d+))[ ]*)+\}""")
_MARKDOWN_ADDRESS = re.compile(r'\s(href|src)="([^"]*)"')


def _markdown_alone(markdown: str) -> bool:
    if "<" in markdown or "&#" in markdown:  # raw HTML, an address written <…>, or a reference
        return False
    braces = markdown.count("{")
    return braces == 0 or braces == len(_PLAIN_LIST.findall(markdown))


def _markdown_address_problem(match: re.Match, policy: Policy) -> bool:
    name, value = match.group(1), unescape(match.group(2))
    judged = _link(name, value) if name == "href" else _resource("img", name, value, policy)
    return judged is not None


# --- addresses --------------------------------------------------------------------------

_OUTER = re.compile(r"^[\x00-\x20]+|[\x00-\x20]+$")
_INNER = re.compile(r"[\t\n\r]")
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")
_SLASHES = re.compile(r"[/\\]*")
_HOST_END = re.compile(r"[/\\?#]")


def browser_address(value: str) -> str:
    """``value`` (references already decoded) as a browser's URL parser reads it: without the
    spaces and control characters around it and the tabs and line breaks inside it."""
    return _INNER.sub("", _OUTER.sub("", value))


def scheme(address: str) -> str | None:
    """The scheme of an address from ``browser_address``, in lower case; None for a relative one."""
    found = _SCHEME.match(address)
    return found.group(1).lower() if found else None


def _authority(rest: str) -> str:
    """The host (and port) of what follows a scheme's colon, as a browser reads it for http(s):
    any number of slashes or backslashes, then up to the next of / \\ ? #."""
    return _split_authority(rest)[0]


def _split_authority(rest: str) -> tuple[str, str]:
    """``_authority(rest)``, and what follows it (the path, query and #fragment)."""
    rest = rest[_SLASHES.match(rest).end() :]
    end = m.start() if (m := _HOST_END.search(rest)) else len(rest)
    return rest[:end].lower(), rest[end:]


def _shown(value: str, limit: int = 60) -> str:
    """A value for a one-line message: control characters written as escapes, long ones cut."""
    text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


# How a path that names another host starts, as a browser reads an http(s) page's addresses:
# two slashes, either of them written as a backslash.
_OTHER_HOST = ("//", "\\\\", "/\\", "\\/")


def on_this_site(value: str) -> bool:
    """Whether a browser reads ``value`` (references decoded) as a path of the page's own site:
    no scheme, and no other host after two slashes or backslashes (``\\\\host/x.png``)."""
    address = browser_address(value)
    return scheme(address) is None and not address.startswith(_OTHER_HOST)


def own_site_path(value: str, base_url: str) -> str | None:
    """The site path (with its query and #fragment) of ``value`` (references decoded) where it
    is an address of the site itself written in full, below ``base_url`` on its host, as a
    browser reads it (``https://lsh.amsterdam/en/``, ``//lsh.amsterdam/en/``); else None."""
    address = browser_address(value)
    found = scheme(address)
    if found in ("http", "https"):
        rest = address[len(found) + 1 :]
    elif found is None and address.startswith(_OTHER_HOST):
        rest = address
    else:
        return None
    host, tail = _split_authority(rest)
    # base_path: "" or such as "/lsh", where the site is published below its host.
    own_host, base_path = _split_authority(base_url.partition(":")[2])
    below = tail[len(base_path) :]
    if host != own_host or not tail.startswith(base_path) or below[:1] not in ("", "/", "?", "#"):
        return None  # another host, or elsewhere on this one
    return below if below.startswith("/") else f"/{below}"


def _link(name: str, value: str) -> tuple[str, str] | None:
    """A link's address: anywhere on the web, by mail or phone, or on the site."""
    found = scheme(browser_address(value))
    if found is None or found in LINK_SCHEMES:
        return None
    return (CODE if found in _CODE_SCHEMES else ADDRESS), f'{name}="{found}:'


def _resource(tag: str, name: str, value: str, policy: Policy) -> tuple[str, str] | None:
    """An address the page loads: a path on the site, or an http(s) address of its own origin."""
    address = browser_address(value)
    found = scheme(address)
    if found in _CODE_SCHEMES:
        return CODE, f'{name}="{found}:'
    if found is None:
        if not address.startswith(_OTHER_HOST):  # a path; else another host follows
            return None
        rest = address
    elif found in ("http", "https"):
        rest = address[len(found) + 1 :]
    else:  # data:, file:, blob:, …
        return ADDRESS, f'{name}="{found}:'
    if _authority(rest) == policy.own:
        return None
    return LOAD, f'<{tag} {name}="{_shown(value.strip())}"'


def srcset_addresses(value: str) -> list[str]:
    """The addresses in a ``srcset``, split as the HTML standard splits them: a candidate is an
    address up to a space (commas at its end not part of it), then sizes up to a comma
    outside parentheses."""
    addresses = []
    position, end = 0, len(value)
    while True:
        while position < end and value[position] in " \t\n\r\f,":
            position += 1
        if position >= end:
            return addresses
        start = position
        while position < end and value[position] not in " \t\n\r\f":
            position += 1
        address = value[start:position]
        if address.endswith(","):
            address = address.rstrip(",")
        else:
            depth = 0
            while position < end and (value[position] != "," or depth):
                depth = 1 if value[position] == "(" else 0 if value[position] == ")" else depth
                position += 1
        addresses.append(address)


def _embed(value: str, policy: Policy) -> tuple[str, str, str] | None:
    """An embedded page: https on a host of ``embed_hosts`` (with no user name before it)."""
    address = browser_address(value)
    found = scheme(address)
    if found in _CODE_SCHEMES:
        return CODE, f'src="{found}:', _HINTS[CODE]
    if found == "https" and address[6:8] == "//":
        host = _authority(address[8:])
        if host in policy.embed_hosts or (host.endswith(":443") and host[:-4] in policy.embed_hosts):
            return None
    if found not in (None, "http", "https"):
        return ADDRESS, f'src="{found}:', EMBED_HINT
    kind = NOT_ALLOWED if found is None and not address.startswith(("//", "\\")) else LOAD
    return kind, f'<iframe src="{_shown(value.strip())}"', EMBED_HINT


# --- styles -----------------------------------------------------------------------------

_CSS_COMMENT = re.compile(r"/\*.*?(?:\*/|\Z)", re.DOTALL)
_CSS_ESCAPE = re.compile(r"\\(?:([0-9A-Fa-f]{1,6})(?:\r\n|[ \t\n\r\f])?|(\r\n|[\n\r\f])|(.)|\Z)", re.DOTALL)
_CSS_FUNCTION = re.compile(r"([-\w]*)\s*\(")
# fmt: off
_CSS_LOADING = frozenset((
    "url", "image", "image-set", "-webkit-image-set", "cross-fade", "-webkit-cross-fade", "element",
    "-moz-element", "src", "paint",
))
# fmt: on


def _css_character(match: re.Match) -> str:
    digits, newline, other = match.groups()
    if digits is not None:
        number = int(digits, 16)
        return chr(number) if 0 < number <= 0x10FFFF and not 0xD800 <= number <= 0xDFFF else "\ufffd"
    return "" if newline is not None or other is None else other


def css_text(value: str) -> str:
    """A style as a browser reads its words: comments removed (before escapes are decoded:
    an escaped ``/*`` starts no comment), escapes such as ``u\\72l(`` decoded, lower case.
    A comment is removed without a trace, so ``ex/**/pression`` reads as ``expression``:
    stricter than a browser, never laxer."""
    return _CSS_ESCAPE.sub(_css_character, _CSS_COMMENT.sub("", value)).lower()


def _style(value: str) -> tuple[str, str, str] | None:
    text = css_text(value)
    if (code := _CSS_CODE.search(text)) is not None:
        return CODE, f'style="…{code.group(0)}', _HINTS[CODE]
    for match in _CSS_FUNCTION.finditer(text):
        function = match.group(1)
        if function in _CSS_LOADING:
            return STYLE_LOAD, f'style="…{function}(', _HINTS[STYLE_LOAD]
        if function not in _CSS_FUNCTIONS:
            return NOT_ALLOWED, f'style="…{function}(', _STYLE_HINT
    if "@" in text or "\\" in text:  # @import; a backslash left by an escaped one
        return NOT_ALLOWED, 'style="…' + ("@" if "@" in text else "\\"), _STYLE_HINT
    # Harmless, but the site's CSP (style-src 'self') makes browsers ignore it.
    return NOT_ALLOWED, 'style="', _INLINE_STYLE_HINT


# --- structure --------------------------------------------------------------------------

# The elements HTML gives no end tag; end tags of the others that HTML lets an author leave out
# are read by the rules of its "optional tags" (see Structure).
VOID_ELEMENTS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
)
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
# Start tags that end an open <p>, as a browser reads them.
# fmt: off
ENDS_P = _HEADINGS | frozenset((
    "address", "article", "aside", "blockquote", "dd", "details", "div", "dl", "dt", "figcaption", "figure",
    "footer", "header", "hgroup", "hr", "li", "ol", "p", "pre", "section", "summary", "table", "ul",
))
# fmt: on
# Where a browser stops looking for an open <p> (its "button scope").
_P_SCOPE = frozenset({"table", "caption", "td", "th"})
# Where a list item's (or a term's) start tag stops looking for an open one to end.
# fmt: off
_STOPS_ITEMS = _HEADINGS | frozenset((
    "article", "aside", "blockquote", "caption", "colgroup", "details", "dl", "figcaption", "figure",
    "footer", "header", "hgroup", "iframe", "ol", "pre", "section", "summary", "table", "tbody", "td",
    "tfoot", "th", "thead", "tr", "ul",
))
# fmt: on
# Elements whose end tag may be left out where their parent ends (<p> but in a few parents).
_END_WITH_PARENT = frozenset(
    {"li", "dd", "rt", "rp", "tr", "td", "th", "tbody", "tfoot", "caption", "colgroup"}
)
_P_PARENTS_NEEDING_END = frozenset({"a", "audio", "del", "ins", "video"})
# The parts of a table, what each may hold directly, and which parts end an open one.
_TABLE_PARTS = frozenset({"caption", "colgroup", "col", "thead", "tbody", "tfoot", "tr", "td", "th"})
_TABLE_HOLDS = {
    # <tr> directly in <table>, and <col> directly in it: a browser adds the <tbody> or <colgroup>.
    "table": frozenset({"caption", "colgroup", "col", "thead", "tbody", "tfoot", "tr"}),
    "colgroup": frozenset({"col"}),
    "thead": frozenset({"tr"}),
    "tbody": frozenset({"tr"}),
    "tfoot": frozenset({"tr"}),
    "tr": frozenset({"td", "th"}),
}
_SECTIONS = frozenset({"caption", "colgroup", "col", "thead", "tbody", "tfoot"})
_TABLE_ENDS = {
    "caption": _SECTIONS | {"tr"},
    "colgroup": _SECTIONS | {"tr"},
    "thead": _SECTIONS,
    "tbody": _SECTIONS,
    "tfoot": _SECTIONS,
    "tr": _SECTIONS | {"tr"},
    "td": _SECTIONS | {"tr", "td", "th"},
    "th": _SECTIONS | {"tr", "td", "th"},
}
# Where a browser moves text and elements out of the table, before it ("foster parenting").
_OUTSIDE_CELLS = frozenset(_TABLE_HOLDS)

_TABLE_HINT = msg("write a table's parts in their places: <table><tr><td> … </td></tr></table>")
_IN_CELL_HINT = msg("in a table, put text and other elements inside a cell: <td> … </td>")
_LINK_IN_LINK_HINT = msg("a link cannot hold another link: end the first with </a> before the next <a>")


@dataclass(frozen=True, slots=True)
class _Open:
    """An element open at some point of the text."""

    tag: str
    written: str  # its start tag as written
    nth: int  # which of the text's tags written so it is, from 0


def ends_with_parent(tag: str, parent: str | None) -> bool:
    """Whether the end tag of a ``tag`` element may be left out where the ``parent`` element
    around it ends (None: where the text ends)."""
    if tag == "p":
        return parent is None or parent not in _P_PARENTS_NEEDING_END
    return tag in _END_WITH_PARENT


def left_open(tag: str, written: str, nth: int | None = None) -> Violation:
    """The problem of a ``tag`` element, its start tag ``written`` so (the ``nth`` of the text's
    tags written so, from 0), that the text leaves open."""
    if written.endswith("/>"):
        hint = msg("in HTML, <{tag}/> does not close the element: write <{tag}></{tag}>", tag=tag)
    else:
        hint = msg("close each element you open, in the order you opened it: <{tag}> … </{tag}>", tag=tag)
    return Violation(STRUCTURE, _tag_shown(written), written, (f"<{tag}",), hint, nth)


class Structure:
    """The elements the text opens and closes, read as a browser reads them (with the end tags
    HTML lets an author leave out), and the first place where the text's structure breaks: an
    end tag that closes nothing, an element left open or closed out of order, a link in a link,
    a table's part out of its place, a block a paragraph cannot hold.

    The editor's HTML stands inside the page's template: a browser would close the template's
    elements at an end tag the text leaves unmatched, and leave the rest of the page inside an
    element the text leaves open. Only the first problem is named: after it, how a browser reads
    the rest depends on how it repaired the first. (``render.seo`` reads a page's elements
    with it too, to find the first paragraph that describes the page.)"""

    def __init__(self) -> None:
        self.stack: list[_Open] = []
        self.broken: Violation | None = None
        self._refused: set[str] = set()  # elements refused already: their end tags are no news
        self._p_ended_by: _Open | None = None  # the last start tag that ended a paragraph

    def _fail(self, what: str, written: str, nth: int | None, hint: Message, needle: str) -> None:
        self.broken = Violation(STRUCTURE, what, written, (needle,), hint, nth)

    def _left_open(self, element: _Open) -> None:
        self.broken = left_open(element.tag, element.written, element.nth)

    def _open_above(self, index: int) -> _Open | None:
        """The innermost element above ``stack[index]`` (-1: of all) whose end tag may not be left
        out where the element under it ends."""
        for position in range(len(self.stack) - 1, index, -1):
            if not ends_with_parent(
                self.stack[position].tag, self.stack[position - 1].tag if position else None
            ):
                return self.stack[position]
        return None

    def _close(self, index: int) -> bool:
        """Close ``stack[index]`` and what it holds, if their end tags may be left out."""
        unclosed = self._open_above(index)
        if unclosed is not None:
            self._left_open(unclosed)
            return False
        del self.stack[index:]
        return True

    def _find(self, tags: frozenset[str] | set[str], stops: frozenset[str] = frozenset()) -> int | None:
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index].tag in tags:
                return index
            if self.stack[index].tag in stops:
                return None
        return None

    def refused(self, tag: str) -> None:
        self._refused.add(tag)

    def start(self, tag: str, written: str, nth: int) -> None:
        if self.broken is not None:
            return
        element = _Open(tag, written, nth)
        if tag == "a" and self._find({"a"}) is not None:
            return self._fail(_tag_shown(written), written, nth, _LINK_IN_LINK_HINT, "<a")
        if tag in _TABLE_PARTS:
            return self._table_part(element)
        if self.stack and self.stack[-1].tag in _OUTSIDE_CELLS:
            return self._fail(_tag_shown(written), written, nth, _IN_CELL_HINT, f"<{tag}")
        if tag in ("li", "dd", "dt"):
            items = {"li"} if tag == "li" else {"dd", "dt"}
            found = self._find(items, _STOPS_ITEMS)
            if found is not None and not self._close(found):
                return
        if tag in ENDS_P:
            paragraph = self._find({"p"}, _P_SCOPE)
            if paragraph is not None:
                if self._open_above(paragraph) is not None:
                    return self._in_paragraph(element)
                del self.stack[paragraph:]
                self._p_ended_by = element
        if tag in _HEADINGS and self.stack and self.stack[-1].tag in _HEADINGS:
            return self._left_open(self.stack[-1])
        if tag in ("rt", "rp") and self.stack and self.stack[-1].tag in ("rt", "rp"):
            self.stack.pop()
        if tag not in VOID_ELEMENTS:
            self.stack.append(element)

    def _in_paragraph(self, element: _Open) -> None:
        hint = msg(
            "a paragraph cannot hold <{tag}>: end the paragraph before it, or begin it on a line of its own after a blank line",
            tag=element.tag,
        )
        self._fail(_tag_shown(element.written), element.written, element.nth, hint, f"<{element.tag}")

    def _table_part(self, element: _Open) -> None:
        tag = element.tag
        while True:
            context = self._find(_TABLE_PARTS | {"table"})
            if context is None:
                return self._fail(
                    _tag_shown(element.written), element.written, element.nth, _TABLE_HINT, f"<{tag}"
                )
            holder = self.stack[context].tag
            if tag in _TABLE_HOLDS.get(holder, ()):
                unclosed = self._open_above(context)
                if unclosed is not None:
                    return self._left_open(unclosed)
                del self.stack[context + 1 :]
                if tag != "col":
                    self.stack.append(element)
                return
            if tag not in _TABLE_ENDS.get(holder, ()):
                return self._fail(
                    _tag_shown(element.written), element.written, element.nth, _TABLE_HINT, f"<{tag}"
                )
            if not self._close(context):
                return

    def end(self, tag: str, written: str, nth: int) -> None:
        if self.broken is not None:
            return
        if tag in self._refused:
            return
        found = self._find({tag})
        if found is None:
            if tag == "p" and self._p_ended_by is not None:
                return self._in_paragraph(self._p_ended_by)
            if tag in VOID_ELEMENTS:
                hint = msg("<{tag}> has no end tag: delete {end}", tag=tag, end=_tag_shown(written))
            else:
                hint = msg("delete {end}: no <{tag}> is open here", tag=tag, end=_tag_shown(written))
            return self._fail(_tag_shown(written), written, nth, hint, f"</{tag}")
        self._close(found)

    def text(self, data: str) -> None:
        if self.broken is None and self.stack and self.stack[-1].tag in _OUTSIDE_CELLS and data.strip():
            words = data.strip().split("\n", 1)[0]
            self._fail(_shown(words, 30), words, None, _IN_CELL_HINT, words)

    def finish(self) -> None:
        if self.broken is None and (unclosed := self._open_above(-1)) is not None:
            self._left_open(unclosed)


def _tag_shown(written: str) -> str:
    """A tag as written, on one line and cut if long."""
    return _shown(" ".join(written.split()), 40)


# --- the parser -------------------------------------------------------------------------

_UNFINISHED = re.compile(r"<[A-Za-z/!?][^\s<>/]*")
# A numeric character reference as a browser reads one, its ";" optional: &#1; &#X7F
_NUMERIC_REFERENCE = re.compile(r"&#([0-9]+|[xX][0-9a-fA-F]+)")
_END_TAG = re.compile(r"</[A-Za-z][^\t\n\r\f />\x00]*[\t\n\r\f ]*>")
_END_HINT = msg("write an end tag as </name>, with nothing after the name")


class _Checker(HTMLParser):
    """Reads HTML and records every ``Violation`` of the policy, in order."""

    def __init__(self, policy: Policy) -> None:
        # References are left in text (convert_charrefs=False) so that a "<" in the text is
        # one the parser found no tag at; attribute values are decoded either way.
        super().__init__(convert_charrefs=False)
        self.policy = policy
        self.found: list[Violation] = []
        self._foreign = 0  # depth in <svg> or <math>: their own elements were refused at the root
        self._iframe: str | None = None  # an <iframe>'s start tag until its end tag
        self._iframe_reported = False
        self._after_lt = False  # the text so far ended with a "<"
        self._structure = Structure()
        self._tags_seen: dict[str, int] = {}  # how many tags written so the text held so far
        self._end_tag_at = 0  # where the end tag being read starts in rawdata

    def _add(
        self,
        kind: str,
        what: str,
        written: str,
        needles=(),
        hint: Message | None = None,
        address: str | None = None,
    ) -> None:
        self.found.append(
            Violation(kind, what, written, tuple(n for n in needles if n), hint, address=address)
        )

    def _in_iframe(self) -> None:
        """Anything but spaces inside an <iframe>: a browser reads it as text up to </iframe>,
        this parser as HTML, so the two could disagree on where tags are."""
        self._after_lt = False
        if self._iframe is not None and not self._iframe_reported:
            self._iframe_reported = True
            self._add(
                NOT_ALLOWED,
                "<iframe",
                self._iframe,
                ("<iframe",),
                msg("leave an iframe empty: <iframe …></iframe>"),
            )

    # Elements -------------------------------------------------------------------------

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs, closed=False)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # "/>" closes an element in <svg> and <math> only; in HTML a browser ignores it.
        self._start(tag, attrs, closed=self._foreign > 0 or tag in _FOREIGN)

    def _count(self, written: str) -> int:
        nth = self._tags_seen.get(written, 0)
        self._tags_seen[written] = nth + 1
        return nth

    def _start(self, tag: str, attrs: list[tuple[str, str | None]], closed: bool) -> None:
        written = self.get_starttag_text() or ""
        nth = self._count(written)
        self._in_iframe()
        if "&#" in written:  # the parser has decoded the attributes' references: read as written
            for reference in _NUMERIC_REFERENCE.finditer(written):
                self._reference(reference.group(1), written)
        allowed = ELEMENTS.get(tag)
        if allowed is None:
            self._structure.refused(tag)
            self._refused(tag, attrs, written)
        else:
            if self._foreign == 0:
                self._structure.start(tag, written, nth)  # "/>" closes nothing in HTML: a start tag
            before = len(self.found)
            for name, value in attrs:
                self._attribute(tag, name, value or "", allowed, written)
            # An iframe without an address shows nothing, or what its srcdoc says (reported above).
            if tag == "iframe" and len(self.found) == before and not any(n == "src" for n, _ in attrs):
                self._add(NOT_ALLOWED, "<iframe", written, ("<iframe",), EMBED_HINT)
        if tag in _FOREIGN and not closed:
            self._foreign += 1
        if tag == "iframe":
            self._iframe, self._iframe_reported = written, False

    def _refused(self, tag: str, attrs: list[tuple[str, str | None]], written: str) -> None:
        values = {name: value or "" for name, value in attrs}
        needles = (f"<{tag}",)
        if tag in _CODE_ELEMENTS:
            self._add(CODE, f"<{tag}", written, needles)
        elif tag in _SUBMITTING_ELEMENTS:
            self._add(SUBMISSION, f"<{tag}", written, needles)
        elif tag == "base" or (tag == "meta" and values.get("http-equiv", "").strip().lower() == "refresh"):
            what = f"<{tag}" if tag == "base" else '<meta http-equiv="refresh"'
            self._add(NAVIGATION, what, written, needles)
        elif tag in _FRAMES:
            self._add(LOAD, f"<{tag}", written, needles, EMBED_HINT)
        elif tag == "link" and _resource(tag, "href", values.get("href", ""), self.policy) is not None:
            self._add(LOAD, f'<link href="{_shown(values["href"].strip())}"', written, needles)
        elif self._foreign == 0:
            hint = _FOREIGN_HINT if tag in _FOREIGN else None
            self._add(NOT_ALLOWED, f"<{tag}", written, needles, hint)
        # The element is refused already: of its attributes, only those that run code are named too.
        for name, value in attrs:
            judged = self._code_attribute(name, value or "")
            if judged is not None:
                self._add(CODE, judged, written, _needles(judged, name, value or ""))

    @staticmethod
    def _code_attribute(name: str, value: str) -> str | None:
        if name.startswith("on"):
            return f"{name}="
        if name in _CODE_ATTRIBUTES:
            return f"{name}="
        found = scheme(browser_address(value))
        if found in _CODE_SCHEMES:
            return f'{name}="{found}:'
        return None

    # Attributes -----------------------------------------------------------------------

    def _attribute(self, tag: str, name: str, value: str, allowed: dict[str, str], written: str) -> None:
        role = allowed.get(name) or GLOBAL_ATTRIBUTES.get(name) or (TEXT if _ARIA.fullmatch(name) else None)
        needles = (value, name)
        if role is None:
            self._unlisted(tag, name, value, written)
        elif role == LINK:
            if (judged := _link(name, value)) is not None:
                self._add(*judged, written, needles, address=value)
        elif role == RESOURCE:
            if (judged := _resource(tag, name, value, self.policy)) is not None:
                self._add(*judged, written, needles, address=value)
        elif role == SRCSET:
            for address in srcset_addresses(value):
                if (judged := _resource(tag, name, address, self.policy)) is not None:
                    self._add(*judged, written, (address, name))
        elif role == EMBED:
            if (judged := _embed(value, self.policy)) is not None:
                kind, what, hint = judged
                self._add(kind, what, written, needles, hint)
        elif role == STYLE and (judged := _style(value)) is not None:
            kind, what, hint = judged
            self._add(kind, what, written, ("style=",), hint)

    def _unlisted(self, tag: str, name: str, value: str, written: str) -> None:
        if (code := self._code_attribute(name, value)) is not None:
            self._add(CODE, code, written, _needles(code, name, value))
        elif name in _SUBMITTING_ATTRIBUTES:
            self._add(SUBMISSION, f"{name}=", written, (name, value))
        elif name in _RESOURCE_ATTRIBUTES and (judged := _resource(tag, name, value, self.policy)):
            self._add(*judged, written, (value, name))
        else:
            self._add(NOT_ALLOWED, f"<{tag} {_shown(name, 30)}=", written, (name,))

    # Everything else ------------------------------------------------------------------

    def handle_endtag(self, tag: str) -> None:
        end = self.rawdata.find(">", self._end_tag_at)
        written = self.rawdata[self._end_tag_at : end + 1 if end >= 0 else len(self.rawdata)]
        nth = self._count(written)
        if self._foreign == 0:
            self._structure.end(tag, written, nth)
        if tag == "iframe" and self._iframe is not None:
            self._iframe = None
            self._after_lt = False
            return
        self._in_iframe()
        if tag in _FOREIGN and self._foreign:
            self._foreign -= 1

    def handle_data(self, data: str) -> None:
        if self._iframe is not None and data.strip():
            self._in_iframe()
        if self.cdata_elem is not None:  # inside <script> or <style>, refused already
            return
        if self._foreign == 0:
            self._structure.text(data)
        text = ("<" if self._after_lt else "") + data
        found = _UNFINISHED.search(text)
        if found is not None:
            piece = text[found.start() : found.start() + 40]
            self._add(UNFINISHED, _shown(found.group(0), 20), piece, (found.group(0),))
        self._after_lt = data.endswith("<")

    def handle_entityref(self, name: str) -> None:
        self._in_iframe()

    def handle_charref(self, name: str) -> None:
        self._in_iframe()
        self._reference(name, f"&#{name};")

    def _reference(self, name: str, written: str) -> None:
        """``&#name;`` (``&#1;``, ``&#x7f;``), refused where it names a character no page may hold:
        the published page would hold it (a minifier writes the character itself), or a
        browser would show another in its place."""
        try:
            code = int(name[1:], 16) if name[:1] in "xX" else int(name)
        except ValueError:
            return
        if code == 0x0D:
            # HTML reads a carriage return written as a reference as a mistake (its checker
            # reports it), where the character itself is a line break.
            hint = msg("it names a carriage return, which HTML reads as a mistake: break the line instead")
        else:
            # Here, not above: a page with no such reference (most) then needs no YAML parser.
            from site_builder.content.safe_yaml import forbidden_character

            what = (
                forbidden_character(chr(code)) if code <= sys.maxunicode else msg("no character of Unicode")
            )
            if what is None:
                return
            hint = msg("it names {what}, which no web page may hold: delete it", what=what)
        self._add(NOT_ALLOWED, f"&#{name};", written, (f"&#{name}",), hint)

    def handle_comment(self, data: str) -> None:
        self._in_iframe()
        # A browser also ends a comment at "<!-->", "<!--->" and "--!>", where this parser goes on.
        if data.startswith((">", "->")) or "--!>" in data:
            self._add(NOT_ALLOWED, "<!--", f"<!--{data[:20]}", ("<!--",), msg("end a comment with --> alone"))

    def parse_comment(self, i: int, report: bool = True) -> int:
        end = super().parse_comment(i, report)
        # html.parser also ends a comment at "-- >"; a browser reads on to a later "-->".
        if end > 0 and not self.rawdata.startswith("-->", end - 3):
            self._add(
                NOT_ALLOWED, "<!--", self.rawdata[i:end], ("<!--",), msg("end a comment with --> alone")
            )
        return end

    def handle_decl(self, decl: str) -> None:
        self._in_iframe()
        self._add(
            NOT_ALLOWED, f"<!{_shown(decl.split()[0] if decl.split() else '', 20)}", f"<!{decl}", ("<!",)
        )

    def parse_html_declaration(self, i: int) -> int:
        # "<![": html.parser reads a marked section of SGML up to "]]>" and stops with an
        # AssertionError at one it does not know; in HTML a browser reads a comment up to the
        # first ">". Read so here too, and report it (unknown_decl).
        if not self.rawdata.startswith("<![", i):
            return super().parse_html_declaration(i)
        end = self.rawdata.find(">", i + 3)
        if end < 0:
            return -1  # not complete yet; at the end, the rest is text, and is reported as such
        self.unknown_decl(self.rawdata[i + 3 : end])
        return end + 1

    def parse_endtag(self, i: int) -> int:
        # An end tag with more than its name: html.parser ends it at the first ">", a browser
        # reads attributes in it as in a start tag and ends it at the first ">" outside quotes,
        # after which the two read the rest (the page's template) differently.
        self._end_tag_at = i
        end = super().parse_endtag(i)
        written = self.rawdata[i:end] if end > i else ""
        if written[2:3].isascii() and written[2:3].isalpha() and not _END_TAG.fullmatch(written):
            name = _UNFINISHED.match(written)
            self._add(
                NOT_ALLOWED, _shown(name.group(0) if name else written[:20], 20), written, ("</",), _END_HINT
            )
        return end

    def unknown_decl(self, data: str) -> None:
        # <![CDATA[…]]> and the like, read to the first ">" (parse_html_declaration): in HTML,
        # what follows is the browser's to read, and <![CDATA[ ]]> hides nothing from it.
        self._in_iframe()
        what = "<![CDATA[" if data.startswith("CDATA[") else "<!["
        self._add(NOT_ALLOWED, what, f"<![{data}>", ("<![",))

    def handle_pi(self, data: str) -> None:
        self._in_iframe()
        self._add(NOT_ALLOWED, "<?", f"<?{data}", ("<?",))

    def close(self) -> None:
        super().close()
        if self._iframe is not None:  # a browser would read the rest of the page as its content
            self._add(NOT_ALLOWED, "<iframe", self._iframe, ("<iframe",), msg("end an iframe with </iframe>"))
        # An unfinished tag or iframe is named already, and what the text leaves open after it is
        # a guess: the parser read the rest as text, a browser as the tag's or the iframe's.
        if self._iframe is None and not any(v.kind == UNFINISHED for v in self.found):
            self._structure.finish()
        if self._structure.broken is not None:
            self.found.append(self._structure.broken)


_ARIA = re.compile(r"aria-[a-z]+")


def _needles(what: str, name: str, value: str) -> tuple[str, str]:
    """Where to look for an attribute's line when its start tag is not in the Markdown as the
    HTML has it (Markdown wrote it, or the build added to it): by its name when that is what
    is wrong (``onerror=``), else by its value, which says more than ``href``."""
    return (name, value) if what.endswith("=") else (value, name)
