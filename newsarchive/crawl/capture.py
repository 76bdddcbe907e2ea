"""Downloader middleware that writes every HTTP exchange to WARC as it arrives.

It sits at priority 950, nearer the downloader than HttpCompressionMiddleware
(590) and RedirectMiddleware (600), so it sees each response once, with the
body still as sent on the wire, including redirects, errors, robots.txt and
sitemaps. The pipeline hears of each one through the ``exchange_archived`` signal.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from pathlib import Path

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response

from newsarchive import __version__
from newsarchive.archive import ArchiveDir
from newsarchive.crawl.signals import crawl_started, exchange_archived
from newsarchive.warc.cdxj import cdxj_line, index_mime
from newsarchive.warc.journal import CdxjJournal
from newsarchive.crawl.wire import undecoded
from newsarchive.warc.revisits import CaptureHistory
from newsarchive.warc.writer import Capture, Exchange, WarcWriter, payload_digest

logger = logging.getLogger(__name__)

# request.meta key set by the spider on requests whose outcome it reports itself.
REPORTED = "newsarchive_reported"
# request.meta keys: where the payload is archived, and the revisit record when it was unchanged.
CAPTURE = "newsarchive_capture"
REVISIT = "newsarchive_revisit"


class WarcCaptureMiddleware:
    def __init__(self, directory: Path, prefix: str, max_bytes: int, gzip_level: int, info: dict, stats,
                 signals) -> None:
        self.archive = ArchiveDir(directory)
        self.prefix = prefix
        self.max_bytes = max_bytes
        self.gzip_level = gzip_level
        self.info = info
        self.stats = stats
        self.signals = signals
        self.writer: WarcWriter | None = None
        self.history: CaptureHistory | None = None
        self.crawl_id: int | None = None
        self.journal: CdxjJournal | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "WarcCaptureMiddleware":
        settings = crawler.settings
        directory = settings.get("NEWSARCHIVE_DIR")
        if not directory:
            raise NotConfigured("NEWSARCHIVE_DIR is empty: no archive folder to write WARC files to")
        info = {
            "software": f"newsarchive/{__version__} (Scrapy)",
            "http-header-user-agent": settings.get("USER_AGENT"),
            "robots": "obey" if settings.getbool("ROBOTSTXT_OBEY") else "ignore",
            "description": f"crawl by spider {crawler.spidercls.name}",
        }
        mw = cls(
            directory=Path(directory),
            prefix=settings.get("NEWSARCHIVE_WARC_PREFIX"),
            max_bytes=settings.getint("NEWSARCHIVE_WARC_MAX_BYTES"),
            gzip_level=settings.getint("NEWSARCHIVE_WARC_GZIP_LEVEL"),
            info=info,
            stats=crawler.stats,
            signals=crawler.signals,
        )
        crawler.signals.connect(mw.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(mw.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(mw.crawl_started, signal=crawl_started)
        return mw

    def crawl_started(self, crawl_id: int) -> None:
        self.crawl_id = crawl_id

    def spider_opened(self) -> None:
        self.writer = WarcWriter(self.archive.warc_dir, prefix=self.prefix, max_bytes=self.max_bytes,
                                 gzip_level=self.gzip_level, info=self.info)
        self.history = CaptureHistory(self.archive.db_path)

    def spider_closed(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.stats.set_value("newsarchive/warc/files", len(self.writer.files))
        if self.journal is not None:
            self._close_journal()
        if self.history is not None:
            self.history.close()

    def _open_journal(self, first_file: str) -> CdxjJournal:
        """This crawl's CDXJ index, for pywb and ReplayWeb.page, written as its records are.

        Opened with the first record: named after the crawls row when the pipeline
        announced one, else after the crawl's first WARC file.
        """
        name = self.crawl_id or first_file.split(".")[0]
        return CdxjJournal(self.archive.index_dir / f"crawl-{name}.cdxj")

    def _close_journal(self) -> None:
        assert self.journal is not None
        try:
            lines = self.journal.close()
        except OSError as exc:
            # The WARCs are complete without it; `newsarchive index` (or the next crawl) rebuilds it.
            logger.error("could not write the index %s: %s", self.journal.index_path, exc)
            return
        self.stats.set_value("newsarchive/warc/index", str(self.journal.index_path))
        self.stats.set_value("newsarchive/warc/index_lines", lines)

    def _index(self, exchange: Exchange, written: Capture, revisit: bool) -> None:
        if self.journal is None:
            self.journal = self._open_journal(written.filename)
        self.journal.add(cdxj_line(
            exchange.url, written.date, exchange.status,
            "warc/revisit" if revisit else index_mime(_header_value(exchange.response_headers, "content-type")),
            written.payload_digest, written.length, written.offset, written.filename))

    def process_response(self, request: Request, response: Response) -> Response:
        assert self.writer is not None and self.history is not None, "spider_opened not received"
        exchange = exchange_of(request, response)
        original = self.history.get(response.url) if response.body else None
        if original is not None and original.payload_digest == payload_digest(response.body):
            # Same bytes as already archived: a revisit record instead of a second copy.
            revisit = self.writer.write_revisit(exchange, original, response.url)
            capture = original
            self.stats.inc_value("newsarchive/warc/revisits")
            written = revisit
        else:
            capture = written = self.writer.write_exchange(exchange)
            revisit = None
            if response.status != 304:  # a 304 holds no payload for a later response to be a revisit of
                self.history.remember(response.url, capture)
        self._index(exchange, written, revisit is not None)
        self.stats.inc_value("newsarchive/warc/records", 2)
        self.stats.inc_value("newsarchive/warc/bytes", written.length)
        request.meta[CAPTURE] = capture
        request.meta[REVISIT] = revisit
        # Redirect hops and robots.txt never reach the spider; the pipeline records them from this.
        self.signals.send_catch_log(exchange_archived, request=request, response=response,
                                    capture=capture, revisit=revisit)
        return undecoded(response)


def exchange_of(request: Request, response: Response) -> Exchange:
    """The plain-values exchange for a Scrapy request and its not-yet-decoded response."""
    return Exchange(
        url=response.url,
        status=response.status,
        response_headers=_header_pairs(response.headers),
        body=response.body,
        method=request.method,
        request_headers=_header_pairs(request.headers),
        request_body=request.body,
        protocol=response.protocol or "HTTP/1.1",
        ip_address=str(response.ip_address) if response.ip_address else None,
        fetched_at=datetime.now(timezone.utc),
        truncated="dataloss" in response.flags,
    )


def _header_value(headers: list[tuple[str, str]], name: str) -> str | None:
    return next((value for key, value in headers if key.lower() == name), None)


def _header_pairs(headers) -> list[tuple[str, str]]:
    # Latin-1 maps every byte to one character, so odd header bytes survive the round trip.
    return [
        (name.decode("latin-1"), value.decode("latin-1"))
        for name, values in headers.items()
        for value in values
    ]


__all__ = ["WarcCaptureMiddleware", "exchange_archived", "REPORTED", "CAPTURE", "REVISIT", "Capture"]
