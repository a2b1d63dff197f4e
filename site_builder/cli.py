"""Command line: ``site-builder build | serve | new | check | translations | i18n``.

Wiring only. A user's mistake prints one line per problem on stderr and exits 1;
a usage error exits 2.
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import sys
from pathlib import Path

from site_builder import __version__
from site_builder.errors import SiteError, SiteErrors, format_error
from site_builder.incremental import record

log = logging.getLogger("site_builder")
_FUTURE_HELP = "include pages dated after today (by date or publish_date), which are otherwise held back"
GC_THRESHOLD = 100_000  # allocations between collections of the youngest objects (Python's default: 700)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="site-builder", description="Build the bilingual Life Sciences & Health Amsterdam site."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "-C", "--root", type=Path, default=Path("."), help="the site's folder (default: the current folder)"
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="print only errors")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    build = commands.add_parser("build", help="build the site into build/")
    build.add_argument("--out", type=Path, help="output folder (default: build/ in the site's folder)")
    build.add_argument(
        "--drafts", action="store_true", help="include pages marked draft: true and those not translated yet"
    )
    build.add_argument("--future", action="store_true", help=_FUTURE_HELP)
    build.add_argument("--base-url", type=_base_url, help="the site's address, overriding site.yaml")
    build.add_argument(
        "--strict",
        action="store_true",
        help="treat every warning (missing, stale or inconsistent translations, UI strings) as an error",
    )
    build.add_argument(
        "--jobs",
        type=_positive,
        metavar="N",
        help="processes converting Markdown and rendering pages (default: one per core)",
    )
    build.add_argument(
        "--cache-dir", type=Path, metavar="DIR", help="where to keep the build cache (default: .site-cache/)"
    )
    build.add_argument(
        "--no-cache", action="store_true", help="build from scratch, without reading or writing the cache"
    )

    serve = commands.add_parser("serve", help="preview on 127.0.0.1 with live reload")
    serve.add_argument("--port", type=_port, default=8000, help="port, 1 to 65535 (default: 8000)")
    serve.add_argument(
        "--host",
        type=_host,
        default="127.0.0.1",
        help="address to listen on (default: 127.0.0.1, this machine only; "
        "any other shows drafts to whoever can reach it)",
    )
    serve.add_argument("--open", action="store_true", help="open the preview in a browser")

    new = commands.add_parser("new", help='create a page: new news "Title" --lang nl')
    new.add_argument("kind", choices=["news"], help="what to create")
    new.add_argument("title", help="the title")
    new.add_argument("--lang", help="language code (default: the site's default language)")
    new.add_argument(
        "--both", action="store_true", help="also create the page in the other languages, to be translated"
    )

    check = commands.add_parser(
        "check", help="report links that lead nowhere and missing, stale or inconsistent translations"
    )
    check.add_argument("--future", action="store_true", help=_FUTURE_HELP)

    status = commands.add_parser("translations", help="what needs translating: a table per language")
    status.add_argument("--format", choices=["table", "json"], default="table", help="output format")
    actions = status.add_subparsers(dest="action", metavar="ACTION")
    done = actions.add_parser("done", help="record that a translated page is up to date with its source")
    done.add_argument("file", help="the translated page, such as content/nl/news/2019-09-26-mou.md")
    done.add_argument("--from", dest="source_lang", help="the language it was translated from")
    diff = actions.add_parser(
        "diff", help="what changed in a translated page's source since it was translated, word by word"
    )
    diff.add_argument("file", help="the translated page, or the page it was translated from")

    nginx = commands.add_parser(
        "nginx-config", help="print an nginx server block that serves build/ like the CDN"
    )
    nginx.add_argument(
        "--out", type=Path, help="the built site's folder (default: build/ in the site's folder)"
    )
    nginx.add_argument(
        "--listen", default="127.0.0.1:8080", help="nginx listen address (default: 127.0.0.1:8080)"
    )

    i18n = commands.add_parser("i18n", help="UI strings: extract them from the templates, update catalogues")
    i18n.add_argument(
        "action",
        choices=["extract", "update"],
        help="extract: write messages.pot; "
        "update: also bring every translations/<lang>/LC_MESSAGES/messages.po up to date",
    )
    return parser


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, not {value!r}")
    return number


def _port(value: str) -> int:
    # Checked here: the system takes a number beyond 65535 modulo 65536 and would listen elsewhere.
    try:
        number = int(value)
    except ValueError:
        number = 0
    if not 1 <= number <= 65535:
        raise argparse.ArgumentTypeError(f"expected a port from 1 to 65535, not {value!r}")
    return number


def _host(value: str) -> str:
    # An empty address would mean every address of the machine, the opposite of what was typed.
    host = value.strip()
    if host.startswith("[") and host.endswith("]"):  # an IPv6 address as written in a URL
        host = host[1:-1]
    if not host:
        raise argparse.ArgumentTypeError(f"expected an address such as 127.0.0.1 or localhost, not {value!r}")
    return host


def _base_url(value: str) -> str:
    from site_builder.config import check_base_url

    problem = check_base_url(value)
    if problem:
        raise argparse.ArgumentTypeError(problem)
    return value


def run() -> None:
    """The ``site-builder`` command: ``main`` in a process tuned for a short run.

    Garbage is collected less often than by Python's default, and the process
    exits without freeing every object one by one first: the system takes the
    whole memory back in one step, which after a build saves about a tenth of
    a second. Everything ``main`` opened is closed by then; only the output
    streams need flushing.
    """
    # A build makes objects by the million (the cache, the site, its pages) and few cycles:
    # the collector's default pace would walk all of them again and again for little.
    gc.set_threshold(GC_THRESHOLD, 20, 20)
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.WARNING if args.quiet else logging.INFO, format="%(message)s", stream=sys.stderr
    )
    root = args.root
    try:
        return _run(args, root)
    except SiteErrors as errors:
        for error in errors.errors:
            print(format_error(error), file=sys.stderr)
        return 1
    except SiteError as error:
        print(format_error(error), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def _run(args: argparse.Namespace, root: Path) -> int:
    if args.command == "build":
        return _build(args, root)

    # Imported here, not at the top: a build with nothing to do needs none of it.
    from site_builder import pipeline, stages
    from site_builder.config import load_config

    if args.command == "check":
        findings = stages.generate(root, future=args.future).findings
        for problem in findings.all:
            print(format_error(problem), file=sys.stderr)
        log.info(
            "%d links leading nowhere, %d missing translations, %d translation problems, "
            "%d UI string problems, %d raw HTML the policy refuses",
            len(findings.broken_links),
            len(findings.missing_translations),
            len(findings.translations) + len(findings.figures),
            len(findings.ui_strings),
            len(findings.unsafe_html),
        )
        return 1 if findings.all else 0
    if args.command == "new":
        from site_builder.content.scaffold import new_news

        config = load_config(root)
        lang = args.lang or config.default_language
        today = config.today(record.build_clock())  # the site's day, as scheduling counts it
        for path in new_news(root, config, args.title, lang, today, both=args.both):
            print(path)
        return 0
    if args.command == "translations":
        from site_builder.content import scaffold
        from site_builder.content.load import load_sources
        from site_builder.site import translations

        config = load_config(root)
        if args.action == "done":
            print(scaffold.mark_translated(root, config, args.file, args.source_lang))
            return 0
        if args.action == "diff":
            from site_builder.content.translated import comparisons

            # Colour only for a person at a terminal who has not asked for none (no-color.org).
            colour = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
            print("\n\n".join(found.render_text(colour) for found in comparisons(root, config, args.file)))
            return 0
        rows = translations.status(config, load_sources(root, config))
        print(translations.render_status(rows, args.format))
        return 0
    if args.command == "nginx-config":
        from site_builder.output.cdn import nginx_config

        out = (args.out if args.out is not None else root / pipeline.DEFAULT_OUTPUT).absolute()
        print(nginx_config(stages.generate(root).site, str(out), args.listen))
        return 0
    if args.command == "i18n":
        from site_builder.checks import catalogs

        config = load_config(root)
        written = [catalogs.extract(root)] if args.action == "extract" else catalogs.update(root, config)
        for path in written:
            print(path)
        return 0
    if args.command == "serve":
        from site_builder.serve import serve

        serve(root, host=args.host, port=args.port, open_browser=args.open)
        return 0
    raise AssertionError(args.command)


def _build(args: argparse.Namespace, root: Path) -> int:
    from site_builder import pipeline

    out = args.out if args.out is not None else root / pipeline.DEFAULT_OUTPUT
    cache_dir = None if args.no_cache else (args.cache_dir or root / record.DEFAULT_CACHE_DIR).absolute()
    report = pipeline.build(
        root,
        out,
        drafts=args.drafts,
        base_url=args.base_url,
        strict=args.strict,
        jobs=args.jobs,
        cache_dir=cache_dir,
        future=args.future,
    )
    if report.scheduled:
        # On stdout, as news rather than trouble: a daily build publishes these on their day.
        log.info("%s", report.scheduled)
    for line in report.warning_lines:
        print(f"warning: {line}", file=sys.stderr)
    for warning in report.warnings:
        print(f"warning: {format_error(warning)}", file=sys.stderr)
    return 0
