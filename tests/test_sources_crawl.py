"""Crawls of a sources file: two sites in one run, discovery, per-site politeness, the listing schedule, the CLI."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from scrapy.settings import Settings

from archive_helpers import FAST, ROOT, article_html, fixture_routes, run_crawl
from newsarchive.cli import main
from newsarchive.crawl.sites import Sites
from newsarchive.demo.responses import Response
from newsarchive.demo.server import SiteServer
from newsarchive.sources import parse_sources

# tests/loopback_dns.py resolves *.news.test to 127.0.0.1: two sites on two host names, as in real life,
# so that each gets its own Scrapy download slot.
RESOLVER = {"TWISTED_DNS_RESOLVER": "loopback_dns.LoopbackResolver"}
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "tests")])}


def page(body: str, content_type: str = "text/html; charset=utf-8") -> Response:
    return Response(200, body.encode(), content_type=content_type, compressible=False)


def feed_site_routes(base: str) -> dict[str, Response]:
    """A site whose home page announces its feed in <link rel="alternate">; the feed lists an unlinked story."""
    home = ('<!DOCTYPE html><html><head><title>Beta Times</title>'
            '<link rel="alternate" type="application/rss+xml" title="Latest" href="/rss.xml"></head>'
            '<body><h1>Beta Times</h1><a href="/linked.html">Linked</a></body></html>')
    rss = (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Beta</title>'
           f'<item><title>Only in the feed</title><link>{base}/feed-only.html</link></item>'
           f'<item><title>Linked</title><link>{base}/linked.html</link></item></channel></rss>')
    return {
        "/": page(home),
        "/robots.txt": page("User-agent: *\nAllow: /\n", "text/plain"),
        "/rss.xml": page(rss, "application/rss+xml"),
        "/linked.html": page(article_html(21, "Linked from the home page")),
        "/feed-only.html": page(article_html(22, "Announced by the feed only")),
    }


@pytest.fixture(scope="module")
def two_sites():
    with SiteServer(routes=fixture_routes()) as alpha, SiteServer(routes={}) as beta:
        alpha_url = f"http://alpha.news.test:{alpha.port}"
        beta_url = f"http://beta.news.test:{beta.port}"
        beta.routes.update(feed_site_routes(beta_url))
        yield alpha_url, beta_url


def write_sources(directory: Path, alpha_url: str, beta_url: str) -> Path:
    path = directory / "sources.toml"
    path.write_text(f"""
[[source]]
name = "alpha"
start_urls = ["{alpha_url}/"]
download_delay = 0.05

[[source]]
name = "beta"
start_urls = ["{beta_url}/"]
concurrency = 3
""")
    return path


def rows(directory: Path, sql: str) -> list[tuple]:
    db = sqlite3.connect(directory / "news.db")
    try:
        return db.execute(sql).fetchall()
    finally:
        db.close()


def crawl_stats(directory: Path) -> list[dict]:
    return [json.loads(stats) for (stats,) in rows(directory, "SELECT stats FROM crawls ORDER BY id")]


@pytest.fixture(scope="module")
def crawled_twice(two_sites, tmp_path_factory):
    alpha_url, beta_url = two_sites
    directory = tmp_path_factory.mktemp("sources")
    sources = write_sources(directory, alpha_url, beta_url)
    first = run_crawl(directory, RESOLVER, sources=str(sources)).check()
    pages_after_first = dict(rows(directory, "SELECT url, fetched_at FROM pages"))
    second = run_crawl(directory, RESOLVER, sources=str(sources)).check()
    return directory, first, second, pages_after_first


@pytest.mark.e2e
def test_one_run_archives_both_sites_and_names_their_source(crawled_twice, two_sites):
    directory, first, _, _ = crawled_twice
    alpha_url, beta_url = two_sites
    by_source = dict(rows(directory, "SELECT source, count(*) FROM pages GROUP BY source"))
    assert by_source.get("alpha", 0) >= 8 and by_source.get("beta", 0) >= 4
    wrong = rows(directory, f"SELECT url, source FROM pages WHERE (url LIKE '{alpha_url}%' AND source IS NOT 'alpha') "
                            f"OR (url LIKE '{beta_url}%' AND source IS NOT 'beta')")
    assert wrong == []
    articles = {url for (url,) in rows(directory, "SELECT url FROM articles")}
    assert f"{alpha_url}/news/plain-story.html" in articles and f"{beta_url}/linked.html" in articles
    # The crawls row keeps every source's seeds: what a resume compares.
    (start_urls,), = rows(directory, "SELECT start_urls FROM crawls ORDER BY id LIMIT 1")
    assert json.loads(start_urls) == [f"{alpha_url}/", f"{beta_url}/"]


@pytest.mark.e2e
def test_each_site_gets_its_own_download_slot_settings(crawled_twice, two_sites):
    _, first, _, _ = crawled_twice
    alpha_host, beta_host = (url.split("//")[1].split(":")[0] for url in two_sites)
    assert f"per-site politeness: alpha.news.test {{'delay': 0.05}}" in first.log
    assert f"{beta_host} {{'concurrency': 3}}" in first.log and alpha_host == "alpha.news.test"


@pytest.mark.e2e
def test_every_fetch_counts_for_its_source_in_the_run_report(crawled_twice, two_sites):
    """robots.txt, asked for by Scrapy itself (no meta of ours), is its source's too: no extra host row."""
    directory, _, _, _ = crawled_twice
    alpha_url, _ = two_sites
    assert {site for (site,) in rows(directory, "SELECT DISTINCT site FROM site_runs")} == {"alpha", "beta"}
    robots = rows(directory, f"SELECT source FROM pages WHERE url = '{alpha_url}/robots.txt'")
    assert robots == [("alpha",)]


