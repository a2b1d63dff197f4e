"""``site-builder deploy``: the built site published to an S3-compatible object store.

The plan is pure and works on plain frozen data: the build's files (``LocalFile``: path, MD5,
headers) against the store's listing (key → MD5) give the uploads, in waves, and the
deletions (``plan_deploy``). botocore (boto3's core) does the I/O at the edge (``deploy``),
which runs the plan in an order that never shows a visitor a broken page:

1. the files pages use (fingerprinted assets, images, any other non-page file), new ones
   under new names, so the old pages still find theirs;
2. the HTML pages;
3. the sitemap, the feeds and ``robots.txt``, which announce the pages;
4. deletions of what the site no longer has, once nothing published refers to it.

Each wave finishes before the next begins. A deploy stopped anywhere leaves every page it
published complete, and the next deploy, comparing MD5s again, uploads what is still missing
and deletes what is left over: an object store's upload replaces an object whole, never half.

Whether a file changed is judged by its MD5, as ``hugo deploy`` does: a listing's ETag is the
MD5 of the object's bytes when it was uploaded in one piece; one uploaded in parts has an ETag
with a ``-``, and its MD5 is read from the metadata (``x-amz-meta-md5``) this module puts on
every object it uploads. Every object gets the Content-Type and Cache-Control that
``output.cdn`` gives its path (the same rules ``_headers`` and the nginx configuration are
written from), and an old address's redirect page also the website redirect
(``x-amz-website-redirect-location``) that ``_redirects`` names for it.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import io
import logging
import os
import stat
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from site_builder.config import DeployTarget
from site_builder.errors import ENGLISH, Catalogue, Message, SiteError, msg
from site_builder.output import cdn
from site_builder.output.publish import MARK, MARK_FILE
from site_builder.project import CONFIG_FILE
from site_builder.site.files import file_url
from site_builder.site.model import url_to_file

log = logging.getLogger(__name__)

# Files of the output folder that are not the site's: the folder's mark, and the rules for
# hosts that read them (an object store does not; the CDN gets the headers as a policy).
NOT_PUBLISHED = frozenset({MARK_FILE, "_headers", "_redirects"})
MD5_METADATA = "md5"  # x-amz-meta-md5: the MD5 of an object uploaded in parts
MULTIPART_THRESHOLD = 16 * 1024 * 1024  # from this size on a file is uploaded in parts
WORKERS = 16  # uploads under way at once: each mostly waits for the network
ATTEMPTS = 5  # per request, with exponential backoff (botocore's "standard" retry mode)
MAX_INVALIDATION_PATHS = 100  # more changed paths than this: one "/*" (CloudFront bills per path)
DELETE_BATCH = 1000  # keys per DeleteObjects request, S3's limit

RESOURCES, PAGES, INDEXES = 0, 1, 2  # the upload waves, in order
_INDEX_FILES = ("sitemap.xml", "robots.txt")


@dataclass(frozen=True, slots=True)
class LocalFile:
    """A file of the build, as it is to be published."""

    key: str  # its path in the output folder, "/"-separated: the object's key after the prefix
    md5: str  # hex digest of its bytes
    size: int
    content_type: str
    cache_control: str
    redirect: str | None = None  # an old address's page: the address it redirects to


@dataclass(frozen=True, slots=True)
class Plan:
    """What a deploy does: uploads in waves (each finished before the next starts), then deletions."""

    waves: tuple[tuple[LocalFile, ...], ...]
    deletions: tuple[str, ...]  # keys after the prefix, sorted
    new: frozenset[str]  # keys uploaded that the store did not have
    unchanged: int

    @property
    def uploads(self) -> tuple[LocalFile, ...]:
        return tuple(file for wave in self.waves for file in wave)

    @property
    def pages_deleted(self) -> int:
        """Deletions that count against the cap: pages, not search fragments or image variants."""
        return sum(1 for key in self.deletions if is_page(key))


@dataclass(frozen=True, slots=True)
class Summary:
    """What a deploy did (or, dry, would do)."""

    uploaded: int
    unchanged: int
    deleted: int
    bytes: int
    seconds: float
    invalidated: tuple[str, ...] = ()
    dry_run: bool = False

    def line(self, where: Message | str) -> Message:
        """The summary as one line, shown in the reader's language."""
        values = {
            "where": where,
            "size": _size(self.bytes),
            "unchanged": self.unchanged,
            "deleted": self.deleted,
            "seconds": self.seconds,
        }
        if self.dry_run and self.uploaded == 1:
            text = msg(
                "{where}: would upload 1 file ({size}), {unchanged} unchanged, would delete {deleted}, "
                "in {seconds:.1f} s",
                **values,
            )
        elif self.dry_run:
            text = msg(
                "{where}: would upload {count} files ({size}), {unchanged} unchanged, would delete {deleted}, "
                "in {seconds:.1f} s",
                count=self.uploaded,
                **values,
            )
        elif self.uploaded == 1:
            text = msg(
                "{where}: uploaded 1 file ({size}), {unchanged} unchanged, deleted {deleted}, in {seconds:.1f} s",
                **values,
            )
        else:
            text = msg(
                "{where}: uploaded {count} files ({size}), {unchanged} unchanged, deleted {deleted}, "
                "in {seconds:.1f} s",
                count=self.uploaded,
                **values,
            )
        if self.invalidated:
            text = msg(
                "{summary}; CDN invalidation of {count} paths", summary=text, count=len(self.invalidated)
            )
        if self.dry_run:
            text = msg("{summary}; nothing was changed (--dry-run)", summary=text)
        return text


