"""A build cache from elsewhere runs no code.

The cache folder may be shared between CI jobs (``--cache-dir``), so its file is
untrusted input. A file not signed with the build's key is not used at all (the
tests at the end). The files planted before those are signed with it, as if the
key had leaked, and pass every check of the file (header, version, sizes,
signatures): only the reader's list of what it may make stands between them and
the build. Each would create a marker file if it ran anything.
"""

from __future__ import annotations

import dataclasses
import marshal
import os
import pickle
import types
from collections.abc import Callable, Iterator
from pathlib import Path

import jinja2.bccache
import pytest
from conftest import make_mini_site, read_tree, run_process

from site_builder import pipeline
from site_builder.errors import SiteError
from site_builder.incremental import record, signing, store
from site_builder.site.files import OutputFile

# --- pickles written instruction by instruction ------------------------------
# Written by hand: pickle itself writes a class or function by the name it really has,
# and a planted file may name anything.


def _text(value: str) -> bytes:
    encoded = value.encode()
    return b"X" + len(encoded).to_bytes(4, "little") + encoded  # BINUNICODE


def _number(value: int) -> bytes:
    return pickle.dumps(value, protocol=2)[2:-1]  # without PROTO and STOP


def _global(module: str, name: str) -> bytes:
    return b"c" + f"{module}\n{name}\n".encode()  # GLOBAL: the reader's find_class


def _call(function: bytes, *arguments: bytes) -> bytes:
    return function + b"(" + b"".join(arguments) + b"tR"  # MARK, the arguments, TUPLE, REDUCE


def _parts(**parts: bytes) -> bytes:
    """A whole pickle: a dict of the cache's parts, each given as instructions."""
    items = b"".join(_text(name) + value for name, value in parts.items())
    return b"\x80\x05}(" + items + b"u."  # PROTO 5, EMPTY_DICT, MARK, ..., SETITEMS, STOP


def _cache_file(pickled: bytes) -> bytes:
    """A cache file of one segment, framed and signed as ``store`` frames its own."""
    return store._file_head(store.cache_version()) + _framed(pickled)


def _framed(pickled: bytes) -> bytes:
    return store._framed(pickled, signing.cache_key(), store.cache_version())


def _shell(marker: Path) -> bytes:
    return _text(f"touch {marker}")


def _python(marker: Path) -> bytes:
    return _text(f"__import__('pathlib').Path({str(marker)!r}).touch()")


def _template(marker: Path) -> str:
    """A Jinja template whose rendering runs a shell command."""
    return f"{{{{ cycler.__init__.__globals__.os.system('touch {marker}') }}}}"


# Each makes a value that would create ``marker``: (marker, site) → instructions.
PAYLOADS: dict[str, Callable[[Path, Path], bytes]] = {
    "os.system through a module of ours": lambda marker, site: _call(
        _global("site_builder.incremental.store", "os.system"), _shell(marker)
    ),
    "os.system": lambda marker, site: _call(_global("os", "system"), _shell(marker)),
    "posix.system": lambda marker, site: _call(_global("posix", "system"), _shell(marker)),
    "builtins.eval": lambda marker, site: _call(_global("builtins", "eval"), _python(marker)),
    "a function of ours, the build": lambda marker, site: _call(
        _global("site_builder.pipeline", "build"),
        _call(_global("site_builder.pipeline", "Path"), _text(str(site))),
        _call(_global("site_builder.pipeline", "Path"), _text(str(marker))),
    ),
    "a Jinja template through a module of ours": lambda marker, site: _call(
        _global("site_builder.render.templating", "jinja2.Template.render"),
        _call(_global("site_builder.render.templating", "jinja2.Template"), _text(_template(marker))),
    ),
    "a cached class given a call as its argument": lambda marker, site: _call(
        _global("site_builder.render.markup", "Body"), _call(_global("os", "system"), _shell(marker)), b")"
    ),
    "a date given a call as its argument": lambda marker, site: _call(
        _global("datetime", "date"), _call(_global("builtins", "exec"), _python(marker))
    ),
    "an object made by INST": lambda marker, site: b"(" + _shell(marker) + b"ios\nsystem\n",
}


