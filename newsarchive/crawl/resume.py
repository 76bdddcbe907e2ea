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
re-extraction (the pipeline's unchanged rule).

That is the rule of a full recrawl (``NEWSARCHIVE_REFETCH=all``). By
default a crawl is incremental (``newsarchive.db.urlstate``): any article the
archive holds is not fetched again unless it is due for a re-check, which
covers what a resume skips and more. Either way the duplicate filter asks the
database, one query per request, so memory stays flat however many URLs the
archive knows.
"""

from __future__ import annotations

import logging

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.dupefilters import RFPDupeFilter
from scrapy.utils.job import job_dir

from newsarchive.archive import ArchiveDir
from newsarchive.crawl.incremental import LISTED, SEED, Incremental
from newsarchive.db.runs import resumed_crawls
from newsarchive.db.store import open_db
from newsarchive.db.urlstate import UrlState, parse_date

logger = logging.getLogger(__name__)

# request.meta key: link hops still allowed from the page; None: its links are not followed.
FOLLOW = "newsarchive_follow_depth"


def crawl_seeds(spider: Spider) -> list[str]:
    """Every seed a run was given: start pages, sitemaps and feeds (what ``crawls.start_urls`` holds)."""
    return [url for attr in ("start_urls", "sitemap_urls", "feed_urls") for url in getattr(spider, attr, [])]


class ResumeDupeFilter(RFPDupeFilter):
    """Scrapy's duplicate filter, plus the archive's say: what it already holds is not fetched again."""

    def __init__(self, path: str | None = None, debug: bool = False, *, fingerprinter=None,
                 state: UrlState | None = None, resumed: tuple[int, ...] = (),
                 incremental: Incremental = Incremental(), stats=None) -> None:
        super().__init__(path, debug, fingerprinter=fingerprinter)
        self.state = state
        self.resumed = frozenset(resumed)
        self.incremental = incremental
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "ResumeDupeFilter":
        directory = crawler.settings.get("NEWSARCHIVE_DIR")
        archive = ArchiveDir(directory) if directory else None
        incremental = Incremental.from_settings(crawler.settings)
        resumed: list[int] = []
        state = None
        if archive is not None and archive.has_db() and crawler.spider is not None:
            db = open_db(archive.db_path)  # migrated here, before anything reads its new columns
            try:
                resumed = resumed_crawls(db, crawler.spider.name, crawl_seeds(crawler.spider))
            finally:
                db.close()
            state = incremental.url_state(archive.db_path)
            if resumed:
                logger.info("resuming crawls %s: the pages they stored are not fetched again",
                            ", ".join(map(str, resumed)))
                crawler.stats.set_value("newsarchive/resume/crawls", resumed)
        return cls(job_dir(crawler.settings), crawler.settings.getbool("DUPEFILTER_DEBUG"),
                   fingerprinter=crawler.request_fingerprinter, state=state, resumed=tuple(resumed),
                   incremental=incremental, stats=crawler.stats)

    def close(self, reason: str) -> None:
        if self.state is not None:
            self.state.close()
        super().close(reason)

    def request_seen(self, request: Request) -> bool:
        if self.request_fingerprint(request) in self.fingerprints:
            return True
        if self.state is not None:
            skip = self._resumed_leaf(request) if self.incremental.refetch_all else self._known(request)
            if skip and self.resumed:
                found = self.state.find(request.url)
                if found is not None and found.crawl_id in self.resumed:
                    self._count("newsarchive/resume/skipped")
            if skip:
                # Not remembered as seen: the same URL may come again with a reason to fetch it
                # (a sitemap dating it after the archive's last check, after a plain link to it).
                return True
        return super().request_seen(request)

    def _resumed_leaf(self, request: Request) -> bool:
        """A full recrawl resumes: a page the resumed runs stored that leads nowhere is not fetched again."""
        if not self.resumed or request.meta.get(FOLLOW):
            return False
        found = self.state.find(request.url)
        return found is not None and found.settled and found.crawl_id in self.resumed

    def _known(self, request: Request) -> bool:
        """An incremental crawl: the archive's rule (``UrlState.decide``) says whether to fetch."""
        listed = parse_date(request.meta.get(LISTED))
        decision = self.state.decide(request.url, self.incremental.now(), listed=listed,
                                     seed=bool(request.meta.get(SEED)))
        if decision.reason in ("listed_newer", "revisit_due"):
            self._count(f"newsarchive/incremental/{decision.reason}")
        if not decision.fetch:
            self._count("newsarchive/incremental/skipped")
        return not decision.fetch

    def _count(self, key: str) -> None:
        if self.stats is not None:
            self.stats.inc_value(key)