# --- the plan: pure ---------------------------------------------------------


def is_page(key: str) -> bool:
    return key.endswith(".html")


def wave_of(key: str) -> int:
    """Which upload wave the file at ``key`` belongs to (see the module's doc)."""
    if is_page(key):
        return PAGES
    if key in _INDEX_FILES or key.endswith("/" + cdn.FEED_FILE) or key == cdn.FEED_FILE:
        return INDEXES
    return RESOURCES


def plan_deploy(local: Iterable[LocalFile], remote: Mapping[str, str | None], force: bool = False) -> Plan:
    """The uploads and deletions that make the store (``remote``: key → MD5, None where it is
    not known) hold ``local``. ``force``: upload every file, changed or not."""
    waves: tuple[list[LocalFile], ...] = ([], [], [])
    unchanged = 0
    keys = set()
    for file in sorted(local, key=lambda f: f.key):
        keys.add(file.key)
        if not force and remote.get(file.key) == file.md5:
            unchanged += 1
        else:
            waves[wave_of(file.key)].append(file)
    return Plan(
        waves=tuple(tuple(wave) for wave in waves),
        deletions=tuple(sorted(set(remote) - keys)),
        new=frozenset(file.key for wave in waves for file in wave if file.key not in remote),
        unchanged=unchanged,
    )


def check_deletions(plan: Plan, max_deletes: int, force: bool) -> None:
    """Refuse a plan that deletes more pages than ``max_deletes``, unless ``force``: a deploy of
    the wrong folder, or of a build half made by hand, would otherwise empty the site."""
    if plan.pages_deleted > max_deletes and not force:
        raise SiteError(
            msg(
                "this deploy would delete {count} pages, more than the {limit} allowed: nothing was changed",
                count=plan.pages_deleted,
                limit=max_deletes,
            ),
            hint=msg(
                "check that the folder holds the whole site (--dry-run lists the deletions); "
                "--force deletes them, max_deletes in the target's settings raises the limit"
            ),
        )


def invalidation_paths(plan: Plan) -> tuple[str, ...]:
    """The addresses whose cached copies a CDN must drop after ``plan``: every changed or
    deleted file but the fingerprinted ones (a changed asset gets a new name), a folder's
    ``index.html`` also by the folder's address. Past ``MAX_INVALIDATION_PATHS``: ``/*``."""
    keys = [file.key for file in plan.uploads if file.key not in plan.new] + list(plan.deletions)
    paths = set()
    for key in keys:
        if cdn.is_fingerprinted(key):
            continue
        paths.add(file_url(key))  # CloudFront takes paths as browsers send them: escaped
        if key == "index.html" or key.endswith("/index.html"):
            paths.add(file_url(key[: -len("index.html")]))
    if len(paths) > MAX_INVALIDATION_PATHS:
        return ("/*",)
    return tuple(sorted(paths))


# --- the build's files ------------------------------------------------------


