"""Component tests: the capture middleware and the archive pipeline, as Scrapy builds them from the add-on.

In-process and fast: ``scrapy.utils.test.get_crawler`` with only our add-on
and an archive folder, real Scrapy requests and responses, real WARC files,
a real SQLite database and a real extraction process pool; no reactor, no
network. Whole crawls are in test_crawl_e2e.py.
"""

from __future__ import annotations


import asyncio
import gzip
import json

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.http import HtmlResponse, Request, Response
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.reactor import install_reactor, is_reactor_installed
from scrapy.utils.test import get_crawler
from sqlite_utils import Database
from warcio.archiveiterator import ArchiveIterator

from archive_helpers import article_html
from newsarchive.archive import ArchiveDir
from newsarchive.crawl.addon import NewsArchive
from newsarchive.crawl.capture import CAPTURE, REPORTED, REVISIT, WarcCaptureMiddleware
from newsarchive.crawl.exceptions import DuplicateArticle, FetchFailed, PageNotArticle, UnchangedPage
from newsarchive.crawl.items import Page
from newsarchive.crawl.pipeline import ArchivePipeline
from newsarchive.crawl.signals import crawl_started, exchange_archived
from spiders.news import NewsSpider

SITE = "http://news.test/"
HTML = {"Content-Type": "text/html; charset=utf-8"}


@pytest.fixture(scope="module", autouse=True)
def reactor() -> None:
    """The reactor a crawl uses, installed (never run): get_crawler needs one from Scrapy 2.14 on."""
    if not is_reactor_installed():
        install_reactor("twisted.internet.asyncioreactor.AsyncioSelectorReactor")


def make_crawler(directory, **settings):
    """A crawler configured as a user project with only our add-on (and a folder) would be."""
    crawler = get_crawler(NewsSpider, {"ADDONS": {NewsArchive: 0}, "NEWSARCHIVE_DIR": str(directory),
                                       "NEWSARCHIVE_EXTRACT_WORKERS": 1, **settings})
    crawler.spider = NewsSpider.from_crawler(crawler, start_urls=SITE)
    return crawler


class Components:
    """The middleware and pipeline of one crawler, opened as the engine opens them."""

    def __init__(self, crawler) -> None:
        self.crawler = crawler
        self.capture = build_from_crawler(WarcCaptureMiddleware, crawler)
        self.pipeline = build_from_crawler(ArchivePipeline, crawler)
        # As the engine does: pipelines open first, then spider_opened reaches the middleware.
        self.pipeline.open_spider()
        self.capture.spider_opened()

    def fetch(self, url: str, body: bytes, status: int = 200, headers: dict | None = None,
              reported: bool = True) -> Response:
        """What the downloader hands up: the response passes the middleware at 950."""
        request = Request(url, meta={REPORTED: reported, "depth": 1})
        response = HtmlResponse(url, status=status, headers={**HTML, **(headers or {})}, body=body,
                                request=request)
        assert self.capture.process_response(request, response) is response
        return response

    def item(self, url: str, body: bytes) -> Page:
        return self.crawler.spider.page_item(self.fetch(url, body))

    def process(self, item: Page):
        return asyncio.run(self.pipeline.process_item(item))

    def rows(self, table: str) -> dict[str, dict]:
        self.pipeline.store.flush()
        return {row["url"]: row for row in Database(self.pipeline.db_path)[table].rows}

    def close(self, reason: str = "finished") -> None:
        # As the engine does: pipelines close, then spider_closed reaches the middleware and the pipeline.
        self.pipeline.close_spider()
        self.capture.spider_closed()
        self.pipeline.spider_closed(reason)


@pytest.fixture(scope="module")
def opened(tmp_path_factory):
    """One opened middleware + pipeline (and its process pool) shared by the item tests."""
    components = Components(make_crawler(tmp_path_factory.mktemp("archive")))
    yield components
    components.close()


# -- the add-on -------------------------------------------------------------

def test_addon_sets_defaults_at_addon_priority_and_enables_the_components(tmp_path):
    settings = make_crawler(tmp_path).settings
    assert settings.getint("NEWSARCHIVE_MIN_WORDS") == 80
    assert settings.getpriority("NEWSARCHIVE_MIN_WORDS") == 15  # "addon"
    assert settings.getdict("DOWNLOADER_MIDDLEWARES")[WarcCaptureMiddleware] == 950
    assert settings.getdict("ITEM_PIPELINES")[ArchivePipeline] == 300


