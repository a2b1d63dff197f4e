"""``site-builder serve``: a live-reloading preview on 127.0.0.1.

The preview is built into a private temporary folder (never ``build/``, never
inside the watched inputs), with drafts included. A save that breaks the build
is reported on one line and the last good preview stays up; the next good save
brings the pages back. Saves that change no input's bytes do not rebuild.

It answers only requests addressed to itself (``HostRule``): drafts and the
translation status are for the editor, not for other sites' pages or the network.
"""

from __future__ import annotations

import errno
import hashlib
import ipaddress
import logging
import os
import re
import shutil
import signal
import socket
import tempfile
import webbrowser
from pathlib import Path
from stat import S_ISREG
from urllib.parse import unquote, unquote_to_bytes, urlsplit

from site_builder.content.load import is_ignored, listing
from site_builder.errors import SiteError, SiteErrors, error_message, format_error, msg, warning_message
from site_builder.incremental.record import stamp
from site_builder.messages import LANGUAGES, load_catalogue
from site_builder.pipeline import PreviewState, build, publish_preview
from site_builder.project import CONFIG_FILE, INPUT_DIRS, MAPPING_FILE
from site_builder.render.pages import NOT_FOUND_FILE, with_error_notice
from site_builder.site.files import OutputFile
from site_builder.stages import error_notices

log = logging.getLogger(__name__)
WATCHED_FILES = (CONFIG_FILE, MAPPING_FILE)
POLL_MILLISECONDS = 25
SLOW_POLL_MILLISECONDS = 1000
WRITE_SETTLE_SECONDS = 0.05  # after a change to a file not yet closed


def input_snapshot(root: Path) -> tuple[tuple, ...]:
    """Every input file's name (relative to ``root``) and stamp (see ``record.stamp``), in a
    stable order: cheap enough to take every few milliseconds."""
    snapshot: list[tuple] = []
    for name in WATCHED_FILES:
        try:
            stat = (root / name).stat()
        except OSError:
            continue
        if S_ISREG(stat.st_mode):
            snapshot.append((name, stamp(stat)))
    for name in INPUT_DIRS:
        _scan(root / name, name, snapshot)
    return tuple(snapshot)


def _scan(folder: Path, prefix: str, snapshot: list) -> None:
    for entry in listing(folder):
        try:
            if entry.is_dir(follow_symlinks=False):
                _scan(folder / entry.name, f"{prefix}/{entry.name}", snapshot)
                continue
            if not entry.is_file():
                continue
            stat = entry.stat()
        except OSError:
            continue
        snapshot.append((f"{prefix}/{entry.name}", stamp(stat)))


def input_fingerprint(root: Path, snapshot: tuple, known: dict | None = None) -> str:
    """A digest of every input file's name and bytes: equal digests, equal builds.

    ``known`` maps a file to (stamp, digest of its bytes) from earlier calls, so
    files whose stamp did not change are not read again.
    """
    digest = hashlib.sha256()
    seen = {}
    for name, file_stamp in snapshot:
        previous = known.get(name) if known is not None else None
        if previous is not None and previous[0] == file_stamp:
            file_digest = previous[1]
        else:
            try:
                file_digest = hashlib.sha256((root / name).read_bytes()).digest()
            except OSError:
                continue
        seen[name] = (file_stamp, file_digest)
        digest.update(name.encode("utf-8", "surrogateescape") + b"\0" + file_digest)  # any bytes on disk
    if known is not None:
        known.clear()
        known.update(seen)
    return digest.hexdigest()


