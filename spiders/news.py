"""The ``news`` spider: start pages, sitemaps and feeds of news sites.

    scrapy crawl news -a start_urls=https://site.example/
    scrapy crawl news -a sitemap_urls=https://site.example/sitemap.xml
    scrapy crawl news -a feed_urls=https://site.example/rss.xml

Every response becomes a ``Page`` item; the pipeline decides which pages are
articles. From start pages the spider follows links within the start
domains up to NEWSARCHIVE_DEPTH_LIMIT hops, and it reads robots.txt for
sitemaps; pages listed there count as one hop from the start pages. URLs from
sitemaps and feeds given on the command line are fetched, not followed further.

What may be fetched at all is ``newsarchive.scope.Scope``, built from the seeds:
the spider asks it before yielding a request, and ``ScopeMiddleware`` asks it
again for every request that reaches the downloader (redirects, retries,
robots.txt). Meta refreshes are followed here, not by Scrapy's
MetaRefreshMiddleware, so that the refreshing page gets its own ``pages`` row.
"""

from __future__ import annotations

from typing import Any, AsyncIterator, Iterator
from urllib.parse import urlsplit, urlunsplit

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Response
from scrapy.settings import SETTINGS_PRIORITIES, BaseSettings
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.response import get_meta_refresh
from twisted.python.failure import Failure

from newsarchive.crawl.capture import CAPTURE, REPORTED, REVISIT
from newsarchive.crawl.items import Page
from newsarchive.crawl.links import page_links
from newsarchive.crawl.refresh import may_refresh
from newsarchive.crawl.discovery import parse_listing, robots_sitemaps
from newsarchive.crawl.resume import FOLLOW  # link hops still allowed from this page; None: don't follow
from newsarchive.crawl.politeness import RobotsUnavailable
from newsarchive.crawl.scope import SCOPE_ORDER, OutOfScope, ScopeMiddleware, count_refusal
from newsarchive.scope import EXPLAINED, Scope

# Download handlers that read local files or reach other protocols: never available to this spider,
# whatever a settings file says (the scope refuses such URLs before they get this far).
FORBIDDEN_HANDLERS = ("file", "ftp", "s3", "data")
SCOPE_MIDDLEWARE_PATH = f"{ScopeMiddleware.__module__}.{ScopeMiddleware.__name__}"


def split_urls(value: str | list[str] | None) -> list[str]:
    if not value:
        return []
    if isinstance(value, str):
        value = value.split(",")
    return [url.strip() for url in value if url.strip()]


