"""``site-builder deploy`` against a real S3-compatible server (SeaweedFS on loopback, see
tests/seaweedfs.py): every object's bytes and headers, nothing uploaded twice, an edit
uploading only what it changed, deletions and their cap, a deploy killed with SIGKILL and run
again, and the mistakes that must change nothing."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import REPO, make_mini_site, read_tree, run_process
from seaweedfs import seaweedfs_server  # noqa: F401  (the fixture ``seaweedfs``)

from site_builder import pipeline
from site_builder.config import DeployTarget
from site_builder.errors import SiteError
from site_builder.output import cdn, deploy

KILL_DEADLINE = 60.0  # seconds for the killed deploy to have uploaded some pages


def project(root: Path, store, bucket: str, extra: str = "", site: Path = REPO) -> Path:
    """``root`` with ``site``'s site.yaml and a deploy target ``test`` on ``store``."""
    root.mkdir(parents=True, exist_ok=True)
    text = (site / "site.yaml").read_text("utf-8")
    target = f"deploy:\n  test:\n    bucket: {bucket}\n    endpoint: {store.endpoint}\n    region: us-east-1\n{extra}"
    (root / "site.yaml").write_text(text + target, "utf-8")
    return root


def run_deploy(
    root: Path, out: Path, store, *args: str, env: dict | None = None
) -> subprocess.CompletedProcess:
    return run_process("-C", root, "deploy", "--out", out, *args, env={**store.client_env(), **(env or {})})


def target_for(store, bucket: str, prefix: str = "", max_deletes: int = 256) -> DeployTarget:
    return DeployTarget("test", bucket, "us-east-1", store.endpoint, prefix, None, max_deletes)


@pytest.fixture
def store_env(seaweedfs, monkeypatch):
    """The server's credentials in this process's environment, for ``deploy.deploy`` called here."""
    for name, value in seaweedfs.client_env().items():
        monkeypatch.setenv(name, value)
    return seaweedfs


def recording(store, target: DeployTarget) -> tuple[tuple, list[str]]:
    """Clients for ``target`` and the list of keys they upload, in the order they are sent."""
    s3, cloudfront = deploy.make_clients(target)
    uploaded: list[str] = []
    s3.meta.events.register(
        "before-parameter-build.s3.PutObject", lambda params, **_: uploaded.append(params["Key"])
    )
    return (s3, cloudfront), uploaded


def published(build: Path) -> dict[str, bytes]:
    return {key: data for key, data in read_tree(build).items() if key not in deploy.NOT_PUBLISHED}


def assert_store_holds(store, bucket: str, build: Path, prefix: str = "") -> None:
    """The store holds exactly the build's published files, byte for byte, with their headers."""
    client = store.client()
    files = published(build)
    assert set(store.objects(bucket, prefix)) == set(files)
    for key, data in files.items():
        answer = client.get_object(Bucket=bucket, Key=prefix + key)
        assert answer["Body"].read() == data, key
        assert answer["ContentType"] == cdn.content_type(key), key
        assert answer["CacheControl"] == cdn.cache_control(key), key


def test_the_real_site_is_published_with_every_header_and_then_nothing_is_uploaded_again(
    seaweedfs,
    built,
    tmp_path,
):
    bucket = seaweedfs.new_bucket()
    root = project(tmp_path, seaweedfs, bucket, "    prefix: www/\n")
    first = run_deploy(root, built, seaweedfs)
    assert first.returncode == 0, first.stderr
    files = published(built)
    assert f"uploaded {len(files)} files" in first.stderr and "0 unchanged, deleted 0" in first.stderr
    assert_store_holds(seaweedfs, bucket, built, "www/")
    # The folder's mark and the rules for other hosts are not the site's files.
    assert not {".site-builder", "_headers", "_redirects"} & set(seaweedfs.objects(bucket))
    client = seaweedfs.client()
    assert (
        client.head_object(Bucket=bucket, Key="www/en/index.html")["ContentType"]
        == "text/html; charset=utf-8"
    )
    assert client.head_object(Bucket=bucket, Key="www/en/feed.xml")["ContentType"] == cdn.ATOM_TYPE
    css = next(key for key in files if key.startswith("assets/") and key.endswith(".css"))
    assert client.head_object(Bucket=bucket, Key="www/" + css)["CacheControl"] == cdn.IMMUTABLE
    assert client.head_object(Bucket=bucket, Key="www/sitemap.xml")["CacheControl"] == cdn.REVALIDATE

    again = run_deploy(root, built, seaweedfs)
    assert again.returncode == 0, again.stderr
    assert f"uploaded 0 files (0.0 kB), {len(files)} unchanged, deleted 0" in again.stderr
    dry = run_deploy(root, built, seaweedfs, "--dry-run")
    assert dry.returncode == 0 and dry.stdout == "", dry.stdout
    quiet = run_process("-C", root, "-q", "deploy", "--out", built, env=seaweedfs.client_env())
    assert (quiet.returncode, quiet.stdout, quiet.stderr) == (0, "", "")


