"""Near-duplicates through the commands: a wire story run by two sites, imported, exported, served."""

from __future__ import annotations

import json
import re
import sqlite3
from html import unescape

import pytest
from click.testing import CliRunner
from datasette.utils import tilde_encode

from archive_helpers import article_text, write_cc_news_warc
from newsarchive.cli import main
from reading_room_helpers import get

WIRE = article_text(61, words=320)
HERALD = "https://herald.example/news/storm-wire.html"  # runs the wire story first
COURIER = "https://courier.example/2024/storm.html"  # the same story later, with its own intro and outro
OTHER = "https://herald.example/news/budget.html"  # an unrelated story on the first site


def page(title: str, site: str, published: str, paragraphs: list[str], description: str) -> bytes:
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title} | {site}</title>
<meta property="og:type" content="article"><meta property="og:title" content="{title}">
<meta property="og:site_name" content="{site}"><meta name="description" content="{description}">
<meta property="article:published_time" content="{published}"></head>
<body><header><nav><a href="/">Home</a> <a href="/about.html">About</a></nav></header>
<main><article><h1>{title}</h1>
{body}
</article></main><footer>Copyright {site}</footer></body></html>""".encode()


PAGES = [
    (HERALD, page("Storm closes the coast road", "Herald", "2024-05-01T08:00:00Z", WIRE,
                  # The standfirst is the text's first paragraph, with other spacing.
                  "  " + WIRE[0].replace(" ", "\n  ", 3))),
    (COURIER, page("Coast road shut by storm", "Courier", "2024-05-01T15:30:00Z",
                   [article_text(62, words=45)[0], *WIRE, "Advertisement", article_text(63, words=35)[0]],
                   "Our reporters on the storm's second day.")),
    (OTHER, page("Council sets its budget", "Herald", "2024-04-30T09:00:00Z", article_text(64, words=320),
                 "The budget in brief.")),
]


def run(*args):
    return CliRunner().invoke(main, [*map(str, args)], catch_exceptions=False)


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    folder = tmp_path_factory.mktemp("neardup")
    warc = folder / "sites.warc.gz"
    write_cc_news_warc(warc, [(url, body, {}) for url, body in PAGES])
    directory = folder / "archive"
    result = run("import-warc", warc, "--workers", "1", "--dir", directory)
    assert result.exit_code == 0, result.output
    assert "near-duplicates" in result.output and "2 articles in 1 cluster" in result.output
    # The extraction workers signed every article; the importer only read their signatures.
    assert "3 articles signed (3 by the extraction workers)" in result.output
    return directory


def clusters(directory) -> dict[str, str]:
    with sqlite3.connect(directory / "news.db") as conn:
        return dict(conn.execute("SELECT url, cluster_id FROM articles"))


def test_the_wire_story_on_two_sites_is_one_cluster_named_by_the_first(archive):
    found = clusters(archive)
    assert set(found) == {HERALD, COURIER, OTHER}
    assert found[HERALD] == found[COURIER] == HERALD
    assert found[OTHER] == OTHER


def test_rebuilding_and_reextracting_keep_the_clusters(archive):
    before = clusters(archive)
    rebuilt = run("dedup", "--rebuild", "--dir", archive)
    assert rebuilt.exit_code == 0, rebuilt.output
    assert "rebuilt" in rebuilt.output and "2 articles in 1 cluster" in rebuilt.output
    assert clusters(archive) == before
    again = run("reextract", "--workers", "1", "--dir", archive)
    assert again.exit_code == 0, again.output
    assert "0 articles signed" in again.output  # nothing changed, nothing signed again
    assert clusters(archive) == before


def test_a_bad_threshold_is_one_line(archive):
    result = CliRunner().invoke(main, ["dedup", "--threshold", "1.5", "--dir", str(archive)])
    assert result.exit_code == 2 and "1.5" in result.output and "Traceback" not in result.output


def test_export_dedup_keeps_the_earliest_copy(archive, tmp_path):
    everything = run("export", "-o", tmp_path / "all" / "articles.jsonl", "--dir", archive)
    assert everything.exit_code == 0, everything.output
    rows = [json.loads(line) for line in (tmp_path / "all" / "articles.jsonl").read_text().splitlines()]
    assert {r["url"]: r["cluster_id"] for r in rows} == clusters(archive)

    deduped = run("export", "-o", tmp_path / "one" / "articles.jsonl", "--dedup", "--dir", archive)
    assert deduped.exit_code == 0, deduped.output
    rows = [json.loads(line) for line in (tmp_path / "one" / "articles.jsonl").read_text().splitlines()]
    assert sorted(r["url"] for r in rows) == sorted([HERALD, OTHER])
    card = (tmp_path / "one" / "README.md").read_text()
    assert "Near-duplicates: one article per cluster" in card and "at least 0.5" in card
    assert "Near-duplicates" not in (tmp_path / "all" / "README.md").read_text()


def test_the_canned_query_lists_the_cluster(archive):
    rows = get(archive / "news.db", "/news/near_duplicates.json?_shape=array&site=").json()
    assert [(r["cluster"], r["articles"], r["title"]) for r in rows] == [(HERALD, 2, "Storm closes the coast road")]
    assert sorted(rows[0]["sites"].split(",")) == ["Courier", "Herald"]
    assert get(archive / "news.db", "/news/near_duplicates.json?_shape=array&site=courier").json() == rows
    assert get(archive / "news.db", "/news/near_duplicates.json?_shape=array&site=elsewhere").json() == []


def article_page(archive, url: str) -> str:
    page = get(archive / "news.db", "/news/articles/" + tilde_encode(url))
    assert page.status_code == 200
    return unescape(page.text[page.text.index('<article class="reading">'):page.text.index("<details>")])


def test_the_article_page_lists_the_other_copies(archive):
    courier = article_page(archive, COURIER)
    section = courier[courier.index('<section class="cluster">'):]
    assert "Near-duplicates (1 other copy)" in section and "Storm closes the coast road" in section
    assert "earliest" in section
    assert '<section class="cluster">' not in article_page(archive, OTHER)


def test_the_standfirst_shows_once(archive):
    herald = article_page(archive, HERALD)
    assert 'class="description"' not in herald  # it is the text's first paragraph
    assert herald.count(WIRE[0][:60]) == 1
    courier = article_page(archive, COURIER)
    assert re.search(r'<p class="description">Our reporters on the storm.s second day.</p>', courier)


@pytest.mark.e2e
def test_a_crawl_clusters_what_it_stored(tmp_path):
    from archive_helpers import run_crawl
    from newsarchive.demo.responses import Response
    from newsarchive.demo.server import SiteServer

    paths = {url: "/" + url.split("://", 1)[1].replace("/", "-", 1) for url, _ in PAGES}
    index = "".join(f'<li><a href="{path}">story</a></li>' for path in paths.values())
    routes = {"/": Response(200, f"<html><body><h1>Stories</h1><ul>{index}</ul></body></html>".encode()),
              "/robots.txt": Response(200, b"User-agent: *\nAllow: /\n", content_type="text/plain"),
              **{paths[url]: Response(200, body) for url, body in PAGES}}
    with SiteServer(routes=routes) as site:
        directory = tmp_path / "archive"
        run_crawl(directory, settings={"NEWSARCHIVE_EXTRACT_WORKERS": "1"}, start_urls=site.url).check()
        base = site.url.rstrip("/")
    found = clusters(directory)
    herald, courier, other = (base + paths[url] for url in (HERALD, COURIER, OTHER))
    assert found[herald] == found[courier] == herald
    assert found[other] == other
    with sqlite3.connect(directory / "news.db") as conn:
        stats = json.loads(conn.execute("SELECT stats FROM crawls").fetchone()[0])
    assert stats["newsarchive/neardup/signed"] == 3 and stats["newsarchive/neardup/clusters"] == 1
    assert stats["newsarchive/cpu_seconds/near_duplicates"] >= 0
    # The extraction workers signed every article: the crawl process only read their signatures.
    assert stats["newsarchive/neardup/presigned"] == 3
    with sqlite3.connect(directory / "news.db") as conn:
        assert conn.execute("SELECT count(*) FROM neardup_presigned").fetchone()[0] == 0
    # The database lost: rebuilt from the crawl's WARCs, signed in the workers again, the same clusters.
    for path in directory.glob("news.db*"):
        path.unlink()
    rebuilt = run("reextract", "--workers", "1", "--dir", directory)
    assert rebuilt.exit_code == 0, rebuilt.output
    assert "3 articles signed (3 by the extraction workers)" in rebuilt.output
    assert clusters(directory) == found


def test_a_crawl_without_near_duplicates_signs_nothing(tmp_path):
    from archive_helpers import run_crawl
    from newsarchive.demo.responses import Response
    from newsarchive.demo.server import SiteServer

    routes = {"/": Response(200, b'<html><body><h1>Stories</h1><a href="/story.html">story</a></body></html>'),
              "/robots.txt": Response(200, b"User-agent: *\nAllow: /\n", content_type="text/plain"),
              "/story.html": Response(200, PAGES[2][1])}
    with SiteServer(routes=routes) as site:
        directory = tmp_path / "archive"
        run_crawl(directory, settings={"NEWSARCHIVE_EXTRACT_WORKERS": "1", "NEWSARCHIVE_NEAR_DUPLICATES": "False"},
                  start_urls=site.url).check()
    with sqlite3.connect(directory / "news.db") as conn:
        assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 1
        # No clusters at the end, so the workers made no signatures for them to read (none left behind).
        assert conn.execute("SELECT count(*) FROM neardup_presigned").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM neardup_signatures").fetchone()[0] == 0
        stats = json.loads(conn.execute("SELECT stats FROM crawls").fetchone()[0])
    assert "newsarchive/neardup/signed" not in stats


def test_python_readers_see_the_cluster(archive):
    from newsarchive.archive import Archive

    with Archive(archive) as opened:
        assert opened.article(COURIER).cluster_id == HERALD
        assert [a.url for a in opened.articles(dedup=True)] == [u for u, _ in PAGES if u != COURIER]


def test_stats_count_the_clusters(archive):
    result = run("stats", "--dir", archive)
    assert result.exit_code == 0, result.output
    assert "Near-duplicates:  2 articles in 1 cluster " in result.output
