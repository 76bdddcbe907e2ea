"""The newsarchive Scrapy add-on: our settings' defaults and our components, in one place.

A Scrapy project gets a working archiving crawl from one line in its settings::

    ADDONS = {"newsarchive.crawl.addon.NewsArchive": 0}

The defaults below go in at "addon" priority, so the project's settings
module, ``-s NAME=VALUE`` and a spider's ``custom_settings`` all override
them; the middleware and pipeline are added unless the project already lists
them (with another order, or ``None`` to turn one off).
"""

from __future__ import annotations

from scrapy.settings import BaseSettings

from newsarchive.crawl.capture import WarcCaptureMiddleware
from newsarchive.crawl.decompression import HTTPCOMPRESSION_ORDER, SCRAPY_HTTPCOMPRESSION, DeferredDecompression
from newsarchive.crawl.guard import ArchiveGuard
from newsarchive.crawl.incremental import CONDITIONAL_ORDER, ConditionalRequestMiddleware
from newsarchive.crawl.politeness import RetryAfterMiddleware, RobotsPolicyMiddleware
from newsarchive.crawl.progress import CrawlProgress
from newsarchive.crawl.stopping import PromptStop
from newsarchive.crawl.pipeline import ArchivePipeline
from newsarchive.crawl.report import RunReport
from newsarchive.processing.page import MIN_WORDS

DEFAULTS = {
    # Output folder: DIR/news.db and DIR/warc/*.warc.gz
    "NEWSARCHIVE_DIR": "archive",
    # WARC files rotate once they reach this size.
    "NEWSARCHIVE_WARC_MAX_BYTES": 1_000_000_000,
    "NEWSARCHIVE_WARC_PREFIX": "newsarchive",
    # gzip level 6 costs a quarter less CPU than 9 for nearly the same size.
    "NEWSARCHIVE_WARC_GZIP_LEVEL": 6,
    # Links are followed this many hops from the start pages (sitemap and feed URLs are not followed).
    "NEWSARCHIVE_DEPTH_LIMIT": 3,
    # Rows are written in one transaction per batch, and at least this often.
    "NEWSARCHIVE_DB_BATCH": 100,
    "NEWSARCHIVE_DB_FLUSH_SECONDS": 5.0,
    # Extraction processes; 0 means one per CPU.
    "NEWSARCHIVE_EXTRACT_WORKERS": 0,
    "NEWSARCHIVE_EXTRACT_TIMEOUT": 120.0,
    # Fewer words than this and a page is not an article.
    "NEWSARCHIVE_MIN_WORDS": MIN_WORDS,
    # Sitemaps: how many page URLs to take from one crawl's sitemaps at most.
    "NEWSARCHIVE_SITEMAP_MAX_URLS": 100_000,
    # Sitemap and feed bodies larger than this (after gunzip) are not parsed.
    "NEWSARCHIVE_SITEMAP_MAX_BYTES": 50_000_000,
    # Scope (newsarchive/scope.py): hosts crawled besides the seeds' own, as "host" or "host:port"
    # (subdomains included). Widens hosts only: schemes stay http(s), private addresses stay refused.
    "NEWSARCHIVE_SCOPE_EXTRA_HOSTS": [],
    # Retry-After on 429/503 pauses that host for as long as asked, up to this many seconds;
    # a longer wait is not retried (newsarchive/crawl/politeness.py).
    "NEWSARCHIVE_RETRY_AFTER_MAX": 120.0,
    # A robots.txt answering 5xx (or unreachable) disallows its host for this long, then is fetched again.
    "NEWSARCHIVE_ROBOTS_RETRY_SECONDS": 600.0,
    # Feeds and sitemaps are polled on an adaptive schedule (newsarchive/db/polls.py): a poll finding mostly
    # new URLs halves a listing's interval, one finding none doubles it, within these bounds (seconds).
    "NEWSARCHIVE_POLL_MIN": 900.0,
    "NEWSARCHIVE_POLL_MAX": 86_400.0,
    # At the end of a crawl, log the run report: per site new / updated / unchanged / errors / blocked
    # (newsarchive/crawl/report.py; site_runs is written either way).
    "NEWSARCHIVE_RUN_REPORT": True,
    # A progress line (pages, articles, errors, queue, pages/min) this often; 0 turns it off
    # (then Scrapy's own 60 s LogStats line comes back). newsarchive/crawl/progress.py
    "NEWSARCHIVE_PROGRESS_SECONDS": 10.0,
    # When the crawl ends, its new and changed articles join their near-duplicate clusters
    # (newsarchive/db/clusters.py); off, `newsarchive dedup` does it later, for the whole archive.
    "NEWSARCHIVE_NEAR_DUPLICATES": True,
    # Incremental crawls (newsarchive/db/urlstate.py, crawl/incremental.py): an archived article is not
    # fetched again unless due for a re-check or dated (sitemap, feed) after the archive's last check;
    # listings are asked for with If-None-Match / If-Modified-Since. "all": fetch everything in full.
    "NEWSARCHIVE_REFETCH": "",
    # Sitemap and feed entries dated more than this many days ago are not taken (0: no bound).
    # Undated entries are taken, and so are entries dated in the future.
    "NEWSARCHIVE_MAX_AGE_DAYS": 0,
    # Story versions: articles published (or, undated, first fetched) less than this many days ago
    # are re-checked once each of these times has passed since their first fetch (s, m, h, d).
    "NEWSARCHIVE_REVISIT_YOUNG_DAYS": 3,
    "NEWSARCHIVE_REVISIT_INTERVALS": "1h,6h,24h,72h",
    # A page's validators are trusted this many hours after its last full 200, then it is fetched in full
    # once: a server whose ETag never changes cannot hide a new version for ever (0: always trusted).
    "NEWSARCHIVE_VALIDATORS_MAX_AGE_HOURS": 24,
    # The clock of the revisit and age rules, as ISO date and time; empty: the real one (tests, benches).
    "NEWSARCHIVE_NOW": "",
}

