"""Incremental crawls, the Scrapy side: conditional requests, 304s, and the settings that shape them.

The rule for what is fetched again lives in ``newsarchive.db.urlstate``; the
duplicate filter (``crawl/resume.py``) asks it whether to schedule a request,
and ``ConditionalRequestMiddleware`` asks it for the validators to send.

A ``304 Not Modified`` is archived as received by the capture middleware
(nearer the downloader: it sees the answer first), then this middleware hands
the spider the last full capture of the page, read back from the WARC, with
``meta[NOT_MODIFIED]`` set: the spider follows its links (a section page that
did not change still leads to the pages it lists) but reports the page as
checked, not fetched, and the pipeline moves only its ``checked_at``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.responsetypes import responsetypes
from scrapy.settings import BaseSettings

from newsarchive.archive import ArchiveDir
from newsarchive.crawl.capture import REPORTED
from newsarchive.db.urlstate import RevisitPolicy, UrlState, parse_date, parse_intervals
from newsarchive.warc.records import RecordError, load_row_response

logger = logging.getLogger(__name__)

# request.meta keys: a seed (always fetched), the date a sitemap or feed gives the URL (ISO text),
# the validators sent, a 304 answered with the archived copy, and "ask without validators".
SEED = "newsarchive_seed"
LISTED = "newsarchive_listed"
CONDITIONAL = "newsarchive_conditional"
NOT_MODIFIED = "newsarchive_not_modified"
UNCONDITIONAL = "newsarchive_unconditional"
VALIDATOR_HEADERS = ("If-None-Match", "If-Modified-Since")
# Below HttpCompressionMiddleware (590): the archived copy it hands on is already decoded.
CONDITIONAL_ORDER = 580
# Headers of the archived response that describe the wire form, not the decoded body handed on.
_WIRE_HEADERS = {b"content-encoding", b"content-length", b"transfer-encoding"}


@dataclass(frozen=True)
class Incremental:
    """The ``NEWSARCHIVE_*`` settings of incremental crawling, as plain values."""

    refetch_all: bool = False
    max_age: timedelta | None = None
    policy: RevisitPolicy = field(default_factory=RevisitPolicy)
    validator_max_age: timedelta | None = timedelta(hours=24)
    fixed_now: datetime | None = None

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> "Incremental":
        refetch = (settings.get("NEWSARCHIVE_REFETCH") or "").strip().lower()
        if refetch not in ("", "none", "all"):
            raise ValueError(f"NEWSARCHIVE_REFETCH is 'all' or empty, not {refetch!r}")
        max_age = settings.getfloat("NEWSARCHIVE_MAX_AGE_DAYS") or 0
        hours = settings.getfloat("NEWSARCHIVE_VALIDATORS_MAX_AGE_HOURS") or 0
        now = settings.get("NEWSARCHIVE_NOW") or ""
        fixed = parse_date(now) if now else None
        if now and fixed is None:
            raise ValueError(f"NEWSARCHIVE_NOW is not an ISO date and time: {now!r}")
        policy = RevisitPolicy(young=timedelta(days=settings.getfloat("NEWSARCHIVE_REVISIT_YOUNG_DAYS")),
                               intervals=tuple(parse_intervals(settings.get("NEWSARCHIVE_REVISIT_INTERVALS") or "")))
        return cls(refetch_all=refetch == "all", max_age=timedelta(days=max_age) if max_age > 0 else None,
                   policy=policy, validator_max_age=timedelta(hours=hours) if hours > 0 else None, fixed_now=fixed)

    def now(self) -> datetime:
        return self.fixed_now or datetime.now(timezone.utc)

    def too_old(self, listed: datetime | None) -> bool:
        """A sitemap or feed entry dated before the age bound. Undated and future entries are taken."""
        return self.max_age is not None and listed is not None and listed < self.now() - self.max_age

    def url_state(self, db_path: Path) -> UrlState:
        return UrlState(db_path, self.policy, self.validator_max_age)


class ConditionalRequestMiddleware:
    """Adds If-None-Match / If-Modified-Since from the archive; answers a 304 with the archived copy."""

    def __init__(self, directory: Path, incremental: Incremental, stats) -> None:
        self.archive = ArchiveDir(directory)
        self.incremental = incremental
        self.stats = stats
        self.state: UrlState | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "ConditionalRequestMiddleware":
        directory = crawler.settings.get("NEWSARCHIVE_DIR")
        if not directory:
            raise NotConfigured("NEWSARCHIVE_DIR is empty: no archive to take validators from")
        incremental = Incremental.from_settings(crawler.settings)
        if incremental.refetch_all:
            raise NotConfigured("NEWSARCHIVE_REFETCH=all: every page is fetched in full")
        mw = cls(Path(directory), incremental, crawler.stats)
        crawler.signals.connect(mw.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(mw.spider_closed, signal=signals.spider_closed)
        return mw

    def spider_opened(self) -> None:
        self.state = self.incremental.url_state(self.archive.db_path)

    def spider_closed(self) -> None:
        if self.state is not None:
            self.state.close()

    def process_request(self, request: Request, spider=None) -> None:
        # A redirect or retry copies its request's headers: validators are for one URL only.
        for name in VALIDATOR_HEADERS:
            request.headers.pop(name, None)
        request.meta.pop(CONDITIONAL, None)
        if self.state is None or not request.meta.get(REPORTED) or request.meta.get(UNCONDITIONAL):
            return None  # robots.txt fetched by Scrapy itself must be read in full to be obeyed
        validators = self.state.validators(request.url, self.incremental.now())
        if not validators:
            return None
        for name, value in validators.items():
            request.headers[name] = value
        request.meta[CONDITIONAL] = True
        request.meta["handle_httpstatus_list"] = sorted({*request.meta.get("handle_httpstatus_list", ()), 304})
        self.stats.inc_value("newsarchive/incremental/conditional")
        return None

    def process_response(self, request: Request, response: Response, spider=None) -> Response | Request:
        if response.status != 304 or not request.meta.get(CONDITIONAL) or self.state is None:
            return response
        self.stats.inc_value("newsarchive/incremental/not_modified")
        row = self.state.capture_row(request.url)
        try:
            if row is None:
                raise RecordError(f"{request.url} has no archived capture")
            stored = load_row_response(self.archive.root, row)
        except RecordError as exc:
            # The 304 is archived; without the copy it confirms, ask once more for the page itself.
            logger.warning("304 for %s but its archived copy is unreadable (%s): fetching it in full", request.url, exc)
            self.stats.inc_value("newsarchive/incremental/unreadable_copy")
            return request.replace(dont_filter=True, meta={**request.meta, UNCONDITIONAL: True})
        headers = [(k, v) for k, v in (stored.http_headers.headers if stored.http_headers else [])
                   if k.lower().encode("latin-1") not in _WIRE_HEADERS]
        cls = responsetypes.from_args(headers=_scrapy_headers(headers), url=response.url, body=stored.body)
        request.meta[NOT_MODIFIED] = True
        return cls(url=response.url, status=304, headers=_scrapy_headers(headers), body=stored.body,
                   request=request, flags=[*response.flags, "not_modified"], protocol=response.protocol,
                   ip_address=response.ip_address)


def _scrapy_headers(pairs: list[tuple[str, str]]):
    from scrapy.http.headers import Headers

    headers = Headers()
    for name, value in pairs:
        headers.appendlist(name, value)
    return headers
