"""End to end: `scrapy crawl news` on the demo site, checked against its truth.json.

One crawl of the site and its bad-input routes; the tests then read what a
user would: `articles` and `pages` rows, and the WARC files.
"""

from __future__ import annotations

import io
import json
from urllib.parse import urljoin

import pytest
from sqlite_utils import Database
from warcio.archiveiterator import ArchiveIterator
from warcio.checker import Checker

from archive_helpers import run_crawl
from newsarchive.archive import ArchiveDir

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def crawl(demo_site, tmp_path_factory):
    directory = tmp_path_factory.mktemp("crawl")
    return run_crawl(directory, start_urls=f"{demo_site.url},{demo_site.url}_trouble/").check()


@pytest.fixture(scope="module")
def db(crawl):
    return Database(crawl.db)


def absolute(demo_site, path: str) -> str:
    return urljoin(demo_site.url, path)


def expected_articles(truth) -> dict[str, dict]:
    found = {path: spec for path, spec in truth["pages"].items() if spec["outcome"] == "article"}
    found.update({path: spec for path, spec in truth["trouble"].items()
                  if spec["outcome"] == "article" and "final_path" not in spec})
    return found


def test_every_article_is_stored_with_its_metadata(demo_site, truth, db):
    articles = {row["url"]: row for row in db["articles"].rows}
    for path, spec in expected_articles(truth).items():
        row = articles.get(absolute(demo_site, path))
        assert row is not None, f"missing article {path}"
        assert row["title"] == spec["title"], path
        assert row["published"] == spec["published"], path
        assert json.loads(row["authors"]) == spec["authors"], path
        assert row["language"] == spec["language"], path
        if spec.get("modified"):
            assert row["modified"] == spec["modified"], path
        assert row["word_count"] > 100 and len(row["fingerprint"]) == 32


def test_article_text_is_clean_and_complete(demo_site, truth, db):
    for path, spec in expected_articles(truth).items():
        text = db["articles"].get(absolute(demo_site, path))["text"]
        for sentence in spec["must_contain"]:
            assert sentence in text, f"{path}: lost {sentence!r}"
        for furniture in spec["must_not_contain"]:
            assert furniture not in text, f"{path}: kept {furniture!r}"
        assert not text.startswith(spec["title"]), f"{path}: text starts with the headline"


def test_autoblog_markers_are_removed_and_recorded(demo_site, db):
    row = db["articles"].get(absolute(demo_site, "/news/2026/tide-gauge-upgrade.html"))
    for marker in ("[ad_1]", "[ad_2]", "[source_link]"):
        assert marker not in row["text"]
        assert marker in json.loads(row["removed"])
    for legit in ("[1]", "[sic]", "[Updated]"):
        assert legit in row["text"]


def test_only_articles_become_article_rows(demo_site, truth, db):
    stored = {row["url"] for row in db["articles"].rows}
    assert stored == {absolute(demo_site, path) for path in expected_articles(truth)}


def test_every_fetched_url_has_a_page_row_with_its_outcome(demo_site, truth, db):
    pages = {row["url"]: row for row in db["pages"].rows}
    for path, spec in {**truth["pages"], **truth["trouble"]}.items():
        row = pages.get(absolute(demo_site, path))
        assert row is not None, f"no pages row for {path}"
        expected = spec["outcome"]
        if "final_path" in spec and spec.get("redirects"):
            expected = "redirect"
        elif path.startswith("/chunked/"):
            expected = "duplicate"  # the same article as its plain URL
        assert row["outcome"] == expected, f"{path}: {row['outcome']} ({row['reason']})"
        if expected in ("article", "not_article", "duplicate", "redirect"):
            assert row["warc_filename"] and row["warc_record_id"], path


def test_bad_input_outcomes_say_why(demo_site, db):
    reason = lambda path: db["pages"].get(absolute(demo_site, path))["reason"]  # noqa: E731
    assert reason("/_trouble/404") == "HTTP 404"
    assert reason("/_trouble/500") == "HTTP 500"
    assert reason("/_trouble/pdf") == "content type application/pdf"
    assert reason("/_trouble/binary") == "binary content"
    assert reason("/_trouble/empty") == "empty body"
    assert "redirect loop" in reason("/_trouble/loop")
    assert reason("/private/staff-rota.html") == "disallowed by robots.txt"
    assert reason("/_trouble/redirect").startswith("301 to ")


def test_latin1_page_is_decoded_by_its_http_charset(demo_site, db):
    row = db["articles"].get(absolute(demo_site, "/_trouble/latin1"))
    assert "Café Müller" in row["title"]
    assert "Ã" not in row["text"]  # no mojibake


