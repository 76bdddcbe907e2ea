"""What a crawl run again after a kill (or Ctrl-C) skips: the archive decides, not Scrapy's seen-set.

"The same command" is the same spider and seeds (start URLs, sitemaps,
feeds) into the same archive folder (newsarchive/db/runs.py:
``resumed_crawls``). Running it again after that command was killed or
stopped starts from the seeds again (with JOBDIR, ArchiveGuard has
discarded a killed run's seen-set and queue), and every page is fetched
again *except* pages that lead nowhere and are already stored:

- the request follows no links (no link hops left, ``FOLLOW`` falsy), so
  refetching it could discover nothing, and
- the crawls being resumed stored its page as an article (with its
  ``articles`` row) or a duplicate.

Listing pages, sitemaps and robots.txt are always fetched again, as they are
how the rest is found; so is anything whose row is an error, a redirect, or
a page whose ``articles`` row is missing (a torn batch of an older version).
Pages fetched again whose payload is unchanged cost a revisit record and no
re-extraction (the pipeline's unchanged rule). An incremental recrawl (a
later, finished crawl of the same seeds) resumes nothing: that is its own
policy's business.
"""

from __future__ import annotations

import logging
from typing import Iterable

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.dupefilters import RFPDupeFilter
from scrapy.utils.job import job_dir

from newsarchive.archive import ArchiveDir
from newsarchive.db.runs import resumed_crawls, stored_leaves
from newsarchive.db.store import open_db

logger = logging.getLogger(__name__)

# request.meta key: link hops still allowed from the page; None: its links are not followed.
FOLLOW = "newsarchive_follow_depth"


def crawl_seeds(spider: Spider) -> list[str]:
    """Every seed a run was given: start pages, sitemaps and feeds (what ``crawls.start_urls`` holds)."""
    return [url for attr in ("start_urls", "sitemap_urls", "feed_urls") for url in getattr(spider, attr, [])]


class ResumeDupeFilter(RFPDupeFilter):
    """Scrapy's duplicate filter, plus: on a resume, stored pages that lead nowhere are not fetched again."""

    def __init__(self, path: str | None = None, debug: bool = False, *, fingerprinter=None,
                 stored: Iterable[str] = (), stats=None) -> None:
        super().__init__(path, debug, fingerprinter=fingerprinter)
        self.stored = frozenset(stored)
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "ResumeDupeFilter":
        directory = crawler.settings.get("NEWSARCHIVE_DIR")
        archive = ArchiveDir(directory) if directory else None
        stored: set[str] = set()
        if archive is not None and archive.has_db() and crawler.spider is not None:
            db = open_db(archive.db_path)
            try:
                resumed = resumed_crawls(db, crawler.spider.name, crawl_seeds(crawler.spider))
                stored = stored_leaves(db, resumed)
            finally:
                db.close()
            if resumed:
                logger.info("resuming crawls %s: %d stored pages are not fetched again",
                            ", ".join(map(str, resumed)), len(stored))
                crawler.stats.set_value("newsarchive/resume/crawls", resumed)
        return cls(job_dir(crawler.settings), crawler.settings.getbool("DUPEFILTER_DEBUG"),
                   fingerprinter=crawler.request_fingerprinter, stored=stored, stats=crawler.stats)

    def request_seen(self, request: Request) -> bool:
        if super().request_seen(request):
            return True
        if not request.meta.get(FOLLOW) and request.url in self.stored:
            if self.stats is not None:
                self.stats.inc_value("newsarchive/resume/skipped")
            return True
        return False
