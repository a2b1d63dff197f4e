"""The build behind a real nginx, configured by ``site-builder nginx-config``: what a CDN origin serves."""

from __future__ import annotations

import http.client
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
from conftest import free_port, run_process

from site_builder.output.cdn import IMMUTABLE, REVALIDATE

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
pytestmark = pytest.mark.skipif(NGINX is None, reason="nginx is not installed (.ci/run installs it)")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from conftest import make_mini_site

    root = make_mini_site(tmp_path_factory.mktemp("nginx") / "site")
    mou = root / "content/en/news/2019-09-26-mou.md"
    mou.write_text(mou.read_text().replace("date: 2019-09-26", "date: 2019-09-26\naliases: [/en/mou/]"))
    nl_mou = root / "content/nl/news/2019-09-26-mou.md"
    nl_mou.write_text(
        nl_mou.read_text().replace("date: 2019-09-26", "date: 2019-09-26\naliases: [/nl/nieuws/mou/]")
    )
    assert run_process("-C", root, "build").returncode == 0
    port = free_port()
    config = run_process("-C", root, "nginx-config", "--listen", f"127.0.0.1:{port}")
    assert config.returncode == 0, config.stderr
    prefix = root.parent / "nginx"
    (prefix / "logs").mkdir(parents=True)
    (prefix / "site.conf").write_text(config.stdout)
    mime = Path("/etc/nginx/mime.types")
    # As root, nginx's workers would run as nobody, who cannot read pytest's private folders.
    user = "user root;\n" if os.geteuid() == 0 else ""
    (prefix / "nginx.conf").write_text(
        user + "daemon off;\nworker_processes 1;\npid nginx.pid;\nerror_log logs/error.log;\n"
        "events { worker_connections 64; }\n"
        f"http {{\n include {mime};\n default_type application/octet-stream;\n access_log off;\n"
        f" client_body_temp_path tmp; proxy_temp_path tmp; fastcgi_temp_path tmp; uwsgi_temp_path tmp; scgi_temp_path tmp;\n"
        " include site.conf;\n}\n"
    )
    (prefix / "tmp").mkdir()
    process = subprocess.Popen(
        [NGINX, "-p", str(prefix), "-c", str(prefix / "nginx.conf")], stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            assert process.poll() is None, process.stderr.read().decode()
            time.sleep(0.05)
    yield port, root / "build"
    process.terminate()
    process.wait(timeout=10)


def get(port: int, path: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, body


def page_paths(build: Path) -> list[str]:
    paths = []
    for file in sorted(build.rglob("*.html")):
        rel = file.relative_to(build).as_posix()
        if rel.endswith("404.html"):
            continue
        paths.append("/" + rel[: -len("index.html")] if rel.endswith("index.html") else "/" + rel)
    return paths


def assert_security_headers(headers: dict[str, str]) -> None:
    csp = headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert headers["strict-transport-security"].startswith("max-age=")
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert "camera=()" in headers["permissions-policy"]


def test_every_page_is_served_with_security_headers_and_short_caching(server):
    port, build = server
    paths = page_paths(build)
    assert len(paths) > 15
    for path in paths:
        status, headers, body = get(port, path)
        assert status == 200, path
        assert body == (build / path.lstrip("/") / "index.html").read_bytes(), path
        assert headers["cache-control"] == REVALIDATE, path
        assert headers["content-type"] == "text/html; charset=utf-8"
        assert_security_headers(headers)


def test_fingerprinted_assets_are_immutable(server):
    port, build = server
    assets = sorted((build / "assets").iterdir())
    assert assets
    for asset in assets:
        status, headers, body = get(port, f"/assets/{asset.name}")
        assert status == 200
        assert headers["cache-control"] == IMMUTABLE
        assert body == asset.read_bytes()
        assert_security_headers(headers)


def test_feeds_and_sitemap(server):
    port, _ = server
    status, headers, _ = get(port, "/en/feed.xml")
    assert status == 200 and headers["content-type"] == "application/atom+xml; charset=utf-8"
    status, headers, body = get(port, "/sitemap.xml")
    assert status == 200 and b"<urlset" in body and headers["cache-control"] == REVALIDATE


def test_unknown_addresses_get_the_404_page_of_their_language(server):
    port, build = server
    for path, page in [
        ("/nl/bestaat-niet/", "nl/404.html"),
        ("/en/missing/", "en/404.html"),
        ("/elsewhere", "404.html"),
    ]:
        status, headers, body = get(port, path)
        assert status == 404, path
        assert body == (build / page).read_bytes(), path
        assert_security_headers(headers)


def test_root_redirects_by_browser_language(server):
    port, build = server
    for accept, target in [("nl-NL,nl;q=0.9,en;q=0.8", "/nl/"), ("en-GB,en;q=0.9", "/en/")]:
        status, headers, _ = get(port, "/", **{"Accept-Language": accept})
        assert (status, headers["location"]) == (302, target)
        assert headers["vary"] == "Accept-Language"
    # No preference (a crawler) or another language: the language chooser itself.
    for accept in ({}, {"Accept-Language": "de-DE"}):
        status, _, body = get(port, "/", **accept)
        assert status == 200 and body == (build / "index.html").read_bytes()


def test_aliases_redirect_permanently(server):
    port, _ = server
    assert get(port, "/en/mou/")[:2][0] == 301
    assert get(port, "/en/mou/")[1]["location"] == "/en/news/memorandum-of-understanding/"
    status, headers, _ = get(port, "/nl/nieuws/mou/")
    assert status == 301 and headers["location"].startswith("/nl/nieuws/")


def test_the_content_security_policy_blocks_nothing_the_pages_use(server, browser):
    port, build = server
    paths = ["/", "/en/", "/nl/", "/en/news/", "/nl/nieuws/", "/en/news/memorandum-of-understanding/",
             "/en/key-figures/", "/nl/kerncijfers/", "/en/swot/", "/nl/over-ons/", "/en/missing/"]  # fmt: skip
    for path in paths:
        browser.get(f"http://127.0.0.1:{port}{path}")
        assert browser.execute_script("return document.readyState") == "complete"
        problems = [
            entry["message"]
            for entry in browser.get_log("browser")
            if entry["level"] == "SEVERE" or "Content Security Policy" in entry["message"]
        ]
        # The unknown address is meant to answer 404; anything else is a problem.
        problems = [p for p in problems if not (path == "/en/missing/" and "404" in p)]
        assert problems == [], path
    # The stylesheet really applied under the policy (an inline-style violation would leave it unstyled).
    browser.get(f"http://127.0.0.1:{port}/en/")
    assert browser.execute_script(
        "return [...document.styleSheets].some(s => s.href && s.href.includes('/assets/site.'))"
    )