# --- the build ---------------------------------------------------------------


@pytest.fixture(scope="module")
def cold(tmp_path_factory) -> dict[str, bytes]:
    """The mini site as built without a cache."""
    site = make_mini_site(tmp_path_factory.mktemp("cold") / "site")
    done = run_process("-C", site, "build", "--no-cache", "--out", site.parent / "out")
    assert done.returncode == 0, done.stderr
    return read_tree(site.parent / "out")


def _build_runs_nothing(site: Path, marker: Path, cold: dict[str, bytes]) -> None:
    done = run_process("-C", site, "build")
    assert done.returncode == 0, done.stderr
    assert not marker.exists()
    assert read_tree(site / "build") == cold
    assert store.read_cache(site / ".site-cache") is not None  # written anew, of data only


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_planted_cache_file_runs_no_code(tmp_path, cold, payload):
    site, marker = make_mini_site(tmp_path / "site"), tmp_path / "ran"
    cache = site / ".site-cache" / store.CACHE_FILE
    cache.parent.mkdir()
    cache.write_bytes(_cache_file(_parts(bodies=PAYLOADS[payload](marker, site))))
    _build_runs_nothing(site, marker, cold)


def test_code_appended_to_a_genuine_cache_runs_none(tmp_path, cold):
    """As a later build appends what it changed (see ``store.write_cache``)."""
    site, marker = make_mini_site(tmp_path / "site"), tmp_path / "ran"
    assert run_process("-C", site, "build").returncode == 0
    cache = site / ".site-cache"
    change = b"(" + _text("value") + PAYLOADS["os.system"](marker, site) + b"t"
    with open(cache / store.CACHE_FILE, "ab") as file:
        file.write(_framed(_parts(dates=change)))
    (cache / record.RECORD_FILE).unlink()  # else the build finds the site up to date
    _build_runs_nothing(site, marker, cold)


# --- the reader --------------------------------------------------------------


def test_the_planted_files_pass_every_check_but_the_list_of_what_may_be_made(tmp_path):
    """The same framing, holding data, is read: what refuses the files above is what they name."""
    cache = tmp_path / store.CACHE_FILE
    body = _call(_global("site_builder.render.markup", "Body"), _text("<p>plain</p>"), b")")
    cache.write_bytes(_cache_file(_parts(bodies=b"}" + _number(1) + body + b"s")))
    parts, _ = store.read_cache(tmp_path)
    assert parts["bodies"][1].html == "<p>plain</p>"
    for payload in PAYLOADS.values():
        cache.write_bytes(_cache_file(_parts(bodies=payload(tmp_path / "ran", tmp_path))))
        assert store.read_cache(tmp_path) is None
    assert not (tmp_path / "ran").exists()


def test_a_cache_cannot_name_a_file_to_publish(tmp_path):
    """A file of the site may be copied from one kept elsewhere (``OutputFile.origin``, a
    social card in .site-images/). A cache never names such a file: it could name any file of
    the machine, to be published."""
    secret = tmp_path / "secret.txt"
    secret.write_text("not for the site")
    cache = tmp_path / store.CACHE_FILE

    def planted(*fields: bytes) -> bytes:
        output = _call(_global("site_builder.site.files", "OutputFile"), *fields)
        return _cache_file(_parts(**{"social cards": b"}" + _number(1) + output + b"s"}))

    fields = (_text("assets/cards/en/home.png"), b"N", _text("0" * 64), _number(0))
    cache.write_bytes(planted(*fields, _text(str(secret))))
    assert store.read_cache(tmp_path) is None
    cache.write_bytes(planted(*fields))  # the same without it is read
    parts, _ = store.read_cache(tmp_path)
    assert parts["social cards"][1].path == "assets/cards/en/home.png"
    # And a build's own never holds one.
    copied = OutputFile("assets/cards/en/home.png", None, "0" * 64, origin=str(secret))
    store.write_cache(tmp_path, {"social cards": {1: copied}})
    parts, _ = store.read_cache(tmp_path)
    assert parts["social cards"][1] == OutputFile("assets/cards/en/home.png", None, "0" * 64)