class NewsSpider(Spider):
    name = "news"

    def __init__(self, start_urls: str = "", sitemap_urls: str = "", feed_urls: str = "", *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.start_urls = split_urls(start_urls)
        self.sitemap_urls = split_urls(sitemap_urls)
        self.feed_urls = split_urls(feed_urls)
        every = self.start_urls + self.sitemap_urls + self.feed_urls
        if not every:
            raise ValueError("give -a start_urls=URL[,URL…], -a sitemap_urls=… or -a feed_urls=…")
        bad = [url for url in every if urlsplit(url).scheme not in ("http", "https")]
        if bad:
            raise ValueError(f"not http(s) URLs: {', '.join(bad)}")
        self.scope = Scope(every)
        self._refusals_logged: set[tuple[str, str]] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> "NewsSpider":
        spider = super().from_crawler(crawler, *args, **kwargs)
        extra = crawler.settings.getlist("NEWSARCHIVE_SCOPE_EXTRA_HOSTS")
        spider.scope = Scope(spider.start_urls + spider.sitemap_urls + spider.feed_urls, extra)
        return spider

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        super().update_settings(settings)
        handlers = settings.getdict("DOWNLOAD_HANDLERS")
        handlers.update(dict.fromkeys(FORBIDDEN_HANDLERS))
        _insist(settings, "DOWNLOAD_HANDLERS", handlers)
        # The scope is no default to turn off: its middleware runs whatever DOWNLOADER_MIDDLEWARES says.
        middlewares = {key: order for key, order in settings.getdict("DOWNLOADER_MIDDLEWARES").items()
                       if key is not ScopeMiddleware and key != SCOPE_MIDDLEWARE_PATH}
        _insist(settings, "DOWNLOADER_MIDDLEWARES", {**middlewares, SCOPE_MIDDLEWARE_PATH: SCOPE_ORDER})
        # parse_page follows meta refreshes itself (Scrapy's middleware would drop the page's row).
        _insist(settings, "METAREFRESH_ENABLED", False)

    async def start(self) -> AsyncIterator[Request]:
        depth = self.settings.getint("NEWSARCHIVE_DEPTH_LIMIT")
        for url in self.start_urls:
            yield self.request(url, self.parse_page, follow_depth=depth)
        # Sitemaps found in robots.txt count as one hop from the start pages (their pages follow
        # links too), so a depth limit of 0 fetches the start pages alone.
        robots = sorted({_robots_url(u) for u in self.start_urls}) if depth > 0 else []
        for url in robots:
            yield self.request(url, self.parse_robots, follow_depth=depth, meta={"dont_obey_robotstxt": True})
        for url in self.sitemap_urls:
            yield self.request(url, self.parse_listing)
        for url in self.feed_urls:
            yield self.request(url, self.parse_listing)

    def request(self, url: str, callback, follow_depth: int | None = None, meta: dict | None = None) -> Request:
        # REPORTED: this spider yields an item for the request's final response or failure.
        # Priority by remaining hops: a page reached first through a short path keeps its
        # links; the duplicate filter would drop the same URL arriving later with more hops left.
        return Request(url, callback=callback, errback=self.failed, priority=follow_depth or 0,
                       meta={REPORTED: True, FOLLOW: follow_depth, **(meta or {})})

    # -- callbacks ----------------------------------------------------------

    def parse_page(self, response: Response) -> Iterator[Page | Request]:
        depth = response.meta.get(FOLLOW)
        refresh = self._meta_refresh(response)
        if refresh is not None:
            yield from self._follow_refresh(response, refresh, depth)
            return
        yield self.page_item(response)
        if depth and isinstance(response, HtmlResponse):
            for url in page_links(response):  # LinkExtractor()'s URLs, at a fraction of its cost
                if self.in_scope(url):
                    yield self.request(url, self.parse_page, follow_depth=depth - 1)

    def in_scope(self, url: str, sitemap: str | None = None) -> bool:
        """The crawl's one scope rule; a refusal is counted (and logged once per host)."""
        reason = self.scope.refusal(url, sitemap=sitemap)
        if reason is not None:
            count_refusal(self.crawler.stats, url, reason, self._refusals_logged)
        return reason is None

    def _meta_refresh(self, response: Response) -> str | None:
        """Where a ``<meta http-equiv=refresh>`` sends the browser soon (as Scrapy's middleware decides)."""
        if not isinstance(response, HtmlResponse) or not may_refresh(response):  # saves decoding the body
            return None
        interval, url = get_meta_refresh(response, ignore_tags=self.settings.getlist("METAREFRESH_IGNORE_TAGS"))
        if url is None or interval >= self.settings.getint("METAREFRESH_MAXDELAY"):
            return None
        return url

    def _follow_refresh(self, response: Response, url: str, depth: int | None) -> Iterator[Page | Request]:
        # A refresh is a redirect, not a link: the target keeps the hops this page had.
        refusal = self.scope.refusal(url)
        reason = f"meta refresh to {url}" + (f" (not followed: {EXPLAINED[refusal]})" if refusal else "")
        yield self.page_item(response, outcome="redirect", reason=reason, redirected_to=url)
        if self.in_scope(url):
            yield self.request(url, self.parse_page, follow_depth=depth)

    def parse_robots(self, response: Response) -> Iterator[Page | Request]:
        sitemaps = robots_sitemaps(response.body, response.url)
        yield self.page_item(response, outcome="not_article", reason=f"robots.txt: {len(sitemaps)} sitemaps")
        for url in sitemaps:
            if self.in_scope(url):
                yield self.request(url, self.parse_listing, follow_depth=response.meta.get(FOLLOW))

    def parse_listing(self, response: Response) -> Iterator[Page | Request]:
        found = parse_listing(
            response.body, response.url,
            max_urls=self._sitemap_budget(),
            max_bytes=self.settings.getint("NEWSARCHIVE_SITEMAP_MAX_BYTES"),
        )
        yield self.page_item(response, outcome="not_article", reason=found.describe())
        depth = response.meta.get(FOLLOW)
        # The sitemaps protocol: a sitemap lists URLs of its own scheme, host and port only.
        sitemap = response.url if found.kind in ("sitemapindex", "urlset") else None
        urls = [url for url in found.urls if self.in_scope(url, sitemap=sitemap)]
        if found.kind == "sitemapindex":
            for url in urls:
                yield self.request(url, self.parse_listing, follow_depth=depth)
            return
        self.crawler.stats.inc_value("newsarchive/discovered_urls", len(found.urls))
        for url in urls:
            yield self.request(url, self.parse_page, follow_depth=depth - 1 if depth else None)

    def _sitemap_budget(self) -> int:
        limit = self.settings.getint("NEWSARCHIVE_SITEMAP_MAX_URLS")
        used = self.crawler.stats.get_value("newsarchive/discovered_urls", 0)
        return max(limit - used, 0)

    def failed(self, failure: Failure) -> Iterator[Page]:
        """Network errors, HTTP errors, robots.txt refusals: each still becomes a pages row."""
        request = failure.request
        status, capture, revisit, content_type = None, None, None, None
        if failure.check(HttpError):
            response = failure.value.response
            status, capture, revisit = response.status, request.meta.get(CAPTURE), request.meta.get(REVISIT)
            content_type = _content_type(response)
            outcome, reason = "error", f"HTTP {response.status}"
        elif failure.check(OutOfScope):
            # Reached the downloader (a redirect, a retry's redirect) and was refused there.
            outcome, reason = "out_of_scope", EXPLAINED[failure.value.reason]
        elif failure.check(RobotsUnavailable):
            outcome, reason = "robots", str(failure.value)
        elif failure.check(IgnoreRequest) and "robots.txt" in str(failure.value):
            outcome, reason = "robots", "disallowed by robots.txt"
        else:
            outcome, reason = "error", f"{failure.type.__name__}: {failure.value}"
        yield Page(url=request.url, status=status, outcome=outcome, reason=reason, content_type=content_type,
                   depth=request.meta.get("depth", 0), referer=_referer(request), capture=capture,
                   revisit=revisit)

    # -- items --------------------------------------------------------------

    def page_item(self, response: Response, outcome: str | None = None, reason: str | None = None,
                  redirected_to: str | None = None) -> Page:
        return Page(
            url=response.url,
            status=response.status,
            outcome=outcome,
            reason=reason,
            content_type=_content_type(response),
            body=response.body,
            depth=response.meta.get("depth", 0),
            referer=_referer(response.request),
            capture=response.meta.get(CAPTURE),
            revisit=response.meta.get(REVISIT),
            redirected_to=redirected_to,
        )


def _insist(settings: BaseSettings, name: str, value: Any) -> None:
    """Set ``name`` at spider priority or above whatever set it: ``-s`` cannot undo it, and neither can
    ``scrapy crawl``, which applies the project's settings again after ``update_settings``."""
    priority = max(settings.getpriority(name) or 0, SETTINGS_PRIORITIES["spider"])
    settings.set(name, value, priority=priority)


def _content_type(response: Response) -> str | None:
    value = response.headers.get(b"Content-Type")
    return value.decode("latin-1") if value else None


def _referer(request: Request | None) -> str | None:
    value = request.headers.get(b"Referer") if request is not None else None
    return value.decode("latin-1") if value else None


def _robots_url(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/robots.txt", "", ""))