class Preview:
    """Rebuilds the preview folder when the inputs' bytes change, reusing what did not change."""

    def __init__(self, root: Path, out: Path) -> None:
        self.root = root
        self.out = out
        self.cache = PreviewState()
        self._snapshot: tuple | None = None
        self._fingerprint: str | None = None
        self._file_digests: dict = {}
        self._last_good: tuple[OutputFile, ...] = ()
        # The error notice on a page speaks the page's language (the terminal, the editor's).
        self.catalogues = {code: load_catalogue(code) for code in LANGUAGES}

    def poll(self) -> bool:
        """Rebuild if any input file's size or time changed; return whether something was published."""
        snapshot = input_snapshot(self.root)
        if snapshot == self._snapshot:
            return False
        self._snapshot = snapshot
        return self.rebuild(snapshot)

    def rebuild(self, snapshot: tuple | None = None) -> bool:
        """Build if the inputs' bytes changed; return whether something new was published.

        After a failed build the last good pages are published again with the
        errors shown at their top, so the browser's reload shows what to fix.
        """
        snapshot = snapshot if snapshot is not None else input_snapshot(self.root)
        fingerprint = input_fingerprint(self.root, snapshot, self._file_digests)
        if fingerprint == self._fingerprint:
            return False
        self._fingerprint = fingerprint
        try:
            report = build(self.root, self.out, drafts=True, preview=True, cache=self.cache)
        except (SiteError, SiteErrors) as failure:
            errors = failure.errors if isinstance(failure, SiteErrors) else (failure,)
            for error in errors:
                log.error(error_message(error))
            if not self._last_good:
                return False
            lines = [format_error(e) for e in errors]
            notices = error_notices(self.root, errors, self.cache.memo, self.catalogues)
            notice = with_error_notice(self._last_good, lines, notices)
            try:
                publish_preview(notice, self.out, self.cache)
            except SiteError as error:
                log.error(error_message(error))
                return False
            return True
        self._last_good = report.outputs
        for warning in report.warnings:
            log.warning(warning_message(warning))
        return True


def _stop(signum, frame) -> None:
    raise KeyboardInterrupt


def serve(root: Path, host: str = "127.0.0.1", port: int = 8000, open_browser: bool = False) -> None:
    # Imported here: only the preview needs tornado and watchdog.
    from tornado.httpserver import HTTPServer
    from tornado.ioloop import IOLoop, PeriodicCallback

    # tornado logs every request, and a malformed one, at levels of its own; the editor's
    # terminal shows our lines and real faults only. A page elsewhere that sends the preview
    # refused or unknown requests must not be able to fill it either.
    logging.getLogger("livereload").addFilter(lambda record: record.levelno >= logging.WARNING)
    logging.getLogger("tornado").setLevel(logging.WARNING)
    logging.getLogger("tornado.access").setLevel(logging.ERROR)
    # A terminated server (kill, a closed terminal) stops as cleanly as one given Ctrl-C.
    signal.signal(signal.SIGTERM, _stop)

    # Listening comes first: a busy port or a foreign address is reported at once, before the
    # first build, and nothing is announced that is not there.
    sockets = listen(host, port)
    rule = HostRule(host, port, sockets)
    workdir = Path(tempfile.mkdtemp(prefix="site-builder-preview-"))
    out = workdir / "site"
    preview = Preview(root, out)
    watching = None
    try:
        preview.poll()
        if not out.exists():
            out.mkdir()
        reload_browsers = _reloader()

        def look() -> None:
            # Tells the browsers to reload once the new pages are in place. Saves
            # during a build are picked up by the next look, so a burst of saves
            # costs at most one extra build.
            if watching is not None:
                watching.follow()
            if preview.poll():
                reload_browsers()

        watching = _watch(root, IOLoop.current(), look)
        # With the system's notice of saves, a slow look now and then only catches what it
        # missed; without it, a look every 25 ms (a stat of each input).
        PeriodicCallback(look, SLOW_POLL_MILLISECONDS if watching is not None else POLL_MILLISECONDS).start()
        HTTPServer(application(out, rule)).add_sockets(sockets)
        log.info(msg("preview at {url} (Ctrl-C stops); translation status at {url}_status/", url=rule.url))
        if rule.public:
            log.warning(
                msg(
                    "warning: the preview listens on {host}, so anyone who can reach this machine sees the "
                    "drafts and the translation status at /_status/ (hint: leave out --host to keep it "
                    "on this machine)",
                    host=host,
                )
            )
        if open_browser:
            webbrowser.open(rule.url)
        try:
            IOLoop.current().start()
        except KeyboardInterrupt:
            pass
    finally:
        for sock in sockets:
            sock.close()
        if watching is not None:
            watching.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def listen(host: str, port: int) -> list:
    """Sockets listening on ``host``:``port`` (every address a name stands for), or a
    ``SiteError`` naming the address."""
    from tornado.netutil import bind_sockets

    try:
        return bind_sockets(port, host)
    except (socket.gaierror, UnicodeError, ValueError):  # no such name, or no address at all
        raise SiteError(
            msg("cannot listen on {host}: it is not an address or a name of this machine", host=host),
            hint=msg("leave out --host to preview on 127.0.0.1, or give one of this machine's addresses"),
        ) from None
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            other = port + 1 if port < 65535 else port - 1
            raise SiteError(
                msg("port {port} on {host} is already in use", port=port, host=host),
                hint=msg(
                    "stop the other server, or choose another port: site-builder serve --port {other}",
                    other=other,
                ),
            ) from None
        if error.errno == errno.EADDRNOTAVAIL:
            raise SiteError(
                msg("cannot listen on {host}: it is not an address of this machine", host=host),
                hint=msg("leave out --host to preview on 127.0.0.1, or give one of this machine's addresses"),
            ) from None
        if error.errno == errno.EACCES:
            raise SiteError(
                msg("no permission to listen on port {port} on {host}", port=port, host=host),
                hint=msg("ports below 1024 are the system's; choose another: site-builder serve --port 8000"),
            ) from None
        raise SiteError(
            msg(
                "cannot listen on port {port} on {host}: {reason}",
                port=port,
                host=host,
                reason=error.strerror or error,
            ),
            hint=msg("choose another port or address: site-builder serve --port 8000 --host 127.0.0.1"),
        ) from None


