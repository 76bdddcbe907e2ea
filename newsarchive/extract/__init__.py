"""Extraction: HTML bytes in, an ``Article`` (clean text and metadata) out.

Plain values only, no Scrapy: the crawl's workers, ``import-warc`` and
``reextract`` all call ``extract``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from newsarchive.extract.article import Article

if TYPE_CHECKING:
    from newsarchive.extract.extractor import decode_html, extract

__all__ = ["Article", "decode_html", "extract"]


def __getattr__(name: str) -> Any:
    # The extractor (and trafilatura, ~0.3 s of CPU to import) loads on first use: the crawl
    # process imports this package for Article and the verdict's constants but never extracts.
    if name in ("decode_html", "extract"):
        from newsarchive.extract import extractor
        return getattr(extractor, name)
    raise AttributeError(f"module 'newsarchive.extract' has no attribute {name!r}")