@pytest.mark.parametrize(
    "module, name",
    [
        ("site_builder.incremental.store", "os"),
        ("site_builder.incremental.store", "pickle.loads"),
        ("site_builder.incremental.store", "partial"),
        ("site_builder.incremental.store", "read_cache"),
        ("site_builder.output.publish", "OutputFile.kept"),
        ("site_builder.output.publish", "OutputFile.__init__"),
        ("site_builder.render.markup", "Body.__class__"),
        ("site_builder", "store"),
        ("site_builder.pipeline", "PreviewState"),
        ("site_builder.checks.findings", "Findings"),
        ("site_builder.errors", "SiteErrors"),
        ("site_builder.errors", "format_error"),
        ("site_builder.render.markup", "markdown.markdown"),
        ("datetime", "datetime"),
        ("datetime", "date.fromisoformat"),
        ("_datetime", "date"),
        ("copyreg", "_reconstructor"),
        ("builtins", "getattr"),
    ],
)
def test_the_reader_makes_nothing_but_what_is_on_its_list(tmp_path, module, name):
    (tmp_path / store.CACHE_FILE).write_bytes(_cache_file(_parts(bodies=_global(module, name))))
    assert store.read_cache(tmp_path) is None


def test_the_list_of_what_may_be_made():
    """Each class on it is called with values from the file: one added is a decision, taken here."""
    assert set(store._READABLE) == {
        ("site_builder.config", "SiteConfig"),
        ("site_builder.config", "Language"),
        ("site_builder.config", "Topic"),  # a topic's names and slugs, in the settings
        ("site_builder.content.load", "SourceText"),
        ("site_builder.content.load", "FrontText"),
        ("site_builder.content.frontmatter", "FrontMatter"),
        ("site_builder.content.frontmatter", "Figure"),
        ("site_builder.content.frontmatter", "Swot"),
        ("site_builder.content.frontmatter", "SwotItem"),
        ("site_builder.content.frontmatter", "Place"),  # a place on a page's map
        ("site_builder.render.markup", "RenderedPage"),
        ("site_builder.render.markup", "Body"),
        ("site_builder.render.markup", "Link"),
        ("site_builder.site.files", "OutputFile"),
        ("site_builder.errors", "SiteError"),
        ("site_builder.errors", "Message"),  # what an error says, shown in English or Dutch
        ("site_builder.errors", "LanguageName"),  # a language in a message, named in the reader's
        ("site_builder.render.images", "ImageInfo"),  # a photo's size, read once
        ("site_builder.render.search", "SearchRecord"),  # what the search index holds of a page
        ("site_builder.render.cards", "Card"),  # what a page's social card shows
        ("datetime", "date"),
    }
    for cls in store.CACHED_CLASSES:
        assert cls is SiteError or cls.__dataclass_params__.frozen


def test_a_function_of_the_store_cannot_be_named(tmp_path):
    """Not even the store's own: a file names classes of the list and dates, nothing else."""
    call = _call(_global("site_builder.incremental.store", "read_cache"), _text(str(tmp_path)))
    (tmp_path / store.CACHE_FILE).write_bytes(_cache_file(_parts(bodies=call)))
    assert store.read_cache(tmp_path) is None


def test_a_segment_with_bytes_after_its_pickle_is_not_used(tmp_path):
    pickled = _parts(bodies=_text("x"))
    (tmp_path / store.CACHE_FILE).write_bytes(_cache_file(pickled + b"more"))
    assert store.read_cache(tmp_path) is None
    (tmp_path / store.CACHE_FILE).write_bytes(_cache_file(pickled))
    assert store.read_cache(tmp_path)[0]["bodies"] == "x"


# --- the writer --------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class NotCached:
    text: str


