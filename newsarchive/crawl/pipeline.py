"""Item pipeline: extraction in the process pool, then rows in SQLite.

Every fetched URL ends as a ``pages`` row with its outcome; only articles
also become ``articles`` rows. The pipeline returns article rows as items,
so ``scrapy crawl news -O articles.jsonl`` exports the corpus as well.
"""

from __future__ import annotations

import logging
import resource
import sqlite3
import time
from pathlib import Path
from typing import Any

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from twisted.internet import task

from newsarchive.archive import ArchiveDir
from newsarchive.crawl.capture import REPORTED
from newsarchive.crawl.sites import SOURCE
from newsarchive.crawl.signals import crawl_started, exchange_archived, sites_recorded
from newsarchive.crawl.exceptions import (DuplicateArticle, FetchFailed, NotModifiedPage, PageBlocked, PageNotArticle,
                                          UnchangedPage)
from newsarchive.db.health import SiteTally, bucket_of, record_site_runs, site_of
from newsarchive.crawl.items import Page
from newsarchive.processing.outcome import ARTICLE_WRITES, OutcomePolicy, PageCapture
from newsarchive.crawl.resume import crawl_seeds
from newsarchive.processing.pool import ExtractionPool
from newsarchive.db.clusters import update_clusters_at
from newsarchive.db.store import Store, now_iso

logger = logging.getLogger(__name__)

# Settings worth keeping with each crawl's row, to know later how it was run.
RECORDED_SETTINGS = (
    "USER_AGENT", "ROBOTSTXT_OBEY", "DOWNLOAD_DELAY", "AUTOTHROTTLE_ENABLED",
    "AUTOTHROTTLE_TARGET_CONCURRENCY", "CONCURRENT_REQUESTS", "CONCURRENT_REQUESTS_PER_DOMAIN",
    "DEPTH_LIMIT", "DOWNLOAD_TIMEOUT", "JOBDIR",
)

# How the pages an item settles are dropped, by outcome (any other: PageNotArticle).
DROPS = {"error": FetchFailed, "robots": FetchFailed, "blocked": PageBlocked}


