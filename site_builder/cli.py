"""Command line: ``site-builder build | serve | new | check``.

Wiring only. A user's mistake prints one line per problem on stderr and exits 1;
a usage error exits 2.
"""

from __future__ import annotations

import argparse
import datetime
import logging
import sys
from pathlib import Path

from site_builder import __version__
from site_builder.config import check_base_url, load_config
from site_builder.errors import SiteError, SiteErrors, format_error

log = logging.getLogger("site_builder")


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
    build.add_argument("--drafts", action="store_true", help="include pages marked draft: true")
    build.add_argument("--base-url", type=_base_url, help="the site's address, overriding site.yaml")

    serve = commands.add_parser("serve", help="preview on 127.0.0.1 with live reload")
    serve.add_argument("--port", type=int, default=8000, help="port (default: 8000)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    serve.add_argument("--open", action="store_true", help="open the preview in a browser")

    new = commands.add_parser("new", help='create a page: new news "Title" --lang nl')
    new.add_argument("kind", choices=["news"], help="what to create")
    new.add_argument("title", help="the title")
    new.add_argument("--lang", help="language code (default: the site's default language)")

    commands.add_parser("check", help="report missing translations and links that lead nowhere")
    return parser


def _base_url(value: str) -> str:
    problem = check_base_url(value)
    if problem:
        raise argparse.ArgumentTypeError(problem)
    return value


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
    from site_builder import pipeline

    if args.command == "build":
        out = args.out if args.out is None or args.out.is_absolute() else Path.cwd() / args.out
        report = pipeline.build(root, out, drafts=args.drafts, base_url=args.base_url)
        for warning in report.warnings:
            log.warning("warning: %s", format_error(warning))
        return 0
    if args.command == "check":
        findings = pipeline.generate(root).findings
        for problem in findings.all:
            print(format_error(problem), file=sys.stderr)
        log.info(
            "%d links leading nowhere, %d missing translations",
            len(findings.broken_links),
            len(findings.missing_translations),
        )
        return 1 if findings.all else 0
    if args.command == "new":
        from site_builder.scaffold import new_news

        config = load_config(root)
        path = new_news(root, config, args.title, args.lang or config.default_language, datetime.date.today())
        print(path.relative_to(root) if not path.is_absolute() else path)
        return 0
    if args.command == "serve":
        from site_builder.serve import serve

        serve(root, host=args.host, port=args.port, open_browser=args.open)
        return 0
    raise AssertionError(args.command)
