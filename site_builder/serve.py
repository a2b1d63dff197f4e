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
import shutil
import signal
import tempfile
import webbrowser
from pathlib import Path
from stat import S_ISREG

from site_builder.catalogs import MAPPING_FILE
from site_builder.config import CONFIG_FILE
from site_builder.errors import SiteError, SiteErrors, format_error
from site_builder.load import listing
from site_builder.pipeline import INPUT_DIRS, BuildCache, build, error_notices
from site_builder.render import with_error_notice
from site_builder.write import OutputFile, update_in_place

log = logging.getLogger(__name__)
WATCHED_FILES = (CONFIG_FILE, MAPPING_FILE)
POLL_MILLISECONDS = 25


def input_snapshot(root: Path) -> tuple[tuple[str, int, int], ...]:
    """Every input file's name (relative to ``root``), size and modification time, in a stable
    order: cheap enough to take every few milliseconds."""
    snapshot: list[tuple[str, int, int]] = []
    for name in WATCHED_FILES:
        try:
            stat = (root / name).stat()
        except OSError:
            continue
        if S_ISREG(stat.st_mode):
            snapshot.append((name, stat.st_size, stat.st_mtime_ns))
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
        snapshot.append((f"{prefix}/{entry.name}", stat.st_size, stat.st_mtime_ns))


def input_fingerprint(root: Path, snapshot: tuple, known: dict | None = None) -> str:
    """A digest of every input file's name and bytes: equal digests, equal builds.

    ``known`` maps a file to (size, time, digest of its bytes) from earlier
    calls, so files whose size and time did not change are not read again.
    """
    digest = hashlib.sha256()
    seen = {}
    for name, size, mtime in snapshot:
        stamp = (size, mtime)
        previous = known.get(name) if known is not None else None
        if previous is not None and previous[:2] == stamp:
            file_digest = previous[2]
        else:
            try:
                file_digest = hashlib.sha256((root / name).read_bytes()).digest()
            except OSError:
                continue
        seen[name] = (*stamp, file_digest)
        digest.update(name.encode() + b"\0" + file_digest)
    if known is not None:
        known.clear()
        known.update(seen)
    return digest.hexdigest()


class Preview:
    """Rebuilds the preview folder when the inputs' bytes change, reusing what did not change."""

    def __init__(self, root: Path, out: Path) -> None:
        self.root = root
        self.out = out
        self.cache = BuildCache()
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
            notice = with_error_notice(self._last_good, lines, error_notices(self.root, lines, self.cache))
            try:
                self.cache.published = update_in_place(notice, self.out, self.cache.published)
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
    # Imported here: only the preview needs tornado.
    from livereload import Server
    from livereload.handlers import LiveReloadHandler
    from livereload.watcher import Watcher
    from tornado.ioloop import PeriodicCallback

    class LooksNowhere(Watcher):
        """livereload's watcher, left idle: without it livereload would walk the working folder
        every 0.8 s and send reloads of its own. The preview looks for changes itself."""

        def start(self, callback) -> bool:
            return True  # nothing to poll

        def examine(self):
            return None, None

    # livereload logs through its own handler; keep its lines out of ours.
    logging.getLogger("livereload").propagate = False
    # A terminated server (kill, a closed terminal) stops as cleanly as one given Ctrl-C.
    signal.signal(signal.SIGTERM, _stop)

    workdir = Path(tempfile.mkdtemp(prefix="site-builder-preview-"))
    out = workdir / "site"
    preview = Preview(root, out)
    try:
        preview.poll()
        if not out.exists():
            out.mkdir()
        server = Server(watcher=LooksNowhere())

        def poll() -> None:
            # livereload's own watcher looks only every 0.8 s; this looks every
            # 25 ms (a stat of each input) and tells the browsers to reload once
            # the new pages are in place. Saves during a build are picked up by
            # the next look, so a burst of saves costs at most one extra build.
            if preview.poll():
                LiveReloadHandler.reload_waiters(path="*")

        PeriodicCallback(poll, POLL_MILLISECONDS).start()
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
        shutil.rmtree(workdir, ignore_errors=True)