# Above HttpCompressionMiddleware (590): the middleware sees the bytes before they are decoded.
CAPTURE_ORDER = 950
PIPELINE_ORDER = 300
SCRAPY_ROBOTS = "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware"
SCRAPY_RETRY = "scrapy.downloadermiddlewares.retry.RetryMiddleware"
# The archive folder's lock, and tidying up after a killed run, before anything opens its files.
GUARD_ORDER = 0
REPORT_ORDER = 500
# The archive, not Scrapy's seen-set alone, decides what a resumed crawl skips.
DUPEFILTER = "newsarchive.crawl.resume.ResumeDupeFilter"
# Dropped pages and stored articles in one short line each, not the whole item.
LOG_FORMATTER = "newsarchive.crawl.logformatter.ShortLogFormatter"


class NewsArchive:
    """Scrapy add-on: ``ADDONS = {"newsarchive.crawl.addon.NewsArchive": 0}``."""

    def update_settings(self, settings: BaseSettings) -> None:
        for name, value in DEFAULTS.items():
            settings.set(name, value, priority="addon")
        settings.setdefault_in_component_priority_dict("DOWNLOADER_MIDDLEWARES", WarcCaptureMiddleware,
                                                       CAPTURE_ORDER)
        settings.setdefault_in_component_priority_dict("DOWNLOADER_MIDDLEWARES", ConditionalRequestMiddleware,
                                                       CONDITIONAL_ORDER)
        settings.setdefault_in_component_priority_dict("ITEM_PIPELINES", ArchivePipeline, PIPELINE_ORDER)
        # RFC 9309 on unreadable robots.txt, and Retry-After: subclasses in place of Scrapy's own.
        # (The scope middleware is not listed: the news spider always enables it itself.)
        # Pages only handed to extraction are inflated by the worker (crawl/decompression.py).
        for scrapys, ours, order in ((SCRAPY_ROBOTS, RobotsPolicyMiddleware, 100), (SCRAPY_RETRY, RetryAfterMiddleware, 550),
                                     (SCRAPY_HTTPCOMPRESSION, DeferredDecompression, HTTPCOMPRESSION_ORDER)):
            settings.setdefault_in_component_priority_dict("DOWNLOADER_MIDDLEWARES", scrapys, None)
            settings.setdefault_in_component_priority_dict("DOWNLOADER_MIDDLEWARES", ours, order)
        settings.setdefault_in_component_priority_dict("EXTENSIONS", ArchiveGuard, GUARD_ORDER)
        settings.setdefault_in_component_priority_dict("EXTENSIONS", RunReport, REPORT_ORDER)
        settings.set("DUPEFILTER_CLASS", DUPEFILTER, priority="addon")
        settings.set("LOG_FORMATTER", LOG_FORMATTER, priority="addon")
        settings.setdefault_in_component_priority_dict("EXTENSIONS", CrawlProgress, 0)
        settings.setdefault_in_component_priority_dict("EXTENSIONS", PromptStop, 0)
        if settings.getfloat("NEWSARCHIVE_PROGRESS_SECONDS") > 0:
            # Our progress line replaces LogStats' (unless the project set LOGSTATS_INTERVAL itself).
            settings.set("LOGSTATS_INTERVAL", 0, priority="addon")