def test_an_edit_uploads_exactly_the_files_whose_bytes_it_changed(store_env, tmp_path):
    root = make_mini_site(tmp_path / "site")
    pipeline.build(root)
    before = read_tree(root / "build")
    bucket = store_env.new_bucket()
    target = target_for(store_env, bucket)
    deploy.deploy(root / "build", target, clients=deploy.make_clients(target))

    news = root / "content/en/news/2019-06-12-ema.md"
    news.write_text(
        news.read_text("utf-8").replace("opens its Amsterdam office", "opens its new Amsterdam office")
    )
    pipeline.build(root)
    after = read_tree(root / "build")
    changed = {key for key, data in after.items() if before.get(key) != data} - deploy.NOT_PUBLISHED
    # The page itself, the lists and the feed that show its title, the sitemap (its date).
    assert "en/news/ema-opens-office/index.html" in changed and "en/feed.xml" in changed
    assert 1 < len(changed) < len(after) // 2, changed

    # The search index's files are named by their content: the bundles of the edited page and
    # of the home page (which shows its title) have new ones, uploaded as new; the old ones go.
    removed = set(before) - set(after) - deploy.NOT_PUBLISHED
    added = set(after) - set(before) - deploy.NOT_PUBLISHED
    # So is the page's social card, whose title changed (test_cards.py).
    assert removed and all(
        key.startswith(
            ("pagefind/en/news-2019/", "pagefind/en/pages/", "assets/cards/en/news-ema-opens-office.")
        )
        for key in removed | added
    )
    dry = []
    deploy.deploy(
        root / "build", target, dry_run=True, report=dry.append, clients=deploy.make_clients(target)
    )
    order = sorted(changed, key=lambda k: (deploy.wave_of(k), k))
    assert [line for line in dry if line.startswith("upload ")] == [
        f"upload {key} ({'new' if key in added else 'changed'})" for key in order
    ]
    assert sorted(line for line in dry if not line.startswith("upload ")) == [
        f"delete {k}" for k in sorted(removed)
    ]
    clients, sent = recording(store_env, target)
    summary = deploy.deploy(root / "build", target, clients=clients)
    assert set(sent) == changed and len(sent) == len(changed)
    assert (summary.uploaded, summary.deleted) == (len(changed), len(removed))
    assert_store_holds(store_env, bucket, root / "build")


def test_pages_the_site_no_longer_has_are_deleted_last_and_a_mass_deletion_needs_force(seaweedfs, tmp_path):
    root = make_mini_site(tmp_path / "site")
    pipeline.build(root)
    bucket = seaweedfs.new_bucket()
    project(root, seaweedfs, bucket, "    max_deletes: 1\n", site=root)
    seaweedfs.client().put_object(Bucket=bucket, Key="en/gone/index.html", Body=b"old page")
    seaweedfs.client().put_object(Bucket=bucket, Key="assets/old.0000.css", Body=b"old style")
    done = run_deploy(root, root / "build", seaweedfs)
    assert done.returncode == 0, done.stderr
    assert "deleted 2" in done.stderr  # one page: an old stylesheet does not count against the limit
    assert_store_holds(seaweedfs, bucket, root / "build")

    for name in ("2019-09-26-mou.md", "2019-06-12-ema.md"):  # two pages gone
        (root / "content/en/news" / name).unlink()
    pipeline.build(root)
    objects = seaweedfs.objects(bucket)
    dry = run_deploy(root, root / "build", seaweedfs, "--dry-run")
    refused = run_deploy(root, root / "build", seaweedfs)
    assert refused.returncode == 1
    message = re.fullmatch(
        r"this deploy would delete (\d+) pages, more than the 1 allowed: nothing was changed \(hint: .*\)\n",
        refused.stderr,
    )
    assert message, refused.stderr
    assert seaweedfs.objects(bucket) == objects  # not even the uploads
    assert dry.returncode == 1 and dry.stderr == refused.stderr
    deletions = [line for line in dry.stdout.splitlines() if line.startswith("delete ")]
    # Only pages count against the limit, not the search index's old files.
    assert [line for line in deletions if line.endswith(".html")] == [
        "delete en/news/ema-opens-office/index.html",
        "delete en/news/memorandum-of-understanding/index.html",
    ]
    assert message.group(1) == "2"
    # With them their search records and social cards, which do not count either.
    assert all(
        line.startswith(("delete pagefind/en/", "delete assets/cards/en/news-"))
        for line in deletions
        if not line.endswith(".html")
    )

    forced = run_deploy(root, root / "build", seaweedfs, "--force")
    assert forced.returncode == 0, forced.stderr
    # --force uploads every file too, changed or not.
    assert f"uploaded {len(published(root / 'build'))} files" in forced.stderr
    assert f"0 unchanged, deleted {len(deletions)}," in forced.stderr
    assert_store_holds(seaweedfs, bucket, root / "build")


