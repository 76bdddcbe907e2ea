"""Main-text extraction: trafilatura plus our own cleaning.

``extract(html, url)`` is the one entry point the crawl, re-extraction and
imports share. It parses the page once, reads the markup metadata, runs
trafilatura on the same tree, then cleans the text: marker residue, the
repeated headline and reader comments go, and what went is recorded.
"""

from __future__ import annotations

import hashlib
import logging
import re
from urllib.parse import urljoin

import trafilatura
from lxml.html import HtmlElement
from trafilatura.utils import load_html
from w3lib.encoding import html_to_unicode

from newsarchive.article import Article
from newsarchive.markers import strip_markers
from newsarchive.metadata import read_markup

logger = logging.getLogger(__name__)

_WORD = re.compile(r"\w+")


def extract(html: str | bytes, url: str | None = None) -> Article | None:
    """Return the article in ``html`` with its metadata, or None when the page has no main text.

    ``html`` may be bytes (charset taken from a BOM or ``<meta charset>``,
    else detected) or already-decoded text.
    """
    if isinstance(html, bytes):
        html = decode_html(html)
    tree = parse(html)
    if tree is None:
        return None
    markup = read_markup(tree)
    doc = trafilatura.bare_extraction(
        tree, url=url, with_metadata=True, include_comments=False, include_tables=True
    )
    if doc is None or not (doc.text or "").strip():
        return None
    text, removed = clean_text(doc.text, doc.title)
    if not text:
        return None
    canonical = markup.canonical_url or doc.url
    return Article(
        text=text,
        title=doc.title,
        authors=split_authors(doc.author),
        published=markup.published or doc.date,
        modified=markup.modified,
        site=doc.sitename or doc.hostname,
        language=markup.language or doc.language,
        description=doc.description,
        tags=_unique(list(doc.tags or []) + markup.keywords),
        categories=list(doc.categories or []),
        url=url,
        canonical_url=urljoin(url, canonical) if url and canonical else canonical,
        image=doc.image,
        page_type=markup.page_type or doc.pagetype,
        word_count=len(_WORD.findall(text)),
        fingerprint=fingerprint(text),
        removed=removed,
    )


def decode_html(body: bytes, content_type: str | None = None) -> str:
    """Decode HTML bytes the way browsers do: BOM, then HTTP charset, then ``<meta>``, then detection."""
    _, text = html_to_unicode(content_type, body)
    return text


def parse(html: str) -> HtmlElement | None:
    """Parse to an lxml tree; None for input lxml cannot make a document of (empty, binary)."""
    if not html.strip():
        return None
    tree = load_html(html)
    return tree if isinstance(tree, HtmlElement) else None


def clean_text(text: str, title: str | None) -> tuple[str, list[str]]:
    """Apply our cleaning to trafilatura's text; return the text and the removed pieces."""
    text, removed = strip_markers(text)
    lines = text.split("\n")
    if title and lines and _same_words(lines[0], title):
        removed.append(lines.pop(0))
    return "\n".join(lines).strip(), removed


def _same_words(a: str, b: str) -> bool:
    return _WORD.findall(a.lower()) == _WORD.findall(b.lower())


def fingerprint(text: str) -> str:
    """Content hash that ignores case, punctuation and spacing."""
    words = " ".join(_WORD.findall(text.lower()))
    return hashlib.sha256(words.encode("utf-8")).hexdigest()[:32]


def split_authors(author: str | None) -> list[str]:
    if not author:
        return []
    return _unique(a.strip() for a in re.split(r";|\band\b|\|", author) if a.strip())


def _unique(values) -> list[str]:
    seen: dict[str, None] = {}
    for value in values:
        if value and value.lower() not in {s.lower() for s in seen}:
            seen[value] = None
    return list(seen)