def test_project_settings_override_the_addon_and_arrive_typed(tmp_path):
    crawler = make_crawler(tmp_path, NEWSARCHIVE_MIN_WORDS="50", NEWSARCHIVE_WARC_GZIP_LEVEL="9",
                           NEWSARCHIVE_DB_FLUSH_SECONDS="0.5",
                           DOWNLOADER_MIDDLEWARES={"newsarchive.crawl.capture.WarcCaptureMiddleware": 800})
    pipeline = build_from_crawler(ArchivePipeline, crawler)
    capture = build_from_crawler(WarcCaptureMiddleware, crawler)
    assert (pipeline.min_words, pipeline.flush_seconds, capture.gzip_level) == (50, 0.5, 9)
    # The project's own order for our middleware stands; the add-on does not add it twice.
    ours = {key: order for key, order in crawler.settings.getdict("DOWNLOADER_MIDDLEWARES").items()
            if "WarcCapture" in str(key)}
    assert list(ours.values()) == [800]


def test_components_are_off_without_an_archive_folder(tmp_path):
    crawler = make_crawler(tmp_path, NEWSARCHIVE_DIR="")
    for component in (WarcCaptureMiddleware, ArchivePipeline):
        with pytest.raises(NotConfigured, match="NEWSARCHIVE_DIR"):
            build_from_crawler(component, crawler)


# -- the capture middleware -------------------------------------------------

def test_middleware_archives_wire_bytes_then_a_revisit_and_reports_each_exchange(tmp_path):
    crawler = make_crawler(tmp_path)
    capture = build_from_crawler(WarcCaptureMiddleware, crawler)
    heard = []
    crawler.signals.connect(lambda **kw: heard.append(kw), signal=exchange_archived, weak=False)
    capture.spider_opened()
    wire = gzip.compress(article_html(1, "Council approves river bridge").encode(), mtime=0)
    responses = []
    for _ in range(2):
        request = Request(SITE + "a.html")
        response = HtmlResponse(SITE + "a.html", headers={**HTML, "Content-Encoding": "gzip"}, body=wire,
                                request=request)
        # Handed on as it came (the compressed bytes, undecoded): decompression comes later.
        assert capture.process_response(request, response).body == wire
        responses.append(response)
    first, second = (r.request.meta for r in responses)
    assert first[REVISIT] is None and second[REVISIT] is not None
    assert second[CAPTURE] == first[CAPTURE]  # the revisit points at the original payload
    assert [h["revisit"] for h in heard] == [None, second[REVISIT]]
    capture.spider_closed()

    [warc] = ArchiveDir(tmp_path).warc_files()
    with warc.open("rb") as stream:
        records = [(r.rec_type, r.raw_stream.read() if r.rec_type == "response" else None)
                   for r in ArchiveIterator(stream) if r.rec_type != "warcinfo"]
    # Each response (or revisit) record is followed by its request record.
    assert [kind for kind, _ in records] == ["response", "request", "revisit", "request"]
    assert records[0][1] == wire  # the body as sent: still gzip
    assert crawler.stats.get_value("newsarchive/warc/records") == 4
    assert crawler.stats.get_value("newsarchive/warc/revisits") == 1
    # No pipeline announced a crawl id: the index is named after the crawl's first WARC file.
    assert [p.name for p in ArchiveDir(tmp_path).index_dir.iterdir()] == [f"crawl-{warc.name.split('.')[0]}.cdxj"]


def test_middleware_names_the_index_after_the_crawl_the_pipeline_started(tmp_path):
    crawler = make_crawler(tmp_path)
    capture = build_from_crawler(WarcCaptureMiddleware, crawler)
    capture.spider_opened()
    crawler.signals.send_catch_log(crawl_started, crawl_id=7)
    request = Request(SITE)
    capture.process_response(request, HtmlResponse(SITE, headers=HTML, body=b"<html></html>", request=request))
    capture.spider_closed()
    assert [p.name for p in ArchiveDir(tmp_path).index_dir.iterdir()] == ["crawl-7.cdxj"]


# -- the pipeline -----------------------------------------------------------