@pytest.mark.parametrize(
    "value",
    [Path("content"), NotCached("x"), NotCached, print, pipeline.build, pipeline.BuildReport],
    ids=[
        "a path",
        "an object of a class not on the list",
        "a class",
        "a built-in function",
        "a function",
        "a class of ours",
    ],
)
def test_the_writer_stores_nothing_the_reader_would_refuse(tmp_path, value):
    with pytest.raises(pickle.PicklingError, match="^the build cache does not store "):
        store.write_cache(tmp_path, {"part": [value]})
    assert not (tmp_path / store.CACHE_FILE).exists()


UNUSED_ENTRY = '\nmsgid "Not used anywhere"\nmsgstr "Nergens gebruikt"\n'


def test_everything_a_build_stores_is_read_back(tmp_path, run_cli, monkeypatch):
    """Every class on the list, the warnings' ``SiteError`` among them, is in the cache of a
    site with a warning, and the reader makes every one."""
    # Files changed just now are read by every build and not kept (see load.content_files):
    # here the files count as older.
    monkeypatch.setattr(record, "RACY_NS", 0)
    site = make_mini_site(tmp_path / "site")
    catalogue = site / "translations/nl/LC_MESSAGES/messages.po"
    catalogue.write_text(catalogue.read_text("utf-8") + UNUSED_ENTRY, "utf-8")
    (site / "translations/en/LC_MESSAGES/messages.po").unlink()  # a warning naming a language
    _add_photo(site)
    places = "places:\n  - id: a\n    label: A\n    lat: 52.35\n    lon: 4.96\n"
    for about in (
        site / "content/en/about.md",
        site / "content/nl/about.md",
    ):  # a map: its places are kept too
        about.write_text(
            about.read_text("utf-8").replace("weight: 20\n", "weight: 20\n" + places, 1), "utf-8"
        )
    code, _, err = run_cli("-C", site, "build")
    assert code == 0 and "'Not used anywhere' is no longer used" in err
    assert "no catalogue of UI strings for English" in err
    found = store.read_cache(site / ".site-cache")
    assert found is not None
    classes = {type(value) for value in _values(found[0])}
    assert set(store.CACHED_CLASSES) <= classes
    plain = {cls for cls in classes if cls.__module__ in ("builtins", "datetime")}
    assert classes - plain <= set(store.CACHED_CLASSES)


# --- no code in the file -----------------------------------------------------


def test_the_cache_file_holds_no_compiled_templates(tmp_path, run_cli):
    site = make_mini_site(tmp_path / "site")
    assert run_cli("-C", site, "build")[0] == 0
    cache = site / ".site-cache" / store.CACHE_FILE
    parts, _ = store.read_cache(cache.parent)
    assert "templates" not in parts
    stored = [value for value in _values(parts) if isinstance(value, bytes)]
    assert stored  # the message catalogues, compiled
    for data in stored:
        assert not data.startswith(jinja2.bccache.bc_magic)
        assert not isinstance(_unmarshalled(data), types.CodeType)
    assert jinja2.bccache.bc_magic not in cache.read_bytes()
    # The preview keeps them in its own memory: what is looked for above is what they look like.
    memory = pipeline.PreviewState()
    pipeline.build(site, tmp_path / "preview", cache=memory)
    compiled = memory.memo.tables["compiled templates"]
    assert compiled
    assert all(data.startswith(jinja2.bccache.bc_magic) for data in compiled.values())


def test_compiled_templates_planted_in_the_cache_are_not_run(tmp_path, cold):
    """Bytecode for every template, that Jinja would take for the template's own (its
    checksum is that of the template's text), in a part of its own as the cache once
    stored them: a build compiles the templates from their files."""
    site, marker = make_mini_site(tmp_path / "site"), tmp_path / "ran"
    assert run_process("-C", site, "build").returncode == 0
    memory = pipeline.PreviewState()
    pipeline.build(site, tmp_path / "preview", cache=memory)
    env, keys = jinja2.Environment(), jinja2.BytecodeCache()
    planted = {}
    for path in (site / "templates").rglob("*.html"):
        name, filename = path.relative_to(site / "templates").as_posix(), str(path)
        checksum = keys.get_source_checksum(path.read_text("utf-8"))
        bucket = jinja2.bccache.Bucket(env, keys.get_cache_key(name, filename), checksum)
        bucket.code = env.compile(_template(marker), name, filename)
        planted[bucket.key] = bucket.bytecode_to_string()
    assert memory.memo.tables["compiled templates"].keys() <= planted.keys()  # the keys the build looks up
    cache = site / ".site-cache"
    parts, _ = store.read_cache(cache)
    store.write_cache(cache, {**parts, "templates": planted})
    (cache / record.RECORD_FILE).unlink()  # else the build finds the site up to date
    done = run_process("-C", site, "build")
    assert done.returncode == 0, done.stderr
    assert not marker.exists()
    assert read_tree(site / "build") == cold


