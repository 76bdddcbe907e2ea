"""The links the spider follows from a page: Scrapy's ``LinkExtractor()`` with its defaults, for a
fraction of its CPU.

``LinkExtractor().extract_links(response)`` costs 7–15 ms on a real news page, most of it not
in parsing: for every ``<a>``/``<area>`` it collects the anchor text (``string()``), and it
``urljoin``s, ``safe_url_string``s and ``urljoin``s again every href, the same menu hrefs on
every page of a site. The spider only needs the URLs, so :func:`page_links` gives exactly
the URLs, in the same order, that ``[link.url for link in LinkExtractor().extract_links(response)]``
gives (``tests/test_links.py`` compares the two on crafted pages, ``bench/links.py`` on real
ones), by:

- walking the same lxml tree (``response.selector.root``, which Scrapy builds the same way);
- resolving each distinct href of a page once (equal hrefs give equal URLs);
- remembering, across pages, what each step gave for inputs that fully determine its
  result: ``safe_url_string`` depends on its URL and the page's encoding alone, and
  ``urljoin`` on an href that is root-relative (``/path``) or carries a host
  (``//host/…``, ``https://host/…``) depends on the base's scheme and host alone
  (``urllib.parse.urljoin`` reads the base's path, query or parameters only for
  other hrefs, which are keyed by the whole base URL).

Kept as Scrapy has them: the base from ``<base href>`` (``get_base_url``), HTML5 whitespace
stripping, hrefs that fail to parse skipped, the ``IGNORED_EXTENSIONS`` deny list, only
``http``/``https``/``file``/``ftp`` URLs (the scope refuses all but the first two),
no canonicalisation, first occurrence wins. ``rel=nofollow`` links are followed, as with
the spider's ``LinkExtractor`` (it marks them but the spider never read the mark).
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlparse, urlsplit

from scrapy.http import TextResponse
from scrapy.linkextractors import IGNORED_EXTENSIONS, _is_valid_url
from scrapy.utils.response import get_base_url
from scrapy.utils.url import url_has_any_extension
from w3lib.html import strip_html5_whitespace
from w3lib.url import safe_url_string

DENIED_EXTENSIONS = frozenset("." + extension for extension in IGNORED_EXTENSIONS)

# An href whose join with a base reads only the base's scheme and host: a non-empty host after
# "//" (with or without a scheme), or a path from the root. No tab or newline anywhere, which
# urlsplit would delete first (they could make a "/\t/host" out of a root path).
_ORIGIN_ONLY = re.compile(r"(?:(?:[A-Za-z][A-Za-z0-9+.\-]*:)?//[^/?#\\\t\n\r]|/(?![/\\\t\n\r]))[^\t\n\r]*")

# Remembered results, cleared whole when full: a crawl of one site meets the same few thousand
# menu and section URLs on every page; a crawl of many sites just starts over now and then.
CACHE_SIZE = 10_000  # entries per table: both together ~6 MB with 80-character URLs
_Key = tuple[str, ...]
_absolute: dict[_Key, str | None] = {}
_followable: dict[_Key, str | None] = {}


def page_links(response: TextResponse) -> list[str]:
    """The URLs ``LinkExtractor()`` extracts from ``response``, in its order, without duplicates."""
    base_url = get_base_url(response)
    page = _Page(response.url, base_url, response.encoding)
    hrefs: dict[str, None] = {}
    for element in response.selector.root.iter("a", "area"):
        href = element.get("href")
        if href is not None:
            hrefs[href] = None
    urls: dict[str, None] = {}
    for href in hrefs:
        url = page.followable(href)
        if url is not None:
            urls[url] = None
    return list(urls)


class _Page:
    """What a page's hrefs are resolved against, and the keys its results are remembered by."""

    def __init__(self, url: str, base_url: str, encoding: str):
        self.url, self.base_url, self.encoding = url, base_url, encoding
        self.base_origin = _origin(base_url)
        self.origin = _origin(url)

    def followable(self, href: str) -> str | None:
        """The link's absolute URL, or None where ``LinkExtractor`` would skip or filter it out."""
        href = strip_html5_whitespace(href)
        key = (href, self.encoding, *(self.base_origin if _depends_on_origin(href, self.base_origin) else (self.base_url,)))
        if key not in _absolute:
            _remember(_absolute, key, _safe_join(self.base_url, href, self.encoding))
        absolute = _absolute[key]
        if absolute is None:
            return None
        key = (absolute, *(self.origin if _depends_on_origin(absolute, self.origin) else (self.url,)))
        if key not in _followable:
            _remember(_followable, key, _filtered(urljoin(self.url, absolute)))
        return _followable[key]


def _safe_join(base_url: str, href: str, encoding: str) -> str | None:
    # LxmlParserLinkExtractor._extract_links: bogus hrefs and unsafe-able URLs are skipped.
    try:
        return safe_url_string(urljoin(base_url, href), encoding=encoding)
    except ValueError:
        return None


def _filtered(url: str) -> str | None:
    # LxmlLinkExtractor._link_allowed with the defaults: a valid scheme, no denied extension.
    if not _is_valid_url(url) or url_has_any_extension(urlparse(url), DENIED_EXTENSIONS):
        return None
    return url


def _origin(url: str) -> tuple[str, str] | None:
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return parts.scheme, parts.netloc


def _depends_on_origin(href: str, origin: tuple[str, str] | None) -> bool:
    return origin is not None and _ORIGIN_ONLY.fullmatch(href) is not None


def _remember(cache: dict[_Key, str | None], key: _Key, value: str | None) -> None:
    if len(cache) >= CACHE_SIZE:
        cache.clear()
    cache[key] = value