REFUSED_HOST = "This preview answers only at its own address: {url}\n"
REFUSED_ORIGIN = "Live reload accepts connections only from the preview's own pages.\n"
MALFORMED_PATH = (
    "Not a path of this site: it holds a NUL or control character, a broken %-escape, "
    "'.' or '..', or begins with '//'.\n"
)
_BROKEN_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")


class HostRule:
    """Which requests the preview answers, by the name or address in their ``Host``.

    A page on another site can point a name of its own at this machine (DNS rebinding) and
    then read the preview, drafts and all, as if it were its own; its requests still carry that
    name. So only the preview's own names are answered: ``localhost``, ``--host`` as given, and
    the address the request reached (an address cannot be rebound). With a ``--host`` other
    machines can reach, also this machine's name and its loopback addresses (a port forwarded
    into a container or a virtual machine arrives on another address than the browser named).
    The port is not compared: a tunnel (``ssh -L``) may show the preview on another one.
    """

    def __init__(self, host: str, port: int, sockets) -> None:
        bound = [_ip(sock.getsockname()[0]) for sock in sockets]
        self.public = any(address is None or not address.is_loopback for address in bound)
        name = _unbracket(host.lower())
        self.names = {"localhost", name}
        if self.public:
            machine = socket.gethostname().lower().rstrip(".")
            self.names |= {machine, f"{machine}.local"}  # the name a home or office network knows it by
        shown = name
        if any(address is not None and address.is_unspecified for address in bound):
            shown = "::1" if ":" in name else "127.0.0.1"  # "all addresses" is none a browser can open
        self.url = f"http://[{shown}]:{port}/" if ":" in shown else f"http://{shown}:{port}/"

    def allows(self, host_header: str | None, local_address: str | None) -> bool:
        name = _host_name(host_header)
        if name is None:
            return False
        if name in self.names:
            return True
        address = _ip(name)
        if address is None:
            return False
        return address == _ip(local_address) or (self.public and address.is_loopback)

    def refusal(self, request) -> tuple[int, str] | None:
        """(status, text) for a request the preview does not answer; None for one it does."""
        host = request.headers.get("Host")
        if not self.allows(host, _local_address(request)):
            return 403, REFUSED_HOST.format(url=self.url)
        if request.headers.get("Upgrade", "").lower() == "websocket":
            # Browsers always send the page's origin when opening a WebSocket, and a page
            # cannot leave it out; a client without one is not a browser visiting a page.
            origin = request.headers.get("Origin", request.headers.get("Sec-Websocket-Origin"))
            if origin is not None and not _same_origin(origin, host):
                return 403, REFUSED_ORIGIN
        if malformed_path(request.path):
            return 400, MALFORMED_PATH
        return None


def malformed_path(path: str) -> bool:
    """Whether a request's path (as sent, %-escaped) cannot name a file of the site: a NUL or
    other control character, a backslash, a broken escape, bytes that are not UTF-8, a
    ``.`` or ``..`` segment, or ``//`` at the start (a path outside the folder to the file
    system, an address on another site to a redirect), written plainly or escaped."""
    if not path.startswith("/") or _BROKEN_ESCAPE.search(path):
        return True
    try:
        # tornado reads the request line as Latin-1: this gives back the bytes that were sent.
        decoded = unquote_to_bytes(path.encode("latin-1")).decode("utf-8")
    except UnicodeError:
        return True
    if decoded.startswith("//") or any(char < " " or char in "\x7f\\" for char in decoded):
        return True
    return any(segment in (".", "..") for segment in decoded.split("/"))


