"""Adaptive polling of feeds and sitemaps in a crawl: skip the listings that are not due yet.

The schedule itself (intervals, "new URL", the ``listing_polls`` table) is
``newsarchive.db.polls``; this is its life in a crawl. It is read when the
spider starts and written when the crawl ends with ``finished``: a killed or
stopped run changes no schedule, so its rerun fetches the same listings
again and finds every entry it had not fetched yet.

A listing is always polled on the first crawl into an archive, when it has no
schedule yet, and with ``NEWSARCHIVE_REFETCH=all``. A sitemap index is always
read (its child sitemaps have their own schedules), and is given none.
"""

from __future__ import annotations

import logging

from scrapy.crawler import Crawler
from sqlite_utils import Database

from newsarchive.archive import ArchiveDir
from newsarchive.db.polls import ListingPolls
from newsarchive.db.store import open_db
from newsarchive.db.urlstate import parse_date

logger = logging.getLogger(__name__)

# request.meta key: the URL of the listing as scheduled (the response's URL may be a redirect's target).
LISTING = "newsarchive_listing"


class ListingSchedule:
    def __init__(self, crawler: Crawler) -> None:
        # Its settings and stats are complete once the crawl starts, after the spider is made.
        self.crawler = crawler
        self.db: Database | None = None
        self.polls = ListingPolls({}, 0.0, 0.0, everything_due=True)
        # Listings not due in this crawl: a link to one is not fetched as a page either.
        self.skipped: set[str] = set()

    def open(self) -> None:
        settings = self.crawler.settings
        minimum, maximum = settings.getfloat("NEWSARCHIVE_POLL_MIN"), settings.getfloat("NEWSARCHIVE_POLL_MAX")
        directory = settings.get("NEWSARCHIVE_DIR")
        # No archive (NEWSARCHIVE_DIR empty, or the pipeline that creates its database is off):
        # every listing is polled, and no schedule is kept.
        if not directory or not ArchiveDir(directory).has_db():
            return
        self.db = open_db(ArchiveDir(directory).db_path)
        refetch_all = str(settings.get("NEWSARCHIVE_REFETCH") or "").lower() == "all"
        # The incremental rules' clock (NEWSARCHIVE_NOW, for tests and benches), else the real one.
        now = parse_date(settings.get("NEWSARCHIVE_NOW") or "")
        self.polls = ListingPolls.load(self.db, minimum, maximum, everything_due=refetch_all, now=now)

    def due(self, url: str) -> bool:
        if self.polls.due(url):
            return True
        if url not in self.skipped:  # a sitemap may be named by robots.txt and an index both
            logger.info("listing %s is not due yet (next poll %s)", url, self.polls.known[url].next_due_at)
            self.skipped.add(url)
            self.crawler.stats.inc_value("newsarchive/listings/not_due")
        return False

    def polled(self, url: str, source: str | None, listed: list[str]) -> None:
        poll = self.polls.observe(self.db, url, source, listed)
        self.crawler.stats.inc_value("newsarchive/listings/polled")
        logger.debug("listing %s: %d URLs, %d new: next poll in %.0f s", url, poll.last_found, poll.last_new,
                     poll.interval_seconds)

    def close(self, reason: str) -> None:
        if self.db is None:
            return
        try:
            if reason == "finished":
                saved = self.polls.save(self.db)
                logger.info("listing schedule: %d listings polled", saved)
            elif self.polls.polled:
                logger.info("crawl ended %s: the listing schedule is left as it was", reason)
        finally:
            self.db.close()
            self.db = None
