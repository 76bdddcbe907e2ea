"""Extension: one progress line every NEWSARCHIVE_PROGRESS_SECONDS while a crawl runs.

    Progress: 120 pages fetched (45 pages/min), 80 articles, 3 errors, 210 queued

It takes the place of Scrapy's LogStats line (every 60 s, pages and items
only; the add-on turns that off while this one is on). The numbers come from
the crawl's stats, so they are those of the end-of-crawl summary:
``downloader/response_count`` (pages fetched), ``newsarchive/articles``
(articles rows written), ``newsarchive/pages/error`` (pages rows with outcome
``error``), and the queue: requests waiting in the scheduler (enqueued minus
dequeued) plus those the downloader holds (Scrapy hands it up to
CONCURRENT_REQUESTS at once, most of them waiting for the site's delay).

The line goes to this module's logger at INFO. ``newsarchive crawl`` shows
it even when Scrapy's own log is quieter than INFO (see
newsarchive/crawl/runner.py); with ``scrapy crawl`` it follows LOG_LEVEL.
"""

from __future__ import annotations

import logging
import time
from typing import Any, Callable

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.utils.asyncio import create_looping_call

logger = logging.getLogger(__name__)


def progress_fields(stats: dict[str, Any], in_downloader: int = 0) -> dict[str, int]:
    """What a progress line reports, from a crawl's stats and the number of requests in the downloader."""
    scheduled = max(stats.get("scheduler/enqueued", 0) - stats.get("scheduler/dequeued", 0), 0)
    return {
        "pages": stats.get("downloader/response_count", 0),
        "articles": stats.get("newsarchive/articles", 0),
        "errors": stats.get("newsarchive/pages/error", 0),
        "queued": scheduled + in_downloader,
    }


class CrawlProgress:
    def __init__(self, stats, interval: float, in_downloader: Callable[[], int] = lambda: 0) -> None:
        self.stats = stats
        self.interval = interval
        self.in_downloader = in_downloader
        self.task = None
        self._last: tuple[float, int] | None = None  # (monotonic time, pages) at the last line

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "CrawlProgress":
        interval = crawler.settings.getfloat("NEWSARCHIVE_PROGRESS_SECONDS")
        if interval <= 0:
            raise NotConfigured("NEWSARCHIVE_PROGRESS_SECONDS is 0: no progress lines")
        progress = cls(crawler.stats, interval, lambda: _in_downloader(crawler))
        crawler.signals.connect(progress.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(progress.spider_closed, signal=signals.spider_closed)
        return progress

    def spider_opened(self) -> None:
        self._last = (time.monotonic(), 0)
        self.task = create_looping_call(self.log)
        # Not at once: at the start every count is 0.
        self.task.start(self.interval, now=False)

    def log(self) -> None:
        fields = progress_fields(self.stats.get_stats(), self.in_downloader())
        now = time.monotonic()
        since, pages_then = self._last or (now, 0)
        self._last = (now, fields["pages"])
        rate = (fields["pages"] - pages_then) * 60 / (now - since) if now > since else 0
        logger.info("Progress: %(pages)d pages fetched (%(rate)d pages/min), %(articles)d articles, "
                    "%(errors)d errors, %(queued)d queued", {**fields, "rate": round(rate)})

    def spider_closed(self) -> None:
        if self.task is not None and self.task.running:
            self.task.stop()


def _in_downloader(crawler: Crawler) -> int:
    engine = crawler.engine  # built after the extensions: looked up when a line is due
    return len(engine.downloader.active) if engine is not None else 0