def test_an_article_becomes_rows_pointing_at_its_response_record(opened):
    item = opened.item(SITE + "story.html", article_html(2, "Storm closes the harbour").encode())
    row = opened.process(item)
    assert row["url"] == SITE + "story.html" and row["title"] == "Storm closes the harbour"
    page = opened.rows("pages")[SITE + "story.html"]
    assert page["outcome"] == "article"
    assert (page["warc_filename"], page["warc_offset"]) == (item.capture.filename, item.capture.offset)
    assert opened.rows("articles")[SITE + "story.html"]["warc_record_id"] == item.capture.record_id


def test_a_short_page_is_not_an_article(opened):
    item = opened.item(SITE + "about.html", b"<html><head><title>About</title></head><body><p>Us.</p></body></html>")
    with pytest.raises(PageNotArticle):
        opened.process(item)
    assert opened.rows("pages")[SITE + "about.html"]["outcome"] == "not_article"
    assert SITE + "about.html" not in opened.rows("articles")


def test_the_same_text_at_a_second_url_is_a_duplicate(opened):
    body = article_html(3, "Nurses agree a new deal").encode()
    opened.process(opened.item(SITE + "nurses.html", body))
    with pytest.raises(DuplicateArticle):
        opened.process(opened.item(SITE + "nurses.html?ref=feed", body))
    page = opened.rows("pages")[SITE + "nurses.html?ref=feed"]
    assert page["outcome"] == "duplicate" and SITE + "nurses.html" in page["reason"]


def test_an_unchanged_page_keeps_its_rows_and_notes_the_revisit(opened):
    body = article_html(4, "Museum reopens after repairs").encode()
    opened.process(opened.item(SITE + "museum.html", body))
    again = opened.item(SITE + "museum.html", body)
    assert again.revisit is not None
    with pytest.raises(UnchangedPage):
        opened.process(again)
    page = opened.rows("pages")[SITE + "museum.html"]
    assert page["outcome"] == "article" and page["revisit_record_id"] == again.revisit.record_id


def test_a_failed_fetch_is_a_pages_row_with_its_reason(opened):
    with pytest.raises(FetchFailed):
        opened.process(Page(url=SITE + "gone.html", status=500, outcome="error", reason="HTTP 500"))
    assert opened.rows("pages")[SITE + "gone.html"]["reason"] == "HTTP 500"


def test_redirect_hops_no_item_reports_become_pages_rows(opened):
    opened.fetch(SITE + "old", b"", status=301, headers={"Location": "/new"}, reported=False)
    page = opened.rows("pages")[SITE + "old"]
    assert (page["outcome"], page["redirected_to"]) == ("redirect", SITE + "new")


def test_a_crawl_is_recorded_with_its_settings_and_final_stats(tmp_path):
    components = Components(make_crawler(tmp_path, NEWSARCHIVE_MIN_WORDS="60"))
    components.process(components.item(SITE + "bridge.html", article_html(5, "Bridge opens").encode()))
    components.close()
    [crawl] = Database(ArchiveDir(tmp_path).db_path)["crawls"].rows
    assert crawl["finish_reason"] == "finished"
    assert json.loads(crawl["settings"])["NEWSARCHIVE_MIN_WORDS"] == "60"
    assert json.loads(crawl["stats"])["newsarchive/articles"] == 1
    # The middleware heard the crawl's id from the pipeline.
    assert [p.name for p in ArchiveDir(tmp_path).index_dir.iterdir()] == [f"crawl-{crawl['id']}.cdxj"]


def test_a_link_to_a_listing_not_due_is_not_fetched_as_a_page(tmp_path):
    """The feed's schedule holds however the crawl meets its URL: here as a plain link, before any listing request."""
    from datetime import datetime, timedelta, timezone

    from newsarchive.crawl.resume import FOLLOW
    from newsarchive.db.polls import ListingPolls, Poll

    crawler = make_crawler(tmp_path)
    spider = crawler.spider
    feed, later = SITE + "rss.xml", (datetime.now(timezone.utc) + timedelta(days=1)).isoformat()
    spider.schedule.polls = ListingPolls({feed: Poll(feed, None, 3600.0, later, later, 3, 0)}, 900.0, 86400.0)
    request = Request(SITE, meta={FOLLOW: 1, "depth": 0})
    page = HtmlResponse(SITE, headers=HTML, request=request,
                        body=b'<html><body><a href="/rss.xml">RSS</a> <a href="/news/a.html">A story</a></body></html>')
    followed = [r.url for r in spider.parse_page(page) if isinstance(r, Request)]
    assert followed == [SITE + "news/a.html"]
    assert crawler.stats.get_value("newsarchive/listings/not_due") == 1