def test_dry_run_lists_every_upload_and_deletion_and_changes_nothing(seaweedfs, tmp_path):
    root = make_mini_site(tmp_path / "site")
    pipeline.build(root)
    bucket = seaweedfs.new_bucket()
    project(root, seaweedfs, bucket, site=root)
    seaweedfs.client().put_object(Bucket=bucket, Key="en/gone/index.html", Body=b"old page")
    seaweedfs.client().put_object(Bucket=bucket, Key="robots.txt", Body=b"old robots")
    dry = run_deploy(root, root / "build", seaweedfs, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    files = published(root / "build")
    lines = dry.stdout.splitlines()
    assert sorted(lines) == sorted(
        [f"upload {key} ({'changed' if key == 'robots.txt' else 'new'})" for key in files]
        + ["delete en/gone/index.html"]
    )
    # In the order a deploy sends them: assets, pages, then what announces the pages; deletions last.
    assert [deploy.wave_of(line.split()[1]) for line in lines[:-1]] == sorted(
        deploy.wave_of(line.split()[1]) for line in lines[:-1]
    )
    assert lines[-1] == "delete en/gone/index.html"
    assert "nothing was changed (--dry-run)" in dry.stderr
    assert set(seaweedfs.objects(bucket)) == {"en/gone/index.html", "robots.txt"}


def test_a_deploy_killed_midway_leaves_every_published_page_whole_and_the_next_one_finishes(
    seaweedfs,
    tmp_path,
):
    sys.path.insert(0, str(REPO / "benchmarks"))
    from generate_site import generate

    root = generate(100, tmp_path / "site")
    pipeline.build(root)
    bucket = seaweedfs.new_bucket()
    project(root, seaweedfs, bucket, site=root)
    assert run_deploy(root, root / "build", seaweedfs).returncode == 0
    # A new stylesheet: every page now names another asset, and the old one must stay until the end.
    (root / "assets/site.css").write_text(
        (root / "assets/site.css").read_text("utf-8") + "\n.deployed { color: red }\n"
    )
    pipeline.build(root)
    files = published(root / "build")

    process = subprocess.Popen(
        [sys.executable, "-m", "site_builder", "-C", root, "deploy", "--out", root / "build"],
        env={**os.environ, **seaweedfs.client_env()},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    client = seaweedfs.client()
    deadline = time.monotonic() + KILL_DEADLINE
    try:
        while (
            sum(
                1
                for key, etag in seaweedfs.objects(bucket).items()
                if key.endswith(".html") and files.get(key) is not None and etag == deploy._md5(files[key])
            )
            < 5
        ):
            assert process.poll() is None, "the deploy finished before it could be killed"
            assert time.monotonic() < deadline, "the deploy uploaded no page in time"
            time.sleep(0.01)  # a poll's interval, under a deadline
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    assert process.returncode == -signal.SIGKILL

    # Every page in the store, old or new, finds every asset it names.
    objects = seaweedfs.objects(bucket)
    assert any(
        files.get(key) is not None and etag != deploy._md5(files[key]) for key, etag in objects.items()
    ), "nothing left to do"
    for key in objects:
        if key.endswith(".html"):
            page = client.get_object(Bucket=bucket, Key=key)["Body"].read().decode("utf-8")
            for asset in re.findall(r'(?:href|src)="/(assets/[^"]+)"', page):
                assert asset in objects, (key, asset)

    rerun = run_deploy(root, root / "build", seaweedfs)
    assert rerun.returncode == 0, rerun.stderr
    assert_store_holds(seaweedfs, bucket, root / "build")
    final = run_deploy(root, root / "build", seaweedfs)
    assert "uploaded 0 files" in final.stderr and "deleted 0" in final.stderr


def test_mistakes_of_credentials_bucket_or_endpoint_are_one_line_and_change_nothing(
    seaweedfs, mini_built, tmp_path
):
    root, _ = mini_built
    bucket = seaweedfs.new_bucket()
    seaweedfs.client().put_object(Bucket=bucket, Key="en/old/index.html", Body=b"kept")
    project(root, seaweedfs, bucket, site=root)
    cases = {
        "a wrong secret": (
            {"AWS_SECRET_ACCESS_KEY": "wrong"},
            r"s3://\S+ at \S+ refused the credentials \(SignatureDoesNotMatch\)",
        ),
        "an unknown key": (
            {"AWS_ACCESS_KEY_ID": "nobody"},
            r"s3://\S+ at \S+ refused the credentials \(InvalidAccessKeyId\)",
        ),
        "no credentials": (
            {"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": ""},
            r"no credentials to deploy to s3://\S+ at \S+",
        ),
    }
    for name, (env, expected) in cases.items():
        result = run_deploy(root, root / "build", seaweedfs, env=env)
        assert result.returncode == 1, name
        assert re.fullmatch(expected + r" \(hint: .*\)\n", result.stderr), (name, result.stderr)
    assert seaweedfs.objects(bucket) == {"en/old/index.html": deploy._md5(b"kept")}

    missing = project(tmp_path / "missing", seaweedfs, "no-such-bucket-here")
    result = run_deploy(missing, root / "build", seaweedfs)
    assert result.returncode == 1
    assert re.fullmatch(
        r"the bucket no-such-bucket-here does not exist at \S+ \(hint: .*\)\n", result.stderr
    ), result.stderr
    assert "no-such-bucket-here" not in {b["Name"] for b in seaweedfs.client().list_buckets()["Buckets"]}

    # An endpoint that is a web server, not an S3 API.
    import http.server
    import threading

    web = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.BaseHTTPRequestHandler)
    threading.Thread(target=web.serve_forever, daemon=True).start()
    try:
        wrong = project(tmp_path / "wrong", seaweedfs, bucket)
        text = (
            (wrong / "site.yaml")
            .read_text("utf-8")
            .replace(seaweedfs.endpoint, f"http://127.0.0.1:{web.server_port}")
        )
        (wrong / "site.yaml").write_text(text, "utf-8")
        result = run_deploy(wrong, root / "build", seaweedfs)
    finally:
        web.shutdown()
    assert result.returncode == 1
    assert re.fullmatch(
        r"s3://\S+ at http://127.0.0.1:\d+ answered 501: .* \(hint: is the endpoint an S3 API\? .*\)\n",
        result.stderr,
    ), result.stderr
    assert seaweedfs.objects(bucket) == {"en/old/index.html": deploy._md5(b"kept")}


def test_a_store_that_does_not_answer_is_tried_again_then_reported_in_one_line(store_env, mini_built):
    """A loopback port that accepts connections and closes them at once: every attempt is a
    network error; botocore tries ``ATTEMPTS`` times with backoff, then one line."""
    import socket
    import threading

    root, _ = mini_built
    listener = socket.create_server(("127.0.0.1", 0))
    attempts = []

    def refuse() -> None:
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            attempts.append(1)
            connection.close()

    threading.Thread(target=refuse, daemon=True).start()
    endpoint = f"http://127.0.0.1:{listener.getsockname()[1]}"
    target = DeployTarget("test", "site", "us-east-1", endpoint)
    try:
        with pytest.raises(SiteError) as raised:
            deploy.deploy(root / "build", target, clients=deploy.make_clients(target))
    finally:
        listener.close()
    assert len(attempts) >= 5  # five in all (urllib3 may try a closed connection once more)
    assert re.fullmatch(
        rf"cannot reach {endpoint} for s3://site/ at {endpoint} after 5 attempts: .* "
        r"\(hint: check the endpoint in site.yaml and the network; what was uploaded stays consistent; "
        r"the next deploy finishes the job\)",
        str(raised.value),
    ), str(raised.value)


def test_only_a_folder_site_builder_made_is_deployed(seaweedfs, tmp_path):
    bucket = seaweedfs.new_bucket()
    root = project(tmp_path / "site", seaweedfs, bucket)
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "index.html").write_text("<p>not a build</p>")
    result = run_deploy(root, foreign, seaweedfs)
    assert result.returncode == 1
    assert result.stderr == (
        f"{foreign} was not made by site-builder build: nothing was deployed "
        "(hint: run site-builder build first, or name the build's folder with --out)\n"
    )
    result = run_deploy(root, tmp_path / "absent", seaweedfs)
    assert result.returncode == 1 and "absent does not exist: nothing was deployed" in result.stderr
    assert seaweedfs.objects(bucket) == {}


