"""Shared fixtures for the archive tests: a tiny local news site, real crawls of it, WARC builders.

The site is crawled once per test session (Scrapy's reactor starts once per
process, so it runs in a subprocess), then a copy of that archive is crawled
again while the same server is up, so the second crawl finds every payload
unchanged and writes revisit records. Both folders are shared read-only;
tests that write copy them first.
"""

from __future__ import annotations

import gzip
import io
import random
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

VENV_BIN = Path(sys.executable).parent
NEWSARCHIVE = str(VENV_BIN / "newsarchive")

_WORDS = ("council budget river bridge school teachers voters mayor harbour festival storm rescue "
          "museum library railway station farmers market hospital nurses election candidates report "
          "inquiry court judge verdict police station residents plan housing prices energy grid wind "
          "solar project workers union strike talks agreement minister statement evening morning week").split()


def article_text(seed: int, words: int = 260) -> list[str]:
    """Paragraphs of plausible news prose, different for each seed."""
    rng = random.Random(seed)
    paragraphs, count = [], 0
    while count < words:
        sentences = []
        for _ in range(rng.randint(2, 4)):
            n = rng.randint(8, 16)
            sentence = " ".join(rng.choice(_WORDS) for _ in range(n))
            sentences.append(sentence[0].upper() + sentence[1:] + ".")
            count += n
        paragraphs.append(" ".join(sentences))
    return paragraphs


def article_html(seed: int, title: str, extra: str = "", charset: str = "utf-8") -> str:
    body = "\n".join(f"<p>{p}</p>" for p in article_text(seed))
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="{charset}"><title>{title} | Fixture News</title>
<meta property="og:type" content="article"><meta property="og:title" content="{title}">
<meta property="article:published_time" content="2024-05-0{seed % 9 + 1}T08:00:00Z">
<meta name="author" content="Reporter {seed}"></head>
<body><header><nav><a href="/">Home</a> <a href="/about.html">About</a></nav></header>
<main><article><h1>{title}</h1>{extra}
{body}
</article></main><footer>Copyright Fixture News</footer></body></html>"""


@dataclass
class Route:
    body: bytes
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    headers: list[tuple[str, str]] = field(default_factory=list)
    gzip: bool = False  # gzip-encode when the client accepts it
    chunked: bool = False  # send with Transfer-Encoding: chunked


def fixture_routes() -> dict[str, Route]:
    index = """<!DOCTYPE html><html><head><title>Fixture News</title></head><body><h1>Fixture News</h1>
