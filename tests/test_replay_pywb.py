"""The crawl's WARCs replay in pywb as received: bytes, status, headers, charset; and they don't misstate the wire."""

from __future__ import annotations

import gzip
import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest
from warcio.archiveiterator import ArchiveIterator

from archive_helpers import VENV_BIN, crawled_site

COLL = "news"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return crawled_site(tmp_path_factory)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def wayback(site, tmp_path_factory):
    """A pywb collection of the crawl's WARCs, served by ``wayback`` on a free port."""
    root = tmp_path_factory.mktemp("pywb")
    warcs = [str(p) for p in sorted((site.directory / "warc").glob("*.warc.gz"))]
    for command in (["wb-manager", "init", COLL], ["wb-manager", "add", COLL, *warcs]):
        done = subprocess.run([str(VENV_BIN / command[0]), *command[1:]], cwd=root, capture_output=True,
                              text=True, timeout=60)
        assert done.returncode == 0, done.stderr
    port = free_port()
    log = open(root / "wayback.log", "wb")
    process = subprocess.Popen([str(VENV_BIN / "wayback"), "-p", str(port), "-b", "127.0.0.1"], cwd=root,
                               stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base, process, root / "wayback.log")
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _wait_until_up(base: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"wayback exited: {log.read_text()}")
        try:
            httpx.get(base + "/", timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError(f"wayback did not start: {log.read_text()}")


def raw(wayback: str, url: str) -> httpx.Response:
    return httpx.get(f"{wayback}/{COLL}/id_/{url}", follow_redirects=False, timeout=10)


def response_records(directory: Path) -> dict:
    """URL -> (http headers, raw payload bytes as stored, i.e. not content-decoded)."""
    found = {}
    for path in sorted((directory / "warc").glob("*.warc.gz")):
        with open(path, "rb") as stream:
            for record in ArchiveIterator(stream):
                if record.rec_type == "response":
                    url = record.rec_headers.get_header("WARC-Target-URI")
                    found[url] = (record.http_headers, record.raw_stream.read())
    return found


# -- what the WARC says about the wire ----------------------------------------

def test_gzip_response_is_stored_as_gzip_bytes(site):
    headers, payload = response_records(site.directory)[site.url + "news/gzip-story.html"]
    assert headers.get_header("Content-Encoding") == "gzip"
    assert payload[:2] == b"\x1f\x8b", "body stored decoded under a Content-Encoding: gzip header"
    assert gzip.decompress(payload) == site.routes["/news/gzip-story.html"].body
    assert headers.get_header("Content-Length") == str(len(payload))


def test_chunked_response_is_stored_dechunked_without_transfer_encoding(site):
    headers, payload = response_records(site.directory)[site.url + "news/chunked-story.html"]
    assert headers.get_header("Transfer-Encoding") is None
    assert payload == site.routes["/news/chunked-story.html"].body


def test_redirects_are_stored_with_their_status_and_location(site):
    records = response_records(site.directory)
    assert records[site.url + "old-story"][0].get_statuscode() == "301"
    assert records[site.url + "old-story"][0].get_header("Location") == "/moved-story"
    assert records[site.url + "moved-story"][0].get_statuscode() == "302"


# -- replay -------------------------------------------------------------------

@pytest.mark.parametrize("path", ["news/plain-story.html", "news/gzip-story.html", "news/chunked-story.html"])
def test_raw_replay_returns_the_original_bytes(wayback, site, path):
    response = raw(wayback, site.url + path)
    assert response.status_code == 200
    # httpx undoes any content-encoding pywb keeps, so this compares what the server meant to send.
    assert response.content == site.routes["/" + path].body
    assert response.headers["content-type"] == "text/html; charset=utf-8"


def test_raw_replay_keeps_the_original_encoding_headers(wayback, site):
    response = raw(wayback, site.url + "news/gzip-story.html")
    original = {k.lower(): v for k, v in response.headers.items()}
    # pywb serves the payload decoded and says what the original header was.
    assert original.get("content-encoding", original.get("x-archive-orig-content-encoding")) == "gzip"
    assert original.get("x-archive-orig-vary") == "Accept-Encoding"


def test_raw_replay_keeps_the_charset_and_the_bytes_in_it(wayback, site):
    response = raw(wayback, site.url + "news/latin-story.html")
    assert response.headers["content-type"] == "text/html; charset=windows-1252"
    assert response.content == site.routes["/news/latin-story.html"].body
    assert "coûte 3 € — cher" in response.content.decode("cp1252")


def test_redirect_chain_replays_with_statuses(wayback, site):
    first = raw(wayback, site.url + "old-story")
    assert first.status_code == 301
    assert first.headers["location"].endswith("/moved-story")
    second = raw(wayback, site.url + "moved-story")
    assert second.status_code == 302
    assert second.headers["location"].endswith("/news/final-story.html")


def test_not_found_replays_as_404(wayback, site):
    assert raw(wayback, site.url + "news/missing.html").status_code == 404


def test_rewritten_replay_serves_the_page(wayback, site):
    frame = httpx.get(f"{wayback}/{COLL}/{site.url}news/gzip-story.html", follow_redirects=True, timeout=10)
    assert frame.status_code == 200
    assert "news/gzip-story.html" in frame.text
    page = httpx.get(f"{wayback}/{COLL}/mp_/{site.url}news/gzip-story.html", follow_redirects=True, timeout=10)
    assert page.status_code == 200
    assert "Storm closes the harbour" in page.text
    assert page.headers["content-type"].startswith("text/html")
