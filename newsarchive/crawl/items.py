"""What the spider hands to the pipeline: one fetched URL and what is known about it."""

from __future__ import annotations

from dataclasses import dataclass, field

from newsarchive.warc.writer import Capture


@dataclass
class Page:
    url: str
    status: int | None = None
    # Preset by the spider when the fetch itself settled it (error, robots, sitemap...);
    # otherwise the pipeline decides from the extraction.
    outcome: str | None = None
    reason: str | None = None
    content_type: str | None = None
    # Decoded from any content-encoding (but ``content_encoding``); the wire bytes are in the WARC record.
    body: bytes = field(default=b"", repr=False)
    # The gzip or deflate coding still on ``body``: left for the extraction worker to undo
    # (newsarchive/crawl/decompression.py); None when Scrapy decoded it.
    content_encoding: str | None = None
    depth: int = 0
    referer: str | None = None
    fetched_at: str | None = None
    # Where the payload is archived; for an unchanged page, the earlier response record.
    capture: Capture | None = None
    # The revisit record written this time, when the payload was unchanged.
    revisit: Capture | None = None
    # Where a page with outcome "redirect" sends the reader (a meta refresh's target).
    redirected_to: str | None = None
    # The sources-file entry the page was fetched for (newsarchive/crawl/sites.py); None without one.
    source: str | None = None
    # The response's validators (200 only), sent back as If-None-Match / If-Modified-Since next time.
    etag: str | None = None
    last_modified: str | None = None