<ul><li><a href="/news/plain-story.html">Plain</a></li><li><a href="/news/gzip-story.html">Gzip</a></li>
<li><a href="/news/chunked-story.html">Chunked</a></li><li><a href="/news/latin-story.html">Latin</a></li>
<li><a href="/old-story">Moved</a></li><li><a href="/news/missing.html">Missing</a></li>
<li><a href="/about.html">About</a></li></ul></body></html>"""
    latin = article_html(4, "Café owners protest", extra="<p>Le café « chez René » coûte 3 € — cher.</p>",
                         charset="windows-1252").encode("cp1252")
    return {
        "/": Route(index.encode()),
        "/robots.txt": Route(b"User-agent: *\nAllow: /\n", content_type="text/plain"),
        "/news/plain-story.html": Route(article_html(1, "Council approves river bridge").encode()),
        "/news/gzip-story.html": Route(article_html(2, "Storm closes the harbour").encode(), gzip=True),
        "/news/chunked-story.html": Route(article_html(3, "Nurses agree a new deal").encode(), chunked=True),
        "/news/latin-story.html": Route(latin, content_type="text/html; charset=windows-1252"),
        "/news/final-story.html": Route(article_html(5, "Museum reopens after repairs").encode()),
        "/old-story": Route(b"", status=301, headers=[("Location", "/moved-story")]),
        "/moved-story": Route(b"", status=302, headers=[("Location", "/news/final-story.html")]),
        "/about.html": Route(b"<html><head><title>About</title></head><body><p>About us.</p></body></html>"),
    }


class FixtureSite:
    """``with FixtureSite() as site: site.url`` serves ``fixture_routes()`` on 127.0.0.1."""

    def __init__(self, routes: dict[str, Route] | None = None) -> None:
        self.routes = routes or fixture_routes()
        routes_ = self.routes

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                route = routes_.get(self.path.split("?")[0])
                if route is None:
                    route = Route(b"<html><body>Not found</body></html>", status=404)
                body = route.body
                self.send_response(route.status)
                self.send_header("Content-Type", route.content_type)
                for name, value in route.headers:
                    self.send_header(name, value)
                if route.gzip and "gzip" in self.headers.get("Accept-Encoding", ""):
                    body = gzip.compress(body, mtime=0)
                    self.send_header("Content-Encoding", "gzip")
                    self.send_header("Vary", "Accept-Encoding")
                if route.chunked:
                    self.send_header("Transfer-Encoding", "chunked")
                    self.end_headers()
                    for start in range(0, len(body), 1000):
                        piece = body[start:start + 1000]
                        self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                    self.wfile.write(b"0\r\n\r\n")
                    return
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "FixtureSite":
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.server.shutdown()
        self.server.server_close()


@dataclass
class CrawledSite:
    directory: Path  # the crawl's DIR: news.db, warc/
    url: str  # the site's base URL at crawl time (the server is gone by now)
    routes: dict[str, Route]


_crawled: CrawledSite | None = None
_recrawled: CrawledSite | None = None


def crawled_site(tmp_path_factory) -> CrawledSite:
    """The fixture site crawled once with the real CLI, in a subprocess."""
    _crawl_twice(tmp_path_factory)
    assert _crawled is not None
    return _crawled


def recrawled_site(tmp_path_factory) -> CrawledSite:
    """``crawled_site`` crawled again, unchanged: its second WARC file holds revisit records."""
    _crawl_twice(tmp_path_factory)
    assert _recrawled is not None
    return _recrawled


def _crawl_twice(tmp_path_factory) -> None:
    global _crawled, _recrawled
    if _crawled is not None:
        return
    first = tmp_path_factory.mktemp("crawl") / "archive"
    again = tmp_path_factory.mktemp("recrawl") / "archive"
    with FixtureSite() as site:
        run_crawl(site.url, first)
        shutil.copytree(first, again)
        # Into the next second, so the revisits' 14-digit timestamps differ from the originals'.
        time.sleep(1.05 - time.time() % 1)
        run_crawl(site.url, again)
    _crawled = CrawledSite(first, site.url, site.routes)
    _recrawled = CrawledSite(again, site.url, site.routes)


def run_crawl(url: str, directory: Path) -> None:
    command = [NEWSARCHIVE, "crawl", url, "--dir", str(directory), "-s", "DOWNLOAD_DELAY=0",
               "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "NEWSARCHIVE_EXTRACT_WORKERS=1", "-s", "LOG_LEVEL=WARNING"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"crawl failed:\n{done.stdout}\n{done.stderr[-4000:]}"


def copy_archive(source: Path, target: Path) -> Path:
    """A writable copy of a crawled archive folder (WAL files included)."""
    shutil.copytree(source, target)
    return target


# -- WARCs written by "other tools" -------------------------------------------

def response_record(writer: WARCWriter, url: str, body: bytes, status: str = "200 OK",
                    content_type: str = "text/html; charset=utf-8", headers: list[tuple[str, str]] | None = None,
                    date: str = "2024-05-01T10:00:00Z"):
    http = StatusAndHeaders(status, [("Content-Type", content_type), *(headers or [])], protocol="HTTP/1.1")
    return writer.create_warc_record(url, "response", payload=io.BytesIO(body), length=len(body),
                                     http_headers=http, warc_headers_dict={"WARC-Date": date})


def write_cc_news_warc(path: Path, pages: list[tuple[str, bytes, dict]]) -> list[int]:
    """A WARC/1.0 file like Common Crawl's CC-NEWS: warcinfo, then response records only.

    ``pages``: (url, body, options) with options ``status``, ``content_type``, ``gzip``.
    Returns each response record's offset.
    """
    offsets = []
    with open(path, "wb") as out:
        writer = WARCWriter(out, gzip=True, warc_version="WARC/1.0")
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "test CC-NEWS writer"}))
        for url, body, options in pages:
            headers = []
            if options.get("gzip"):
                body = gzip.compress(body, mtime=0)
                headers.append(("Content-Encoding", "gzip"))
            headers.append(("Content-Length", str(len(body))))
            offsets.append(out.tell())
            writer.write_record(response_record(writer, url, body, status=options.get("status", "200 OK"),
                                                content_type=options.get("content_type", "text/html; charset=utf-8"),
                                                headers=headers))
    return offsets
