"""The build cache on disk: results of pure stages, kept for the next build in a new process.

What is kept is what ``pipeline.BuildCache`` holds between builds in the
preview: converted Markdown, rendered pages, per-file check results, feeds
and UI-string checks, each under a key made of all its inputs. Stored in one
file written atomically (a temporary file, then ``os.replace``), in
``marshal`` format: the fastest to load of the standard formats for these
plain values (tuples, dicts, strings, bytes), and, unlike ``pickle``, it
calls no code named in the file while reading it. Like ``pickle`` it is not
meant for files from others: the cache is read only from the folder the
build itself writes (``.site-cache/``, git-ignored, or ``--cache-dir``).
The file starts with the cache's version (the format, Python,
Python-Markdown, Jinja and a digest of this package's code) and a digest of
the rest: a file written by other code, truncated or changed in any way is
ignored and the build starts cold.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path

import jinja2
import markdown

from site_builder.errors import SiteError
from site_builder.markup import Body, Link, RenderedPage
from site_builder.write import OutputFile

FORMAT = 1
CACHE_FILE = "build-cache.marshal"


def cache_version() -> str:
    """Everything besides the keys that decides what a cached value is: the versions of the
    code that computed it."""
    digest = hashlib.sha256(
        repr((FORMAT, sys.version, markdown.__version__, jinja2.__version__)).encode("utf-8")
    )
    package = Path(__file__).parent
    for module in sorted(package.glob("*.py")):
        digest.update(module.name.encode("utf-8") + b"\0" + module.read_bytes())
    return digest.hexdigest()


def check_cache_folder(cache_dir: Path, out: Path, root: Path, inputs: tuple[str, ...]) -> None:
    """Refuse a cache folder inside the output (it would be published) or inside the inputs."""
    cache_dir = cache_dir.resolve()
    if cache_dir.is_relative_to(out.resolve()):
        raise SiteError(
            f"the cache folder {cache_dir} is inside the output folder, which is published",
            hint="keep the cache outside it, such as the default .site-cache/",
        )
    for name in inputs:
        if cache_dir.is_relative_to(root.resolve() / name):
            raise SiteError(
                f"the cache folder {cache_dir} is inside {name}",
                hint="keep the cache outside the site's inputs, such as the default .site-cache/",
            )


def read_cache(cache_dir: Path) -> tuple[dict[str, object], str] | None:
    """The parts stored by ``write_cache`` and their digest, or None if there are none this code can trust."""
    try:
        data = (cache_dir / CACHE_FILE).read_bytes()
    except OSError:
        return None
    try:
        version, checksum, payload = marshal.loads(data)
        if version != cache_version() or checksum != hashlib.sha256(payload).hexdigest():
            return None
        return _decode(marshal.loads(payload)), checksum
    except Exception:  # noqa: BLE001 - whatever is wrong with the file, it is not used
        return None


def write_cache(cache_dir: Path, parts: Mapping[str, object], stored: str | None = None) -> None:
    """Store ``parts`` (see ``_encode``) in ``cache_dir``, replacing what was there in one step;
    not at all if their digest is ``stored``, that of the parts read."""
    payload = marshal.dumps(_encode(parts))
    checksum = hashlib.sha256(payload).hexdigest()
    if checksum == stored:
        return
    data = marshal.dumps((cache_version(), checksum, payload))
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=cache_dir, prefix=f".{CACHE_FILE}.", delete=False) as file:
            file.write(data)
        os.replace(file.name, cache_dir / CACHE_FILE)
    except OSError as error:
        raise SiteError(
            f"cannot write the build cache to {cache_dir}: {error.strerror}",
            hint="choose another folder with --cache-dir, or build with --no-cache",
        ) from None


# Each part as plain tuples, dicts, strings, bytes and numbers.


def _encode(parts: Mapping[str, object]) -> dict:
    pages_key, pages = parts["pages"]
    feeds, ui_strings = parts["feeds"], parts["ui_strings"]
    return {
        "bodies": {key: _rendered(value) for key, value in parts["bodies"].items()},
        "pages": (pages_key, {key: tuple((f.path, f.data) for f in files) for key, files in pages.items()}),
        "unsafe_html": {key: tuple(map(_error, errors)) for key, errors in parts["unsafe_html"].items()},
        "html_links": dict(parts["html_links"]),
        "feeds": None if feeds is None else (feeds[0], tuple((f.path, f.data) for f in feeds[1])),
        "ui_strings": None if ui_strings is None else (ui_strings[0], tuple(map(_error, ui_strings[1]))),
    }


def _decode(data: dict) -> dict[str, object]:
    pages_key, pages = data["pages"]
    feeds, ui_strings = data["feeds"], data["ui_strings"]
    return {
        "bodies": {key: _to_rendered(value) for key, value in data["bodies"].items()},
        "pages": (pages_key, {key: tuple(OutputFile(*f) for f in files) for key, files in pages.items()}),
        "unsafe_html": {key: [_to_error(e) for e in errors] for key, errors in data["unsafe_html"].items()},
        "html_links": dict(data["html_links"]),
        "feeds": None if feeds is None else (feeds[0], tuple(OutputFile(*f) for f in feeds[1])),
        "ui_strings": None if ui_strings is None else (ui_strings[0], [_to_error(e) for e in ui_strings[1]]),
    }


def _error(error: SiteError) -> tuple:
    return (error.message, error.path, error.line, error.hint)


def _to_error(value: tuple) -> SiteError:
    message, path, line, hint = value
    return SiteError(message, path, line, hint)


def _body(body: Body) -> tuple:
    links = tuple((link.href, link.target, link.line) for link in body.links)
    return (body.html, links, body.ids, tuple(map(_error, body.problems)))


def _to_body(value: tuple) -> Body:
    html, links, ids, problems = value
    return Body(html, tuple(Link(*link) for link in links), tuple(ids), tuple(map(_to_error, problems)))


def _rendered(rendered: RenderedPage) -> tuple:
    swot = tuple((quadrant, index, _body(body)) for (quadrant, index), body in rendered.swot.items())
    return (_body(rendered.body), swot)


def _to_rendered(value: tuple) -> RenderedPage:
    body, swot = value
    return RenderedPage(_to_body(body), {(quadrant, index): _to_body(b) for quadrant, index, b in swot})