def test_a_large_file_goes_up_in_parts_and_its_md5_is_read_back_from_its_metadata(store_env, mini_built):
    """Files of 16 MiB and more (docs/deploy.md); one byte less goes up in one piece."""
    root, _ = mini_built
    big = root / "build/assets/film.0123abcd.mp4"
    big.write_bytes(os.urandom(16 * 1024 * 1024))
    (root / "build/assets/clip.0123abcd.mp4").write_bytes(big.read_bytes()[1:])
    bucket = store_env.new_bucket()
    target = target_for(store_env, bucket)
    deploy.deploy(root / "build", target, clients=deploy.make_clients(target))
    etag = store_env.objects(bucket)["assets/film.0123abcd.mp4"]
    assert "-" in etag  # uploaded in parts: the ETag is no MD5
    assert store_env.objects(bucket)["assets/clip.0123abcd.mp4"] == deploy._md5(big.read_bytes()[1:])
    assert (
        store_env.client().get_object(Bucket=bucket, Key="assets/film.0123abcd.mp4")["Body"].read()
        == big.read_bytes()
    )
    again = deploy.deploy(root / "build", target, clients=deploy.make_clients(target))
    assert again.uploaded == 0


def test_objects_outside_the_prefix_are_left_alone(store_env, mini_built):
    root, _ = mini_built
    bucket = store_env.new_bucket()
    store_env.client().put_object(Bucket=bucket, Key="other/index.html", Body=b"another site")
    target = target_for(store_env, bucket, prefix="www/")
    summary = deploy.deploy(root / "build", target, clients=deploy.make_clients(target))
    assert summary.deleted == 0
    assert store_env.objects(bucket, "other/") == {"index.html": deploy._md5(b"another site")}
    assert_store_holds(store_env, bucket, root / "build", "www/")


