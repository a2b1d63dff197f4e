"""``site-builder serve``: a live-reloading preview on 127.0.0.1.

The preview is built into a private temporary folder (never ``build/``, never
inside the watched inputs), with drafts included. A save that breaks the build
is reported on one line and the last good preview stays up; the next good save
brings the pages back. Saves that change no input's bytes do not rebuild.
"""

from __future__ import annotations

import errno
import hashlib
import logging
import os
import shutil
import signal
import tempfile
import webbrowser
from pathlib import Path
from stat import S_ISREG

from site_builder.content.load import is_ignored, listing
from site_builder.errors import SiteError, SiteErrors, format_error
from site_builder.incremental.record import stamp
from site_builder.pipeline import PreviewState, build, publish_preview
from site_builder.project import CONFIG_FILE, INPUT_DIRS, MAPPING_FILE
from site_builder.render.pages import with_error_notice
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
                log.error("%s", error)
            if not self._last_good:
                return False
            lines = [format_error(e) for e in errors]
            notice = with_error_notice(self._last_good, lines, error_notices(self.root, lines, self.cache.memo))
            try:
                publish_preview(notice, self.out, self.cache)
            except SiteError as error:
                log.error("%s", error)
                return False
            return True
        self._last_good = report.outputs
        for warning in report.warnings:
            log.warning("warning: %s", format_error(warning))
        return True


def _stop(signum, frame) -> None:
    raise KeyboardInterrupt


def serve(root: Path, host: str = "127.0.0.1", port: int = 8000, open_browser: bool = False) -> None:
    # Imported here: only the preview needs tornado and watchdog.
    from livereload import Server
    from livereload.handlers import LiveReloadHandler
    from livereload.watcher import Watcher
    from tornado.ioloop import IOLoop, PeriodicCallback

    class LooksNowhere(Watcher):
        """livereload's watcher, left idle: without it livereload would walk the working folder
        every 0.8 s and send reloads of its own. The preview looks for changes itself."""

        def start(self, callback) -> bool:
            return True  # nothing to poll

        def examine(self):
            return None, None

    # livereload and tornado log every request and their own start-up through handlers of
    # their own; the editor's terminal shows our lines and their warnings and errors only.
    logging.getLogger("livereload").propagate = False
    logging.getLogger("livereload").addFilter(lambda record: record.levelno >= logging.WARNING)
    logging.getLogger("tornado.access").setLevel(logging.WARNING)
    logging.getLogger("tornado").propagate = False  # livereload gives it a handler: print each line once
    # A terminated server (kill, a closed terminal) stops as cleanly as one given Ctrl-C.
    signal.signal(signal.SIGTERM, _stop)

    workdir = Path(tempfile.mkdtemp(prefix="site-builder-preview-"))
    out = workdir / "site"
    preview = Preview(root, out)
    watching = None
    try:
        preview.poll()
        if not out.exists():
            out.mkdir()
        server = Server(watcher=LooksNowhere())

        def look() -> None:
            # Tells the browsers to reload once the new pages are in place. Saves
            # during a build are picked up by the next look, so a burst of saves
            # costs at most one extra build.
            if watching is not None:
                watching.follow()
            if preview.poll():
                LiveReloadHandler.reload_waiters(path="*")

        watching = _watch(root, IOLoop.current(), look)
        # With the system's notice of saves, a slow look now and then only catches what it
        # missed; without it, a look every 25 ms (a stat of each input).
        PeriodicCallback(look, SLOW_POLL_MILLISECONDS if watching is not None else POLL_MILLISECONDS).start()
        url = f"http://{host}:{port}/"
        log.info("preview at %s (Ctrl-C stops); translation status at %s_status/", url, url)
        if open_browser:
            webbrowser.open(url)
        try:
            server.serve(host=host, port=port, root=str(out), open_url_delay=None)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise SiteError(
                    f"port {port} on {host} is already in use",
                    hint=f"stop the other server, or choose another port: site-builder serve --port {port + 1}",
                ) from None
            raise
    finally:
        if watching is not None:
            watching.stop()
        shutil.rmtree(workdir, ignore_errors=True)


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
            "warning: the system does not report file changes here (%s); looking every %d ms",
            error,
            POLL_MILLISECONDS,
        )
        return None
