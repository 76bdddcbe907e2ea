"""The ``news`` spider: start pages, sitemaps and feeds of news sites.

    scrapy crawl news -a start_urls=https://site.example/
    scrapy crawl news -a sitemap_urls=https://site.example/sitemap.xml
    scrapy crawl news -a feed_urls=https://site.example/rss.xml
    scrapy crawl news -a sources=sources.toml

Every response becomes a ``Page`` item; the pipeline decides which pages are
articles. From start pages the spider follows links within the start
domains up to NEWSARCHIVE_DEPTH_LIMIT hops, and it reads robots.txt for
sitemaps and the start pages' ``<link rel="alternate">`` for feeds (unless the
sources file or the command line names them); pages listed there count as one
hop from the start pages. URLs from sitemaps and feeds given on the command
line are fetched, not followed further. A sources file (newsarchive/sources.py,
newsarchive/crawl/sites.py) names many sites, each with its own politeness;
feeds and sitemaps are polled on an adaptive schedule (newsarchive/crawl/listings.py).

Into an archive that already holds pages the crawl is incremental
(``newsarchive.db.urlstate``, ``crawl/incremental.py``): the seeds are always
fetched, sitemap and feed entries carry their dates (``meta[LISTED]``) and
those older than NEWSARCHIVE_MAX_AGE_DAYS are not taken, and a 304 arrives
here with the archived copy, whose links are followed as if it were fetched.

What may be fetched at all is ``newsarchive.scope.Scope``, built from the seeds:
the spider asks it before yielding a request, and ``ScopeMiddleware`` asks it
again for every request that reaches the downloader (redirects, retries,
robots.txt). Meta refreshes are followed here, not by Scrapy's
MetaRefreshMiddleware, so that the refreshing page gets its own ``pages`` row.
"""

from __future__ import annotations

import logging
from typing import Any, AsyncIterator, Iterator
from urllib.parse import urlsplit, urlunsplit

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Response
from scrapy.settings import SETTINGS_PRIORITIES, BaseSettings
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.conf import build_component_list
from scrapy.utils.misc import load_object
from scrapy.utils.response import get_meta_refresh
from twisted.python.failure import Failure

from newsarchive.crawl.capture import CAPTURE, REPORTED, REVISIT
from newsarchive.crawl.decompression import DECODE_LATER, ENCODED, decoded, may_refresh_encoded
from newsarchive.crawl.items import Page
from newsarchive.crawl.links import page_links
from newsarchive.crawl.refresh import may_refresh
from newsarchive.crawl.discovery import FEED_TYPES, alternate_feeds, parse_listing, robots_sitemaps
from newsarchive.crawl.listings import LISTING, ListingSchedule
from newsarchive.crawl.signals import robots_fetched
from newsarchive.crawl.sites import DISCOVER_FEEDS, SOURCE, Sites
from newsarchive.crawl.discovery import parse_listing, robots_sitemaps
from newsarchive.crawl.incremental import LISTED, NOT_MODIFIED, SEED, Incremental
from newsarchive.crawl.resume import FOLLOW  # link hops still allowed from this page; None: don't follow
from newsarchive.crawl.politeness import RobotsPolicyMiddleware, RobotsUnavailable
from newsarchive.crawl.refusal import refused
from newsarchive.crawl.stopping import NotFetched
from newsarchive.crawl.scope import SCOPE_ORDER, OutOfScope, ScopeMiddleware, count_refusal
from newsarchive.processing.blocked import blocked_reason
from newsarchive.scope import EXPLAINED, Scope
from newsarchive.seeds import BadSeed, seed_url
from newsarchive.sources import SourcesError

# Download handlers that read local files or reach other protocols: never available to this spider,
# whatever a settings file says (the scope refuses such URLs before they get this far).
FORBIDDEN_HANDLERS = ("file", "ftp", "s3", "data")
SCOPE_MIDDLEWARE_PATH = f"{ScopeMiddleware.__module__}.{ScopeMiddleware.__name__}"

logger = logging.getLogger(__name__)


def _checked_seeds(urls: list[str]) -> list[str]:
    """Seeds as newsarchive/seeds.py reads them (``www.example.com`` is https://…); a bad one stops the crawl."""
    checked = []
    for url in urls:
        try:
            seed, completed = seed_url(url)
        except BadSeed as exc:
            raise refused(str(exc)) from None
        if completed:
            logger.warning("%s has no scheme: crawling %s", url, seed)
        checked.append(seed)
    return checked


def split_urls(value: str | list[str] | None) -> list[str]:
    if not value:
        return []
    if isinstance(value, str):
        value = value.split(",")
    return [url.strip() for url in value if url.strip()]