def _values(value: object) -> Iterator[object]:
    """``value`` and everything in it, through containers and the fields of cached objects."""
    yield value
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _values(key)
            yield from _values(item)
    elif isinstance(value, (list, tuple, set, frozenset)):
        for item in value:
            yield from _values(item)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            yield from _values(getattr(value, field.name))
    elif isinstance(value, SiteError):
        yield from _values((value.message_text, value.path, value.line, value.hint_text))


def _unmarshalled(data: bytes) -> object:
    try:
        return marshal.loads(data)
    except (EOFError, ValueError, TypeError):
        return None


def _add_photo(site: Path) -> None:
    """A photo the build reads the size of (and keeps it: an ``ImageInfo``)."""
    from PIL import Image

    (site / "assets/images").mkdir(parents=True)
    Image.new("RGB", (64, 48), "teal").save(site / "assets/images/photo.jpg", "JPEG")


# --- a cache signed with another key -----------------------------------------

OTHER_KEY = b"a key the build was not given, as a forger would use"
PLANTED = "planted by a forged cache"


def _forged_parts(cache: Path) -> dict:
    """The cache's parts, every converted page with a paragraph added and no rendered page
    kept: data of the right classes only, which a build would take as its own."""
    parts, _ = store.read_cache(cache)
    bodies = {
        key: dataclasses.replace(
            rendered, body=dataclasses.replace(rendered.body, html=rendered.body.html + f"<p>{PLANTED}</p>")
        )
        for key, rendered in parts["bodies"].items()
    }
    return {**parts, "bodies": bodies, "pages": {}}


def _published(site: Path) -> str:
    return "\n".join(data.decode("utf-8", "replace") for data in read_tree(site / "build").values())


def test_a_forged_cache_is_used_only_if_signed_with_the_builds_key(tmp_path, cold):
    """Well-formed data of the cache's own classes could put anything into the pages. Signed
    with the key of the build, it is taken (which is why the key must stay secret); signed with
    another, it is ignored and the build equals a cold one."""
    site = make_mini_site(tmp_path / "site")
    assert run_process("-C", site, "build").returncode == 0
    cache = site / ".site-cache"
    forged = _forged_parts(cache)

    store.write_cache(cache, forged)  # the build's own key
    (cache / record.RECORD_FILE).unlink()
    assert run_process("-C", site, "build").returncode == 0
    assert PLANTED in _published(site)

    store.write_cache(cache, forged, key=OTHER_KEY)
    (cache / record.RECORD_FILE).unlink()
    done = run_process("-C", site, "build")
    assert done.returncode == 0, done.stderr
    assert read_tree(site / "build") == cold
    assert store.read_cache(cache) is not None  # written anew with the build's key


def test_a_record_signed_with_another_key_is_not_trusted(tmp_path):
    site = make_mini_site(tmp_path / "site")
    assert run_process("-C", site, "build").returncode == 0
    cache = site / ".site-cache"
    last = record.read_record(cache)
    assert last is not None
    record.write_record(cache, last, key=OTHER_KEY)
    assert record.read_record(cache) is None
    done = run_process("-C", site, "build")
    assert done.returncode == 0 and "is up to date" not in done.stderr
    assert "is up to date" in run_process("-C", site, "build").stderr


