"""Politeness Scrapy leaves out: RFC 9309 on unreadable robots.txt, and HTTP ``Retry-After``.

``RobotsPolicyMiddleware`` replaces Scrapy's RobotsTxtMiddleware (which
parses whatever body came back, so a ``500`` page means "allow all"):

- robots.txt answering ``4xx`` (after redirects): allow all, whatever the
  error page says (RFC 9309 2.3.1.3);
- ``5xx`` (after Scrapy's retries) or a network error: disallow all for that
  host for NEWSARCHIVE_ROBOTS_RETRY_SECONDS, then robots.txt is fetched again
  on the next request to the host (RFC 9309 2.3.1.4).

``RetryAfterMiddleware`` replaces Scrapy's RetryMiddleware: on ``429`` and
``503`` with a ``Retry-After`` header, it holds back the host's downloader
slot (every request to that host, not only the retry) for that long, at most
NEWSARCHIVE_RETRY_AFTER_MAX seconds. A server asking for longer than that is
not retried: the page keeps its error and the host is still paused for the
maximum.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from time import monotonic
from urllib.parse import urlsplit

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.http.request import NO_CALLBACK
from scrapy.utils.httpobj import urlparse_cached

from newsarchive.crawl.signals import robots_fetched

logger = logging.getLogger(__name__)

DISALLOW_ALL = b"User-agent: *\nDisallow: /\n"


class RobotsUnavailable(IgnoreRequest):
    """robots.txt could not be read (5xx, network error): the host is treated as disallowed for now."""


class _OneLineRobotsError(logging.Filter):
    """Scrapy logs a failed robots.txt fetch with its traceback: a DNS failure or a refused connection
    (a mistyped host) is one line there, and ``_mark_unavailable`` says what follows from it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and str(record.msg).startswith("Error downloading"):
            record.exc_info, record.exc_text = None, None
        return True


_ROBOTS_LOG_FILTER = _OneLineRobotsError()


class RobotsPolicyMiddleware(RobotsTxtMiddleware):
    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        scrapys_logger = logging.getLogger(RobotsTxtMiddleware.__module__)
        if _ROBOTS_LOG_FILTER not in scrapys_logger.filters:
            scrapys_logger.addFilter(_ROBOTS_LOG_FILTER)
        self.retry_seconds = crawler.settings.getfloat("NEWSARCHIVE_ROBOTS_RETRY_SECONDS")
        # netloc -> (why robots.txt is unavailable, monotonic time after which it is fetched again)
        self._unavailable: dict[str, tuple[str, float]] = {}

    async def robot_parser(self, request: Request):
        netloc = urlparse_cached(request).netloc
        known = self._unavailable.get(netloc)
        if known is not None and monotonic() >= known[1]:
            # Time to try again: forget the disallow-all parser so Scrapy fetches robots.txt anew.
            del self._unavailable[netloc]
            self._parsers.pop(netloc, None)
        return await super().robot_parser(request)

    def process_response(self, request: Request, response: Response) -> Response:
        """Reads the status of the robots.txt fetches this middleware makes, after Scrapy's retries and
        redirects (both nearer the downloader), before Scrapy parses the body as rules."""
        if request.callback is not NO_CALLBACK or not request.meta.get("dont_obey_robotstxt"):
            return response
        if response.status >= 500:
            netloc = urlsplit(request.meta.get("redirect_urls", [request.url])[0]).netloc
            self._mark_unavailable(netloc, f"HTTP {response.status}")
            return response.replace(body=DISALLOW_ALL)
        if response.status >= 400:
            return response.replace(body=b"")  # an error page is no robots.txt: allow all
        return response

    async def _parse_robots(self, response: Response, netloc: str, request: Request) -> None:
        await super()._parse_robots(response, netloc, request)
        # The spider's sitemaps come from this fetch: robots.txt is fetched once per host.
        self.crawler.signals.send_catch_log(robots_fetched, response=response)

    def _robots_error(self, exc: Exception, netloc: str) -> None:
        if isinstance(exc, IgnoreRequest):
            # Refused on our side (out of scope, too many redirects): Scrapy's "unavailable", allow.
            super()._robots_error(exc, netloc)
            return
        # Marked first: the requests waiting for this host's parser then find it unavailable.
        self._mark_unavailable(netloc, type(exc).__name__)
        super()._robots_error(exc, netloc)

    def process_request_2(self, rp, request: Request) -> None:
        known = self._unavailable.get(urlparse_cached(request).netloc)
        if known is not None:
            self._stats.inc_value("newsarchive/robots/unavailable_refused")
            raise RobotsUnavailable(f"robots.txt unavailable ({known[0]}): disallow all for now (RFC 9309)")
        super().process_request_2(rp, request)

    def _mark_unavailable(self, netloc: str, why: str) -> None:
        logger.warning("robots.txt of %s unavailable (%s): nothing fetched from it for %.0f s",
                       netloc, why, self.retry_seconds)
        self._stats.inc_value("newsarchive/robots/unavailable")
        self._unavailable[netloc] = (why, monotonic() + self.retry_seconds)


