"""Real crawls against hostile local sites: nothing outside the scope is fetched, servers are treated politely.

Each hostile case appears once. Two logging servers stand for "elsewhere": one
on another loopback address (127.0.0.2), one on another port of the seed's
host; the tests assert they receive nothing. Timings are read from the
servers' own logs, never from the test's clock.
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest
from sqlite_utils import Database
from warcio.archiveiterator import ArchiveIterator

from archive_helpers import article_html, run_crawl
from logging_server import LoggingServer, Route

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def html(body: str, head: str = "") -> Route:
    return Route(f"<!DOCTYPE html><html><head><title>t</title>{head}</head><body>{body}</body></html>".encode())


def article(seed: int, title: str) -> Route:
    return Route(article_html(seed, title).encode())


def text(body: str, status: int = 200, headers: list[tuple[str, str]] | None = None) -> Route:
    return Route(body.encode(), status=status, content_type="text/plain", headers=headers or [])


def pages(directory: Path) -> dict[str, dict]:
    return {row["url"]: row for row in Database(directory / "news.db")["pages"].rows}


def crawl_stats(directory: Path) -> dict:
    rows = list(Database(directory / "news.db")["crawls"].rows)
    return json.loads(rows[-1]["stats"])


def warc_uris(directory: Path) -> list[str]:
    uris = []
    for path in sorted((directory / "warc").glob("*.warc.gz")):
        with path.open("rb") as stream:
            uris += [r.rec_headers.get_header("WARC-Target-URI") for r in ArchiveIterator(stream)
                     if r.rec_type in ("request", "response")]
    return uris


def warc_bytes(directory: Path) -> bytes:
    return b"".join(path.read_bytes() for path in (directory / "warc").glob("*.warc.gz"))


@pytest.fixture(scope="module")
def elsewhere():
    """The logging servers no crawl may reach: another loopback address, another port of the seed host."""
    with LoggingServer("127.0.0.2") as other_host, LoggingServer("127.0.0.1") as other_port:
        yield other_host, other_port


@pytest.fixture(scope="module")
def hostile(tmp_path_factory, elsewhere):
    other_host, other_port = elsewhere
    secret = tmp_path_factory.mktemp("local") / "secret.txt"
    secret.write_text("LOCAL-FILE-MARKER-7f3a\n")
    off_host, off_port = other_host.url, other_port.url
    with LoggingServer("127.0.0.1") as site:
        me = site.url
        links = [
            f"file://127.0.0.1{secret}", "file:///dev/zero", f"ftp://127.0.0.1:{other_port.port}/pub/file",
            "data:text/html,<p>data-url-marker</p>", f"{off_port}port-link", f"{off_host}host-link",
            "/retry-then-offsite", "/refresh.html", "/refresh-offsite.html", "/redirect-port",
            "/redirect-file", "/story-1.html",
        ]
        sitemap = f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>{me}story-2.html</loc></url><url><loc>{off_port}sitemap-port</loc></url>
<url><loc>{off_host}sitemap-host</loc></url><url><loc>http://localhost:{site.port}/story-localhost</loc></url>
<url><loc>https://127.0.0.1:{site.port}/story-https</loc></url></urlset>"""
        site.routes.update({
            "/robots.txt": text(f"User-agent: *\nAllow: /\nSitemap: file://127.0.0.1{secret}\n"
                                f"Sitemap: {off_host}robots-sitemap.xml\nSitemap: {me}sitemap.xml\n"),
            "/": html("".join(f'<a href="{link}">link</a> ' for link in links)),
            "/sitemap.xml": Route(sitemap.encode(), content_type="application/xml"),
            # Retried by Scrapy (dont_filter=True), then redirected off the site.
            "/retry-then-offsite": lambda asked: (
                text("busy", status=503) if asked == 0
                else Route(b"", status=302, headers=[("Location", f"{off_host}after-retry")])),
            "/refresh.html": html("Moving.", head='<meta http-equiv="refresh" content="0; url=/story-3.html">'),
            "/refresh-offsite.html": html(
                "Moving.", head=f'<meta http-equiv="refresh" content="0; url={off_host}refresh-target">'),
            "/redirect-port": Route(b"", status=301, headers=[("Location", f"{off_port}redirect-target")]),
            "/redirect-file": Route(b"", status=302, headers=[("Location", f"file://127.0.0.1{secret}")]),
            **{f"/story-{n}.html": article(n, f"Story number {n} of the hostile site") for n in (1, 2, 3)},
        })
        directory = tmp_path_factory.mktemp("hostile")
        run = run_crawl(directory, start_urls=me)
        assert run.returncode == 0, run.log[-3000:]
        yield site, directory, run


