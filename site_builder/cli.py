"""Command line: ``site-builder build | serve | new | check | translations | i18n``.

Wiring only. A user's mistake prints one line per problem on stderr and exits 1;
a usage error exits 2.
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path

from site_builder import __version__
from site_builder.errors import ENGLISH, Catalogue, SiteError, SiteErrors, format_error, format_warning, msg
from site_builder.incremental import record
from site_builder.messages import MessageFormatter, editor_language, load_catalogue

log = logging.getLogger("site_builder")
_FUTURE_HELP = msg("include pages dated after today (by date or publish_date), which are otherwise held back")
_DRAFTS_HELP = msg("include pages marked draft: true and those not translated yet")
GC_THRESHOLD = 100_000  # allocations between collections of the youngest objects (Python's default: 700)


def _parser(catalogue: Catalogue = ENGLISH) -> argparse.ArgumentParser:
    _ = catalogue.show  # each help text in the editor's language; argparse's own words stay English
    parser = argparse.ArgumentParser(
        prog="site-builder", description=_(msg("Build the bilingual Life Sciences & Health Amsterdam site."))
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "-C",
        "--root",
        type=Path,
        default=Path("."),
        help=_(msg("the site's folder (default: the current folder)")),
    )
    parser.add_argument("-q", "--quiet", action="store_true", help=_(msg("print only errors")))
    commands = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", parser_class=_CommandParser
    )

    def build_arguments(build: argparse.ArgumentParser) -> None:
        build.add_argument(
            "--out", type=Path, help=_(msg("output folder (default: build/ in the site's folder)"))
        )
        build.add_argument("--drafts", action="store_true", help=_(_DRAFTS_HELP))
        build.add_argument("--future", action="store_true", help=_(_FUTURE_HELP))
        build.add_argument(
            "--base-url",
            type=_in_language(_base_url, catalogue),
            help=_(msg("the site's address, overriding site.yaml")),
        )
        build.add_argument(
            "--strict",
            action="store_true",
            help=_(
                msg(
                    "treat every warning (missing, stale or inconsistent translations, UI strings) "
                    "as an error"
                )
            ),
        )
        build.add_argument(
            "--jobs",
            type=_in_language(_positive, catalogue),
            metavar="N",
            help=_(msg("processes converting Markdown and rendering pages (default: one per core)")),
        )
        build.add_argument(
            "--cache-dir",
            type=Path,
            metavar="DIR",
            help=_(msg("where to keep the build cache (default: .site-cache/)")),
        )
        build.add_argument(
            "--no-cache",
            action="store_true",
            help=_(msg("build from scratch, without reading or writing the cache")),
        )
        build.add_argument(
            "--no-minify",
            action="store_true",
            help=_(msg("write HTML, CSS and JavaScript as rendered, not minified")),
        )

    commands.add_parser("build", help=_(msg("build the site into build/")), arguments=build_arguments)

    def serve_arguments(serve: argparse.ArgumentParser) -> None:
        serve.add_argument(
            "--port",
            type=_in_language(_port, catalogue),
            default=8000,
            help=_(msg("port, 1 to 65535 (default: 8000)")),
        )
        serve.add_argument(
            "--host",
            type=_in_language(_host, catalogue),
            default="127.0.0.1",
            help=_(
                msg(
                    "address to listen on (default: 127.0.0.1, this machine only; "
                    "any other shows drafts to whoever can reach it)"
                )
            ),
        )
        serve.add_argument("--open", action="store_true", help=_(msg("open the preview in a browser")))

    commands.add_parser(
        "serve", help=_(msg("preview on 127.0.0.1 with live reload")), arguments=serve_arguments
    )

    def new_arguments(new: argparse.ArgumentParser) -> None:
        new.add_argument("kind", choices=["news"], help=_(msg("what to create")))
        new.add_argument("title", help=_(msg("the title")))
        new.add_argument("--lang", help=_(msg("language code (default: the site's default language)")))
        new.add_argument(
            "--both",
            action="store_true",
            help=_(msg("also create the page in the other languages, to be translated")),
        )

    commands.add_parser(
        "new", help=_(msg('create a page: new news "Title" --lang nl')), arguments=new_arguments
    )

    def check_arguments(check: argparse.ArgumentParser) -> None:
        check.add_argument("--drafts", action="store_true", help=_(_DRAFTS_HELP))
        check.add_argument("--future", action="store_true", help=_(_FUTURE_HELP))

    commands.add_parser(
        "check",
        help=_(msg("report links that lead nowhere and missing, stale or inconsistent translations")),
        arguments=check_arguments,
    )

    def status_arguments(status: argparse.ArgumentParser) -> None:
        status.add_argument(
            "--format", choices=["table", "json"], default="table", help=_(msg("output format"))
        )
        actions = status.add_subparsers(dest="action", metavar="ACTION")
        done = actions.add_parser(
            "done", help=_(msg("record that a translated page is up to date with its source"))
        )
        done.add_argument(
            "file", help=_(msg("the translated page, such as content/nl/news/2019-09-26-mou.md"))
        )
        done.add_argument("--from", dest="source_lang", help=_(msg("the language it was translated from")))
        diff = actions.add_parser(
            "diff",
            help=_(msg("what changed in a translated page's source since it was translated, word by word")),
        )
        diff.add_argument("file", help=_(msg("the translated page, or the page it was translated from")))
        export = actions.add_parser(
            "export",
            help=_(msg("XLIFF 1.2 for a translation agency: the pages to translate into a language")),
        )
        export.add_argument(
            "--to", required=True, dest="lang", metavar="LANG", help=_(msg("the language to translate into"))
        )
        export.add_argument(
            "--changed", action="store_true", help=_(msg("only pages that are missing or stale"))
        )
        export.add_argument(
            "-o",
            "--output",
            type=Path,
            metavar="FILE",
            help=_(msg("where to write (default: standard output)")),
        )
        imported = actions.add_parser(
            "import", help=_(msg("write the pages an agency translated (XLIFF) and mark them translated"))
        )
        imported.add_argument("file", type=Path, help=_(msg("the XLIFF file, such as lsh-en.xlf")))

    commands.add_parser(
        "translations",
        help=_(msg("what needs translating: a table per language")),
        arguments=status_arguments,
    )

    def nginx_arguments(nginx: argparse.ArgumentParser) -> None:
        nginx.add_argument(
            "--out", type=Path, help=_(msg("the built site's folder (default: build/ in the site's folder)"))
        )
        nginx.add_argument(
            "--listen",
            type=_in_language(_listen, catalogue),
            default="127.0.0.1:8080",
            help=_(msg("nginx listen address (default: 127.0.0.1:8080)")),
        )

    commands.add_parser(
        "nginx-config",
        help=_(msg("print an nginx server block that serves build/ like the CDN")),
        arguments=nginx_arguments,
    )

    def deploy_arguments(deploy: argparse.ArgumentParser) -> None:
        deploy.add_argument(
            "--out",
            type=Path,
            metavar="DIR",
            help=_(msg("the built site's folder (default: build/ in the site's folder)")),
        )
        deploy.add_argument(
            "--target",
            metavar="NAME",
            help=_(msg("which of site.yaml's deploy targets (default: the first)")),
        )
        deploy.add_argument(
            "--dry-run", action="store_true", help=_(msg("list every upload and deletion; change nothing"))
        )
        deploy.add_argument(
            "--force",
            action="store_true",
            help=_(msg("upload every file, and delete more pages than max_deletes allows")),
        )
        deploy.add_argument(
            "--headers-policy",
            nargs="?",
            const="pages",
            choices=["pages", "search"],
            help=_(
                msg(
                    "print the security headers as a CloudFront response headers policy (JSON) and exit; "
                    "search: the policy of the search pages and /pagefind/*"
                )
            ),
        )

    commands.add_parser(
        "deploy",
        help=_(msg("publish build/ to an S3-compatible object store (a target of site.yaml's deploy:)")),
        arguments=deploy_arguments,
    )

    def i18n_arguments(i18n: argparse.ArgumentParser) -> None:
        i18n.add_argument(
            "action",
            choices=["extract", "update"],
            help=_(
                msg(
                    "extract: write messages.pot; "
                    "update: also bring every translations/<lang>/LC_MESSAGES/messages.po up to date"
                )
            ),
        )

    commands.add_parser(
        "i18n",
        help=_(msg("UI strings: extract them from the templates, update catalogues")),
        arguments=i18n_arguments,
    )
    return parser


class _CommandParser(argparse.ArgumentParser):
    """A command's parser whose arguments are added once the command is used: a run asks
    for one command, and adding every command's arguments took longer than a build that
    finds nothing to do spends on anything but its checks."""

    def __init__(self, *args, arguments: Callable[[argparse.ArgumentParser], None] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self._arguments = arguments

    def parse_known_args(self, args=None, namespace=None):
        if self._arguments is not None:
            add, self._arguments = self._arguments, None
            add(self)
        return super().parse_known_args(args, namespace)


def _in_language(check: Callable[[str], object], catalogue: Catalogue) -> Callable[[str], object]:
    """``check`` (an argument's ``type``), its refusal shown in the catalogue's language:
    argparse shows the ``ArgumentTypeError``'s text as it is."""

    def converted(value: str) -> object:
        try:
            return check(value)
        except argparse.ArgumentTypeError as refused:
            raise argparse.ArgumentTypeError(catalogue.show(refused.args[0])) from None

    converted.__name__ = check.__name__
    return converted


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(
            msg("expected a whole number of at least 1, not {value}", value=repr(value))
        )
    return number


def _port(value: str) -> int:
    # Checked here: the system takes a number beyond 65535 modulo 65536 and would listen elsewhere.
    try:
        number = int(value)
    except ValueError:
        number = 0
    if not 1 <= number <= 65535:
        raise argparse.ArgumentTypeError(
            msg("expected a port from 1 to 65535, not {value}", value=repr(value))
        )
    return number


def _host(value: str) -> str:
    # An empty address would mean every address of the machine, the opposite of what was typed.
    host = value.strip()
    if host.startswith("[") and host.endswith("]"):  # an IPv6 address as written in a URL
        host = host[1:-1]
    if not host:
        raise argparse.ArgumentTypeError(
            msg("expected an address such as 127.0.0.1 or localhost, not {value}", value=repr(value))
        )
    return host


# What nginx's listen takes that this command writes: a port, or an address and a port.
_LISTEN = re.compile(r"(?:(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\]):)?([0-9]{1,5})")


def _listen(value: str) -> str:
    # Written into the configuration as it is: a ';' or a line break would add directives.
    found = _LISTEN.fullmatch(value)
    if found is None or not 1 <= int(found[1]) <= 65535:
        raise argparse.ArgumentTypeError(
            msg(
                "expected a port, or an address and a port such as 127.0.0.1:8080, not {value}",
                value=repr(value),
            )
        )
    return value


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
    # The editor's language, found once here: every message is shown in it (see ``messages``).
    catalogue = load_catalogue(editor_language(os.environ))
    args = _parser(catalogue).parse_args(argv)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(MessageFormatter(catalogue))
    logging.basicConfig(level=logging.WARNING if args.quiet else logging.INFO, handlers=[handler])
    root = args.root
    try:
        return _run(args, root, catalogue)
    except SiteErrors as errors:
        for error in errors.errors:
            print(format_error(error, catalogue), file=sys.stderr)
        return 1
    except SiteError as error:
        print(format_error(error, catalogue), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def _run(args: argparse.Namespace, root: Path, catalogue: Catalogue) -> int:
    if args.command == "build":
        return _build(args, root, catalogue)
    if args.command == "deploy":  # before the imports below: a deploy needs no stage of the build
        return _deploy(args, root, catalogue)

    # Imported here, not at the top: a build with nothing to do needs none of it.
    from site_builder import pipeline, stages
    from site_builder.config import load_config

    if args.command == "check":
        findings = stages.generate(root, drafts=args.drafts, future=args.future).findings
        for problem in findings.all:
            print(format_error(problem, catalogue), file=sys.stderr)
        log.info(
            msg(
                "{links} links leading nowhere, {missing} missing translations, {translations} translation "
                "problems, {ui_strings} UI string problems, {unsafe} raw HTML the policy refuses, "
                "{doubtful} settings that look like mistakes",
                links=len(findings.broken_links),
                missing=len(findings.missing_translations),
                translations=len(findings.translations) + len(findings.figures),
                ui_strings=len(findings.ui_strings),
                unsafe=len(findings.unsafe_html),
                doubtful=len(findings.doubtful),
            )
        )
        return 1 if findings.all else 0
    if args.command == "new":
        from site_builder.content.scaffold import new_news

        config = load_config(root)
        lang = args.lang or config.default_language
        today = config.today(record.build_clock())  # the site's day, as scheduling counts it
        made = new_news(root, config, args.title, lang, today, both=args.both)
        for path in made:
            print(path)  # alone on stdout, for scripts; what to do next goes with the other news
        log.info(
            msg(
                "a draft: the preview shows it; write its summary and text, then delete the line "
                "'draft: true' to publish it"
            )
        )
        for translation in made[1:]:
            log.info(
                msg(
                    "{path} waits for its translation, kept out of the site until then: translate it, "
                    "then run site-builder translations done {path}",
                    path=translation,
                )
            )
        return 0
    if args.command == "translations":
        from site_builder.content import scaffold
        from site_builder.content.load import load_sources
        from site_builder.site import translations

        config = load_config(root)
        if args.action == "done":
            line, page, kept = scaffold.mark_translated(root, config, args.file, args.source_lang)
            print(line)
            log.info(msg("{page} is marked translated: commit it together with {kept}", page=page, kept=kept))
            return 0
        if args.action in ("export", "import"):
            return _exchange(args, root, config)
        if args.action == "diff":
            from site_builder.content.translated import comparisons

            # Colour only for a person at a terminal who has not asked for none (no-color.org).
            colour = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
            found = comparisons(root, config, args.file)
            print("\n\n".join(comparison.render_text(colour, catalogue) for comparison in found))
            return 0
        rows = translations.status(config, load_sources(root, config))
        print(translations.render_status(rows, args.format, catalogue))
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


def _exchange(args: argparse.Namespace, root: Path, config) -> int:
    """``translations export`` and ``import``: the files at the edge, the work in ``exchange``."""
    from site_builder.content import exchange

    if args.action == "export":
        if args.output is not None:
            exchange.check_export_target(root, args.output)
        exported = exchange.export_xliff(root, config, args.lang, changed=args.changed)
        if exported.data is None:
            log.info(msg("nothing to translate into '{lang}'", lang=args.lang))
            return 0
        if args.output is None:
            sys.stdout.buffer.write(exported.data)
        else:
            try:
                args.output.write_bytes(exported.data)
            except OSError as exc:
                raise SiteError(
                    msg("cannot write the file: {reason}", reason=exc.strerror), str(args.output)
                ) from None
        log.info(
            msg(
                "pages to translate into '{lang}': {pages} (units: {units})",
                pages=exported.pages,
                units=exported.units,
                lang=args.lang,
            )
        )
        return 0
    data = exchange.read_xliff_file(args.file)
    report = exchange.import_xliff(root, config, data, str(args.file))
    for path in report.written:
        print(path)
    for line in report.unfinished:
        log.warning(msg("not imported, not finished: {page}", page=line))
    log.info(
        msg(
            "pages written: {written}, unchanged: {unchanged}",
            written=len(report.written),
            unchanged=len(report.unchanged),
        )
    )
    return 0


def _build(args: argparse.Namespace, root: Path, catalogue: Catalogue) -> int:
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
        minify=not args.no_minify,
    )
    if report.scheduled:
        # On stdout, as news rather than trouble: a daily build publishes these on their day.
        log.info(report.scheduled)
    for warning in report.warnings:
        print(format_warning(warning, catalogue), file=sys.stderr)
    return 0


def _deploy(args: argparse.Namespace, root: Path, catalogue: Catalogue) -> int:
    import json

    from site_builder.config import load_config, load_deploy_targets
    from site_builder.output import cdn, deploy
    from site_builder.output.publish import DEFAULT_OUTPUT

    target = deploy.choose_target(load_deploy_targets(root), args.target)
    if args.headers_policy:
        search = args.headers_policy == "search"
        name = deploy.policy_name(target) + ("-search" if search else "")
        policy = cdn.cloudfront_headers_policy(name, load_config(root).embed_hosts, search=search)
        print(json.dumps(policy, indent=2))
        return 0
    out = args.out if args.out is not None else root / DEFAULT_OUTPUT
    for library in ("boto3", "botocore", "s3transfer", "urllib3"):  # their INFO lines are not the user's news
        logging.getLogger(library).setLevel(logging.WARNING)
    # A bar only for a person watching a terminal; CI's logs get the summary alone.
    bar = sys.stderr if sys.stderr.isatty() and not args.quiet else None
    summary = deploy.deploy(
        out, target, dry_run=args.dry_run, force=args.force, progress=bar, catalogue=catalogue
    )
    log.info(summary.line(msg("deploy to {name}", name=target.name)))
    return 0