class RetryAfterMiddleware(RetryMiddleware):
    STATUSES = (429, 503)

    def __init__(self, settings, max_wait: float) -> None:
        super().__init__(settings)
        self.max_wait = max_wait

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "RetryAfterMiddleware":
        mw = cls(crawler.settings, crawler.settings.getfloat("NEWSARCHIVE_RETRY_AFTER_MAX"))
        mw.crawler = crawler
        # Sent before the downloader hands the slot its next request (process_response comes
        # after that): the pause then holds every request to the host, as AutoThrottle's delay does.
        crawler.signals.connect(mw.response_downloaded, signal=signals.response_downloaded)
        return mw

    def _asked_wait(self, request: Request, response: Response) -> float | None:
        if response.status not in self.STATUSES:
            return None
        return retry_after(response.headers.get(b"Retry-After"))

    def response_downloaded(self, response: Response, request: Request) -> None:
        wait = self._asked_wait(request, response)
        if wait is not None:
            self._pause_host(request, min(wait, self.max_wait))

    def process_response(self, request: Request, response: Response, spider=None) -> Request | Response:
        wait = None if request.meta.get("dont_retry") else self._asked_wait(request, response)
        if wait is None:
            return super().process_response(request, response)
        if wait > self.max_wait:
            self.crawler.stats.inc_value("newsarchive/retry_after/too_long")
            logger.info("not retrying %s: Retry-After %.0f s is over NEWSARCHIVE_RETRY_AFTER_MAX (%.0f s)",
                        request, wait, self.max_wait)
            return response
        self.crawler.stats.inc_value("newsarchive/retry_after/honoured")
        return super().process_response(request, response)

    def _pause_host(self, request: Request, wait: float) -> None:
        """Hold back the downloader slot of ``request``'s host for ``wait`` seconds, without blocking."""
        downloader = self.crawler.engine.downloader if self.crawler.engine else None
        slot = downloader.slots.get(request.meta.get(downloader.DOWNLOAD_SLOT, "")) if downloader else None
        if slot is None or wait <= 0:
            return
        from twisted.internet import reactor

        # The downloader leaves a slot alone while ``latercall`` is pending and processes its queue
        # when that call fires (Downloader._latercall). A later ``lastseen`` also keeps the
        # slot from being collected as idle meanwhile (which would cancel the pause).
        if slot.latercall is not None:
            slot.latercall.cancel()
        slot.lastseen = max(slot.lastseen, monotonic() + wait)
        slot.latercall = reactor.callLater(wait, downloader._latercall, slot)


def retry_after(value: bytes | None, now: datetime | None = None) -> float | None:
    """Seconds a ``Retry-After`` header asks for (delta-seconds or an HTTP-date); None when absent or unreadable."""
    if not value:
        return None
    text = value.decode("latin-1").strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max((when - (now or datetime.now(timezone.utc))).total_seconds(), 0.0)