class NewsSpider(Spider):
    name = "news"
    # Replaced by the crawl's settings in from_crawler.
    incremental = Incremental()

    def __init__(self, start_urls: str = "", sitemap_urls: str = "", feed_urls: str = "", sources: str = "",
                 *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        try:
            self.sites = Sites.from_file(sources)
        except SourcesError as exc:  # names the file and line: one line, no traceback
            raise refused(str(exc)) from None
        self.start_urls = split_urls(start_urls) + self.sites.urls("start_urls")
        self.sitemap_urls = split_urls(sitemap_urls) + self.sites.urls("sitemaps")
        self.feed_urls = split_urls(feed_urls) + self.sites.urls("feeds")
        self._given_feeds = bool(split_urls(feed_urls))
        every = self.start_urls + self.sitemap_urls + self.feed_urls
        if not every:
            raise refused("give -a start_urls=URL[,URL…], -a sitemap_urls=…, -a feed_urls=… or -a sources=FILE")
        self.start_urls, self.sitemap_urls, self.feed_urls = (
            _checked_seeds(urls) for urls in (self.start_urls, self.sitemap_urls, self.feed_urls))
        every = self.start_urls + self.sitemap_urls + self.feed_urls
        self.scope = Scope(every)
        self._refusals_logged: set[tuple[str, str]] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> "NewsSpider":
        spider = super().from_crawler(crawler, *args, **kwargs)
        extra = crawler.settings.getlist("NEWSARCHIVE_SCOPE_EXTRA_HOSTS")
        spider.scope = Scope(spider.start_urls + spider.sitemap_urls + spider.feed_urls, extra)
        spider.sites.apply(crawler.settings)
        # Engine-made requests (robots.txt) carry no meta of ours: their responses must not retune a source's delay.
        crawler.signals.connect(spider.sites.keep_delay, signal=signals.request_reached_downloader)
        spider.schedule = ListingSchedule(crawler)
        spider.incremental = Incremental.from_settings(crawler.settings)
        # robots.txt URLs (of start pages, by their sources) whose sitemaps are read when Scrapy fetches them.
        spider._robots_pending = {}
        crawler.signals.connect(spider.read_robots_sitemaps, signal=robots_fetched)
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
        # Scrapy re-reads and re-parses a generator callback's source on every response to warn about
        # `return value` in it: its cache is keyed by the bound method, a new object per request
        # (~0.2 ms a page, bench/README.md). This spider's callbacks return nothing; -s turns it back on.
        settings.set("WARN_ON_GENERATOR_RETURN_VALUE", False, priority="spider")

    async def start(self) -> AsyncIterator[Request]:
        self.schedule.open()
        depth = self.settings.getint("NEWSARCHIVE_DEPTH_LIMIT")
        # Sitemaps found in robots.txt count as one hop from the start pages (their pages follow
        # links too), so a depth limit of 0 fetches the start pages alone.
        robots = {_robots_url(u): self.sites.name_for(u) for u in self.start_urls
                  if self.sites.discovers(u, "sitemaps", False)} if depth > 0 else {}
        if robots_read_for_us(self.settings):
            # Scrapy fetches each host's robots.txt to obey it before the host's first page: its sitemaps
            # are read from that fetch (read_robots_sitemaps), not from a second request for the file.
            # Registered before any request goes out, so that no fetch comes first; keyed as Scrapy keys
            # its robots.txt parsers, by the netloc of the request (lowercased, IDNA-encoded).
            for url in sorted(robots):
                self._robots_pending.setdefault(urlsplit(Request(url).url).netloc, robots[url])
            robots = {}
        # Seeds are fetched again in every crawl (conditionally), whatever the archive holds.
        seed = {SEED: True}
        for url in self.start_urls:
            discover = self.sites.discovers(url, "feeds", self._given_feeds)
            yield self.request(url, self.parse_page, follow_depth=depth, meta={**seed, DISCOVER_FEEDS: discover})
        for url in sorted(robots):
            yield self.request(url, self.parse_robots, follow_depth=depth, meta={"dont_obey_robotstxt": True},
                               source=robots[url])
        for url in self.sitemap_urls + self.feed_urls:
            for request in self.listing(url, None, None, meta=seed):
                yield request

    def request(self, url: str, callback, follow_depth: int | None = None, meta: dict | None = None,
                source: str | None = None) -> Request:
        # REPORTED: this spider yields an item for the request's final response or failure.
        # Priority by remaining hops: a page reached first through a short path keeps its
        # links; the duplicate filter would drop the same URL arriving later with more hops left.
        # SOURCE: the sources-file entry it is for (the one on its host, else the one it was found through).
        # DECODE_LATER: a page whose links are not followed is only handed to extraction, whose worker
        # can inflate it (newsarchive/crawl/decompression.py).
        later = {DECODE_LATER: True} if callback == self.parse_page and not follow_depth else {}
        return Request(url, callback=callback, errback=self.failed, priority=follow_depth or 0,
                       meta={REPORTED: True, FOLLOW: follow_depth, **later, **self.sites.meta(url, source),
                             **(meta or {})})

    def listing(self, url: str, follow_depth: int | None, source: str | None,
                meta: dict | None = None) -> Iterator[Request]:
        """A request for a feed or sitemap, unless its adaptive schedule says it is not due yet."""
        if self.schedule.due(url):
            yield self.request(url, self.parse_listing, follow_depth=follow_depth, meta={LISTING: url, **(meta or {})},
                               source=source)

    def closed(self, reason: str) -> None:
        self.schedule.close(reason)

    # -- callbacks ----------------------------------------------------------

    def parse_page(self, response: Response) -> Iterator[Page | Request]:
        depth = response.meta.get(FOLLOW)
        if (_content_type(response) or "").split(";")[0].strip().lower() in FEED_TYPES:
            # A link that leads to a feed (found before the page announcing it): read it as one.
            yield from self.parse_listing(response)
            return
        if response.meta.get(ENCODED):
            if not may_refresh_encoded(response):
                yield self.page_item(response)  # a 200 whose links are not followed: all the spider does
                return
            try:
                response = decoded(response, response.meta.get("download_maxsize",
                                                               self.settings.getint("DOWNLOAD_MAXSIZE")))
            except ValueError as exc:  # not its coding, or too large: as Scrapy's middleware would fail
                yield self.page_item(response, outcome="error", reason=f"{type(exc).__name__}: {exc}")
                return
        refresh = self._meta_refresh(response)
        if refresh is not None:
            yield from self._follow_refresh(response, refresh, depth)
            return
        # A 2xx other than 200 may be a wall (AWS WAF's 202); 200 pages are judged with their extraction.
        wall = blocked_reason(response.status, response.body, _headers(response)) if response.status != 200 else None
        if wall is not None:
            yield self.page_item(response, outcome="blocked", reason=wall)
            return
        yield self.page_item(response)
        source = response.meta.get(SOURCE)
        if depth and isinstance(response, HtmlResponse):
            # Feeds a start page announces are one hop away, as robots.txt's sitemaps are; asked for
            # before the links, so that the feed is read as a listing, not fetched as a page.
            feeds = alternate_feeds(response.body, response.url) if response.meta.get(DISCOVER_FEEDS) else []
            for url in feeds:
                if self.in_scope(url):
                    yield from self.listing(url, depth, source)
            for url in page_links(response):  # LinkExtractor()'s URLs, at a fraction of its cost
                # A link to a listing not due (whether or not its listing request came first) is not fetched.
                if self.in_scope(url) and self.schedule.due(url):
                    yield self.request(url, self.parse_page, follow_depth=depth - 1, source=source)

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
            yield self.request(url, self.parse_page, follow_depth=depth, source=response.meta.get(SOURCE))

    def parse_robots(self, response: Response) -> Iterator[Page | Request]:
        sitemaps = robots_sitemaps(response.body, response.url)
        yield self.page_item(response, outcome="not_article", reason=f"robots.txt: {len(sitemaps)} sitemaps")
        yield from self._sitemap_listings(sitemaps, response.meta.get(FOLLOW), response.meta.get(SOURCE))

    def read_robots_sitemaps(self, response: Response) -> None:
        """A robots.txt Scrapy fetched to obey it: a start page's host's sitemaps are read from it."""
        netloc = urlsplit(response.meta.get("redirect_urls", [response.url])[0]).netloc
        if netloc not in self._robots_pending or response.status >= 500:
            return  # not a start page's host; or unavailable for now, read when Scrapy asks again
        source = self._robots_pending.pop(netloc)
        sitemaps = robots_sitemaps(response.body, response.url)
        logger.info("robots.txt of %s names %d sitemaps", netloc, len(sitemaps))
        depth = self.settings.getint("NEWSARCHIVE_DEPTH_LIMIT")
        for request in self._sitemap_listings(sitemaps, depth, source):
            # What the spider middlewares (which engine.crawl skips) would have given a request
            # yielded from robots.txt's own callback: one hop deep, robots.txt as its referer.
            request.meta["depth"] = 1
            request.headers.setdefault(b"Referer", response.url)
            self.crawler.engine.crawl(request)

    def _sitemap_listings(self, sitemaps: list[str], depth: int | None, source: str | None) -> Iterator[Request]:
        for url in sitemaps:
            if self.in_scope(url):
                yield from self.listing(url, depth, source)

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
        urls = [url for url in found.urls if self.in_scope(url, sitemap=sitemap) and self._recent(found.dates.get(url))]
        source = response.meta.get(SOURCE)
        # The entry's date goes with the request: the archive refetches a page dated after its last check.
        dated = lambda url: {LISTED: found.dates[url].isoformat()} if url in found.dates else {}  # noqa: E731
        if found.kind == "sitemapindex":
            for url in urls:
                yield from self.listing(url, depth, source, meta=dated(url))
            return
        self.schedule.polled(response.meta.get(LISTING, response.url), source, urls)
        self.crawler.stats.inc_value("newsarchive/discovered_urls", len(found.urls))
        for url in urls:
            yield self.request(url, self.parse_page, follow_depth=depth - 1 if depth else None, meta=dated(url),
                               source=source)

    def _recent(self, listed) -> bool:
        """Within NEWSARCHIVE_MAX_AGE_DAYS by its sitemap or feed date (undated and future entries are)."""
        if self.incremental.too_old(listed):
            self.crawler.stats.inc_value("newsarchive/incremental/too_old")
            return False
        return True

    def _sitemap_budget(self) -> int:
        limit = self.settings.getint("NEWSARCHIVE_SITEMAP_MAX_URLS")
        used = self.crawler.stats.get_value("newsarchive/discovered_urls", 0)
        return max(limit - used, 0)

    def failed(self, failure: Failure) -> Iterator[Page]:
        """Network errors, HTTP errors, robots.txt refusals: each still becomes a pages row."""
        if failure.check(NotFetched):
            return  # the crawl stopped before sending it: back in the scheduler, nothing happened to it
        request = failure.request
        status, capture, revisit, content_type = None, None, None, None
        if failure.check(HttpError):
            response = failure.value.response
            status, capture, revisit = response.status, request.meta.get(CAPTURE), request.meta.get(REVISIT)
            content_type = _content_type(response)
            # A bot wall (a 403/429 with a tiny body, a challenge page) is "blocked", not an error of the site.
            wall = blocked_reason(response.status, response.body, _headers(response))
            outcome, reason = ("blocked", wall) if wall else ("error", f"HTTP {response.status}")
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
                   revisit=revisit, source=request.meta.get(SOURCE))

    # -- items --------------------------------------------------------------

    def page_item(self, response: Response, outcome: str | None = None, reason: str | None = None,
                  redirected_to: str | None = None) -> Page:
        if response.meta.get(NOT_MODIFIED):
            # A 304: the body is the archived copy, read for its links; the page was checked, not fetched.
            return Page(url=response.url, status=304, outcome="not_modified", reason="HTTP 304 (not modified)",
                        content_type=_content_type(response), depth=response.meta.get("depth", 0),
                        referer=_referer(response.request), capture=response.meta.get(CAPTURE))
        ok = response.status == 200
        return Page(
            url=response.url,
            status=response.status,
            outcome=outcome,
            reason=reason,
            content_type=_content_type(response),
            body=response.body,
            content_encoding=response.meta.get(ENCODED),
            depth=response.meta.get("depth", 0),
            referer=_referer(response.request),
            capture=response.meta.get(CAPTURE),
            revisit=response.meta.get(REVISIT),
            redirected_to=redirected_to,
            source=response.meta.get(SOURCE),
            # Validators of a full 200 response: the next crawl asks for it conditionally.
            etag=_header(response, b"ETag") if ok else None,
            last_modified=_header(response, b"Last-Modified") if ok else None,
        )


