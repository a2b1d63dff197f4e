"""The build behind a real nginx, configured by ``site-builder nginx-config``: what a CDN origin serves."""

from __future__ import annotations

import http.client
import os
import re
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote, unquote

import pytest
from conftest import free_port, run_process

from site_builder.output.cdn import IMMUTABLE, REVALIDATE

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)


def _njs_module() -> Path | None:
    """nginx's njs module where this nginx looks for dynamic modules (its ``--modules-path``)."""
    if NGINX is None:
        return None
    built_with = subprocess.run([NGINX, "-V"], capture_output=True, text=True, timeout=10).stderr
    modules = re.search(r"--modules-path=(\S+)", built_with)
    prefix = re.search(r"--prefix=(\S+)", built_with)
    if modules:
        folder = Path(modules.group(1))
    else:  # nginx's own default: "modules" in its prefix
        folder = Path(prefix.group(1) if prefix else "/usr/local/nginx") / "modules"
    module = folder / "ngx_http_js_module.so"
    return module if module.is_file() else None


NJS = _njs_module()
pytestmark = [
    pytest.mark.skipif(NGINX is None, reason="nginx is not installed (.ci/run installs it)"),
    pytest.mark.skipif(
        NJS is None,
        reason="nginx's njs module is not installed (Debian: libnginx-mod-http-js; .ci/run installs it)",
    ),
]


