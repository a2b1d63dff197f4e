"""The files of a built site, as every stage that makes some returns them and the output
stage writes them."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from urllib.parse import quote


@dataclass(frozen=True, slots=True)
class OutputFile:
    """A file of the built site: its path, its bytes and their digest."""

    path: str  # relative to the output folder, "/"-separated
    # None: the bytes are in ``origin``, or else those the last build wrote to ``path``, still
    # in the output folder.
    data: bytes | None
    digest: str = ""  # sha256 of the bytes; computed from ``data`` when not given
    saved: int = 0  # bytes that minifying took out (see ``render.minify``)
    # A file that holds the bytes, checked against ``digest``, which publishing copies rather
    # than the build holding them in memory: a social card kept in ``.site-images/``.
    origin: str = ""

    def __post_init__(self) -> None:
        if not self.digest:
            if self.data is None:
                raise ValueError(f"{self.path}: a file kept from the last build needs its digest")
            object.__setattr__(self, "digest", hashlib.sha256(self.data).hexdigest())

    def kept(self) -> OutputFile:
        """This file as the next build sees it once written: its digest, without its bytes."""
        return OutputFile(self.path, None, self.digest, self.saved)


def file_url(path: str) -> str:
    """The address of the file at ``path`` (relative to the output folder, "/"-separated): "/"
    and the path, every character but a letter, digit, ``-._~`` or ``/`` percent-encoded in
    UTF-8 (``team photo.jpg`` → ``team%20photo.jpg``). A space would split a ``srcset``, and a
    quote, comma or parenthesis end a CSS ``url()``; browsers send the address as written and
    servers (a static server, nginx, S3) decode it, finding the file by its name."""
    return "/" + quote(path, safe="/")
