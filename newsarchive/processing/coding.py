"""Undoing a response's gzip or deflate Content-Encoding, bounded, as leniently as Scrapy does.

The crawl hands pages whose links it does not follow to the extraction workers
still compressed (newsarchive/crawl/decompression.py): inflating a 300 KB page
costs ~0.6 ms of CPU, which the crawl process then spends on the next fetch
instead, and the pickle to the worker is five times smaller. The worker
inflates the body here, never past ``limit``: a 100 KB gzip bomb stops at
``limit + 1`` bytes, whatever it would inflate to.

Scrapy's own algorithms (``gunzip``, ``_inflate``), so the text is the same as
when Scrapy inflated it in the crawl: a body cut short, a bad CRC or junk after
the data keeps what was inflated before it; only a body that inflates to
nothing is an error.
"""

from __future__ import annotations

import gzip
import io
import struct
import zlib

# The content-codings inflated here (one of them, alone); others are decoded by Scrapy in the crawl.
CODINGS = frozenset({"gzip", "x-gzip", "deflate"})
CHUNK = 1 << 16


class Undecodable(ValueError):
    """The body fails before anything is inflated: it is not what its Content-Encoding says."""


def decode_body(body: bytes, coding: str, limit: int) -> bytes:
    """``body`` without its ``coding`` (gzip, x-gzip or deflate), at most ``limit + 1`` bytes of it."""
    coding = coding.strip().lower()
    if coding not in CODINGS:
        raise ValueError(f"not a coding inflated here: {coding!r}")
    out = _gunzip(body, limit) if coding != "deflate" else _inflate(body, limit)
    return out[:limit + 1]


def _gunzip(body: bytes, limit: int) -> bytes:
    # Scrapy's gunzip (scrapy/utils/gz.py), stopping past the limit instead of raising.
    reader = gzip.GzipFile(fileobj=io.BytesIO(body))
    out = io.BytesIO()
    while out.tell() <= limit:
        try:
            chunk = reader.read1(CHUNK)
        except zlib.error as exc:
            # Corrupt deflate data inside the member: Scrapy's gunzip does not catch it either.
            raise Undecodable(f"corrupt gzip data ({exc})") from exc
        except (OSError, EOFError, struct.error) as exc:
            if not out.tell():
                raise Undecodable(f"the body is not gzip data ({exc})") from exc
            break  # cut short, bad CRC, junk after the data: what came before stands
        if not chunk:
            break
        out.write(chunk)
    return out.getvalue()


def _inflate(body: bytes, limit: int) -> bytes:
    # Scrapy's _inflate (scrapy/utils/_compression.py): zlib-wrapped, else raw deflate (old IIS).
    inflater = zlib.decompressobj()
    try:
        first = inflater.decompress(body, CHUNK)
    except zlib.error:
        inflater = zlib.decompressobj(-zlib.MAX_WBITS)
        try:
            first = inflater.decompress(body, CHUNK)
        except zlib.error as exc:
            raise Undecodable(f"the body is not deflate data ({exc})") from exc
    out = io.BytesIO(first)
    out.seek(0, io.SEEK_END)
    try:
        while out.tell() <= limit and inflater.unconsumed_tail and not inflater.eof:
            out.write(inflater.decompress(inflater.unconsumed_tail, CHUNK))
    except zlib.error as exc:
        # Corrupt further on (a bad checksum at the end included): Scrapy's _inflate fails the page too.
        raise Undecodable(f"corrupt deflate data ({exc})") from exc
    return out.getvalue()