def test_nothing_reaches_another_host_or_port(hostile, elsewhere):
    other_host, other_port = elsewhere
    assert other_host.hits == [] and other_port.hits == []
    site, directory, _ = hostile
    assert "/story-localhost" not in site.paths()  # the seed's server, by another name
    assert all(uri.startswith(site.url) for uri in warc_uris(directory))


def test_no_local_file_or_other_scheme_is_read(hostile):
    _, directory, run = hostile
    assert b"LOCAL-FILE-MARKER" not in warc_bytes(directory)
    assert b"data-url-marker" not in warc_bytes(directory)
    rows = pages(directory)
    assert not [url for url in rows if not url.startswith("http")]
    assert all("LOCAL-FILE-MARKER" not in (row["text"] or "") for row in Database(directory / "news.db")["articles"].rows)
    stats = crawl_stats(directory)
    # Two file: links, the ftp: link and the robots.txt Sitemap: line (LinkExtractor never yields data: URLs).
    assert stats["newsarchive/scope/refused/scheme"] == 4
    assert stats["newsarchive/scope/refused/host"] >= 3 and stats["newsarchive/scope/refused/port"] >= 2


def test_sitemap_lists_only_its_own_origin(hostile):
    site, directory, _ = hostile
    rows = pages(directory)
    assert rows[f"{site.url}story-2.html"]["outcome"] == "article"
    assert crawl_stats(directory)["newsarchive/scope/refused/sitemap"] == 1  # the https:// entry
    assert not {"/sitemap-port", "/sitemap-host", "/story-https"} & set(site.paths())


def test_redirect_after_a_retry_stays_in_scope(hostile):
    site, directory, _ = hostile
    assert site.paths().count("/retry-then-offsite") == 2  # the 503, then the retry's 302
    rows = pages(directory)
    hop = rows[f"{site.url}retry-then-offsite"]
    assert hop["outcome"] == "redirect" and hop["redirected_to"].endswith("/after-retry")
    refused = [row for url, row in rows.items() if url.endswith("/after-retry")]
    assert [row["outcome"] for row in refused] == ["out_of_scope"]
    assert rows[f"{site.url}redirect-port"]["outcome"] == "redirect"


def test_meta_refresh_page_gets_a_row_and_its_target_is_scoped(hostile):
    site, directory, _ = hostile
    rows = pages(directory)
    refresh = rows[f"{site.url}refresh.html"]
    assert refresh["outcome"] == "redirect" and refresh["redirected_to"] == f"{site.url}story-3.html"
    assert refresh["warc_record_id"] is not None
    assert rows[f"{site.url}story-3.html"]["outcome"] == "article"
    offsite = rows[f"{site.url}refresh-offsite.html"]
    assert offsite["outcome"] == "redirect" and "not followed" in offsite["reason"]


