"""The crawl's WARCs replay in pywb as received: bytes, status, headers, charset; and they don't misstate the wire.

Two collections made by ``wb-manager``: ``news`` holds one crawl; ``again``
holds that crawl and a recrawl of the unchanged site, whose captures are
revisit records that pywb must resolve to the original responses through its
CDX index. A third, ``inplace``, is a copy of the recrawled archive folder, plus an
imported CC-NEWS file kept outside it: pywb reads the CDXJ indexes the crawls
and ``newsarchive index`` wrote (DIR/indexes) and the WARCs where they are,
with the configuration the README gives.
"""

from __future__ import annotations

import gzip
import shutil
import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from warcio.archiveiterator import ArchiveIterator

from archive_helpers import VENV_BIN, article_html, write_cc_news_warc
from newsarchive.cli import main

COLL = "news"
AGAIN = "again"
INPLACE = "inplace"
EXTERNAL = "http://cc.test/2024/05/imported.html"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def warc_files(directory: Path) -> list[str]:
    return [str(p) for p in sorted((directory / "warc").glob("*.warc.gz"))]


@pytest.fixture(scope="module")
def wayback(crawled_site, recrawled_site, tmp_path_factory):
    """pywb collections of the crawl's (and the recrawl's) WARCs, served by ``wayback`` on a free port."""
    root = tmp_path_factory.mktemp("pywb")
    commands = [["wb-manager", "init", COLL], ["wb-manager", "add", COLL, *warc_files(crawled_site.directory)],
                ["wb-manager", "init", AGAIN], ["wb-manager", "add", AGAIN, *warc_files(recrawled_site.directory)]]
    for command in commands:
        done = subprocess.run([str(VENV_BIN / command[0]), *command[1:]], cwd=root, capture_output=True,
                              text=True, timeout=60)
        assert done.returncode == 0, done.stderr
    inplace = shutil.copytree(recrawled_site.directory, root / "archive")
    write_cc_news_warc(root / "CC-NEWS.warc.gz", [(EXTERNAL, article_html(40, "Imported story").encode(), {})])
    for command in (["import-warc", str(root / "CC-NEWS.warc.gz"), "--workers", "1"], ["index"]):
        result = CliRunner().invoke(main, [*command, "--dir", str(inplace)])
        assert result.exit_code == 0, result.output
    # DIR/warc for the crawls' files, named relative to it; file:// for imported ones, named by absolute path.
    (root / "config.yaml").write_text(
        f"collections:\n  {INPLACE}:\n    index_paths: {inplace / 'indexes'}/\n"
        f"    archive_paths:\n      - {inplace / 'warc'}/\n      - file://\n")
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


def raw(wayback: str, url: str, coll: str = COLL, timestamp: str = "") -> httpx.Response:
    return httpx.get(f"{wayback}/{coll}/{timestamp}id_/{url}", follow_redirects=False, timeout=10)


def response_records(directory: Path, kind: str = "response") -> dict:
    """URL -> (http headers, raw payload bytes as stored, i.e. not content-decoded, WARC headers)."""
    found = {}
    for path in sorted((directory / "warc").glob("*.warc.gz")):
        with open(path, "rb") as stream:
            for record in ArchiveIterator(stream):
                if record.rec_type == kind:
                    url = record.rec_headers.get_header("WARC-Target-URI")
                    found[url] = (record.http_headers, record.raw_stream.read(), record.rec_headers)
    return found


def timestamp14(warc_date: str) -> str:
    return "".join(c for c in warc_date if c.isdigit())[:14]


# -- what the WARC says about the wire ----------------------------------------

def test_gzip_response_is_stored_as_gzip_bytes(crawled_site):
    headers, payload, _ = response_records(crawled_site.directory)[crawled_site.url + "news/gzip-story.html"]
    assert headers.get_header("Content-Encoding") == "gzip"
    assert payload[:2] == b"\x1f\x8b", "body stored decoded under a Content-Encoding: gzip header"
    assert gzip.decompress(payload) == crawled_site.routes["/news/gzip-story.html"].body
    assert headers.get_header("Content-Length") == str(len(payload))


def test_chunked_response_is_stored_dechunked_without_transfer_encoding(crawled_site):
    headers, payload, _ = response_records(crawled_site.directory)[crawled_site.url + "news/chunked-story.html"]
    assert headers.get_header("Transfer-Encoding") is None
    assert payload == crawled_site.routes["/news/chunked-story.html"].body


def test_redirects_are_stored_with_their_status_and_location(crawled_site):
    records = response_records(crawled_site.directory)
    assert records[crawled_site.url + "old-story"][0].get_statuscode() == "301"
    assert records[crawled_site.url + "old-story"][0].get_header("Location") == "/moved-story"
    assert records[crawled_site.url + "moved-story"][0].get_statuscode() == "302"


# -- replay -------------------------------------------------------------------

@pytest.mark.parametrize("path", ["news/plain-story.html", "news/gzip-story.html", "news/chunked-story.html"])
def test_raw_replay_returns_the_original_bytes(wayback, crawled_site, path):
    response = raw(wayback, crawled_site.url + path)
    assert response.status_code == 200
    # httpx undoes any content-encoding pywb keeps, so this compares what the server meant to send.
    assert response.content == crawled_site.routes["/" + path].body
    assert response.headers["content-type"] == "text/html; charset=utf-8"