def read_build(out: Path) -> tuple[LocalFile, ...]:
    """The files of the build in ``out`` to publish, sorted by key (see ``check_build``)."""
    check_build(out)
    redirects = _redirect_targets(out)
    files = []
    for key, path in _walk(out):
        if key in NOT_PUBLISHED:
            continue
        data = path.read_bytes()
        files.append(
            LocalFile(
                key=key,
                md5=_md5(data),
                size=len(data),
                content_type=cdn.content_type(key),
                cache_control=cdn.cache_control(key),
                redirect=redirects.get(key),
            )
        )
    return tuple(sorted(files, key=lambda f: f.key))


def check_build(out: Path) -> None:
    """Refuse a folder site-builder did not make: a deploy mirrors it, deleting whatever the
    store has beyond it."""
    try:
        marked = (out / MARK_FILE).read_bytes() == MARK
    except FileNotFoundError:
        marked = False
    except OSError as error:
        raise SiteError(msg("cannot read {out}: {reason}", out=out, reason=error.strerror)) from None
    if out.is_symlink() or not marked:
        if not os.path.lexists(out):
            problem = msg("{out} does not exist: nothing was deployed", out=out)
        else:
            problem = msg("{out} was not made by site-builder build: nothing was deployed", out=out)
        raise SiteError(
            problem,
            hint=msg("run site-builder build first, or name the build's folder with --out"),
        )


def _redirect_targets(out: Path) -> dict[str, str]:
    """Redirect page's key → the address ``_redirects`` sends its old address to."""
    try:
        text = (out / "_redirects").read_text("utf-8")
    except FileNotFoundError:
        return {}
    return {url_to_file(redirect.source): redirect.target for redirect in cdn.read_redirects(text)}


def _walk(out: Path) -> Iterator[tuple[str, Path]]:
    """Every file below ``out``: its "/"-separated key and path. Links are refused, not followed:
    the build writes none, and one could publish a file from elsewhere on the machine."""
    pending = [(out, "")]
    while pending:
        folder, prefix = pending.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                mode = entry.stat(follow_symlinks=False).st_mode
                if stat.S_ISDIR(mode):
                    pending.append((Path(entry.path), f"{prefix}{entry.name}/"))
                elif stat.S_ISREG(mode):
                    yield prefix + entry.name, Path(entry.path)
                else:
                    raise SiteError(
                        msg(
                            "{path} is not a plain file, and site-builder build writes only plain files: "
                            "nothing was deployed",
                            path=entry.path,
                        ),
                        hint=msg("build the site again into a new folder"),
                    )


def _md5(data: bytes) -> str:
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def _size(count: int) -> Message:
    """``count`` bytes, written with the reader's marks: 1,5 MB in Dutch."""
    if count >= 100_000:
        return msg("{size:.1f} MB", size=count / 1_000_000)
    return msg("{size:.1f} kB", size=count / 1000)


# --- the store: botocore at the edge -----------------------------------------


def make_clients(target: DeployTarget, workers: int = WORKERS) -> tuple[Any, Any | None]:
    """An S3 client for ``target`` and, if it names a distribution, a CloudFront client.
    Credentials come from the AWS SDKs' usual chain (the environment, the AWS configuration),
    never from site.yaml."""
    # botocore alone: boto3's layer on top of it costs a seventh of a second to import, for nothing here.
    import botocore.session
    from botocore.config import Config

    config = Config(
        retries={"max_attempts": ATTEMPTS, "mode": "standard"},
        connect_timeout=10,
        read_timeout=60,
        max_pool_connections=workers,
        # Another store than Amazon's is addressed by path: its bucket names need no DNS of their own.
        s3={"addressing_style": "path"} if target.endpoint else {},
        # MD5 (Content-MD5) is what this module sends and compares; the newer default checksums
        # are not understood by every S3-compatible store.
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
    )
    session = botocore.session.get_session()
    # AWS_REGION is the AWS SDKs' variable for the region, before AWS_DEFAULT_REGION and the
    # profile's; botocore alone reads only the other two.
    region = target.region or os.environ.get("AWS_REGION") or None
    s3 = session.create_client("s3", endpoint_url=target.endpoint, region_name=region, config=config)
    cloudfront = None
    if target.cloudfront_distribution:
        retries = Config(retries={"max_attempts": ATTEMPTS, "mode": "standard"})
        cloudfront = session.create_client("cloudfront", config=retries)
    return s3, cloudfront