def _host_name(header: str | None) -> str | None:
    """The name or address in a ``Host`` header, lower case, without port, brackets or the
    final dot of a fully qualified name; None when it is missing or malformed."""
    if not header:
        return None
    header = header.strip().lower()
    if header.startswith("["):
        name, bracket, rest = header[1:].partition("]")
        if not bracket or (rest and not re.fullmatch(r":[0-9]*", rest)):
            return None
    else:
        name, _, port = header.partition(":")
        if not port.isdigit() and port != "":
            return None
    name = name.removesuffix(".")
    return name or None


def _unbracket(host: str) -> str:
    return host[1:-1] if host.startswith("[") and host.endswith("]") else host


def _ip(text: str | None):
    """The IP address ``text`` spells (IPv4 inside IPv6 as IPv4, without a zone), else None."""
    if not text:
        return None
    try:
        address = ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return None
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped if mapped is not None else address


def _local_address(request) -> str | None:
    """The address of this machine the request reached."""
    try:
        return request.connection.stream.socket.getsockname()[0]
    except (AttributeError, OSError, IndexError):
        return None


def _same_origin(origin: str, host: str | None) -> bool:
    try:
        parts = urlsplit(origin)
    except ValueError:
        return False
    return parts.scheme == "http" and bool(host) and parts.netloc.lower() == host.strip().lower()


# livereload's own snippet: it loads livereload.js from the host and port the page came from,
# so the socket it opens is of the page's own origin, through a tunnel too.
LIVE_SCRIPT = (
    b'<script type="text/javascript">(function(){'
    b'var s=document.createElement("script");'
    b"var port=(window.location.port || (window.location.protocol == 'https:' ? 443: 80));"
    b's.src="//"+window.location.hostname+":"+port'
    b'+ "/livereload.js?port=" + port;'
    b"document.head.appendChild(s);"
    b"})();</script>"
)


def _reloader():
    """What tells every connected browser to reload (livereload's WebSocket handler)."""
    from livereload.handlers import LiveReloadHandler
    from livereload.watcher import Watcher

    LiveReloadHandler.live_css = True  # a changed stylesheet is swapped in without a reload
    # reload_waiters names the watcher's last file in its log line; nothing polls this one,
    # the preview looks for changes itself.
    LiveReloadHandler.watcher = Watcher()
    return lambda: LiveReloadHandler.reload_waiters(path="*")


def application(out: Path, rule: HostRule):
    """The preview's tornado application: the files in ``out`` with livereload's script added to
    every HTML page, livereload.js and its WebSocket; requests ``rule`` refuses get a short text.
    livereload's ``/forcereload`` is left out: any page could call it."""
    from livereload.handlers import LiveReloadHandler, LiveReloadJSHandler, StaticFileHandler
    from livereload.server import LiveScriptInjector
    from tornado import web
    from tornado.websocket import WebSocketHandler

    class Refuse(web.RequestHandler):
        def initialize(self, status: int, text: str) -> None:
            self.status, self.text = status, text

        def prepare(self) -> None:
            self.set_status(self.status)
            self.set_header("Content-Type", "text/plain; charset=utf-8")
            self.set_header("X-Content-Type-Options", "nosniff")
            self.set_header("Cache-Control", "no-store")
            self.finish(self.text)

    class Reload(LiveReloadHandler):
        def check_origin(self, origin: str) -> bool:
            # livereload accepts every origin; tornado's own check: the origin is the Host asked for.
            return WebSocketHandler.check_origin(self, origin)

    class Files(StaticFileHandler):
        def write_error(self, status_code: int, **kwargs) -> None:
            page = self._not_found_page() if status_code == 404 else None
            if page is None:
                super().write_error(status_code, **kwargs)
                return
            self.set_header("Content-Type", "text/html; charset=utf-8")
            self.finish(page)

        def _not_found_page(self) -> bytes | None:
            """The site's 404 page in the language of the path's first folder (``/nl/…``: the
            Dutch one), else the one at the root."""
            first = unquote(self.request.path).lstrip("/").split("/", 1)[0]
            for candidate in ([out / first / NOT_FOUND_FILE] if first else []) + [out / NOT_FOUND_FILE]:
                try:
                    return candidate.read_bytes()
                except OSError:  # no such language folder; or a build replacing the file just now
                    continue
            return None

    class Inject(LiveScriptInjector):
        script = LIVE_SCRIPT

    class Guarded(web.Application):
        def find_handler(self, request, **kwargs):
            refused = rule.refusal(request)
            if refused is not None:
                status, text = refused
                return self.get_handler_delegate(request, Refuse, {"status": status, "text": text})
            return super().find_handler(request, **kwargs)

    return Guarded(
        [
            (r"/livereload", Reload),
            (r"/livereload\.js", LiveReloadJSHandler),
            (r"/(.*)", Files, {"path": str(out), "default_filename": "index.html"}),
        ],
        transforms=[Inject],
    )


