"""Finding article URLs in robots.txt, sitemaps and feeds, defensively.

These documents come from servers we don't control: they may be gzipped,
huge, malformed or hostile (entity expansion). The parser never resolves
entities or touches the network, caps the size it inflates, and reports
what it could not read instead of raising.
"""

from __future__ import annotations

import gzip
import io
import logging
import re
import zlib
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urljoin

import lxml.html
from lxml import etree

from newsarchive.db.urlstate import parse_date

logger = logging.getLogger(__name__)

_PARSER_OPTIONS = dict(resolve_entities=False, no_network=True, recover=True, huge_tree=False, remove_comments=True)


@dataclass
class Discovered:
    kind: str  # "sitemapindex", "urlset", "rss", "atom", "unknown"
    urls: list[str] = field(default_factory=list)
    problem: str | None = None
    # The newest date an entry states (sitemap <lastmod>, Google News <news:publication_date>, RSS
    # <pubDate>/<dc:date>, Atom <updated>/<published>), by URL; undated entries are absent.
    dates: dict[str, datetime] = field(default_factory=dict)

    def describe(self) -> str:
        text = f"{self.kind}: {len(self.urls)} URLs"
        return f"{text} ({self.problem})" if self.problem else text


def robots_sitemaps(body: bytes, base_url: str) -> list[str]:
    """``Sitemap:`` lines of a robots.txt, as absolute URLs."""
    text = body.decode("utf-8", errors="replace")
    found = re.findall(r"^\s*sitemap\s*:\s*(\S+)", text, flags=re.IGNORECASE | re.MULTILINE)
    return [urljoin(base_url, url) for url in found]


def inflate(body: bytes, max_bytes: int) -> bytes:
    """Gunzip a ``.xml.gz`` body (served without Content-Encoding), refusing to inflate past ``max_bytes``."""
    if not body.startswith(b"\x1f\x8b"):
        return body[:max_bytes]
    inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
    out = inflater.decompress(body, max_bytes + 1)
    if len(out) > max_bytes:
        raise ValueError(f"gzip body inflates past {max_bytes} bytes")
    return out


def parse_listing(body: bytes, base_url: str, max_urls: int, max_bytes: int) -> Discovered:
    """URLs listed by a sitemap, sitemap index, RSS or Atom feed."""
    try:
        data = inflate(body, max_bytes)
    except (ValueError, zlib.error, EOFError, gzip.BadGzipFile) as exc:
        return Discovered("unknown", problem=f"unreadable gzip: {exc}")
    try:
        root = etree.parse(io.BytesIO(data), etree.XMLParser(**_PARSER_OPTIONS)).getroot()
    except etree.LxmlError as exc:
        return Discovered("unknown", problem=f"unparsable XML: {exc}")
    if root is None:
        return Discovered("unknown", problem="no XML document")
    kind = etree.QName(root).localname.lower()
    if kind in ("sitemapindex", "urlset"):
        links = [el for el in root.iter("{*}loc") if el.text and _parent_is(el, ("sitemap", "url"))]
        locs = [el.text for el in links]
    elif kind == "rss" or kind == "rdf":
        links = [el for el in root.iter("{*}link") if el.text and _parent_is(el, ("item",))]
        locs = [el.text for el in links]
    elif kind == "feed":
        kind = "atom"
        links = [el for el in root.iter("{*}link")
                 if el.get("href") and el.get("rel", "alternate") == "alternate" and _parent_is(el, ("entry",))]
        locs = [el.get("href") for el in links]
    else:
        return Discovered("unknown", problem=f"unexpected root element <{kind}>")
    urls = _clean_urls(locs, base_url)
    found = Discovered(kind, urls[:max_urls], dates=_entry_dates(links, locs, base_url))
    if len(urls) > max_urls:
        found.problem = f"{len(urls) - max_urls} more URLs beyond the limit of {max_urls} were skipped"
    return found


# Elements of an entry that date it: its last change, or its publication.
_DATE_NAMES = {"lastmod", "publication_date", "pubdate", "date", "updated", "published"}


def _entry_dates(links: list, locs: list[str], base_url: str) -> dict[str, datetime]:
    """The newest date each entry (the parent of its link element) states, by absolute URL."""
    dates: dict[str, datetime] = {}
    for el, loc in zip(links, locs):
        entry = el.getparent()
        stated = [parse_date(child.text) for child in entry.iter()
                  if isinstance(child.tag, str) and etree.QName(child).localname.lower() in _DATE_NAMES]
        stated = [d for d in stated if d is not None]
        if stated:
            url = urljoin(base_url, loc.strip())
            dates[url] = max(stated + ([dates[url]] if url in dates else []))
    return dates


def _parent_is(el, names: tuple[str, ...]) -> bool:
    parent = el.getparent()
    return parent is not None and etree.QName(parent).localname.lower() in names


def _clean_urls(values: list[str], base_url: str) -> list[str]:
    seen: dict[str, None] = {}
    for value in values:
        url = urljoin(base_url, value.strip())
        if url.startswith(("http://", "https://")):
            seen.setdefault(url, None)
    return list(seen)


# <link rel="alternate"> types of the feeds parse_listing reads.
FEED_TYPES = ("application/rss+xml", "application/atom+xml")


def alternate_feeds(body: bytes, base_url: str) -> list[str]:
    """RSS and Atom feeds a page announces with ``<link rel="alternate" type=...>``, as absolute URLs."""
    if not body.strip():
        return []
    try:
        root = lxml.html.fromstring(body)
    except (etree.LxmlError, ValueError) as exc:
        logger.debug("no feed links read from %s: %s", base_url, exc)
        return []
    hrefs = [link.get("href", "") for link in root.iter("link")
             if "alternate" in (link.get("rel") or "").lower().split()
             and (link.get("type") or "").split(";")[0].strip().lower() in FEED_TYPES]
    return _clean_urls([href for href in hrefs if href.strip()], base_url)