def list_store(s3: Any, target: DeployTarget) -> dict[str, str | None]:
    """Every object below the target's prefix: key after the prefix → MD5 of its bytes (None
    when neither the ETag nor the metadata tells)."""
    found: dict[str, str | None] = {}
    multipart = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=target.bucket, Prefix=target.prefix):
        for item in page.get("Contents", ()):
            key = item["Key"][len(target.prefix) :]
            if not key or key.endswith("/"):  # a "folder" some tools make; not a file
                continue
            etag = item.get("ETag", "").strip('"')
            if "-" in etag:
                multipart.append(key)
            found[key] = etag if len(etag) == 32 else None
    for key in multipart:
        head = s3.head_object(Bucket=target.bucket, Key=target.prefix + key)
        found[key] = head.get("Metadata", {}).get(MD5_METADATA)
    return found


def _connect_and_list(
    target: DeployTarget, clients: tuple[Any, Any | None] | None, workers: int
) -> tuple[Any, Any | None, dict[str, str | None]]:
    s3, cloudfront = clients if clients is not None else make_clients(target, workers)
    return s3, cloudfront, list_store(s3, target)


def deploy(
    out: Path,
    target: DeployTarget,
    *,
    dry_run: bool = False,
    force: bool = False,
    clients: tuple[Any, Any | None] | None = None,
    progress: TextIO | None = None,
    report: Callable[[str], None] = print,
    multipart_threshold: int = MULTIPART_THRESHOLD,
    workers: int = WORKERS,
    catalogue: Catalogue = ENGLISH,
) -> Summary:
    """Publish the build in ``out`` to ``target``. ``clients``: (S3, CloudFront or None), made
    by ``make_clients`` when not given. ``dry_run``: ``report`` every upload and deletion and
    change nothing. ``progress``: a terminal to draw a progress bar on. ``catalogue``: the
    language of the lines reported and drawn."""
    started = time.monotonic()
    check_build(out)
    from concurrent.futures import ThreadPoolExecutor

    with _store_errors(target):
        # The store's listing takes the store a while; the build's files are read meanwhile.
        with ThreadPoolExecutor(1) as lister:
            listing = lister.submit(_connect_and_list, target, clients, workers)
            local = read_build(out)
            s3, cloudfront, remote = listing.result()
        plan = plan_deploy(local, remote, force=force)
        paths = invalidation_paths(plan) if target.cloudfront_distribution else ()
        if dry_run:
            said = catalogue.show
            for file in plan.uploads:
                if file.key in plan.new:
                    report(said(msg("upload {key} (new)", key=file.key)))
                else:
                    report(said(msg("upload {key} (changed)", key=file.key)))
            for key in plan.deletions:
                report(said(msg("delete {key}", key=key)))
            for path in paths:
                report(said(msg("invalidate {path}", path=path)))
            check_deletions(plan, target.max_deletes, force)  # after the list, which shows what it refuses
        else:
            check_deletions(plan, target.max_deletes, force)
            bar = (
                ProgressBar(progress, plan.uploads, catalogue)
                if progress is not None and plan.uploads
                else None
            )
            try:
                for wave in plan.waves:
                    _in_threads(
                        lambda file: _upload(s3, target, out, file, multipart_threshold, bar), wave, workers
                    )
            finally:
                if bar is not None:
                    bar.close()
            _delete(s3, target, plan.deletions)
            if paths and cloudfront is not None:
                invalidate(cloudfront, target.cloudfront_distribution, paths)
    return Summary(
        uploaded=len(plan.uploads),
        unchanged=plan.unchanged,
        deleted=len(plan.deletions),
        bytes=sum(file.size for file in plan.uploads),
        seconds=time.monotonic() - started,
        invalidated=paths,
        dry_run=dry_run,
    )


