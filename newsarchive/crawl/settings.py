"""Scrapy settings for newsarchive (``scrapy.cfg`` points here).

Polite by default: robots.txt is obeyed, AutoThrottle adapts to the server,
and each domain gets a small number of parallel requests. Plain Scrapy
settings given with ``-s`` still override all of it.
"""

# --- newsarchive's own settings, with their defaults -----------------------
NEWSARCHIVE_DEFAULTS = {
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
    "NEWSARCHIVE_MIN_WORDS": 80,
    # Lines seen on many pages of one site are template furniture.
    "NEWSARCHIVE_LEARN_BOILERPLATE": True,
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
}
globals().update(NEWSARCHIVE_DEFAULTS)

# --- Scrapy ----------------------------------------------------------------
BOT_NAME = "newsarchive"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"
USER_AGENT = "newsarchive/0.1 (news archiver; +https://pypi.org/project/scrapy/)"

ROBOTSTXT_OBEY = True
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
CONCURRENT_REQUESTS = 32
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_DELAY = 0.5
# One stalled server otherwise holds a slot for Scrapy's default 180 s.
DOWNLOAD_TIMEOUT = 30
# A bigger response is cancelled and recorded as an error instead of filling memory.
DOWNLOAD_MAXSIZE = 100 * 1024 * 1024
DOWNLOAD_WARNSIZE = 16 * 1024 * 1024
TELNETCONSOLE_ENABLED = False
# Each response yields one item; 100 concurrent item tasks only cost CPU.
CONCURRENT_ITEMS = 4
REDIRECT_MAX_TIMES = 10
RETRY_TIMES = 2

DOWNLOADER_MIDDLEWARES = {
    # (newsarchive.crawl.scope.ScopeMiddleware is not listed: the news spider always enables it.)
    # RFC 9309 on unreadable robots.txt, Retry-After: subclasses in place of Scrapy's own.
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "newsarchive.crawl.politeness.RobotsPolicyMiddleware": 100,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "newsarchive.crawl.politeness.RetryAfterMiddleware": 550,
    # Above HttpCompressionMiddleware (590): sees the bytes before they are decoded.
    "newsarchive.crawl.capture.WarcCaptureMiddleware": 950,
}
ITEM_PIPELINES = {
    "newsarchive.crawl.pipeline.ArchivePipeline": 300,
}

LOG_LEVEL = "INFO"
FEED_EXPORT_ENCODING = "utf-8"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
