"""Responses as they leave the WARC capture: still content-encoded, not yet text.

Scrapy picks the response class from the headers and the URL, so a gzipped
``/story.html`` arrives as an ``HtmlResponse`` whose body is gzip bytes.
HttpCompressionMiddleware then builds the decoded response with
``response.replace()``, which reads every attribute of the old one, including
``encoding``: with no charset in the Content-Type, that runs Scrapy's charset
detection (charset_normalizer, logging included) over the compressed bytes,
~4 ms of CPU for a 90 KB page, only to throw the answer away. Handing the
compressed response on as a plain ``Response`` skips that; the decompression
step still chooses the class of the decoded response from its headers and body.
"""

from __future__ import annotations

from scrapy.http import Response, TextResponse


def undecoded(response: Response) -> Response:
    """``response`` as a plain ``Response`` while a Content-Encoding still applies to its body."""
    if not isinstance(response, TextResponse) or not response.headers.get(b"Content-Encoding"):
        return response
    # Response's own attributes only: reading TextResponse.encoding is what this avoids.
    return Response(**{name: getattr(response, name) for name in Response.attributes})