@pytest.mark.e2e
def test_a_feed_announced_by_the_home_page_is_read(crawled_twice, two_sites):
    directory, _, _, _ = crawled_twice
    _, beta_url = two_sites
    listing = dict((url, reason) for url, reason in rows(directory, "SELECT url, reason FROM pages"))
    assert listing[f"{beta_url}/rss.xml"] == "rss: 2 URLs"
    (source, outcome), = rows(directory, f"SELECT source, outcome FROM pages WHERE url = '{beta_url}/feed-only.html'")
    assert (source, outcome) == ("beta", "article")


@pytest.mark.e2e
def test_a_listing_not_due_is_skipped_on_the_next_run(crawled_twice, two_sites):
    directory, _, second, pages_after_first = crawled_twice
    _, beta_url = two_sites
    first_stats, second_stats = crawl_stats(directory)
    assert first_stats["newsarchive/listings/polled"] == 1 and "newsarchive/listings/not_due" not in first_stats
    assert second_stats["newsarchive/listings/not_due"] == 1 and "newsarchive/listings/polled" not in second_stats
    # Not fetched again: neither as a listing nor as a page.
    (fetched_at,), = rows(directory, f"SELECT fetched_at FROM pages WHERE url = '{beta_url}/rss.xml'")
    assert fetched_at == pages_after_first[f"{beta_url}/rss.xml"]
    (url, source, interval, found, new), = rows(
        directory, "SELECT url, source, interval_seconds, last_found, last_new FROM listing_polls")
    assert (url, source, found, new) == (f"{beta_url}/rss.xml", "beta", 2, 2)
    assert interval == 900.0  # all new halves the interval: down to NEWSARCHIVE_POLL_MIN


@pytest.mark.e2e
def test_refetch_all_polls_every_listing(crawled_twice, two_sites, tmp_path):
    directory, _, _, _ = crawled_twice
    sources = directory / "sources.toml"
    run_crawl(directory, {**RESOLVER, "NEWSARCHIVE_REFETCH": "all", "NEWSARCHIVE_DEPTH_LIMIT": "1"},
              sources=str(sources)).check()
    last = crawl_stats(directory)[-1]
    assert last["newsarchive/listings/polled"] == 1 and "newsarchive/listings/not_due" not in last
    # Nothing new in the feed this time: polled half as often (twice the interval).
    (interval, new), = rows(directory, "SELECT interval_seconds, last_new FROM listing_polls")
    assert (interval, new) == (1800.0, 0)


def test_politeness_merges_into_download_slots():
    sources = parse_sources('[[source]]\nname = "a"\nstart_urls = ["https://a.example/"]\ndownload_delay = 3\n'
                            '[[source]]\nname = "b"\nstart_urls = ["https://b.example/"]\n')
    settings = Settings({"DOWNLOAD_SLOTS": {"a.example": {"concurrency": 1}, "c.example": {"delay": 9}}})
    sites = Sites(sources)
    sites.apply(settings)
    assert settings.getdict("DOWNLOAD_SLOTS") == {
        "a.example": {"delay": 3.0, "concurrency": 1}, "www.a.example": {"delay": 3.0}, "c.example": {"delay": 9}}
    # A host with its own delay keeps it: AutoThrottle does not lower it.
    assert sites.meta("https://www.a.example/x") == {"newsarchive_source": "a", "autothrottle_dont_adjust_delay": True}
    assert sites.meta("https://b.example/x") == {"newsarchive_source": "b"}
    assert sites.meta("https://elsewhere.example/x", "b") == {"newsarchive_source": "b"}


def test_a_page_on_a_host_two_sources_share_keeps_the_source_it_was_found_through():
    sites = Sites(parse_sources('[[source]]\nname = "news"\nstart_urls = ["https://p.example/news/"]\n'
                                '[[source]]\nname = "sport"\nstart_urls = ["https://www.p.example/sport/"]\n'))
    assert sites.name_for("https://www.p.example/sport/") == "sport"  # a seed: its own source
    assert sites.name_for("https://p.example/sport/match.html", "sport") == "sport"
    assert sites.name_for("https://p.example/sport/match.html", "news") == "news"
    assert sites.name_for("https://p.example/x.html") == "news"  # no lead: the first source on the host
    assert sites.discovers("https://p.example/news/", "feeds", given=True)  # the source gave none
    assert not sites.discovers("https://other.example/", "feeds", given=True)  # not a source's: the command line


