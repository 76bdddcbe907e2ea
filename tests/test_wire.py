"""Responses leave the WARC capture undecoded: no charset detection runs over compressed bytes."""

from __future__ import annotations

import gzip

from scrapy import Request
from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.http import HtmlResponse, Response
from scrapy.utils.test import get_crawler

from newsarchive.crawl.wire import undecoded

PAGE = "<html><head><title>Café</title></head><body><p>Über den Hafen</p></body></html>".encode("utf-8")


def gzipped_html(content_type: bytes = b"text/html") -> HtmlResponse:
    request = Request("http://127.0.0.1/news/story.html")
    # As the downloader builds it: the class comes from the Content-Type and the .html URL.
    return HtmlResponse(request.url, status=200, body=gzip.compress(PAGE), request=request,
                        headers={b"Content-Type": content_type, b"Content-Encoding": b"gzip"},
                        ip_address=None, protocol="HTTP/1.1")


def decompress(response: Response) -> Response:
    middleware = HttpCompressionMiddleware.from_crawler(get_crawler())
    return middleware.process_response(response.request, response)


def test_compressed_html_without_charset_is_decoded_without_detection_on_the_wire_bytes():
    wire = gzipped_html()
    decoded = decompress(undecoded(wire))
    assert isinstance(decoded, HtmlResponse)
    assert decoded.body == PAGE
    assert "Über den Hafen" in decoded.text
    # The compressed response's encoding was never asked for (Scrapy caches it once inferred).
    assert wire._cached_benc is None
    # Without it, decompression infers the encoding of the gzip bytes.
    other = gzipped_html()
    decompress(other)
    assert other._cached_benc is not None


def test_plain_and_uncompressed_responses_pass_unchanged():
    request = Request("http://127.0.0.1/a.html")
    html = HtmlResponse(request.url, body=PAGE, request=request, headers={b"Content-Type": b"text/html"})
    assert undecoded(html) is html
    binary = Response(request.url, body=b"\x1f\x8b", request=request, headers={b"Content-Encoding": b"gzip"})
    assert undecoded(binary) is binary


def test_undecoded_keeps_every_response_attribute():
    wire = gzipped_html(b"text/html; charset=utf-8")
    plain = undecoded(wire)
    assert type(plain) is Response
    for name in Response.attributes:
        assert getattr(plain, name) == getattr(wire, name)