def robots_read_for_us(settings: BaseSettings) -> bool:
    """Does Scrapy fetch robots.txt itself, through the middleware that tells this spider what it read?"""
    if not settings.getbool("ROBOTSTXT_OBEY"):
        return False
    for component in build_component_list(settings.getwithbase("DOWNLOADER_MIDDLEWARES")):
        if (load_object(component) if isinstance(component, str) else component) is RobotsPolicyMiddleware:
            return True
    return False


def _insist(settings: BaseSettings, name: str, value: Any) -> None:
    """Set ``name`` at spider priority or above whatever set it: ``-s`` cannot undo it, and neither can
    ``scrapy crawl``, which applies the project's settings again after ``update_settings``."""
    priority = max(settings.getpriority(name) or 0, SETTINGS_PRIORITIES["spider"])
    settings.set(name, value, priority=priority)


def _content_type(response: Response) -> str | None:
    return _header(response, b"Content-Type")


def _header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


def _headers(response: Response) -> dict[str, str]:
    return {key.decode("latin-1"): value.decode("latin-1") for key, value in response.headers.items()
            if isinstance(key, bytes) and isinstance(value, bytes)}


def _referer(request: Request | None) -> str | None:
    value = request.headers.get(b"Referer") if request is not None else None
    return value.decode("latin-1") if value else None


def _robots_url(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/robots.txt", "", ""))
