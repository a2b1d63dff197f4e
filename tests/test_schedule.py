"""Scheduled publishing: pages dated after the build's day are held back, pages past their
``expiry_date`` taken down; the day is the site's time zone's, fixed with SOURCE_DATE_EPOCH."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from conftest import read_tree, run_process, write_tree

from site_builder import stages
from site_builder.config import parse_config
from site_builder.errors import SiteError, SiteErrors, format_error

UTC = datetime.UTC
DUE = datetime.date(2027, 1, 5)
URL = "en/news/launch/index.html"
LINE = (
    "held back 2 pages dated after today; the next, content/en/news/2027-01-05-launch.md, is due 2027-01-05"
)


def epoch(text: str) -> int:
    """Seconds since 1970 of a UTC time written ``2027-01-04T12:00``."""
    return int(datetime.datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp())


def news(lang: str, *lines: str) -> str:
    return "\n".join(["---", f"title: Launch {lang}", "slug: launch", *lines, "---", "We launch.", ""])


def scheduled(site: Path, *lines: str) -> Path:
    """``site`` with a news item in both languages carrying ``lines`` in its front matter."""
    return write_tree(
        site, {f"content/{lang}/news/2027-01-05-launch.md": news(lang, *lines) for lang in ("en", "nl")}
    )


def files(root: Path, now: int, **options) -> dict[str, bytes]:
    return {file.path: file.data for file in stages.generate(root, now=now, **options).files}


def mentions_launch(built: dict[str, bytes]) -> list[str]:
    return sorted(path for path, data in built.items() if data is not None and b"/news/launch/" in data)


def test_a_page_dated_ahead_is_in_no_page_list_feed_or_sitemap_until_its_day(mini_site):
    scheduled(mini_site, "date: 2027-01-05")
    before = files(mini_site, epoch("2027-01-04T12:00"))
    assert URL not in before and "nl/nieuws/launch/index.html" not in before
    assert mentions_launch(before) == []  # news lists, home pages, feeds, sitemap
    on_the_day = files(mini_site, epoch("2027-01-05T12:00"))
    assert URL in on_the_day
    assert {"sitemap.xml", "en/feed.xml", "en/news/index.html"} <= set(mentions_launch(on_the_day))


def test_publish_date_holds_back_a_page_dated_earlier(mini_site):
    scheduled(mini_site, "date: 2026-12-01", "publish_date: 2027-01-05")
    assert URL not in files(mini_site, epoch("2027-01-04T12:00"))
    assert URL in files(mini_site, epoch("2027-01-05T12:00"))


def test_future_publishes_pages_ahead_of_their_day_and_the_preview_marks_them(mini_site):
    scheduled(mini_site, "date: 2027-01-05")
    now = epoch("2027-01-04T12:00")
    shown = files(mini_site, now, future=True)
    assert "en/feed.xml" in mentions_launch(shown)
    assert b"Scheduled: this page is not published yet" in shown[URL]
    assert b"Scheduled: this page" not in files(mini_site, epoch("2027-01-05T12:00"))[URL]
    assert URL in files(mini_site, now, preview=True)


def test_expiry_date_takes_a_page_down_from_that_day(mini_site):
    scheduled(mini_site, "date: 2026-12-01", "expiry_date: 2027-01-05")
    assert URL in files(mini_site, epoch("2027-01-04T12:00"))
    gone = files(mini_site, epoch("2027-01-05T12:00"))
    assert URL not in gone and mentions_launch(gone) == []
    assert URL not in files(mini_site, epoch("2027-01-05T12:00"), future=True)


def test_the_day_is_the_site_s_time_zone_s_not_utc(mini_site):
    scheduled(mini_site, "date: 2027-01-05")
    late_evening_utc = epoch("2027-01-04T23:30")  # already 00:30 on the 5th in Amsterdam
    assert URL in files(mini_site, late_evening_utc)
    config = (mini_site / "site.yaml").read_text()
    (mini_site / "site.yaml").write_text(config + "time_zone: UTC\n")
    assert URL not in files(mini_site, late_evening_utc)


def test_the_build_s_day_follows_the_time_zone_at_the_boundary():
    config = parse_config(
        "base_url: https://example.org\ndefault_language: en\ntitle: {en: T}\n"
        "languages: {en: {locale: en_GB, name: English}}\n"
    )
    assert config.time_zone == "Europe/Amsterdam"
    assert config.today(epoch("2027-01-04T22:59")) == datetime.date(2027, 1, 4)
    assert config.today(epoch("2027-01-04T23:30")) == DUE
    assert config.start_of(DUE) == epoch("2027-01-04T23:00")


def build(site: Path, when: str, *options: str):
    return run_process("-C", site, "build", *options, env={"SOURCE_DATE_EPOCH": str(epoch(when))})


def test_build_says_what_it_held_back_and_a_cached_build_publishes_it_on_its_day(mini_site):
    scheduled(mini_site, "date: 2027-01-05")
    first = build(mini_site, "2027-01-03T12:00")
    assert first.returncode == 0, first.stderr
    assert LINE in first.stderr.splitlines()
    assert URL not in read_tree(mini_site / "build")
    again = build(mini_site, "2027-01-04T22:00")  # 23:00 in Amsterdam: still the 4th
    assert "is up to date" in again.stderr and LINE in again.stderr.splitlines()
    due = build(mini_site, "2027-01-04T23:30")  # no file changed, but the page came due
    assert due.returncode == 0, due.stderr
    assert "is up to date" not in due.stderr and "held back" not in due.stderr
    assert URL in read_tree(mini_site / "build")
    assert "is up to date" in build(mini_site, "2027-01-05T09:00").stderr


def test_a_cached_build_takes_an_expired_page_down_with_no_file_changed(mini_site):
    scheduled(mini_site, "date: 2026-12-01", "expiry_date: 2027-01-05")
    assert build(mini_site, "2027-01-04T12:00").returncode == 0
    assert URL in read_tree(mini_site / "build")
    gone = build(mini_site, "2027-01-05T12:00")
    assert gone.returncode == 0 and "is up to date" not in gone.stderr
    assert URL not in read_tree(mini_site / "build")


def test_future_on_the_command_line(mini_site, run_cli, monkeypatch):
    scheduled(mini_site, "date: 2027-01-05")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(epoch("2027-01-04T12:00")))
    assert run_cli("-C", mini_site, "build", "--future", "--no-cache")[0] == 0
    assert URL in read_tree(mini_site / "build")
    code, _, err = run_cli("-C", mini_site, "check", "--future")
    assert code == 0, err


def errors_of(call) -> list[str]:
    with pytest.raises((SiteError, SiteErrors)) as caught:
        call()
    found = caught.value.errors if isinstance(caught.value, SiteErrors) else [caught.value]
    return [format_error(error) for error in found]


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (
            ["date: 2026-12-01", "publish_date: soon"],
            (
                "content/en/news/2027-01-05-launch.md:5: publish_date 'soon' is not a date "
                "(hint: the first day the page is published, written YYYY-MM-DD)"
            ),
        ),
        (
            ["date: 2026-12-01", "expiry_date: 2027-02-30"],
            (
                "content/en/news/2027-01-05-launch.md:5: expiry_date '2027-02-30' is not a valid date "
                "(hint: the first day the page is no longer published, written YYYY-MM-DD)"
            ),
        ),
        (
            ["date: 2026-12-01", "publish_date: 2027-01-05", "expiry_date: 2027-01-01"],
            (
                "content/en/news/2027-01-05-launch.md:6: expiry_date 2027-01-01 is not after the day "
                "the page is published, 2027-01-05 (hint: the page would never be shown: write a later "
                "expiry_date, or remove the line)"
            ),
        ),
    ],
)
def test_bad_schedules_name_file_and_line(mini_site, lines, message):
    scheduled(mini_site, *lines)
    assert message in errors_of(lambda: stages.generate(mini_site, now=epoch("2027-01-04T12:00")))


def test_an_unknown_time_zone_is_an_error(mini_site):
    config = (mini_site / "site.yaml").read_text()
    (mini_site / "site.yaml").write_text(config + "time_zone: Mars/Olympus\n")
    (message,) = errors_of(lambda: stages.generate(mini_site))
    assert "site.yaml:" in message and "'Mars/Olympus' is not a known time zone" in message


def test_a_held_back_page_far_ahead_is_still_warned_about(mini_site):
    far = "content/en/news/2027-01-05-launch.md:4: the date 2032-01-05 is more than 5 years ahead"
    scheduled(mini_site, "date: 2032-01-05")
    found = stages.generate(mini_site, now=epoch("2027-01-04T12:00")).findings
    assert next(format_error(w) for w in found.doubtful if "launch" in w.path).startswith(far)
    scheduled(mini_site, "date: 2028-01-05")  # held back a year: a plan, not a typo
    found = stages.generate(mini_site, now=epoch("2027-01-04T12:00")).findings
    assert not [w for w in found.doubtful if "launch" in w.path]


def test_a_shared_memo_across_the_due_day_makes_what_a_cold_build_does(mini_site):
    """The mark of a page shown ahead of its day is in the site's key: a memo kept from the day
    before (as the preview keeps one) renders the page again, unmarked, on its day."""
    from site_builder.incremental.memo import Memo

    scheduled(mini_site, "date: 2027-01-05")
    memo = Memo()
    before = stages.generate(mini_site, now=epoch("2027-01-04T12:00"), future=True, memo=memo)
    due = stages.generate(mini_site, now=epoch("2027-01-05T12:00"), future=True, memo=memo)
    assert before.site.inputs != due.site.inputs
    cold = stages.generate(mini_site, now=epoch("2027-01-05T12:00"), future=True)
    assert {file.path: file.digest for file in due.files} == {file.path: file.digest for file in cold.files}


@pytest.mark.parametrize(
    "value",
    [
        "abc",  # was ignored: the machine's clock, not the day that was meant
        "-1",
        "1.5",
        "253402300800",  # the year 10000: a traceback
        "99999999999999999999",  # an overflow: a traceback
        "١٢٣",  # digits, but not ASCII ones
    ],
)
def test_a_source_date_epoch_that_is_not_a_moment_is_refused(mini_built, value):
    root, before = mini_built
    result = run_process("-C", root, "build", env={"SOURCE_DATE_EPOCH": value})
    assert (result.returncode, result.stderr.splitlines()) == (
        1,
        [
            f"SOURCE_DATE_EPOCH is '{value}', not a moment from 1970 to 3000 in seconds since 1970 "
            "(hint: set it to a whole number of seconds, such as the last commit's "
            "(git log -1 --format=%ct), or unset it)"
        ],
    )
    assert read_tree(root / "build") == before