class ArchivePipeline:
    def __init__(self, crawler: Crawler, directory: Path, batch_size: int, flush_seconds: float,
                 workers: int, timeout: float, min_words: int, near_duplicates: bool = True) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.directory = directory
        self.batch_size = batch_size
        self.flush_seconds = flush_seconds
        self.workers = workers
        self.timeout = timeout
        self.min_words = min_words
        self.near_duplicates = near_duplicates
        self.store: Store | None = None
        self.policy: OutcomePolicy | None = None
        self.pool: ExtractionPool | None = None
        self.crawl_id: int | None = None
        self.sites = SiteTally()  # per-site health, written to site_runs at the end
        self._flusher: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "ArchivePipeline":
        s = crawler.settings
        directory = s.get("NEWSARCHIVE_DIR")
        if not directory:
            raise NotConfigured("NEWSARCHIVE_DIR is empty: no archive folder to write rows to")
        pipeline = cls(
            crawler,
            directory=Path(directory),
            batch_size=s.getint("NEWSARCHIVE_DB_BATCH"),
            flush_seconds=s.getfloat("NEWSARCHIVE_DB_FLUSH_SECONDS"),
            workers=s.getint("NEWSARCHIVE_EXTRACT_WORKERS"),
            timeout=s.getfloat("NEWSARCHIVE_EXTRACT_TIMEOUT"),
            min_words=s.getint("NEWSARCHIVE_MIN_WORDS"),
            near_duplicates=s.getbool("NEWSARCHIVE_NEAR_DUPLICATES"),
        )
        # After the pipelines close, so the stats are final: record them with the crawl.
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(pipeline.exchange_archived, signal=exchange_archived)
        return pipeline

    @property
    def db_path(self) -> Path:
        return ArchiveDir(self.directory).db_path

    # -- lifecycle ----------------------------------------------------------

    def open_spider(self) -> None:
        # The crawl process's start (imports, Scrapy's set-up): cpu_seconds/crawl minus this is per page.
        self.stats.set_value("newsarchive/cpu_seconds/startup", round(time.process_time(), 2))
        self.store = Store(self.db_path, batch_size=self.batch_size)
        spider = self.crawler.spider
        self.crawl_id = self.store.start_crawl(spider.name, crawl_seeds(spider), self._recorded_settings())
        self.stats.set_value("newsarchive/crawl_id", self.crawl_id)
        self.crawler.signals.send_catch_log(crawl_started, crawl_id=self.crawl_id)
        self.stats.set_value("newsarchive/db", str(self.db_path))
        self.policy = OutcomePolicy(self.store, self._count, per_site=self.sites.add)
        # No clusters at the end, no signatures: the workers sign only what will be clustered.
        self.pool = ExtractionPool(self.workers, timeout=self.timeout, min_words=self.min_words,
                                   sign=self.near_duplicates)
        self._flusher = task.LoopingCall(self._flush)
        self._flusher.start(self.flush_seconds, now=False)

    def _flush(self) -> None:
        assert self.store is not None
        try:
            self.store.flush()
        except sqlite3.Error:
            # Rows stay buffered and the next flush retries; the loop must keep running.
            logger.exception("writing rows to %s failed; will retry", self.db_path)

    def close_spider(self) -> None:
        if self._flusher is not None and self._flusher.running:
            self._flusher.stop()
        if self.store is not None:
            self.store.close()
        if self.pool is not None:
            self.pool.close()
        if self.store is not None and self.near_duplicates:
            self._update_clusters()
        # CPU spent by the crawl process and, once the pool has shut down, by its workers.
        self.stats.set_value("newsarchive/cpu_seconds/crawl", round(time.process_time(), 2))
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.stats.set_value("newsarchive/cpu_seconds/workers", round(children.ru_utime + children.ru_stime, 2))

    def _update_clusters(self) -> None:
        """The crawl's new and changed articles join their near-duplicate clusters (stats: newsarchive/neardup/...).

        Its CPU is counted on its own too (newsarchive/cpu_seconds/near_duplicates): it is the crawl's end, not per page.
        """
        started = time.process_time()
        try:
            report = update_clusters_at(self.db_path)
        except sqlite3.Error:
            # The rows are stored; the next run (or `newsarchive dedup`) clusters them.
            logger.exception("near-duplicate clusters of %s were not updated", self.db_path)
            self.stats.set_value("newsarchive/neardup/failed", 1)
            return
        for key in ("signed", "presigned", "clusters", "clustered"):
            self.stats.set_value(f"newsarchive/neardup/{key}", getattr(report, key))
        self.stats.set_value("newsarchive/cpu_seconds/near_duplicates", round(time.process_time() - started, 2))

    def spider_closed(self, reason: str) -> None:
        if self.crawl_id is None:
            return
        store = Store(self.db_path)
        try:
            store.finish_crawl(self.crawl_id, self.stats.get_stats(), reason)
            runs = record_site_runs(store.db, self.crawl_id, self.sites, now_iso())
        finally:
            store.close()
        # The run report (newsarchive/crawl/report.py) logs them.
        self.crawler.signals.send_catch_log(sites_recorded, crawl_id=self.crawl_id, runs=runs)

    def _recorded_settings(self) -> dict[str, Any]:
        s = self.crawler.settings
        recorded = {name: s.get(name) for name in RECORDED_SETTINGS}
        recorded.update({k: v for k, v in s.items() if k.startswith("NEWSARCHIVE_")})
        return recorded

    # -- items --------------------------------------------------------------

    async def process_item(self, item: Page) -> dict:
        assert self.policy is not None and self.pool is not None
        if item.outcome == "not_modified":
            self.policy.checked(item.url, self._capture(item).fetched_at, self._capture(item), self._page_fields(item))
            raise NotModifiedPage("not modified (304): the archived capture stands")
        if item.outcome is not None:
            self._page_row(item, item.outcome, item.reason, redirected_to=item.redirected_to)
            raise DROPS.get(item.outcome, PageNotArticle)(f"{item.outcome}: {item.reason}")
        if item.revisit is not None:
            self._record_unchanged(item)
        result = await self.pool.process(item.body, item.url, item.content_type, item.content_encoding)
        recorded = self.policy.record(item.url, result, self._capture(item), self._page_fields(item))
        if recorded.outcome in ("error", "blocked"):
            raise DROPS[recorded.outcome](f"{recorded.outcome}: {result.reason}")
        if recorded.outcome == "duplicate":
            raise DuplicateArticle(f"duplicate: the text of {recorded.original}")
        if recorded.article is None:
            raise PageNotArticle(f"not an article: {result.reason}")
        return recorded.article

    def _count(self, key: str, delta: int) -> None:
        """The outcome policy's reports, as stats: every articles row written counts as newsarchive/articles."""
        self.stats.inc_value("newsarchive/articles" if key in ARTICLE_WRITES else f"newsarchive/{key}", delta)

    def _record_unchanged(self, item: Page) -> None:
        """Same payload as the archived one: keep the rows (and the article text), note the visit."""
        assert self.store is not None and item.revisit is not None
        previous = self.store.page(item.url)
        if previous is None or previous["outcome"] not in ("article", "not_article", "duplicate"):
            return  # nothing settled to keep: extract as usual
        if previous["outcome"] == "article" and self.store.article(item.url) is None:
            return  # its article row is missing (a torn batch of an older version): extract it again
        self._page_row(item, previous["outcome"], previous["reason"])
        raise UnchangedPage("unchanged since the last capture")

    def exchange_archived(self, request: Request, response: Response, capture, revisit) -> None:
        """Rows for the responses no item reports: redirect hops and engine-made requests (robots.txt)."""
        if self.store is None:
            return
        redirect = 300 <= response.status < 400 and b"Location" in response.headers
        if not redirect and request.meta.get(REPORTED):
            return  # the spider yields an item for it
        ok = response.status == 200  # its validators too: the spider asks for robots.txt conditionally
        item = Page(url=response.url, status=response.status, depth=request.meta.get("depth", 0),
                    content_type=_header(response, b"Content-Type"), capture=capture, revisit=revisit,
                    source=self._source_of(request, response.url),
                    etag=_header(response, b"ETag") if ok else None,
                    last_modified=_header(response, b"Last-Modified") if ok else None)
        if not redirect:
            self._page_row(item, "not_article", f"fetched by Scrapy itself ({request.url.rsplit('/', 1)[-1]})")
            return
        location = response.urljoin(_header(response, b"Location") or "")
        chain = [*request.meta.get("redirect_urls", []), request.url]
        self._page_row(item, "redirect", f"{response.status} to {location}", redirected_to=location)
        if location in chain:
            self._mark_loop(chain[chain.index(location):])

    def _source_of(self, request: Request, url: str) -> str | None:
        """The source a response is for: the request's, else (robots.txt, asked for by Scrapy) the one on its host."""
        source = request.meta.get(SOURCE)
        sites = getattr(self.crawler.spider, "sites", None)  # the news spider's sources (crawl/sites.py)
        return source if source is not None or sites is None else sites.name_for(url)

    def _mark_loop(self, urls: list[str]) -> None:
        """Scrapy drops the request that closes a redirect loop as already seen; say what happened."""
        assert self.store is not None and self.policy is not None
        for url in urls:
            row = self.store.page(url)
            if row is not None:
                self._uncount(row)
                self.policy.page(url, "error", f"redirect loop: {' -> '.join(urls)}", PageCapture.of_row(row), row)

    def _uncount(self, row: dict[str, Any]) -> None:
        """A row this run counted per site is about to be written again: it moves bucket, it is not fetched twice."""
        bucket = bucket_of(row["outcome"], row.get("status"), bool(row.get("revisit_record_id")))
        if row.get("crawl_id") == self.crawl_id and bucket is not None:
            self.sites.add(site_of(row["url"], row.get("source")), bucket, -1)

    def _page_row(self, item: Page, outcome: str, reason: str | None, redirected_to: str | None = None) -> None:
        assert self.policy is not None
        self.policy.page(item.url, outcome, reason, self._capture(item), self._page_fields(item, redirected_to))

    def _capture(self, item: Page) -> PageCapture:
        capture, revisit = item.capture, item.revisit
        # An unchanged page points at the earlier response record, but was fetched now.
        fetched_at = (revisit or capture).date if capture else item.fetched_at
        return PageCapture.of_record(capture, item.status, fetched_at, self.crawl_id)

    @staticmethod
    def _page_fields(item: Page, redirected_to: str | None = None) -> dict[str, Any]:
        """The pages columns that are not the capture's."""
        checked = (item.revisit or item.capture).date if item.capture else item.fetched_at
        fields = {"content_type": item.content_type, "depth": item.depth, "referer": item.referer,
                  "redirected_to": redirected_to, "revisit_record_id": item.revisit.record_id if item.revisit else None,
                  "etag": item.etag, "last_modified": item.last_modified, "checked_at": checked}
        if item.source is not None:  # a crawl without sources leaves a page's earlier attribution alone
            fields["source"] = item.source
        return fields


def _header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None
