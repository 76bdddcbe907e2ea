"""Helpers for the tests: the tiny fixture news site, the one way to run a crawl, WARC builders.

The session fixtures built from these (``news_site``, ``crawled_site``,
``recrawled_site``, ``demo_site``) are in conftest.py.
"""

from __future__ import annotations

import gzip
import io
import os
import random
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newsarchive.archive import ArchiveDir
from newsarchive.demo.responses import Response

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent

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


def fixture_routes() -> dict[str, Response]:
    """The tiny fixture news site: plain, gzip, chunked and windows-1252 articles, a redirect chain, a 404."""
    index = """<!DOCTYPE html><html><head><title>Fixture News</title></head><body><h1>Fixture News</h1>
<ul><li><a href="/news/plain-story.html">Plain</a></li><li><a href="/news/gzip-story.html">Gzip</a></li>
<li><a href="/news/chunked-story.html">Chunked</a></li><li><a href="/news/latin-story.html">Latin</a></li>
<li><a href="/old-story">Moved</a></li><li><a href="/news/missing.html">Missing</a></li>
<li><a href="/about.html">About</a></li></ul></body></html>"""
    latin = article_html(4, "Café owners protest", extra="<p>Le café « chez René » coûte 3 € — cher.</p>",
                         charset="windows-1252").encode("cp1252")

    def page(body: bytes, **options) -> Response:
        # Only the gzip story is gzip-encoded (when the client accepts it): the others go out as they are.
        return Response(200, body, **{"compressible": False, **options})

    return {
        "/": page(index.encode()),
        "/robots.txt": page(b"User-agent: *\nAllow: /\n", content_type="text/plain"),
        "/news/plain-story.html": page(article_html(1, "Council approves river bridge").encode()),
        "/news/gzip-story.html": page(article_html(2, "Storm closes the harbour").encode(), compressible=True),
        "/news/chunked-story.html": page(article_html(3, "Nurses agree a new deal").encode(), chunked=True),
        "/news/latin-story.html": page(latin, content_type="text/html; charset=windows-1252"),
        "/news/final-story.html": page(article_html(5, "Museum reopens after repairs").encode()),
        "/old-story": Response(301, b"", headers={"Location": "/moved-story"}),
        "/moved-story": Response(302, b"", headers={"Location": "/news/final-story.html"}),
        "/about.html": page(b"<html><head><title>About</title></head><body><p>About us.</p></body></html>"),
    }


@dataclass
class CrawledSite:
    directory: Path  # the crawl's DIR: news.db, warc/
    url: str  # the site's base URL
    routes: dict[str, Response]


# Local server: no politeness delays, quick timeouts.
FAST = {
    "DOWNLOAD_DELAY": "0",
    "AUTOTHROTTLE_ENABLED": "False",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "8",
    "DOWNLOAD_TIMEOUT": "20",
    "NEWSARCHIVE_EXTRACT_WORKERS": "2",
    "TELNETCONSOLE_ENABLED": "False",
}


@dataclass
class CrawlRun:
    directory: Path
    returncode: int
    log: str

    @property
    def db(self) -> Path:
        return ArchiveDir(self.directory).db_path

    @property
    def warcs(self) -> list[Path]:
        return ArchiveDir(self.directory).warc_files()

    def check(self) -> "CrawlRun":
        assert self.returncode == 0, f"crawl failed:\n{self.log[-4000:]}"
        return self


def run_crawl(directory: Path, settings: dict[str, str] | None = None, timeout: float = 240,
              project: bool = True, **args: str) -> CrawlRun:
    """``scrapy crawl news -a NAME=VALUE… -s NAME=VALUE…`` in a child process, as users run it.

    Scrapy's reactor starts once per process, so every crawl gets its own. With
    ``project=False`` the spider runs outside the project (``scrapy runspider``
    in ``directory``), with Scrapy's defaults and the given settings alone.
    """
    if project:
        command = [sys.executable, "-m", "scrapy", "crawl", "news"]
        settings = {**FAST, "NEWSARCHIVE_DIR": str(directory), **(settings or {})}
        cwd = ROOT
    else:
        command = [sys.executable, "-m", "scrapy", "runspider", str(ROOT / "spiders" / "news.py")]
        directory.mkdir(parents=True, exist_ok=True)
        cwd = directory
    for name, value in args.items():
        command += ["-a", f"{name}={value}"]
    for name, value in (settings or {}).items():
        command += ["-s", f"{name}={value}"]
    # tests/ too, for components only tests use (tests/loopback_dns.py); not as the package
    # "tests", which some installed distributions shadow.
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "tests")])}
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env)
    return CrawlRun(directory, done.returncode, done.stderr + done.stdout)


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