def _upload(
    s3: Any, target: DeployTarget, out: Path, file: LocalFile, threshold: int, bar: ProgressBar | None
) -> None:
    data = out.joinpath(*file.key.split("/")).read_bytes()
    if _md5(data) != file.md5:  # a build replaced the folder meanwhile: these bytes were not planned
        raise SiteError(
            msg("{out} changed while it was being deployed ({key})", out=out, key=file.key),
            hint=msg("deploy again once the build has finished: the next deploy finishes the job"),
        )
    extra = {
        "ContentType": file.content_type,
        "CacheControl": file.cache_control,
        "Metadata": {MD5_METADATA: file.md5},
    }
    if file.redirect is not None:
        extra["WebsiteRedirectLocation"] = file.redirect
    key = target.prefix + file.key
    if file.size < threshold:
        content_md5 = base64.b64encode(bytes.fromhex(file.md5)).decode("ascii")
        s3.put_object(Bucket=target.bucket, Key=key, Body=data, ContentMD5=content_md5, **extra)
    else:
        from s3transfer.manager import TransferConfig, TransferManager

        # S3's smallest part is 5 MiB; each part gets its own MD5 check from s3transfer.
        parts = TransferConfig(
            multipart_threshold=threshold, multipart_chunksize=max(threshold, 5 * 1024 * 1024)
        )
        with TransferManager(s3, parts) as manager:
            manager.upload(io.BytesIO(data), target.bucket, key, extra_args=extra).result()
    if bar is not None:
        bar.advance(file)


def _delete(s3: Any, target: DeployTarget, keys: Sequence[str]) -> None:
    for start in range(0, len(keys), DELETE_BATCH):
        batch = [{"Key": target.prefix + key} for key in keys[start : start + DELETE_BATCH]]
        answer = s3.delete_objects(Bucket=target.bucket, Delete={"Objects": batch, "Quiet": True})
        for error in answer.get("Errors", ()):
            raise SiteError(
                msg(
                    "the store did not delete {key}: {code}",
                    key=str(error.get("Key")),
                    code=str(error.get("Code")),
                ),
                hint=msg("deploy again: the next deploy deletes what is left over"),
            )


def invalidate(cloudfront: Any, distribution: str, paths: Sequence[str]) -> str:
    """Ask CloudFront to drop its cached copies of ``paths``; the invalidation's ID."""
    reference = hashlib.sha256(f"{time.time_ns()} {' '.join(paths)}".encode()).hexdigest()[:32]
    answer = cloudfront.create_invalidation(
        DistributionId=distribution,
        InvalidationBatch={
            "Paths": {"Quantity": len(paths), "Items": list(paths)},
            "CallerReference": reference,
        },
    )
    return answer["Invalidation"]["Id"]


def _in_threads(work: Callable[[LocalFile], None], files: Sequence[LocalFile], workers: int) -> None:
    """``work`` on each of ``files`` from ``workers`` threads. After the first error, or Ctrl-C,
    no upload starts; those under way end, then the error is raised."""
    if not files:
        return
    from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait

    pool = ThreadPoolExecutor(min(workers, len(files)))
    try:
        futures = [pool.submit(work, file) for file in files]
        wait(futures, return_when=FIRST_EXCEPTION)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    for future in futures:
        if not future.cancelled() and future.exception() is not None:
            raise future.exception()


# Answers of the store that mean the credentials are not right for it.
_REFUSED = {
    "InvalidAccessKeyId", "SignatureDoesNotMatch", "AccessDenied", "InvalidToken", "ExpiredToken",
    "InvalidClientTokenId", "UnrecognizedClientException", "AuthorizationHeaderMalformed", "403",
}  # fmt: skip
_CREDENTIALS_HINT = msg(
    "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE, for an account that may write "
    "to the bucket"
)
_AGAIN_HINT = msg("what was uploaded stays consistent; the next deploy finishes the job")


