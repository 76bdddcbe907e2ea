"""What one fetched page becomes: an outcome, a reason and maybe an article.

This runs in the extraction worker processes, so it takes and returns plain,
picklable values, and imports no Scrapy.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from newsarchive.corpus.neardup import signature_blob
from newsarchive.extract.article import Article
# Fewer words than this and a page is not an article: the default of NEWSARCHIVE_MIN_WORDS and
# --min-words, defined once with the verdict and re-exported here for the pool and the jobs.
from newsarchive.extract.classify import MIN_WORDS
from newsarchive.processing.blocked import blocked_reason
from newsarchive.processing.coding import Undecodable, decode_body

logger = logging.getLogger(__name__)

HTML_TYPES = ("text/html", "application/xhtml+xml")
# Pages bigger than this are archived but not extracted: lxml and trafilatura
# slow down badly on them and real articles are far smaller.
MAX_EXTRACT_BYTES = 8_000_000


@dataclass
class PageResult:
    outcome: str  # "article", "not_article", "blocked" (a bot wall, processing/blocked.py) or "error"
    reason: str
    article: Article | None = None
    # The article text's MinHash signature (neardup.signature_blob with WORKER_PARAMS), made here in the
    # worker so that clustering at the end of a run only reads it (newsarchive/db/clusters.py).
    signature: bytes | None = None


def process_page(body: bytes, url: str, content_type: str | None, min_words: int = MIN_WORDS,
                 content_encoding: str | None = None, sign: bool = True) -> PageResult:
    """Decode, extract and classify one response body.

    ``content_encoding``: the gzip or deflate coding still on ``body`` (the crawl leaves it to the
    worker, newsarchive/processing/coding.py); None for a body already free of it.
    ``sign``: an article comes back with its near-duplicate signature (off when nothing will
    cluster it: NEWSARCHIVE_NEAR_DUPLICATES off, a dry run).
    """
    mime = (content_type or "").split(";")[0].strip().lower()
    if mime and mime not in HTML_TYPES:
        return PageResult("not_article", f"content type {mime}")
    if content_encoding is not None:
        try:
            body = decode_body(body, content_encoding, MAX_EXTRACT_BYTES)
        except Undecodable as exc:
            return PageResult("error", f"Content-Encoding {content_encoding}: {exc}")
    if not body.strip():
        return PageResult("not_article", "empty body")
    if looks_binary(body):
        return PageResult("not_article", "binary content")
    wall = blocked_reason(None, body)
    if wall is not None:
        return PageResult("blocked", wall)
    if len(body) > MAX_EXTRACT_BYTES:
        # A still-encoded body was inflated no further than one byte past the limit.
        size = f"over {MAX_EXTRACT_BYTES}" if content_encoding is not None else str(len(body))
        return PageResult("not_article", f"too large to extract ({size} bytes)")
    # Imported here, not at the top: the crawl process imports this module for PageResult and the
    # pool's default function, never to extract (its workers import the extractor when they start).
    from newsarchive.extract.extractor import decode_html, extract

    article = extract(decode_html(body, content_type), url, min_words=min_words)
    # extract() judged the page (processing.classify): the crawl stores that same verdict.
    if not article.is_article:
        return PageResult("not_article", article.article_reason)
    signature = signature_blob(article.text or "") if sign else None
    return PageResult("article", article.article_reason, article, signature)


def looks_binary(body: bytes) -> bool:
    """NUL bytes or mostly control bytes in the first KB: no HTML document, whatever the header says."""
    head = body[:1024]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False  # UTF-16 text is full of NUL bytes
    if b"\x00" in head:
        return True
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    return controls > len(head) * 0.1
