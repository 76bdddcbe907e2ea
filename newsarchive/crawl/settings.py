"""Scrapy settings for the newsarchive project (``scrapy.cfg`` points here).

Polite by default: robots.txt is obeyed, AutoThrottle adapts to the server,
and each domain gets a small number of parallel requests. Plain Scrapy
settings given with ``-s`` still override all of it.
"""

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

# newsarchive's own settings (NEWSARCHIVE_*), their defaults, the WARC capture middleware and
# the archive pipeline all come from the add-on (newsarchive/crawl/addon.py).
ADDONS = {
    "newsarchive.crawl.addon.NewsArchive": 0,
}

LOG_LEVEL = "INFO"
FEED_EXPORT_ENCODING = "utf-8"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
