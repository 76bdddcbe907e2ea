"""Leaving a page's gzip to the extraction worker when the crawl only hands the page on.

Scrapy's HttpCompressionMiddleware inflates every body in the crawl process:
~0.6 ms of CPU for a 300 KB page on the one thread that also drives every
fetch, writes the WARC and the rows, and then the whole inflated body is
pickled to a worker. For a page whose links are not followed (an article
from a sitemap or feed, a page at the depth limit) the spider reads nothing
of the body but its first 16 KB (the meta-refresh check): such a page goes on
still compressed, and the worker inflates it (newsarchive/processing/coding.py,
Scrapy's own algorithm, bounded by the extraction limit).

Only what that needs is deferred: a 200 HTML response whose one coding is
gzip or deflate and whose Content-Type names an ASCII-compatible charset (so
the refresh check on the inflated first bytes decides as Scrapy's would), to a
request the spider marked ``DECODE_LATER``. Everything else is decoded here as
before, by Scrapy's middleware, which this one extends.
"""

from __future__ import annotations

import codecs
import logging

from scrapy import Request
from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.http import Response
from scrapy.responsetypes import responsetypes
from w3lib.encoding import http_content_type_encoding, read_bom

from newsarchive.crawl.refresh import ASCII_BYTES, SCANNED_BYTES
from newsarchive.processing.coding import CODINGS, Undecodable, decode_body
from newsarchive.processing.page import HTML_TYPES, MAX_EXTRACT_BYTES

logger = logging.getLogger(__name__)

# request.meta: the spider reads no more than the refresh check's bytes of this page's body.
DECODE_LATER = "newsarchive_decode_later"
# request.meta, set here: the coding left on the response's body (its Content-Encoding header stays).
ENCODED = "newsarchive_encoded"
SCRAPY_HTTPCOMPRESSION = "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware"
HTTPCOMPRESSION_ORDER = 590


class DeferredDecompression(HttpCompressionMiddleware):
    """Scrapy's HttpCompressionMiddleware, but for the pages it leaves to the extraction worker."""

    def process_response(self, request: Request, response: Response, spider=None) -> Request | Response:
        coding = deferrable_coding(request, response)
        max_size = request.meta.get("download_maxsize", self._max_size)
        # A DOWNLOAD_MAXSIZE under the extraction limit is Scrapy's to enforce: it inflates those.
        if coding is not None and (not max_size or max_size >= MAX_EXTRACT_BYTES):
            request.meta[ENCODED] = coding
            self.stats.inc_value("newsarchive/decompression/deferred")
            return response
        return super().process_response(request, response)


def deferrable_coding(request: Request, response: Response) -> str | None:
    """The gzip/deflate coding this response may keep until the worker; None to decode it now."""
    if not request.meta.get(DECODE_LATER) or response.status != 200 or not response.body:
        return None
    codings = [c.strip().lower() for v in response.headers.getlist(b"Content-Encoding")
               for c in v.decode("latin-1").split(",") if c.strip()]
    if len(codings) != 1 or codings[0] not in CODINGS:
        return None
    content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1")
    if content_type.split(";")[0].strip().lower() not in HTML_TYPES:
        return None
    charset = http_content_type_encoding(content_type)
    try:
        ascii_compatible = charset is not None and codecs.lookup(charset).name in ASCII_BYTES
    except LookupError:
        ascii_compatible = False
    return codings[0] if ascii_compatible else None


def may_refresh_encoded(response: Response) -> bool:
    """``may_refresh`` (newsarchive/crawl/refresh.py) for a body still compressed: False rules a refresh out.

    Its charset is ASCII-compatible (``deferrable_coding``), so Scrapy would decode it with that
    charset unless it starts with a byte order mark of another encoding (UTF-16, UTF-32).
    """
    try:
        head = decode_body(response.body, response.meta[ENCODED], SCANNED_BYTES)[:SCANNED_BYTES]
    except Undecodable:
        return True  # the whole body is decoded, and fails, as Scrapy would
    bom_encoding, _ = read_bom(head)
    if bom_encoding is not None and codecs.lookup(bom_encoding).name not in ASCII_BYTES:
        return True  # a UTF-16 or UTF-32 mark wins over the header's charset: decoded whole, as Scrapy would
    return b"refresh" in head.lower()


def decoded(response: Response, max_size: int) -> Response:
    """The response as Scrapy's middleware would have handed it on: inflated, of the class its body says.

    Raises ``Undecodable`` for a body that is not its coding, ``ValueError`` for one over ``max_size``.
    """
    coding = response.meta[ENCODED]
    # Without a DOWNLOAD_MAXSIZE, no further than the extraction limit: a larger page is not extracted
    # anyway (the worker says "too large to extract"), and a bomb must not fill the memory here.
    body = decode_body(response.body, coding, max_size or MAX_EXTRACT_BYTES)
    if max_size and len(body) > max_size:
        raise ValueError(f"over DOWNLOAD_MAXSIZE ({max_size} bytes) once inflated")
    headers = response.headers.copy()
    del headers[b"Content-Encoding"]
    cls = responsetypes.from_args(headers=headers, url=response.url, body=body)
    response.meta[ENCODED] = None
    return response.replace(cls=cls, body=body, headers=headers)
