"""The copies of photos that builds made (see ``render.images``), kept in ``.site-images/``.

Apart from the build cache: encoding a photo's copies takes seconds, so they outlive
``--no-cache`` and a damaged cache, and CI can keep the folder between runs. Each file is
named by its key (everything that decides its bytes) and the SHA-256 of its bytes: a file
whose bytes do not match its name (cut short, changed by hand) is not used, and is made
again. The folder holds image bytes only, which nothing runs.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from pathlib import Path

from site_builder.site.files import OutputFile

DERIVED_DIR = ".site-images"


class DerivedFiles:
    """The copies in ``folder``, by key; listed once, when first asked."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._names: dict[str, str] | None = None

    def _index(self) -> dict[str, str]:
        if self._names is None:
            self._names = {}
            with contextlib.suppress(FileNotFoundError, NotADirectoryError):
                for entry in os.scandir(self.folder):
                    key, _, rest = entry.name.partition("-")
                    if rest and entry.is_file(follow_symlinks=False):
                        self._names[key] = entry.name
        return self._names

    def get(self, key: str) -> bytes | None:
        """The copy made for ``key``, or None if there is none that is whole."""
        name = self._index().get(key)
        if name is None:
            return None
        try:
            data = (self.folder / name).read_bytes()
        except OSError:
            return None
        return data if hashlib.sha256(data).hexdigest() == _digest_in(name) else None

    def file(self, key: str, path: str) -> OutputFile | None:
        """The copy made for ``key`` as the site's file at ``path``, its bytes left in this
        folder for publishing to copy (``OutputFile.origin``); None if there is none that is whole."""
        if self.get(key) is None:  # read only to check it: publishing reads it again
            return None
        name = self._index()[key]
        return OutputFile(path, None, _digest_in(name), origin=str(self.folder / name))

    def put(self, key: str, suffix: str, data: bytes) -> None:
        """Keep ``data`` for ``key``; written whole or not at all. A folder that cannot be
        written only means the copy is made again next time."""
        name = f"{key}-{hashlib.sha256(data).hexdigest()}{suffix}"
        try:
            self.folder.mkdir(exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.folder, prefix=".new-")
            try:
                with os.fdopen(handle, "wb") as file:
                    file.write(data)
                os.replace(temporary, self.folder / name)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(temporary)
                raise
        except OSError:
            return
        old = self._index().get(key)
        if old is not None and old != name:
            with contextlib.suppress(OSError):
                (self.folder / old).unlink()
        self._index()[key] = name


def _digest_in(name: str) -> str:
    """The digest of the bytes a copy's file name gives: ``<key>-<sha256>.<suffix>``."""
    return name.partition("-")[2].partition(".")[0]