@contextlib.contextmanager
def _store_errors(target: DeployTarget) -> Iterator[None]:
    """The store's and the network's failures as one line each (``SiteError``)."""
    from botocore import exceptions

    store = f"s3://{target.bucket}/{target.prefix}"
    where: Message | str = store
    if target.endpoint:
        where = msg("{store} at {endpoint}", store=store, endpoint=target.endpoint)
    try:
        yield
    except exceptions.NoCredentialsError:
        raise SiteError(
            msg("no credentials to deploy to {where}", where=where), hint=_CREDENTIALS_HINT
        ) from None
    except exceptions.ClientError as error:
        code = str(error.response.get("Error", {}).get("Code", ""))
        if code in _REFUSED:
            raise SiteError(
                msg("{where} refused the credentials ({code})", where=where, code=code),
                hint=_CREDENTIALS_HINT,
            ) from None
        if code == "NoSuchBucket":
            if target.endpoint:
                problem = msg(
                    "the bucket {bucket} does not exist at {endpoint}",
                    bucket=target.bucket,
                    endpoint=target.endpoint,
                )
            else:
                problem = msg("the bucket {bucket} does not exist", bucket=target.bucket)
            raise SiteError(
                problem,
                hint=msg("create it, or correct bucket (and endpoint) in site.yaml's deploy target"),
            ) from None
        if code == "NoSuchDistribution":
            raise SiteError(
                msg(
                    "CloudFront has no distribution {distribution}: the files were deployed, "
                    "the CDN's copies not invalidated",
                    distribution=target.cloudfront_distribution,
                ),
                hint=msg("correct cloudfront_distribution in site.yaml"),
            ) from None
        message = error.response.get("Error", {}).get("Message") or code or msg("an error")
        if code:
            problem = msg("{where} answered {code}: {message}", where=where, code=code, message=message)
        else:
            problem = msg("{where} answered with an error: {message}", where=where, message=message)
        raise SiteError(problem, hint=msg("is the endpoint an S3 API? {again}", again=_AGAIN_HINT)) from None
    except (
        exceptions.EndpointConnectionError,
        exceptions.ConnectionError,
        exceptions.HTTPClientError,
    ) as error:
        raise SiteError(
            msg(
                "cannot reach {endpoint} for {where} after {attempts} attempts: {error}",
                endpoint=target.endpoint or "Amazon S3",
                where=where,
                attempts=ATTEMPTS,
                error=error,
            ),
            hint=msg("check the endpoint in site.yaml and the network; {again}", again=_AGAIN_HINT),
        ) from None
    except exceptions.BotoCoreError as error:
        raise SiteError(
            msg("deploying to {where} failed: {error}", where=where, error=error), hint=_AGAIN_HINT
        ) from None


class ProgressBar:
    """A one-line bar on a terminal: files and bytes uploaded of the plan's; safe from threads."""

    WIDTH = 30
    INTERVAL = 0.1  # seconds between redraws

    def __init__(self, stream: TextIO, files: Sequence[LocalFile], catalogue: Catalogue = ENGLISH) -> None:
        self._stream = stream
        self._catalogue = catalogue
        self._files, self._bytes = len(files), sum(file.size for file in files)
        self._done_files = self._done_bytes = 0
        self._drawn = 0.0
        self._lock = threading.Lock()

    def advance(self, file: LocalFile) -> None:
        with self._lock:
            self._done_files += 1
            self._done_bytes += file.size
            now = time.monotonic()
            if now - self._drawn >= self.INTERVAL or self._done_files == self._files:
                self._drawn = now
                filled = self.WIDTH * self._done_bytes // max(self._bytes, 1)
                bar = "#" * filled + "." * (self.WIDTH - filled)
                done = msg(
                    "{done}/{total} files, {done_size} of {total_size}",
                    done=self._done_files,
                    total=self._files,
                    done_size=_size(self._done_bytes),
                    total_size=_size(self._bytes),
                )
                self._stream.write(f"\r[{bar}] {done.show(self._catalogue)}")
                self._stream.flush()

    def close(self) -> None:
        with self._lock:
            self._stream.write("\r\033[K")
            self._stream.flush()


def choose_target(targets: Sequence[DeployTarget], name: str | None) -> DeployTarget:
    """The target named ``name`` (None: the first of site.yaml)."""
    if not targets:
        raise SiteError(
            msg("no deploy target is set"),
            CONFIG_FILE,
            hint=msg(
                "add deploy: with a target such as production: {{bucket: NAME, region: eu-west-1}} "
                "(docs/deploy.md)"
            ),
        )
    for target in targets:
        if name is None or target.name == name:
            return target
    raise SiteError(
        msg("no deploy target is named '{name}'", name=name),
        CONFIG_FILE,
        hint=msg("one of: {names}", names=", ".join(target.name for target in targets)),
    )


def policy_name(target: DeployTarget) -> str:
    """A name for the CloudFront response headers policy of ``target`` (letters, digits, - and _)."""
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in f"{target.bucket}-{target.name}-headers")[
        :128
    ]
