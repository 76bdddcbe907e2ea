"""The crawl's scope (``newsarchive.scope``) applied where Scrapy sends requests.

``ScopeMiddleware`` is a downloader middleware at priority 45, before
RobotsTxtMiddleware (100) asks for a host's robots.txt, enabled by the news
spider itself (``NewsSpider.update_settings``): every request goes
through it on its way to the network, whoever made it (the spider, a
redirect, a retry, robots.txt). Unlike Scrapy's OffsiteMiddleware it has no
``dont_filter`` exemption: a retried request (sent again with
``dont_filter=True``) passes it on its redirects too.

For a host given by name it resolves the name first, through Scrapy's caching
resolver, and refuses a private, loopback or link-local answer unless the
seeds are such addresses themselves. The download then connects to the
address in that cache, so a second DNS answer cannot slip in between.
"""

from __future__ import annotations

import logging

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.error import DNSLookupError

from newsarchive.scope import EXPLAINED, Scope

logger = logging.getLogger(__name__)

# Before RobotsTxtMiddleware (100), so an out-of-scope request is refused before its host's
# robots.txt is fetched, and before Scrapy's OffsiteMiddleware (50), which the news spider leaves
# idle (it sets no allowed_domains): this one also checks scheme, port and address, and has no
# dont_filter exemption.
SCOPE_ORDER = 45


class OutOfScope(IgnoreRequest):
    """A request outside the crawl's scope: refused before it reaches the network."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"out of scope: {url} ({EXPLAINED[reason]})")
        self.url = url
        self.reason = reason


def count_refusal(stats, url: str, reason: str, seen: set[tuple[str, str]], level: int = logging.DEBUG) -> None:
    """Stats ``newsarchive/scope/refused/<reason>``, and one log line per host and reason."""
    stats.inc_value(f"newsarchive/scope/refused/{reason}")
    host = url.split("/")[2] if url.count("/") >= 2 else url[:40]
    if (host, reason) not in seen:
        seen.add((host, reason))
        logger.log(level, "not fetching %s: %s (further refusals for %s are only counted)",
                   url, EXPLAINED[reason], host)


class ScopeMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.scope: Scope | None = None
        self._logged: set[tuple[str, str]] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "ScopeMiddleware":
        mw = cls(crawler)
        crawler.signals.connect(mw.spider_opened, signal=signals.spider_opened)
        return mw

    def spider_opened(self, spider: Spider) -> None:
        scope = getattr(spider, "scope", None)
        if not isinstance(scope, Scope):
            # A spider that names no seeds: only the scheme and address rules can apply.
            logger.warning("spider %s has no scope; refusing only non-http(s) URLs", spider.name)
        self.scope = scope

    async def process_request(self, request: Request) -> None:
        url = request.url
        if self.scope is None:
            if urlparse_cached(request).scheme not in ("http", "https"):
                self._refuse(url, "scheme")
            return
        reason = self.scope.refusal(url)
        if reason is None:
            reason = await self._address_refusal(urlparse_cached(request).hostname or "")
        if reason is not None:
            self._refuse(url, reason)

    async def _address_refusal(self, host: str) -> str | None:
        assert self.scope is not None
        if not self.scope.needs_resolving(host):
            return None
        from twisted.internet import reactor

        try:
            address = await maybe_deferred_to_future(reactor.resolve(host))
        except DNSLookupError:
            return None  # the download fails with the same error and records it
        return self.scope.address_refusal(host, address)

    def _refuse(self, url: str, reason: str) -> None:
        count_refusal(self.stats, url, reason, self._logged, level=logging.INFO)
        raise OutOfScope(url, reason)