class _Watching:
    """The system's notice of changes to the inputs (watchdog: inotify, FSEvents, …), passed to
    ``look`` on the server's loop. Saves arrive as several events; one look serves them all.

    A file written and closed, moved or deleted is looked at at once; a file still being
    written (modified or created, not yet closed) a moment later, so that a half-written
    file is rarely built. A look during a save is harmless: the next one builds again.
    """

    def __init__(self, root: Path, loop, look) -> None:
        from watchdog.events import (
            DirCreatedEvent,
            DirDeletedEvent,
            DirMovedEvent,
            FileClosedEvent,
            FileCreatedEvent,
            FileDeletedEvent,
            FileModifiedEvent,
            FileMovedEvent,
            FileSystemEventHandler,
        )  # fmt: skip
        from watchdog.observers import Observer

        self.root = root.resolve()
        # Opening or reading a file is no change (the build itself reads the inputs).
        self._kinds = [
            FileCreatedEvent, FileDeletedEvent, FileModifiedEvent, FileMovedEvent, FileClosedEvent,
            DirCreatedEvent, DirDeletedEvent, DirMovedEvent,
        ]  # fmt: skip
        self._loop = loop
        self._next: tuple[float, object] | None = None  # (time, handle) of the look to come
        self._watched: set[str] = set()
        watching = self

        class Handler(FileSystemEventHandler):
            def on_any_event(self, event) -> None:  # on watchdog's thread
                paths = (event.src_path, getattr(event, "dest_path", "") or event.src_path)
                if any(watching._is_input(path) for path in paths):
                    writing = isinstance(event, (FileModifiedEvent, FileCreatedEvent))
                    loop.add_callback(watching._schedule, WRITE_SETTLE_SECONDS if writing else 0.0)

        self._handler = Handler()
        self._look_now = look
        self._observer = Observer()
        self._observer.schedule(
            self._handler, str(self.root), event_filter=self._kinds
        )  # site.yaml, new folders
        self.follow()
        self._observer.start()

    def _is_input(self, path) -> bool:
        try:
            parts = Path(os.fsdecode(path)).relative_to(self.root).parts
        except ValueError:
            return False
        if not parts or any(is_ignored(part) for part in parts):
            return False
        return parts[0] in INPUT_DIRS or (len(parts) == 1 and parts[0] in WATCHED_FILES)

    def _schedule(self, delay: float) -> None:
        when = self._loop.time() + delay
        if self._next is not None:
            if self._next[0] <= when:
                return
            self._loop.remove_timeout(self._next[1])
        self._next = (when, self._loop.call_at(when, self._look))

    def _look(self) -> None:
        self._next = None
        self._look_now()

    def follow(self) -> None:
        """Watch the input folders that exist and are not watched yet (one may be created later)."""
        for name in INPUT_DIRS:
            if name not in self._watched and (self.root / name).is_dir():
                folder = str(self.root / name)
                self._observer.schedule(self._handler, folder, recursive=True, event_filter=self._kinds)
                self._watched.add(name)

    def stop(self) -> None:
        self._observer.stop()
        self._observer.join(timeout=5)


def _watch(root: Path, loop, look) -> _Watching | None:
    """Changes to the inputs as the system reports them; None where it cannot (then the preview polls)."""
    try:
        return _Watching(root, loop, look)
    except (ImportError, OSError) as error:
        log.warning(
            msg(
                "warning: the system does not report file changes here ({reason}); looking every {ms} ms",
                reason=error,
                ms=POLL_MILLISECONDS,
            )
        )
        return None