def test_raw_replay_keeps_the_original_encoding_headers(wayback, crawled_site):
    response = raw(wayback, crawled_site.url + "news/gzip-story.html")
    original = {k.lower(): v for k, v in response.headers.items()}
    # pywb serves the payload decoded and says what the original header was.
    assert original.get("content-encoding", original.get("x-archive-orig-content-encoding")) == "gzip"
    assert original.get("x-archive-orig-vary") == "Accept-Encoding"


def test_raw_replay_keeps_the_charset_and_the_bytes_in_it(wayback, crawled_site):
    response = raw(wayback, crawled_site.url + "news/latin-story.html")
    assert response.headers["content-type"] == "text/html; charset=windows-1252"
    assert response.content == crawled_site.routes["/news/latin-story.html"].body
    assert "coûte 3 € — cher" in response.content.decode("cp1252")


def test_redirect_chain_replays_with_statuses(wayback, crawled_site):
    first = raw(wayback, crawled_site.url + "old-story")
    assert first.status_code == 301
    assert first.headers["location"].endswith("/moved-story")
    second = raw(wayback, crawled_site.url + "moved-story")
    assert second.status_code == 302
    assert second.headers["location"].endswith("/news/final-story.html")


def test_not_found_replays_as_404(wayback, crawled_site):
    assert raw(wayback, crawled_site.url + "news/missing.html").status_code == 404


def test_rewritten_replay_serves_the_page(wayback, crawled_site):
    frame = httpx.get(f"{wayback}/{COLL}/{crawled_site.url}news/gzip-story.html", follow_redirects=True, timeout=10)
    assert frame.status_code == 200
    assert "news/gzip-story.html" in frame.text
    page = httpx.get(f"{wayback}/{COLL}/mp_/{crawled_site.url}news/gzip-story.html", follow_redirects=True, timeout=10)
    assert page.status_code == 200
    assert "Storm closes the harbour" in page.text
    assert page.headers["content-type"].startswith("text/html")


# -- revisits -----------------------------------------------------------------

def test_recrawl_writes_revisits_citing_the_originals(recrawled_site):
    originals = response_records(recrawled_site.directory)
    revisits = response_records(recrawled_site.directory, "revisit")
    for path in ("news/plain-story.html", "news/gzip-story.html", "news/chunked-story.html", "news/missing.html"):
        url = recrawled_site.url + path
        http, payload, warc = revisits[url]
        original = originals[url][2]
        assert payload == b"", "a revisit record carries no second copy of the payload"
        assert warc.get_header("WARC-Profile").endswith("/revisit/identical-payload-digest")
        assert warc.get_header("WARC-Payload-Digest") == original.get_header("WARC-Payload-Digest")
        assert warc.get_header("WARC-Refers-To") == original.get_header("WARC-Record-ID")
        assert warc.get_header("WARC-Refers-To-Target-URI") == url
        assert warc.get_header("WARC-Refers-To-Date") == original.get_header("WARC-Date")
        assert timestamp14(warc.get_header("WARC-Date")) > timestamp14(original.get_header("WARC-Date"))
        assert http.get_statuscode() == originals[url][0].get_statuscode()


@pytest.mark.parametrize("path", ["news/plain-story.html", "news/gzip-story.html", "news/chunked-story.html",
                                  "news/latin-story.html"])
def test_revisit_replays_the_original_payload(wayback, recrawled_site, path):
    url = recrawled_site.url + path
    _, _, warc = response_records(recrawled_site.directory, "revisit")[url]
    when = timestamp14(warc.get_header("WARC-Date"))
    response = raw(wayback, url, AGAIN, when)
    assert response.status_code == 200
    # The memento is the revisit (its own date), its payload the original record's.
    assert timestamp14(response.headers["content-location"].split("/")[4]) == when
    assert response.content == recrawled_site.routes["/" + path].body
    assert response.headers["content-type"] == recrawled_site.routes["/" + path].content_type



def test_revisit_of_a_not_found_replays_as_404(wayback, recrawled_site):
    url = recrawled_site.url + "news/missing.html"
    _, _, warc = response_records(recrawled_site.directory, "revisit")[url]
    assert raw(wayback, url, AGAIN, timestamp14(warc.get_header("WARC-Date"))).status_code == 404


@pytest.mark.parametrize("kind", ["response", "revisit"])
def test_the_crawls_own_cdxj_indexes_replay_in_pywb(wayback, recrawled_site, kind):
    assert sorted(p.name for p in (recrawled_site.directory / "indexes").glob("*.cdxj")) == ["crawl-1.cdxj", "crawl-2.cdxj"]
    for path in ("news/gzip-story.html", "news/latin-story.html"):
        url = recrawled_site.url + path
        _, _, warc = response_records(recrawled_site.directory, kind)[url]
        response = raw(wayback, url, INPLACE, timestamp14(warc.get_header("WARC-Date")))
        assert response.status_code == 200
        assert response.content == recrawled_site.routes["/" + path].body


def test_an_imported_file_replays_in_place_through_newsarchive_index(wayback):
    response = raw(wayback, EXTERNAL, INPLACE, "20240501100000")
    assert response.status_code == 200
    assert response.content == article_html(40, "Imported story").encode()