def test_machines_share_a_cache_through_the_key_variable_alone(tmp_path):
    """Two CI machines (each its own home folder) take each other's cache when both are given
    the same SITE_BUILDER_CACHE_KEY; without it, each has its own key and builds cold."""
    site = make_mini_site(tmp_path / "site")
    first, second = {"XDG_CACHE_HOME": str(tmp_path / "first")}, {"XDG_CACHE_HOME": str(tmp_path / "second")}
    shared = {signing.KEY_VARIABLE: "a secret both jobs are given, long enough"}
    assert run_process("-C", site, "build", env={**first, **shared}).returncode == 0
    assert "is up to date" in run_process("-C", site, "build", env={**second, **shared}).stderr
    assert "is up to date" not in run_process("-C", site, "build", env=second).stderr
    assert "is up to date" in run_process("-C", site, "build", env=second).stderr
    assert "is up to date" not in run_process("-C", site, "build", env=first).stderr
    first_key, second_key = (signing.key_path(home).read_bytes() for home in (first, second))
    assert first_key != second_key


def test_the_users_key_is_made_once_readable_by_its_owner_alone(tmp_path):
    environ = {"XDG_CACHE_HOME": str(tmp_path / "home")}
    key = signing.cache_key(environ)
    path = signing.key_path(environ)
    assert path == tmp_path / "home/site-builder/cache-key"
    assert len(key) == signing.KEY_BYTES and path.read_bytes() == key
    assert path.stat().st_mode & 0o777 == 0o600
    assert signing.cache_key(environ) == key
    assert [p.name for p in path.parent.iterdir()] == [signing.KEY_FILE]  # nothing left beside it


def test_a_key_variable_of_16_characters_is_taken_and_of_15_refused(tmp_path):
    """docs/deploy.md: SITE_BUILDER_CACHE_KEY of at least 16 characters; without it, the key
    kept in ~/.cache/site-builder/cache-key."""
    assert signing.cache_key({signing.KEY_VARIABLE: "k" * 16}) == b"k" * 16
    with pytest.raises(SiteError, match="SITE_BUILDER_CACHE_KEY holds 15 characters"):
        signing.cache_key({signing.KEY_VARIABLE: "k" * 15})
    assert signing.key_path({"HOME": str(tmp_path)}) == tmp_path / ".cache/site-builder/cache-key"


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        (
            {signing.KEY_VARIABLE: "short"},
            "SITE_BUILDER_CACHE_KEY holds 5 characters: a key that short is easily guessed",
        ),
        ("damaged", "is damaged: it is shorter than the tool makes one"),
        ("unwritable", "cannot keep the cache key in "),
        ("pipe", "cannot keep the cache key in "),
    ],
)
def test_a_key_that_cannot_be_used_is_one_line_and_the_build_is_kept(tmp_path, setting, expected):
    site = make_mini_site(tmp_path / "site")
    home = tmp_path / "home"
    assert run_process("-C", site, "build", env={"XDG_CACHE_HOME": str(home)}).returncode == 0
    before = read_tree(site / "build")
    if setting == "damaged":
        signing.key_path({"XDG_CACHE_HOME": str(home)}).write_bytes(b"short")
        setting = {"XDG_CACHE_HOME": str(home)}
    elif setting == "pipe":  # read, it would be waited on for ever
        key = signing.key_path({"XDG_CACHE_HOME": str(home)})
        key.unlink()
        os.mkfifo(key)
        setting = {"XDG_CACHE_HOME": str(home)}
    elif setting == "unwritable":
        (tmp_path / "file").write_text("not a folder")
        setting = {"XDG_CACHE_HOME": str(tmp_path / "file")}
    (site / "content/en/about.md").write_text("---\ntitle: Changed\n---\nChanged.\n", "utf-8")
    done = run_process("-C", site, "build", env=setting)
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 1 and len(lines) == 1, done.stderr
    assert expected in lines[0] and "(hint: " in lines[0]
    assert read_tree(site / "build") == before
    # As the hint says: a build without the cache needs no key.
    done = run_process("-C", site, "build", "--no-cache", "--out", tmp_path / "out", env=setting)
    assert done.returncode == 0, done.stderr
    assert b"Changed." in (tmp_path / "out/en/about/index.html").read_bytes()