# -- the CLI ----------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def one_site():
    with SiteServer(routes={}) as site:
        site.routes.update(feed_site_routes(site.url))
        yield site.url


def fast_settings(**extra: str) -> list[str]:
    return [arg for name, value in {**FAST, **extra}.items() for arg in ("-s", f"{name}={value}")]


@pytest.mark.e2e
def test_newsarchive_crawl_sources(one_site, tmp_path):
    sources = tmp_path / "sources.toml"
    sources.write_text(f'[[source]]\nname = "solo"\nstart_urls = ["{one_site}/"]\n')
    done = subprocess.run([sys.executable, "-m", "newsarchive.cli", "crawl", "--sources", str(sources),
                           "--dir", str(tmp_path / "archive"), *fast_settings()],
                          capture_output=True, text=True, timeout=300, env=ENV)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "(finished)" in done.stdout
    sources_seen = rows(tmp_path / "archive", "SELECT DISTINCT source FROM pages WHERE source IS NOT NULL")
    assert sources_seen == [("solo",)]
    assert ("article",) in rows(tmp_path / "archive", f"SELECT outcome FROM pages WHERE url = '{one_site}/feed-only.html'")


@pytest.mark.e2e
def test_autothrottle_never_retunes_a_source_delay_not_even_after_robots_txt(one_site, tmp_path):
    """Scrapy's robots.txt request carries no meta of ours; its response used to halve the source's delay."""
    sources = tmp_path / "sources.toml"
    sources.write_text(f'[[source]]\nname = "solo"\nstart_urls = ["{one_site}/"]\ndownload_delay = 0.2\n')
    run = run_crawl(tmp_path / "a", {"AUTOTHROTTLE_ENABLED": "True", "AUTOTHROTTLE_DEBUG": "True",
                                     "AUTOTHROTTLE_START_DELAY": "0", "NEWSARCHIVE_DEPTH_LIMIT": "1"},
                    sources=str(sources)).check()
    assert "scrapy.extensions.throttle.AutoThrottle" in run.log  # on, and would log each change it made
    assert "'robotstxt/request_count': 1" in run.log
    assert "| delay:" not in run.log


def test_newsarchive_crawl_rejects_a_bad_sources_file_in_one_line(tmp_path):
    sources = tmp_path / "sources.toml"
    sources.write_text('[[source]]\nname = "x"\nstart_urls = ["www.x.example"]\n')
    result = CliRunner().invoke(main, ["crawl", "--sources", str(sources), "--dir", str(tmp_path / "a")])
    assert result.exit_code == 1
    assert result.output.strip() == (f"Error: {sources}:3: source 'x': start_urls: 'www.x.example' has no scheme: "
                                     "did you mean 'https://www.x.example'?")
    assert not (tmp_path / "a").exists()


@pytest.mark.e2e
def test_scrapy_crawl_with_a_bad_sources_file_fails_naming_the_line(tmp_path):
    sources = tmp_path / "sources.toml"
    sources.write_text('[[source]]\nname = "x"\nstart_urls = ["https://x.example/"]\nfeeds = "https://x.example/rss"\n')
    run = run_crawl(tmp_path / "a", sources=str(sources))
    assert run.returncode != 0 and f"{sources}:4: source 'x': feeds must be a list of URLs" in run.log


@pytest.mark.e2e
def test_the_demo_sources_file_crawls_the_demo_site(demo_site, truth, tmp_path):
    """newsarchive/demo/sources.toml names the demo server's default port; here the site has port 0's."""
    shipped = (ROOT / "newsarchive" / "demo" / "sources.toml").read_text()
    sources = tmp_path / "sources.toml"
    sources.write_text(shipped.replace("http://127.0.0.1:8000", demo_site.url.rstrip("/")))
    run_crawl(tmp_path / "a", sources=str(sources)).check()
    articles = {url for (url,) in rows(tmp_path / "a", "SELECT url FROM articles")}
    expected = {path for path, spec in truth["pages"].items() if spec["outcome"] == "article"}
    assert {url[len(demo_site.url.rstrip("/")):] for url in articles} == expected
    assert rows(tmp_path / "a", "SELECT DISTINCT source FROM pages WHERE source IS NOT NULL") == [("harbour-gazette-demo",)]
    # Its feeds were found on the home page and its sitemaps in robots.txt.
    polled = {url[len(demo_site.url.rstrip("/")):] for (url,) in rows(tmp_path / "a", "SELECT url FROM listing_polls")}
    assert {"/feed.xml", "/atom.xml", "/sitemap.xml", "/news-sitemap.xml"} <= polled
