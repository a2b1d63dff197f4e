"""The preview on an editor's laptop: whom it answers, what it makes of odd requests, how it starts.

Each server here is a real ``site-builder serve`` process on a real port; the requests are
real HTTP (``http.client``, which sends any ``Host`` and path as given) and WebSocket ones.
"""

from __future__ import annotations

import asyncio
import http.client
import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import free_port, make_mini_site, run_process
from test_serve import _stop, _wait_for

REFUSED_ORIGIN = "Live reload accepts connections only from the preview's own pages.\n"
MALFORMED = (
    "Not a path of this site: it holds a NUL or control character, a broken %-escape, "
    "'.' or '..', or begins with '//'.\n"
)
WARNING = (
    "warning: the preview listens on {host}, so anyone who can reach this machine sees the drafts "
    "and the translation status at /_status/ (hint: leave out --host to keep it on this machine)"
)
ELSEWHERE = "leave out --host to preview on 127.0.0.1, or give one of this machine's addresses"


class Server:
    """A running preview: its port, the address it was asked to listen on and its terminal."""

    def __init__(self, root: Path, log: Path, host: str | None = None) -> None:
        self.port = free_port()
        self.address = host or "127.0.0.1"
        self.log = log
        command = [sys.executable, "-m", "site_builder", "-C", str(root), "serve", "--port", str(self.port)]
        self.process = subprocess.Popen(
            command + (["--host", host] if host else []),
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        try:
            _wait_for(lambda: "preview at" in log.read_text() or self.process.poll() is not None, 60)
            assert "preview at" in log.read_text(), log.read_text()
            # Announced only once it listens: the first request after the line is answered.
            assert self.request("/nl/")[0] == 200
        except BaseException:
            _stop(self.process)
            raise

    @property
    def refused(self) -> str:
        return f"This preview answers only at its own address: http://{self.address}:{self.port}/\n"

    def request(self, path: str, host: str | None = None, headers: dict | None = None):
        """(status, content type, body) of one request, with ``Host`` and path exactly as given."""
        connection = http.client.HTTPConnection(self.address, self.port, timeout=5)
        try:
            connection.putrequest("GET", path, skip_host=True, skip_accept_encoding=True)
            connection.putheader("Host", f"{self.address}:{self.port}" if host is None else host)
            for name, value in (headers or {}).items():
                connection.putheader(name, value)
            connection.endheaders()
            response = connection.getresponse()
            return response.status, response.getheader("Content-Type", ""), response.read().decode("utf-8")
        finally:
            connection.close()

    def stop(self) -> str:
        code = _stop(self.process)
        terminal = self.log.read_text()
        assert code == 0, terminal
        return terminal


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """One preview of the mini site on 127.0.0.1 for the module; afterwards its terminal must
    hold its build and its address alone: no traceback, no line for any request it was sent
    (a page elsewhere can send requests it cannot read, and must not fill the terminal)."""
    folder = tmp_path_factory.mktemp("preview")
    running = Server(make_mini_site(folder / "site"), folder / "serve.log")
    yield running
    terminal = running.stop()
    assert all(line.startswith(("built ", "preview at ")) for line in terminal.splitlines()), terminal
    assert "warning: the preview listens" not in terminal  # 127.0.0.1 is this machine alone


def test_only_requests_addressed_to_the_preview_are_answered(server):
    """A page elsewhere that points a name of its own at 127.0.0.1 (DNS rebinding) reads nothing."""
    port = server.port
    machine = socket.gethostname()
    others = [
        f"evil.example:{port}",
        f"localhost.evil.example:{port}",
        f"127.0.0.1.nip.io:{port}",
        f"[::1]:{port}",  # an address the preview does not serve
        "",
    ]
    if machine.lower() not in ("localhost", "127.0.0.1"):
        others.append(f"{machine}:{port}")  # the machine's name: only with a --host the network reaches
    for host in others:
        for path in ("/nl/", "/_status/", "/livereload.js", "/nl/bestaat-niet/"):
            status, kind, body = server.request(path, host=host)
            assert (status, kind, body) == (403, "text/plain; charset=utf-8", server.refused), (host, path)

    # Its own address, by number or as localhost, in any case; the port is not compared, so a
    # tunnel (ssh -L 9000:127.0.0.1:…) that shows the preview on another port works too.
    for host in (
        f"127.0.0.1:{port}",
        f"localhost:{port}",
        f"LocalHost:{port}",
        "localhost",
        "localhost:9000",
    ):
        status, _, body = server.request("/nl/", host=host)
        assert status == 200 and '<html lang="nl">' in body, host


def _upgrade(origin: str | None) -> dict:
    """The headers of a WebSocket handshake, as a browser sends them from a page of ``origin``."""
    headers = {
        "Upgrade": "websocket",
        "Connection": "Upgrade",
        "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
        "Sec-WebSocket-Version": "13",
    }
    if origin is not None:
        headers["Origin"] = origin
    return headers


def test_live_reload_accepts_only_its_own_pages(server):
    port = server.port
    for origin in ("http://evil.example", f"http://evil.example:{port}", "null", f"https://127.0.0.1:{port}"):
        status, _, body = server.request("/livereload", headers=_upgrade(origin))
        assert (status, body) == (403, REFUSED_ORIGIN), origin
    # The Host rule holds for the socket too, whatever the page says it is.
    status, _, body = server.request(
        "/livereload", host=f"evil.example:{port}", headers=_upgrade(f"http://evil.example:{port}")
    )
    assert (status, body) == (403, server.refused)
    assert server.request("/livereload", headers=_upgrade(f"http://127.0.0.1:{port}"))[0] == 101

    from tornado.httpclient import HTTPRequest
    from tornado.websocket import websocket_connect

    async def handshake() -> dict:
        # What livereload.js does from a page of the preview.
        request = HTTPRequest(
            f"ws://127.0.0.1:{port}/livereload", headers={"Origin": f"http://127.0.0.1:{port}"}
        )
        connection = await websocket_connect(request)
        await connection.write_message(
            json.dumps({"command": "hello", "protocols": ["http://livereload.com/protocols/official-7"]})
        )
        reply = json.loads(await asyncio.wait_for(connection.read_message(), 10))
        connection.close()
        return reply

    assert asyncio.run(handshake())["command"] == "hello"


@pytest.mark.parametrize(
    "path",
    [
        "/nl/%00",
        "/%00.html",
        "/nl/over-ons/%00/index.html",
        "/nl/%zz/",
        "/nl/%4",
        "/nl/%ff%fe/",  # not UTF-8
        "/nl/%0d%0aSet-Cookie:%20x=1",
        "/../../etc/passwd",
        "/nl/../../etc/passwd",
        "/nl/%2e%2e/%2e%2e/etc/passwd",
        "/..%2f..%2fetc%2fpasswd",
        "/nl/%2E%2E%5C%2E%2E%5Cetc",
        "/nl/./over-ons/",
        "//evil.example/",
        "/%2fetc/passwd",
    ],
)
def test_a_malformed_path_is_a_bad_request(server, path):
    """Answered with 400 and a short text; the module's fixture checks that the terminal shows
    no traceback for any of them."""
    status, kind, body = server.request(path)
    assert (status, kind, body) == (400, "text/plain; charset=utf-8", MALFORMED), path
    assert server.request("/nl/")[0] == 200  # and the preview goes on


def test_an_unknown_path_gets_the_sites_404_page_in_its_language(server):
    for path, lang, title in (
        ("/nl/bestaat-niet/", "nl", "Pagina niet gevonden"),
        ("/nl/nieuws/2020-01-01-weg", "nl", "Pagina niet gevonden"),
        ("/en/no-such-page/", "en", "Page not found"),
        ("/no-such-page", "en", "Page not found"),  # outside a language: the root's page
        ("/assets/gone.css", "en", "Page not found"),
        ("/_status/nothing", "en", "Page not found"),
    ):
        status, kind, body = server.request(path)
        assert status == 404, path
        assert kind == "text/html; charset=utf-8", path
        assert f'<html lang="{lang}">' in body and f"<title>{title} |" in body, path
        assert "livereload.js" in body, path  # it reloads once the editor saves the missing page


@pytest.mark.parametrize("port", ["0", "-1", "65536", "70000", "eighty"])
def test_a_port_outside_1_to_65535_is_a_usage_error(tmp_path, port):
    result = run_process("-C", tmp_path, "serve", "--port", port)
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == (
        f"site-builder serve: error: argument --port: expected a port from 1 to 65535, not {port!r}"
    )
    assert "Traceback" not in result.stderr


def test_an_empty_host_is_a_usage_error(tmp_path):
    """It would otherwise mean every address of the machine."""
    result = run_process("-C", tmp_path, "serve", "--host", "")
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == (
        "site-builder serve: error: argument --host: "
        "expected an address such as 127.0.0.1 or localhost, not ''"
    )


@pytest.mark.parametrize(
    "host, message",
    [
        ("203.0.113.7", "cannot listen on 203.0.113.7: it is not an address of this machine"),
        (
            "no-such-host.invalid",
            "cannot listen on no-such-host.invalid: it is not an address or a name of this machine",
        ),
    ],
)
def test_an_address_that_cannot_be_bound_is_one_line_naming_it(tmp_path, host, message):
    """203.0.113.0/24 is for documentation, never a machine's own; .invalid names nothing."""
    root = make_mini_site(tmp_path / "site")
    result = run_process("-C", root, "serve", "--host", host, "--port", str(free_port()))
    assert result.returncode == 1
    assert result.stderr.splitlines() == [f"{message} (hint: {ELSEWHERE})"]  # and nothing announced


def _own_network_address() -> str | None:
    """This machine's address on its network (the one it would send from; nothing is sent)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))
        except OSError:
            return None
        address = probe.getsockname()[0]
    return None if address.startswith("127.") or address == "0.0.0.0" else address


def test_a_host_the_network_reaches_warns_and_answers_the_machines_own_names(tmp_path):
    address = _own_network_address()
    if address is None:
        pytest.skip("this machine has no network address besides loopback")
    machine = socket.gethostname()
    running = Server(make_mini_site(tmp_path / "site"), tmp_path / "serve.log", host=address)
    try:
        port = running.port
        for host in (
            f"{address}:{port}",
            f"{machine}:{port}",
            f"{machine}.local:{port}",
            f"127.0.0.1:{port}",
        ):
            status, _, body = running.request("/nl/", host=host)
            assert status == 200 and '<html lang="nl">' in body, host
        status, _, body = running.request("/nl/", host=f"evil.example:{port}")
        assert (status, body) == (403, running.refused)
        status, _, body = running.request("/livereload", headers=_upgrade(f"http://evil.example:{port}"))
        assert (status, body) == (403, REFUSED_ORIGIN)
    finally:
        terminal = running.stop()
    assert WARNING.format(host=address) in terminal.splitlines()