def test_every_article_points_at_its_response_record(crawl, db):
    for row in db["articles"].rows:
        path = crawl.directory / "warc" / row["warc_filename"]
        with path.open("rb") as f:
            f.seek(row["warc_offset"])
            # (offset, length) delimit one whole gzip member: readable with nothing around it.
            record = next(iter(ArchiveIterator(io.BytesIO(f.read(row["warc_length"])))))
            assert record.rec_type == "response"
            assert record.rec_headers.get_header("WARC-Record-ID") == row["warc_record_id"]
            assert record.rec_headers.get_header("WARC-Target-URI") == row["url"]
            assert record.rec_headers.get_header("WARC-Payload-Digest") == row["payload_digest"]
            assert record.raw_stream.read()


def test_warc_holds_every_exchange_and_passes_warcio_check(demo_site, crawl):
    args = type("Args", (), {"inputs": [str(p) for p in crawl.warcs], "verbose": False})
    assert Checker(args).process_all() == 0
    seen: dict[str, list[str]] = {}
    for path in crawl.warcs:
        with path.open("rb") as f:
            for record in ArchiveIterator(f):
                seen.setdefault(record.rec_type, []).append(record.rec_headers.get_header("WARC-Target-URI"))
    responses = set(seen["response"]) | set(seen.get("revisit", []))
    for path in ("/robots.txt", "/sitemap-index.xml", "/sitemap.xml", "/_trouble/redirect",
                 "/_trouble/404", "/_trouble/500", "/_trouble/pdf", "/_trouble/huge"):
        assert absolute(demo_site, path) in responses, path
    assert len(seen["request"]) == len(seen["response"]) + len(seen.get("revisit", []))
    assert absolute(demo_site, "/private/staff-rota.html") not in responses  # robots.txt obeyed


def test_crawl_writes_a_cdxj_index_of_its_warcs(demo_site, crawl, db):
    [index] = (crawl.directory / "indexes").glob("crawl-*.cdxj")
    entries = [json.loads(line.split(" ", 2)[2]) for line in index.read_text().splitlines()]
    indexed = {(e["url"], e["filename"], int(e["offset"])) for e in entries}
    for row in db["articles"].rows:
        assert (row["url"], row["warc_filename"], row["warc_offset"]) in indexed


def test_gzip_responses_are_archived_as_received(demo_site, crawl):
    with crawl.warcs[0].open("rb") as f:
        for record in ArchiveIterator(f):
            if record.rec_type == "response" and record.rec_headers.get_header("WARC-Target-URI") == demo_site.url:
                assert record.http_headers.get_header("Content-Encoding") == "gzip"
                assert record.raw_stream.read(2) == b"\x1f\x8b"
                return
    pytest.fail("home page response not found")


def test_crawl_row_has_settings_and_final_stats(db):
    [crawl_row] = db["crawls"].rows
    stats = json.loads(crawl_row["stats"])
    assert crawl_row["finish_reason"] == "finished"
    assert stats["newsarchive/articles"] == db["articles"].count
    assert stats["newsarchive/warc/records"] >= 2 * db["pages"].count - 10
    # The process's start is counted apart, so the crawl's own CPU per page can be told from it.
    assert 0 < stats["newsarchive/cpu_seconds/startup"] <= stats["newsarchive/cpu_seconds/crawl"]
    assert json.loads(crawl_row["settings"])["ROBOTSTXT_OBEY"] is True


def test_full_text_search_finds_articles(db):
    hits = list(db["articles"].search("lifeboat"))
    assert hits and "lifeboat" in hits[0]["title"].lower()


def test_recrawl_is_idempotent_and_writes_revisits(demo_site, tmp_path):
    first = run_crawl(tmp_path, start_urls=demo_site.url)
    before = Database(first.db)["articles"].count
    texts = {r["url"]: r["text"] for r in Database(first.db)["articles"].rows}
    second = run_crawl(tmp_path, start_urls=demo_site.url)
    assert second.returncode == 0
    db = Database(second.db)
    assert db["articles"].count == before
    assert {r["url"]: r["text"] for r in db["articles"].rows} == texts
    assert db["crawls"].count == 2
    revisits = 0
    for path in second.warcs[-1:]:
        with path.open("rb") as f:
            revisits = sum(1 for r in ArchiveIterator(f) if r.rec_type == "revisit")
    assert revisits >= before
    # Rows still point at the full response record, which holds the payload.
    for row in db["articles"].rows:
        assert row["warc_filename"] == first.warcs[0].name


@pytest.mark.parametrize("arg, path", [
    ("sitemap_urls", "/sitemap-index.xml"),
    ("sitemap_urls", "/news-sitemap.xml"),
    ("feed_urls", "/feed.xml"),
    ("feed_urls", "/atom.xml"),
])
def test_sitemaps_and_feeds_find_the_articles(demo_site, truth, tmp_path, arg, path):
    run = run_crawl(tmp_path, **{arg: absolute(demo_site, path)})
    assert run.returncode == 0
    db = Database(run.db)
    assert db["articles"].count >= 5
    assert {r["url"] for r in db["articles"].rows} <= {absolute(demo_site, p) for p in expected_articles(truth)}
    # The crawl's row names the seed it was given.
    assert json.loads(db["crawls"].get(1)["start_urls"]) == [absolute(demo_site, path)]


