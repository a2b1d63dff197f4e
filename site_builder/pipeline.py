"""The build: the stages in order (see ``stages``), then the site published and what the next
build starts from recorded.

``build`` is what the command line and the preview call. It first looks whether
anything changed since the last build (see ``record``): if nothing did, it
stops there, before the stages and their libraries are even loaded.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections import Counter
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from site_builder.errors import (
    Message,
    SiteErrors,
    error_from_json,
    error_to_json,
    message_from_json,
    message_to_json,
    msg,
)
from site_builder.incremental import record, signing
from site_builder.output.publish import (
    DEFAULT_OUTPUT,
    Known,
    check_cache_folder,
    check_output_folder,
    output_lock,
    publish,
)
from site_builder.project import INPUT_DIRS, INPUTS
from site_builder.site.files import OutputFile

# As typing's: type checkers take it as true. A build with nothing to do imports no typing.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from site_builder.incremental.memo import Memo

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class BuildReport:
    """What a build published, for the command line and the preview to report."""

    out: Path
    pages: dict[str, int]  # HTML pages per language
    files: int
    seconds: float
    warnings: tuple  # findings that do not stop a build (with up_to_date: the last build's)
    outputs: tuple[OutputFile, ...] = ()  # what was published
    up_to_date: bool = False  # nothing changed since the last build: nothing was done
    # Pages held back until a later day, as one line: "held back 2 pages dated after today; …".
    scheduled: Message | None = None
    saved: int = 0  # bytes that minifying took out of the published files


@dataclass
class PreviewState:
    """What the preview keeps between its builds: the memo of their steps, and what each of
    its two folders holds (path → digest), which this process alone writes."""

    memo: Memo | None = None
    published: dict[str, str] = field(default_factory=dict)
    spare_published: dict[str, str] = field(default_factory=dict)


def publish_preview(files: tuple[OutputFile, ...], out: Path, cache: PreviewState) -> None:
    """Publish to the preview's private folder: what each of its two folders holds is known
    from memory."""
    spare = Known(cache.spare_published, frozenset(cache.spare_published)) if cache.spare_published else None
    try:
        publish(files, out, output=Known(cache.published), spare=spare)
    except BaseException:
        cache.spare_published = {}  # half updated: made anew next time
        raise
    cache.spare_published, cache.published = cache.published, {file.path: file.digest for file in files}


def build(
    root: Path,
    out: Path | None = None,
    *,
    drafts: bool = False,
    base_url: str | None = None,
    strict: bool = False,
    preview: bool = False,
    cache: PreviewState | None = None,
    jobs: int | None = 1,
    cache_dir: Path | None = None,
    future: bool = False,
    minify: bool = True,
) -> BuildReport:
    """Generate the site and publish it to ``out`` (default ``build/``); nothing is written on failure.

    ``cache`` (the preview's) keeps results in memory between builds.
    ``cache_dir`` keeps the memo of the build's steps on disk between builds (see ``store``),
    with a record of what the build read and wrote (see ``record``), both
    written again after each successful build. When the record shows that
    neither the inputs nor the output folder changed, nothing is done at all
    (``BuildReport.up_to_date``).
    ``future`` publishes pages dated after today too (see ``site.model.build_site``).
    ``minify``: HTML, CSS and JavaScript minified (see ``render.minify``); never in the
    preview, whose pages stay as written.
    """
    minify = minify and not preview
    started = time.perf_counter()
    # Read once: the day every page's dates are compared with, and the one the record keeps.
    now = record.build_clock()
    out = (out if out is not None else root / DEFAULT_OUTPUT).absolute()
    check_output_folder(out, root, INPUT_DIRS + ("site.yaml",))
    persistent = cache is None and cache_dir is not None
    key = None
    if persistent:
        check_cache_folder(cache_dir, out, root, INPUT_DIRS + ("site.yaml",))
        key = signing.cache_key()
    with output_lock(out):
        observed, stored, stored_state = None, None, None
        if persistent:
            options = record.build_options(
                root,
                out,
                cache_dir,
                drafts=drafts,
                base_url=base_url,
                strict=strict,
                future=future,
                minify=minify,
            )
            observed = record.observe(root, out, cache_dir, options, key)
            if observed.unchanged(root, now):
                return _up_to_date(out, observed.last, started)
        # Loaded here, not above: a build that finds nothing changed needs none of the stages.
        from site_builder.incremental.memo import Memo
        from site_builder.site.model import held_back_line
        from site_builder.stages import generate, store_memo, stored_memo

        inputs = None
        if persistent:
            stored, stored_state = stored_memo(cache_dir, observed.published or {}, key)
            # Found before anything was read, so that a save during the build is seen by the next one.
            seen = observed.inputs
            inputs = seen if seen is not None and seen.names == INPUTS else record.find_inputs(root, INPUTS)
        if cache is not None and cache.memo is None:
            cache.memo = Memo()
        memo = cache.memo if cache is not None else stored
        found = inputs.stats if inputs is not None else None
        # A file changed this recently may change again within the same tick of the file
        # system's clock, keeping its stamp: it is read again rather than trusted by it.
        changed_since = time.time_ns() - record.RACY_NS
        run = partial(
            generate,
            root,
            drafts=drafts,
            base_url=base_url,
            preview=preview,
            jobs=jobs,
            found=found,
            changed_since_ns=changed_since,
            now=now,
            future=future,
            minify=minify,
        )
        generated = run(memo=memo)
        policy = generated.site.config.missing_translation
        blocking = generated.findings.blocking(policy, strict)
        if blocking:
            raise SiteErrors(blocking)
        kept: dict = {}
        touched = None
        if cache is not None:
            publish_preview(generated.files, out, cache)
        elif observed is not None:
            spare, kept = record.spare_state(out, observed.last)
            touched = publish(generated.files, out, output=observed.known_output(), spare=spare)
        else:
            publish(generated.files, out)
        html = Counter(
            f.path.split("/", 1)[0] for f in generated.files if f.path.endswith(".html") and "/" in f.path
        )
        report = BuildReport(
            out=out,
            pages={code: html.get(code, 0) for code in generated.site.config.codes},
            files=len(generated.files),
            seconds=0.0,
            warnings=generated.findings.warnings(policy, strict),
            outputs=generated.files,
            scheduled=held_back_line(generated.site),
            saved=sum(file.saved for file in generated.files),
        )
        if persistent:
            store_memo(cache_dir, stored, stored_state, key)
            site = generated.site
            due = site.config.start_of(site.next_change) if site.next_change is not None else None
            warnings = tuple(error_to_json(warning) for warning in report.warnings)
            summary = (report.pages, report.files, warnings, message_to_json(report.scheduled))
            written = {file.path: file.digest for file in report.outputs}
            record.store(
                root,
                out,
                (cache_dir, key),
                (options, inputs, due),
                written,
                summary,
                observed,
                (kept, touched),
            )
    report = dataclasses.replace(report, seconds=time.perf_counter() - started)
    log.info(
        msg(
            "built {out}: {summary} in {seconds:.2f} s",
            out=out,
            summary=record.pages_summary(report.pages, report.files),
            seconds=report.seconds,
        )
    )
    if report.saved:
        log.info(
            msg("minified HTML, CSS and JavaScript: {size:.1f} KiB less to send", size=report.saved / 1024)
        )
    return report


def _up_to_date(out: Path, last: record.Record, started: float) -> BuildReport:
    pages, files, warnings, scheduled = last.summary
    seconds = time.perf_counter() - started
    log.info(
        msg(
            "{out} is up to date: {summary}; checked in {seconds:.2f} s",
            out=out,
            summary=record.pages_summary(pages, files),
            seconds=seconds,
        )
    )
    return BuildReport(
        out,
        dict(pages),
        files,
        seconds,
        tuple(error_from_json(warning) for warning in warnings),
        up_to_date=True,
        scheduled=message_from_json(scheduled),
    )
