"""Running the news spider from Python (the CLI's ``crawl`` and ``demo``), with the project's settings."""

from __future__ import annotations

from pathlib import Path


def run_crawl(directory: Path, start_urls: list[str], sitemaps: list[str], feeds: list[str],
              overrides: dict[str, str], sources: Path | None = None) -> dict:
    """Run the ``news`` spider in this process with the project's settings; return the final stats.

    ``sources``: a sources file (newsarchive/sources.py), whose sites are crawled besides the URLs given.
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
    process.start()
    return crawler.stats.get_stats()
