"""Running the news spider from Python (the CLI's ``crawl`` and ``demo``), with the project's settings."""

from __future__ import annotations

import logging
import multiprocessing
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

# Loggers whose INFO lines ``newsarchive crawl`` shows whatever Scrapy's LOG_LEVEL: the progress line.
ALWAYS_SHOWN = ("newsarchive.crawl.progress",)


def run_crawl(directory: Path, start_urls: list[str], sitemaps: list[str], feeds: list[str],
              overrides: dict[str, str], sources: Path | None = None) -> dict:
    """Run the ``news`` spider in this process with the project's settings; return the final stats.

    ``sources``: a sources file (newsarchive/sources.py), whose sites are crawled besides the URLs given.
    The stats hold no ``finish_reason`` when the crawl did not start, or was stopped at once
    (a second Ctrl-C).
    """
    # Imported here: Scrapy picks its reactor when it starts, and other commands don't need it.
    from scrapy.crawler import CrawlerProcess
    from scrapy.settings import Settings

    from spiders.news import NewsSpider

    settings = Settings()
    settings.setmodule("newsarchive.crawl.settings", priority="project")
    settings.update({"NEWSARCHIVE_DIR": str(directory), **overrides}, priority="cmdline")
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(NewsSpider)
    process.crawl(crawler, start_urls=",".join(start_urls), sitemap_urls=",".join(sitemaps),
                  feed_urls=",".join(feeds), sources=str(sources or ""))
    with progress_shown(settings.get("LOG_LEVEL")):
        process.start()
    try:
        stats = crawler.stats.get_stats()
    except RuntimeError:  # the crawler was never built (its failure is logged)
        return {}
    if "finish_reason" not in stats:
        stop_workers()
    return stats


def stop_workers() -> None:
    """After a stop at once (a second Ctrl-C) the spider never closed, nor did its extraction pool.

    Python would wait at exit for the workers to finish what they were given; they are stopped
    instead, as a kill would. (Their pages have no rows: the next run, resuming, fetches them again.)
    """
    for child in multiprocessing.active_children():
        child.terminate()


@contextmanager
def progress_shown(level: str | int) -> Iterator[None]:
    """Progress lines go to stderr even when Scrapy logs only warnings (the CLI's default).

    With LOG_LEVEL at INFO or below, Scrapy's own handler shows them already.
    """
    number = logging.getLevelName(level.upper()) if isinstance(level, str) else level
    if not isinstance(number, int) or number <= logging.INFO:
        yield
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%H:%M:%S"))
    loggers = [logging.getLogger(name) for name in ALWAYS_SHOWN]
    saved = [(lg.level, lg.propagate) for lg in loggers]
    for lg in loggers:
        lg.addHandler(handler)
        lg.setLevel(logging.INFO)
        lg.propagate = False
    try:
        yield
    finally:
        for lg, (level_before, propagate) in zip(loggers, saved):
            lg.removeHandler(handler)
            lg.setLevel(level_before)
            lg.propagate = propagate