@pytest.fixture(scope="module")
def robots_crawl(tmp_path_factory):
    """Three seeds: a host whose robots.txt answers 500 until a slow page elsewhere has been served
    (then 200), that slow page linking back to it, and a host whose robots.txt is a 404 page saying
    Disallow."""
    recovered = threading.Event()

    def sitemap(asked: int) -> Route:
        return Route(('<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                      f'<url><loc>{five.url}mapped.html</loc></url></urlset>').encode(), content_type="application/xml")

    broken = {"/robots.txt": lambda asked: text("User-agent: *\nAllow: /\nSitemap: /sitemap.xml\n")
              if recovered.is_set() else text("oops", status=500),
              "/": html('<a href="/a.html">a</a>'), "/a.html": article(11, "Never fetched"),
              "/late.html": article(15, "Fetched once robots.txt was read again"),
              "/sitemap.xml": sitemap, "/mapped.html": article(16, "Listed by the sitemap robots.txt named")}
    missing = {"/robots.txt": text("User-agent: *\nDisallow: /\n", status=404),
               "/": html('<a href="/b.html">b</a>'), "/b.html": article(12, "Fetched despite the 404 page")}
    with LoggingServer("127.0.0.1", broken) as five, LoggingServer("127.0.0.1", missing) as four:
        def later(asked: int) -> Route:
            time.sleep(1.5)  # past NEWSARCHIVE_ROBOTS_RETRY_SECONDS
            recovered.set()
            return html(f'<a href="{five.url}late.html">late</a>')

        with LoggingServer("127.0.0.1", {"/robots.txt": text(""), "/": later}) as slow:
            directory = tmp_path_factory.mktemp("robots")
            run = run_crawl(directory, {"NEWSARCHIVE_ROBOTS_RETRY_SECONDS": "1"},
                            start_urls=f"{five.url},{four.url},{slow.url}")
            assert run.returncode == 0, run.log[-3000:]
        yield five, four, directory


def test_robots_5xx_means_nothing_is_fetched_until_it_is_read_again(robots_crawl):
    five, _, directory = robots_crawl
    paths = five.paths()
    first_page = next(i for i, path in enumerate(paths) if path != "/robots.txt")
    assert paths[first_page] == "/late.html"  # asked after robots.txt answered 200 at last
    assert "/a.html" not in paths
    row = pages(directory)[five.url]
    assert row["outcome"] == "robots" and "unavailable (HTTP 500)" in row["reason"]
    assert pages(directory)[f"{five.url}late.html"]["outcome"] == "article"
    # The sitemaps of the robots.txt read again are read too (not lost with its 500 answer).
    assert pages(directory)[f"{five.url}mapped.html"]["outcome"] == "article"


def test_robots_4xx_means_everything_may_be_fetched(robots_crawl):
    _, four, directory = robots_crawl
    assert {"/", "/b.html"} <= set(four.paths())
    assert pages(directory)[f"{four.url}b.html"]["outcome"] == "article"


def slow(route: Route, seconds: float):
    def answer(asked: int) -> Route:
        time.sleep(seconds)
        return route
    return answer


def test_retry_after_pauses_the_host(tmp_path_factory):
    routes = {
        "/robots.txt": text("User-agent: *\nAllow: /\n"),
        "/": lambda asked: text("busy", status=503, headers=[("Retry-After", "1")]) if asked == 0
        else html('<a href="/c.html">c</a> <a href="/limit.html">l</a>'),
        "/limit.html": text("too many", status=429, headers=[("Retry-After", "3600")]),
        # Slow, so that the link it holds (/about.html) is asked for well after the 429 came back.
        "/c.html": slow(article(13, "Served after the pause"), 0.5),
    }
    with LoggingServer("127.0.0.1", routes) as site:
        directory = tmp_path_factory.mktemp("retry-after")
        run = run_crawl(directory, {"NEWSARCHIVE_RETRY_AFTER_MAX": "1.5"}, start_urls=site.url)
        assert run.returncode == 0, run.log[-3000:]
    when = {}
    for at, path, _ in site.hits:
        when.setdefault(path, []).append(at)
    # Retry-After: 1 on the 503: the retry (the only request then) came at least 1 s later.
    assert len(when["/"]) == 2 and when["/"][1] - when["/"][0] >= 1.0
    # 3600 s is over the bound: not retried, and the host was paused for the bound (1.5 s).
    assert len(when["/limit.html"]) == 1
    assert when["/about.html"][0] - when["/limit.html"][0] >= 1.5
    rows = pages(directory)
    assert rows[f"{site.url}c.html"]["outcome"] == "article"
    # A 429 with a tiny body is a bot wall (issue 11: the outcome "blocked", not "error").
    limit = rows[f"{site.url}limit.html"]
    assert (limit["outcome"], limit["reason"]) == ("blocked", "bot wall: HTTP 429 with a 8-byte body")


@pytest.fixture(scope="module")
def public_crawl(tmp_path_factory, elsewhere):
    """A seed by name (tests/loopback_dns.py resolves *.test to loopback), as a public crawl would have."""
    other_host, _ = elsewhere
    with LoggingServer("127.0.0.1") as site:
        me = f"http://news.test:{site.port}/"
        site.routes.update({
            "/robots.txt": text("User-agent: *\nAllow: /\n"),
            "/": html(f'<a href="/d.html">d</a> <a href="http://cdn.news.test:{site.port}/steered">s</a> '
                      f'<a href="http://169.254.169.254/latest/meta-data/">m</a> '
                      f'<a href="http://metadata.test:{other_host.port}/extra">e</a>'),
            "/d.html": article(14, "A story on a named host"),
        })
        directory = tmp_path_factory.mktemp("public")
        run = run_crawl(directory, {"TWISTED_DNS_RESOLVER": "loopback_dns.LoopbackResolver",
                                    "NEWSARCHIVE_SCOPE_EXTRA_HOSTS": f"metadata.test:{other_host.port}"},
                        start_urls=me)
        assert run.returncode == 0, run.log[-3000:]
        yield site, directory


def test_names_resolving_to_private_addresses_are_refused(public_crawl, elsewhere):
    site, directory = public_crawl
    assert "/d.html" in site.paths() and "/steered" not in site.paths()
    assert elsewhere[0].hits == []
    stats = crawl_stats(directory)
    assert stats["newsarchive/scope/refused/address"] == 2  # cdn.news.test, and metadata.test though listed
    assert stats["newsarchive/scope/refused/host"] == 1  # 169.254.169.254