def test_stopped_crawl_resumes_from_jobdir_without_refetching(demo_site, truth, tmp_path):
    job = {"JOBDIR": str(tmp_path / "job"), "CONCURRENT_REQUESTS": "2"}
    first = run_crawl(tmp_path / "out", settings={**job, "CLOSESPIDER_PAGECOUNT": "6"}, start_urls=demo_site.url)
    assert first.returncode == 0
    partial = Database(first.db)["articles"].count
    second = run_crawl(tmp_path / "out", settings=job, start_urls=demo_site.url)
    assert second.returncode == 0
    db = Database(second.db)
    assert partial < db["articles"].count == len([p for p, s in truth["pages"].items() if s["outcome"] == "article"])
    twice = {url for url, n in _responses(second).items() if n > 1 and not url.endswith("robots.txt")}
    assert not twice, f"fetched again after resume: {twice}"


def test_depth_limit_zero_fetches_only_the_start_page(demo_site, tmp_path):
    # Not the pages its robots.txt sitemaps list either: those count as one hop.
    run = run_crawl(tmp_path, settings={"NEWSARCHIVE_DEPTH_LIMIT": "0"}, start_urls=demo_site.url)
    assert run.returncode == 0, run.log[-3000:]
    db = Database(run.db)
    assert {row["url"] for row in db["pages"].rows} == {demo_site.url, absolute(demo_site, "/robots.txt")}
    assert db["articles"].count == 0


def test_a_project_with_only_the_addon_gets_a_working_crawl(news_site, tmp_path):
    """Outside this project, with Scrapy's defaults: ADDONS is the one setting given."""
    addons = json.dumps({"newsarchive.crawl.addon.NewsArchive": 0})
    run_crawl(tmp_path, settings={"ADDONS": addons}, project=False, start_urls=news_site.url).check()
    archive = ArchiveDir(tmp_path / "archive")  # the add-on's default NEWSARCHIVE_DIR, in the working directory
    db = Database(archive.db_path)
    stories = ("plain-story", "gzip-story", "chunked-story", "latin-story", "final-story")
    assert {row["url"] for row in db["articles"].rows} == {f"{news_site.url}news/{name}.html" for name in stories}
    [crawl] = db["crawls"].rows
    assert json.loads(crawl["settings"])["NEWSARCHIVE_MIN_WORDS"] == 80
    assert len(archive.warc_files()) == 1
    assert [p.name for p in archive.index_dir.iterdir()] == [f"crawl-{crawl['id']}.cdxj"]


def _responses(run) -> dict[str, int]:
    """Response records per URL in a crawl's WARCs."""
    fetched: dict[str, int] = {}
    for path in run.warcs:
        with path.open("rb") as f:
            for record in ArchiveIterator(f):
                if record.rec_type in ("response", "revisit"):
                    url = record.rec_headers.get_header("WARC-Target-URI")
                    fetched[url] = fetched.get(url, 0) + 1
    return fetched


@pytest.mark.parametrize("obey", ["True", "False"])
def test_robots_txt_is_fetched_once_and_its_sitemaps_read_whether_obeyed_or_not(demo_site, tmp_path, obey):
    """Obeyed: Scrapy's own fetch is read for the sitemaps. Not obeyed: the spider asks for the file itself."""
    run = run_crawl(tmp_path, settings={"ROBOTSTXT_OBEY": obey}, start_urls=demo_site.url).check()
    fetched = _responses(run)
    assert fetched[absolute(demo_site, "/robots.txt")] == 1
    for sitemap in ("/sitemap.xml", "/sitemap-index.xml"):
        assert fetched.get(absolute(demo_site, sitemap)) == 1, f"{sitemap} (named by robots.txt) not read"
    private = absolute(demo_site, "/private/staff-rota.html")
    assert (private in fetched) is (obey == "False")


def test_sitemaps_from_robots_txt_keep_their_hop_and_referer_whatever_the_host_case(demo_site, tmp_path):
    """Scrapy lowercases the host it fetches robots.txt from: an uppercase start URL still gets its sitemaps."""
    upper = demo_site.url.replace("127.0.0.1", "LOCALHOST")
    run = run_crawl(tmp_path, start_urls=upper).check()
    pages = {row["url"]: row for row in Database(run.db)["pages"].rows}
    base = demo_site.url.replace("127.0.0.1", "localhost")
    sitemap = pages[urljoin(base, "/sitemap.xml")]
    assert (sitemap["depth"], sitemap["referer"]) == (1, urljoin(base, "/robots.txt"))
    listed = [row for url, row in pages.items() if row["referer"] == urljoin(base, "/sitemap.xml")]
    assert listed and {row["depth"] for row in listed} == {2}