@contextmanager
def nginx_serving(root: Path, prefix: Path) -> Iterator[int]:
    """A real nginx serving the built project ``root`` with its ``site-builder nginx-config``,
    on a free loopback port (yielded); its own files in ``prefix``, loading the njs module
    the configuration needs, as a machine with the module installed does."""
    port = free_port()
    config = run_process("-C", root, "nginx-config", "--listen", f"127.0.0.1:{port}")
    assert config.returncode == 0, config.stderr
    (prefix / "logs").mkdir(parents=True)
    (prefix / "site.conf").write_text(config.stdout)
    mime = Path("/etc/nginx/mime.types")
    # As root, nginx's workers would run as nobody, who cannot read pytest's private folders.
    user = "user root;\n" if os.geteuid() == 0 else ""
    (prefix / "nginx.conf").write_text(
        user + f"load_module {NJS};\n"
        "daemon off;\nworker_processes 1;\npid nginx.pid;\nerror_log logs/error.log;\n"
        "events { worker_connections 64; }\n"
        f"http {{\n include {mime};\n default_type application/octet-stream;\n access_log off;\n"
        f" client_body_temp_path tmp; proxy_temp_path tmp; fastcgi_temp_path tmp; uwsgi_temp_path tmp; scgi_temp_path tmp;\n"
        " include site.conf;\n}\n"
    )
    (prefix / "tmp").mkdir()
    process = subprocess.Popen(
        [NGINX, "-p", str(prefix), "-c", str(prefix / "nginx.conf")], stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                assert process.poll() is None, process.stderr.read().decode()
                assert time.monotonic() < deadline, "nginx did not answer within 10 s"
                time.sleep(0.05)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from conftest import make_mini_site

    root = make_mini_site(tmp_path_factory.mktemp("nginx") / "site")
    # The root redirect's fallback, named here so that the cases below read as they are.
    config = root / "site.yaml"
    config.write_text(re.sub(r"(?m)^default_language: .*$", "default_language: en", config.read_text()))
    mou = root / "content/en/news/2019-09-26-mou.md"
    mou.write_text(mou.read_text().replace("date: 2019-09-26", "date: 2019-09-26\naliases: [/en/mou/]"))
    nl_mou = root / "content/nl/news/2019-09-26-mou.md"
    nl_mou.write_text(
        nl_mou.read_text().replace("date: 2019-09-26", "date: 2019-09-26\naliases: [/nl/nieuws/mou/]")
    )
    for lang in ("en", "nl"):  # a topic of site.yaml's, whose pages have a feed of their own
        ema = root / f"content/{lang}/news/2019-06-12-ema.md"
        ema.write_text(ema.read_text().replace("date: 2019-06-12", "date: 2019-06-12\ntopics: [ema]"))
    # A photo whose name has a space, shown on a page: its addresses are encoded, its files not.
    from PIL import Image

    (root / "assets/images").mkdir()
    Image.new("RGB", (600, 400), (200, 100, 50)).save(root / "assets/images/team photo.jpg")
    about = root / "content/en/about.md"
    about.write_text(about.read_text() + "\n![The team](</assets/images/team photo.jpg>)\n")
    assert run_process("-C", root, "build").returncode == 0
    with nginx_serving(root, root.parent / "nginx") as port:
        yield port, root / "build"


def get(port: int, path: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, body


def page_paths(build: Path) -> list[str]:
    # Old addresses' redirect pages are for hosts without these rules: nginx answers 301 there.
    old = {line.split()[0] for line in (build / "_redirects").read_text().splitlines() if " 301" in line}
    paths = []
    for file in sorted(build.rglob("*.html")):
        rel = file.relative_to(build).as_posix()
        if rel.endswith("404.html") or "/" + rel[: -len("index.html")] in old:
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
    assert headers["x-frame-options"] == "DENY"


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
    assets = sorted(path for path in (build / "assets").rglob("*") if path.is_file())
    assert assets
    for asset in assets:
        status, headers, body = get(port, quote(f"/assets/{asset.relative_to(build / 'assets').as_posix()}"))
        assert status == 200
        assert headers["cache-control"] == IMMUTABLE
        assert body == asset.read_bytes()
        assert_security_headers(headers)


# An address in a page's src, href or srcset, quoted or not (minified pages leave quotes out).
_ADDRESS = re.compile(r"""\s(src|href|srcset)=(?:"([^"]*)"|([^\s"'>]+))""")


def test_every_asset_address_the_pages_write_is_served(server):
    """Sent as the pages write it: a browser sends a srcset's address, up to its first space, so."""
    port, build = server
    addresses = set()
    for page in build.rglob("*.html"):
        for name, quoted, plain in _ADDRESS.findall(page.read_text("utf-8")):
            value = quoted or plain
            candidates = value.split(",") if name == "srcset" else [value]
            addresses |= {c.split()[0] for c in candidates if c.strip().startswith("/assets/")}
    assert any("/team%20photo." in address for address in addresses), sorted(addresses)
    for address in sorted(addresses):
        status, _, body = get(port, address)
        assert status == 200, address
        assert body == (build / unquote(address).lstrip("/")).read_bytes(), address


def test_feeds_and_sitemap(server):
    port, _ = server
    for feed in ("/en/feed.xml", "/nl/themas/europees-geneesmiddelenbureau/feed.xml"):
        status, headers, _ = get(port, feed)
        assert status == 200 and headers["content-type"] == "application/atom+xml; charset=utf-8", feed
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


def test_the_folder_s_mark_is_not_served(server):
    """``.site-builder`` marks build/ as the tool's; it is no file of the site (docs/deploy.md)."""
    port, build = server
    assert (build / ".site-builder").is_file()
    status, headers, body = get(port, "/.site-builder")
    assert status == 404 and body == (build / "404.html").read_bytes()
    assert_security_headers(headers)


def test_the_block_serves_the_build_where_it_was_built_or_the_folder_out_names(mini_site, run_cli, tmp_path):
    for args, folder in [((), mini_site / "build"), (("--out", tmp_path / "public"), tmp_path / "public")]:
        code, out, err = run_cli("-C", mini_site, "nginx-config", *args)
        assert code == 0, err
        assert f'    root "{folder}";' in out.splitlines(), args


# Accept-Language → where / sends the visitor; the mini site's languages are en (the default) and nl.
ROOT_REDIRECTS = [
    ("nl-NL,nl;q=0.9,en;q=0.8", "/nl/"),
    ("en-GB,en;q=0.9", "/en/"),
    ("en;q=0.1,nl;q=0.9", "/nl/"),  # the higher q wins, not the first tag
    ("de-DE,nl;q=0.8", "/nl/"),  # a supported language anywhere in the list
    ("de-DE,de;q=0.9,fr;q=0.7,nl;q=0.4,en;q=0.3", "/nl/"),
    ("nl-BE", "/nl/"),  # a region subtag matches its language
    ("fr-BE, NL-be;q=0.5, en-us;q=0.4", "/nl/"),  # in any case
    ("nl;q=0, en;q=0.1", "/en/"),  # q=0: not acceptable, however early
    ("en;q=0, de", "/nl/"),  # the default refused: the other language, not the default
    ("de-DE", "/en/"),  # none of the site's languages: the default
    ("de, fr;q=0.9", "/en/"),
    ("*", "/en/"),  # any language: the default
    ("en;q=0.5, *;q=0.8", "/nl/"),  # the wildcard weighs the language the list does not name
    ("nl, en", "/nl/"),  # equal q: the one named first
    ("en;q=0.800, nl;q=0.8", "/en/"),
    ("nl ; q = 0.9 , en ; q=0.3", "/nl/"),  # spaces around the parameter
    ("en;q=2, nl;q=0.5", "/nl/"),  # a malformed q-value: that entry does not count
    ("en;level=1;q=0.2, nl;q=0.3", "/nl/"),  # another parameter beside q
    pytest.param("x-" + "a" * 5000 + ", nl;q=0.5", "/nl/", id="a 5,000-character tag"),
]
# No header (crawlers), nothing readable in it, or every language of the site refused: the chooser.
ROOT_CHOOSER = [None, "", "!!, ;;; ,", "en;q=0, nl;q=0", "*;q=0", "de, *;q=0"]


@pytest.mark.parametrize("accept, target", ROOT_REDIRECTS)
def test_root_redirects_to_the_language_the_browser_prefers(server, accept, target):
    port, _ = server
    status, headers, _ = get(port, "/", **{"Accept-Language": accept})
    assert (status, headers.get("location")) == (302, target), accept
    assert headers["vary"] == "Accept-Language"
    assert_security_headers(headers)


@pytest.mark.parametrize("accept", ROOT_CHOOSER)
def test_root_serves_the_language_chooser_without_an_acceptable_language(server, accept):
    port, build = server
    status, headers, body = get(port, "/", **({} if accept is None else {"Accept-Language": accept}))
    assert status == 200 and body == (build / "index.html").read_bytes(), accept
    assert headers["vary"] == "Accept-Language"


def test_the_configuration_loads_in_debians_own_nginx_conf(server, tmp_path):
    """Debian's nginx.conf loads every installed module's ``load_module`` line
    (``modules-enabled``), so the printed block goes into ``conf.d/`` as it is."""
    system = Path("/etc/nginx/nginx.conf")
    if not system.is_file() or "modules-enabled" not in system.read_text():
        pytest.skip("not Debian's nginx layout (/etc/nginx/nginx.conf with modules-enabled)")
    _, build = server
    config = run_process("-C", build.parent, "nginx-config", "--listen", f"127.0.0.1:{free_port()}")
    assert config.returncode == 0, config.stderr
    site = tmp_path / "site.conf"
    site.write_text(config.stdout)
    text = system.read_text()
    # Only the site's block, and the logs here: nothing of the machine's own sites or logs.
    text = re.sub(r"(?m)^\s*include /etc/nginx/(conf\.d|sites-enabled)/\S*;\s*$", "", text)
    text = re.sub(r"(?m)^\s*(error_log|access_log)\s[^;]*;", "", text)
    text = text.replace("http {", f"http {{\n\tinclude {site};\n\taccess_log off;", 1)
    text = f"error_log {tmp_path / 'error.log'};\n" + text
    (tmp_path / "nginx.conf").write_text(text)
    checked = subprocess.run(
        [NGINX, "-t", "-c", str(tmp_path / "nginx.conf")], capture_output=True, text=True, timeout=30
    )
    assert checked.returncode == 0, checked.stderr


def test_aliases_redirect_permanently(server):
    port, build = server
    assert get(port, "/en/mou/")[:2][0] == 301
    # The redirect page written there for hosts without rules is not what nginx serves.
    assert b'http-equiv="refresh"' in (build / "en/mou/index.html").read_bytes()
    assert b"refresh" not in get(port, "/en/mou/")[2]
    assert get(port, "/en/mou/")[1]["location"] == "/en/news/memorandum-of-understanding/"
    status, headers, _ = get(port, "/nl/nieuws/mou/")
    assert status == 301 and headers["location"].startswith("/nl/nieuws/")


@pytest.mark.parametrize(
    "listen",
    [
        "127.0.0.1:8080; include /etc/passwd",  # written as it was: a directive of one's choice
        "127.0.0.1:8080\nserver_name x",
        "0.0.0.0:99999",
        "",
    ],
)
def test_a_listen_address_that_is_not_one_is_a_usage_error(mini_site, run_cli, listen):
    code, out, err = run_cli("-C", mini_site, "nginx-config", "--listen", listen)
    assert (code, out) == (2, "")
    assert err.splitlines()[-1] == (
        "site-builder nginx-config: error: argument --listen: expected a port, or an address and a "
        f"port such as 127.0.0.1:8080, not {listen!r}"
    )


@pytest.mark.parametrize("name", ['we"ird', "cost$s", "back\\slash"])
def test_a_folder_nginx_would_read_otherwise_is_refused(mini_site, run_cli, name):
    folder = mini_site.parent / name
    code, out, err = run_cli("-C", mini_site, "nginx-config", "--out", folder)
    odd = next(c for c in name if c in '"$\\')
    assert (code, out, err.splitlines()) == (
        1,
        "",
        [
            f"the folder {folder} has a character nginx would read otherwise: {odd!r} "
            "(hint: serve a folder whose path has no quote, backslash, $ or control character)"
        ],
    )


def test_a_port_alone_or_an_ipv6_address_is_a_listen_address(mini_site, run_cli):
    for listen in ("8080", "[::1]:8080", "localhost:8080"):
        code, out, err = run_cli("-C", mini_site, "nginx-config", "--listen", listen)
        assert code == 0, err
        assert f"    listen {listen};" in out.splitlines()