def test_the_server_opens_no_connection_beyond_the_loopback(seaweedfs):
    """Telemetry off and bound to 127.0.0.1: every socket of the server process is on the loopback."""
    inodes = set()
    for fd in Path(f"/proc/{seaweedfs.process.pid}/fd").iterdir():
        with_target = os.readlink(fd) if fd.is_symlink() else ""
        if with_target.startswith("socket:["):
            inodes.add(with_target[len("socket:[") : -1])
    pairs = []
    for table in ("tcp", "tcp6", "udp", "udp6"):
        for line in Path(f"/proc/{seaweedfs.process.pid}/net/{table}").read_text().splitlines()[1:]:
            fields = line.split()
            if fields[9] in inodes:
                pairs.append((fields[1], fields[2]))
    assert pairs

    def loopback(address: str) -> bool:
        host = address.split(":")[0]
        return host in ("0100007F", "00000000000000000000000001000000", "0000000000000000FFFF00000100007F")

    for local, remote in pairs:
        assert loopback(local), local  # bound to 127.0.0.1, never to every address
        assert loopback(remote) or remote.split(":")[0].strip("0") == "", (
            remote
        )  # a peer, or none (listening)


def test_a_terminal_sees_a_progress_bar_and_ci_logs_only_the_summary(seaweedfs, mini_built):
    import pty

    root, _ = mini_built
    bucket = seaweedfs.new_bucket()
    project(root, seaweedfs, bucket, site=root)
    terminal, screen = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "site_builder", "-C", root, "deploy"],
        env={**os.environ, **seaweedfs.client_env()},
        stdout=subprocess.DEVNULL,
        stderr=screen,
    )
    os.close(screen)
    shown = b""
    while True:
        try:
            chunk = os.read(terminal, 65536)
        except OSError:  # the process closed the terminal
            break
        if not chunk:
            break
        shown += chunk
    os.close(terminal)
    assert process.wait(timeout=60) == 0
    files = len(published(root / "build"))
    assert re.search(rf"\r\[#{{30}}\] {files}/{files} files, ".encode(), shown), shown
    # The bar is wiped, then the summary is the one line left.
    after_bar = shown.rsplit(b"\r\x1b[K", 1)[1].decode("utf-8")
    assert re.fullmatch(
        rf"deploy to test: uploaded {files} files \(.*\), 0 unchanged, deleted 0, in .* s\r\n", after_bar
    )
