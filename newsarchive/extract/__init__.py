"""Extraction: HTML bytes in, an ``Article`` (clean text and metadata) out.

Plain values only, no Scrapy: the crawl's workers, ``import-warc`` and
``reextract`` all call ``extract``.
"""

from newsarchive.extract.article import Article
from newsarchive.extract.extractor import decode_html, extract

__all__ = ["Article", "decode_html", "extract"]
