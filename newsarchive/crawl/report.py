"""The run report at the end of ``scrapy crawl``: per site, what the run fetched and what became of it.

One compact table (new / updated / unchanged / not_article / errors / blocked,
median words) instead of a stats dump, logged once the pipeline has written
the run's ``site_runs`` rows (newsarchive/db/health.py). At INFO, or at
WARNING when a site is flagged (a bot wall, a fall in article yield or length),
so ``LOG_LEVEL=WARNING`` still shows the sites that need a look.
``newsarchive crawl`` prints the same table itself and turns this one off.
"""

from __future__ import annotations

import logging

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from newsarchive.crawl.signals import sites_recorded
from newsarchive.db.health import SiteRun, format_run_report

logger = logging.getLogger(__name__)


class RunReport:
    """Scrapy extension, enabled by the add-on; ``-s NEWSARCHIVE_RUN_REPORT=False`` turns it off."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "RunReport":
        if not crawler.settings.getbool("NEWSARCHIVE_RUN_REPORT"):
            raise NotConfigured("NEWSARCHIVE_RUN_REPORT is off")
        report = cls()
        crawler.signals.connect(report.sites_recorded, signal=sites_recorded)
        return report

    def sites_recorded(self, crawl_id: int, runs: list[SiteRun]) -> None:
        flagged = any(run.flags for run in runs)
        logger.log(logging.WARNING if flagged else logging.INFO, "%s", format_run_report(runs, crawl_id))
