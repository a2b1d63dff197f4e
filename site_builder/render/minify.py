"""The published site's HTML, CSS and JavaScript without what browsers do not need.

HTML through minify-html (whitespace between blocks, optional tags and quotes,
comments), CSS through rcssmin and JavaScript through rjsmin: measured on this
site they were the smallest and fastest of the candidates (benchmarks/RESULTS.md).
The preview serves pages as written, so an editor's view-source stays readable.

Each file records the bytes minifying took out of it (``OutputFile.saved``), so that a
build can say what it saved, also for pages the cache kept.
"""

from __future__ import annotations

from collections.abc import Iterable

from site_builder.site.files import OutputFile

# minify-html's defaults write only what the HTML standard allows (an omitted <head>, an
# unquoted value where the standard allows one): the Nu HTML Checker finds the built pages
# valid (tests/test_validators.py). End tags are kept: the search index reads the published
# pages, and Pagefind runs the text of a paragraph or list item whose </p> or </li> is left
# out into the next one's ("20 November 2017The Council"); kept, they cost a page about 1 %,
# less once compressed. Scripts and styles inside pages are left alone: the pages have none
# but JSON-LD, whose bytes stay as rendered.
_HTML_OPTIONS: dict[str, bool] = {"keep_closing_tags": True}


def minify_html(data: bytes) -> bytes:
    import minify_html as html_minifier  # a compiled module: loaded by the builds that minify

    return html_minifier.minify(data.decode("utf-8"), **_HTML_OPTIONS).encode("utf-8")


def minify_css(data: bytes) -> bytes:
    import rcssmin

    return rcssmin.cssmin(data.decode("utf-8")).encode("utf-8")


def minify_js(data: bytes) -> bytes:
    import rjsmin

    return rjsmin.jsmin(data.decode("utf-8")).encode("utf-8")


_BY_SUFFIX = {".html": minify_html, ".css": minify_css, ".js": minify_js}


def minified(file: OutputFile) -> OutputFile:
    """``file`` minified if it is HTML, CSS or JavaScript (by its name), else as it is."""
    suffix = file.path[file.path.rfind(".") :]
    minify = _BY_SUFFIX.get(suffix)
    if minify is None or file.data is None:
        return file
    data = minify(file.data)
    return OutputFile(file.path, data, saved=file.saved + len(file.data) - len(data))


def minified_files(files: Iterable[OutputFile], minify: bool) -> tuple[OutputFile, ...]:
    files = tuple(files)
    return tuple(minified(file) for file in files) if minify else files


def bytes_saved(files: Iterable[OutputFile]) -> int:
    return sum(file.saved for file in files)
