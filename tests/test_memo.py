"""The incremental layer (``incremental.memo``): a step's result is reused exactly when the
inputs it declares are the same, a step can read nothing else, and the whole build runs
under a guard that fails when a step opens a file it did not declare."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import REPO, make_mini_site, read_tree

from site_builder import pipeline
from site_builder.incremental.memo import Files, GuardError, Memo
from site_builder.stages import generate

CALLS: list[tuple] = []


def double(items, offset):
    CALLS.append(tuple(items))
    return [item * 2 + offset for item in items]


def read_first_line(root: Path) -> str:
    return (root / "notes.txt").read_text("utf-8").splitlines()[0]


def read_other_file(root: Path) -> str:
    return (root / "other.txt").read_text("utf-8")


def test_each_item_is_computed_once_for_the_same_inputs():
    CALLS.clear()
    memo = Memo()
    assert memo.each("double", double, [1, 2, 3], 0) == [2, 4, 6]
    assert memo.each("double", double, [3, 2, 4], 0) == [6, 4, 8]
    assert CALLS == [(1, 2, 3), (4,)]
    assert memo.each("double", double, [3], 1) == [7]  # another shared input: computed again
    assert CALLS[-1] == (3,)
    assert len(memo.tables["double"]) == 1  # only what the latest call used is kept


def test_a_file_a_step_reads_is_part_of_its_key(tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("one\n", "utf-8")
    memo = Memo()
    # A build makes its own ``Files``: each reads the files once, when the key is made.
    assert memo.one("first line", read_first_line, tmp_path, reads=Files(tmp_path, ("notes.txt",))) == "one"
    notes.write_text("two\n", "utf-8")
    assert memo.one("first line", read_first_line, tmp_path, reads=Files(tmp_path, ("notes.txt",))) == "two"


def list_templates(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in (root / "templates").rglob("*") if p.is_file())


def test_a_folder_a_step_reads_is_part_of_its_key_at_any_depth(tmp_path):
    nested = tmp_path / "templates" / "partials" / "deep"
    nested.mkdir(parents=True)
    (nested / "card.html").write_text("one", "utf-8")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "linked.html").write_text("one", "utf-8")
    (tmp_path / "templates" / "linked").symlink_to(outside, target_is_directory=True)

    def key() -> str:
        return Files(tmp_path, ("templates",)).digest()

    before = key()
    (nested / "card.html").write_text("two", "utf-8")
    assert key() != before  # a file three folders down
    changed = key()
    (outside / "linked.html").write_text("two", "utf-8")
    assert key() == changed  # a linked folder is not entered (one leading outside is refused)
    (tmp_path / "templates" / "new.html").write_text("", "utf-8")
    assert key() != changed  # a file added, even empty
    memo = Memo()
    assert memo.one("templates", list_templates, tmp_path, reads=Files(tmp_path, ("templates",))) == [
        "templates/new.html",
        "templates/partials/deep/card.html",
    ]


def last_byte(data: bytes) -> int:
    CALLS.append(("last byte", len(data)))
    return data[-1]


def test_long_bytes_are_keyed_by_every_byte():
    CALLS.clear()
    memo = Memo()
    font = bytes(100_000)
    assert memo.one("last byte", last_byte, font) == 0
    assert memo.one("last byte", last_byte, bytes(100_000)) == 0  # equal bytes: kept
    assert memo.one("last byte", last_byte, font[:-1] + b"\1") == 1  # the last byte differs
    assert memo.one("last byte", last_byte, b"\1" + font[1:]) == 0  # the first byte differs
    assert len(CALLS) == 3


def test_a_step_must_be_a_function_defined_at_module_level():
    memo = Memo()
    offset = 1
    with pytest.raises(TypeError, match="not a function defined at module level"):
        memo.each("closure", lambda items: [item + offset for item in items], [1])

    def nested(items):
        return items

    with pytest.raises(TypeError, match="not a function defined at module level"):
        memo.each("nested", nested, [1])


def test_an_input_without_identity_is_refused():
    with pytest.raises(TypeError, match="has no identity"):
        Memo().each("double", double, [1], object())


def test_the_guard_finds_a_step_that_reads_an_undeclared_file(tmp_path):
    (tmp_path / "notes.txt").write_text("one\n", "utf-8")
    (tmp_path / "other.txt").write_text("other\n", "utf-8")
    memo = Memo(guard=True)
    assert memo.one("first line", read_first_line, tmp_path, reads=Files(tmp_path, ("notes.txt",))) == "one"
    with pytest.raises(GuardError, match="the step 'other' read .*other.txt, which it does not declare"):
        memo.one("other", read_other_file, tmp_path, reads=Files(tmp_path, ("notes.txt",)))


@pytest.mark.parametrize("project", ["mini site", "this repository's site"])
def test_the_whole_build_reads_only_what_its_steps_declare(tmp_path, project):
    """Every step of a real build, cold and then after edits to a page's text, its front matter,
    a template and a catalogue, under the guard; each build equals a cold one."""
    if project == "mini site":
        root = make_mini_site(tmp_path / "site")
    else:
        root = tmp_path / "site"
        for name in ("site.yaml", "babel.cfg", "content", "templates", "assets", "translations"):
            source = REPO / name
            if source.is_dir():
                import shutil

                shutil.copytree(source, root / name)
            elif source.exists():
                root.mkdir(exist_ok=True)
                (root / name).write_bytes(source.read_bytes())
    preview = pipeline.PreviewState(memo=Memo(guard=True))
    page = next((root / "content/en").glob("*.md"))
    template = next((root / "templates").glob("*.html"))
    catalog = root / "translations/nl/LC_MESSAGES/messages.po"
    edits = [
        lambda: None,
        lambda: page.write_text(page.read_text("utf-8") + "\nOne more line.\n", "utf-8"),
        lambda: page.write_text(page.read_text("utf-8").replace("title: ", "title: Edited ", 1), "utf-8"),
        lambda: template.write_text(template.read_text("utf-8") + "\n", "utf-8"),
        lambda: catalog.write_text(catalog.read_text("utf-8") + "\n", "utf-8"),
    ]
    for step, edit in enumerate(edits):
        edit()
        pipeline.build(root, tmp_path / "preview", drafts=True, cache=preview)
        pipeline.build(root, tmp_path / f"cold-{step}", drafts=True)
        assert read_tree(tmp_path / "preview") == read_tree(tmp_path / f"cold-{step}")
    assert preview.memo.guard and preview.memo.tables["pages"]


def test_front_matter_is_parsed_again_only_when_its_text_changed(tmp_path):
    root = make_mini_site(tmp_path / "site")
    page = root / "content/en/about.md"
    memo = Memo()
    generate(root, memo=memo)
    before = dict(memo.tables["front matter"])
    page.write_text(page.read_text("utf-8") + "\nOne more line.\n", "utf-8")
    generate(root, memo=memo)
    assert all(memo.tables["front matter"][key] is front for key, front in before.items())
    page.write_text(page.read_text("utf-8").replace("title: ", "title: Edited ", 1), "utf-8")
    generate(root, memo=memo)
    assert len(set(memo.tables["front matter"]) - set(before)) == 1


def test_settings_are_parsed_again_only_when_site_yaml_changed(tmp_path):
    root = make_mini_site(tmp_path / "site")
    memo = Memo()
    first = generate(root, memo=memo).site.config
    assert generate(root, memo=memo).site.config is first
    settings = root / "site.yaml"
    settings.write_text(
        settings.read_text("utf-8").replace("news_page_size: 10", "news_page_size: 7"), "utf-8"
    )
    assert generate(root, memo=memo).site.config.news_page_size == 7
    assert len(memo.tables["config"]) == 1  # the latest only


def test_a_page_s_identity_changes_with_each_of_its_fields(tmp_path):
    """A field added to ``Page`` (a mark the templates show, say) is part of the pages' keys
    without anyone writing it into one."""
    import dataclasses

    from site_builder.incremental.memo import identity
    from site_builder.site.model import Page

    page = generate(make_mini_site(tmp_path / "site")).site.pages[0]
    for field in dataclasses.fields(Page):
        if field.name == "source":
            continue
        value = getattr(page, field.name)
        other = (not value) if isinstance(value, bool) else f"{value}-other"
        changed = dataclasses.replace(page, **{field.name: other})
        assert identity(changed) != identity(page), field.name
