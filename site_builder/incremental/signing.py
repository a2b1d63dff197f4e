"""The key that signs what a build keeps for the next one: the cache (see ``store``) and the
record (see ``record``).

A build trusts its cache: what the cache says a step made is published without being made
again. So a cache or a record is used only if it was signed with this key. One signed with
another key, or with none (a cache restored from another machine, shared between CI jobs
that do not share the key, or planted), is not: the build starts cold.

The key is ``SITE_BUILDER_CACHE_KEY`` where that is set. In CI it is a secret given to the
jobs that may publish, so that a job without it (a pull request from a fork, say) cannot
make a cache the others take. Elsewhere it is the user's own, made on first use in
``$XDG_CACHE_HOME/site-builder/cache-key`` (``~/.cache/…`` by default), readable by its
owner alone.
"""

from __future__ import annotations

import errno
import hmac
import os
import stat
from collections.abc import Mapping
from pathlib import Path

from site_builder.errors import SiteError, msg

KEY_VARIABLE = "SITE_BUILDER_CACHE_KEY"
KEY_FILE = "cache-key"
KEY_BYTES = 32  # of a key the tool makes
MIN_KEY_CHARACTERS = 16  # of a key given in KEY_VARIABLE
SIGNATURE_BYTES = 32  # HMAC-SHA-256


def cache_key(environ: Mapping[str, str] = os.environ) -> bytes:
    """The key of ``environ``'s ``SITE_BUILDER_CACHE_KEY``, else the user's (made if missing)."""
    given = environ.get(KEY_VARIABLE)
    if given is not None:
        if len(given) < MIN_KEY_CHARACTERS:
            raise SiteError(
                msg(
                    "{variable} holds {count} characters: a key that short is easily guessed",
                    variable=KEY_VARIABLE,
                    count=len(given),
                ),
                hint=msg(
                    "set it to a secret of at least {minimum} characters, such as "
                    "python3 -c 'import secrets; print(secrets.token_hex(32))' prints",
                    minimum=MIN_KEY_CHARACTERS,
                ),
            )
        return given.encode("utf-8", "surrogateescape")
    path = key_path(environ)
    try:
        key = _read_or_make(path)
    except OSError as error:
        raise SiteError(
            msg("cannot keep the cache key in {path}: {reason}", path=path, reason=error.strerror),
            hint=msg(
                "set {variable} to a secret of at least {minimum} characters, or build with --no-cache",
                variable=KEY_VARIABLE,
                minimum=MIN_KEY_CHARACTERS,
            ),
        ) from None
    if len(key) < KEY_BYTES:
        raise SiteError(
            msg("the cache key {path} is damaged: it is shorter than the tool makes one", path=path),
            hint=msg("delete it: the next build makes a new one (and starts without a cache)"),
        )
    return key


def key_path(environ: Mapping[str, str] = os.environ) -> Path:
    """Where the user's key is kept: under ``XDG_CACHE_HOME`` if that is an absolute path (the
    XDG rule), else under ``~/.cache``."""
    base = environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):
        base = os.path.join(environ.get("HOME") or os.path.expanduser("~"), ".cache")
    return Path(base, "site-builder", KEY_FILE)


def _read_or_make(path: Path) -> bytes:
    try:
        return _read_key(path)
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    # Written whole beside it, then linked into place, which fails if another build made one
    # first: two builds starting at once end up with the same key, never half of one.
    made = path.with_name(f".{KEY_FILE}.{os.getpid()}.{os.urandom(4).hex()}")
    descriptor = os.open(made, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with open(descriptor, "wb", closefd=False) as file:
            file.write(os.urandom(KEY_BYTES))  # the system's cryptographic source, as ``secrets`` uses
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    try:
        os.link(made, path)
    except FileExistsError:
        pass
    finally:
        os.unlink(made)
    return _read_key(path)


def _read_key(path: Path) -> bytes:
    """The key file's bytes; a file that is not a regular one (a named pipe would be waited on
    for ever) is refused as one that cannot be read."""
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise OSError(errno.EINVAL, "not a regular file")
        with open(descriptor, "rb", closefd=False) as file:
            return file.read(4096)
    finally:
        os.close(descriptor)


def sign(key: bytes, *parts: bytes | memoryview) -> bytes:
    """The signature of ``parts``, one after the other."""
    signer = hmac.new(key, digestmod="sha256")
    for part in parts:
        signer.update(part)
    return signer.digest()


def signed_by(key: bytes, signature: bytes, *parts: bytes | memoryview) -> bool:
    """Whether ``signature`` is that of ``parts`` with ``key`` (compared in constant time)."""
    return hmac.compare_digest(sign(key, *parts), signature)
