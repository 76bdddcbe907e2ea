"""Extension: a crawl told to stop (Ctrl-C, SIGTERM) stops promptly, and says how to resume.

Scrapy's graceful stop takes no more requests from the scheduler, but it
still downloads every request the engine had already handed to the
downloader: up to CONCURRENT_REQUESTS (32) of them, queued per site behind
DOWNLOAD_DELAY and AutoThrottle's delay. On one site that is most of a small
crawl's queue and 20 s or more after Ctrl-C.

This extension notices the stop (the engine no longer runs while the spider
is open; Scrapy sends no signal for it) and takes back the requests still
waiting in the downloader's queues: each goes back to the scheduler (saved
with JOBDIR, so a resume fetches it) and its download ends with
``NotFetched``, for which the spider records nothing. Transfers under way
finish, and their pages are archived as usual. The crawl ends with reason
``shutdown``, which the next run of the same command resumes
(newsarchive/db/runs.py, newsarchive/crawl/resume.py). A second Ctrl-C is
Scrapy's: it stops the reactor at once (the run is then ``interrupted``).
"""

from __future__ import annotations

import logging

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http.request import NO_CALLBACK
from scrapy.utils.asyncio import create_looping_call
from twisted.python.failure import Failure

logger = logging.getLogger(__name__)

# How often the engine is looked at: the stop is noticed within this time.
WATCH_SECONDS = 0.2
RESUME_HINT = "run the same command again to resume (pages already stored are not fetched again)"


class NotFetched(IgnoreRequest):
    """The crawl stopped before this request was sent: it is back in the scheduler, and has no outcome."""


class PromptStop:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.task = None
        self._seen_running = False
        self._stopped = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "PromptStop":
        stop = cls(crawler)
        crawler.signals.connect(stop.engine_started, signal=signals.engine_started)
        crawler.signals.connect(stop.spider_closed, signal=signals.spider_closed)
        return stop

    def engine_started(self) -> None:
        self.task = create_looping_call(self.watch)
        self.task.start(WATCH_SECONDS, now=False)

    def watch(self) -> None:
        engine = self.crawler.engine
        if engine is None or engine.spider is None:
            return
        if engine.running:
            self._seen_running = True
        elif self._seen_running and not self._stopped:
            self._stopped = True
            self.take_back_queued()

    def take_back_queued(self) -> None:
        """Requests waiting in the downloader go back to the scheduler instead of being fetched."""
        engine = self.crawler.engine
        waiting = []
        for slot in engine.downloader.slots.values():
            while slot.queue:
                waiting.append(slot.queue.popleft())
        for request, download in waiting:
            if request.callback is not NO_CALLBACK:
                # Already seen by the duplicate filter: put back past it. (NO_CALLBACK: a component's own
                # download, robots.txt, which is asked for again when needed, never scheduled.)
                engine.crawl(request.replace(dont_filter=True))
            download.errback(Failure(NotFetched("the crawl stopped before this request was sent")))
        in_flight = len(engine.downloader.active) - len(waiting)
        self.crawler.stats.set_value("newsarchive/stop/not_fetched", len(waiting))
        logger.warning("Stopping: %d queued requests not fetched, %d downloads in progress finish first "
                       "(Ctrl-C again stops at once)", len(waiting), max(in_flight, 0))

    def spider_closed(self, reason: str) -> None:
        if self.task is not None and self.task.running:
            self.task.stop()
        if reason == "shutdown":
            logger.info("Crawl stopped before the end: %s", RESUME_HINT)
