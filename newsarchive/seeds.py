"""The URLs a crawl starts from (start pages, sitemaps, feeds), checked before anything starts.

As in a browser's address bar, a URL without a scheme that starts with a host
name (``www.example.com``, ``example.com/news``, ``localhost:8000``) means
``https://``; anything else that is not an http(s) URL with a host is refused
with one line saying why. ``newsarchive crawl`` and the news spider both ask
here; what may be fetched once the crawl runs is ``newsarchive.scope``'s rule.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit


class BadSeed(ValueError):
    """Not a URL a crawl can start from; the message is one line for the user."""


# A host name with at least one dot (or localhost, or an [IPv6] literal), an optional port, then a path.
_HOST_FIRST = re.compile(r"^(localhost|[a-z0-9-]+(\.[a-z0-9-]+)+|\[[0-9a-f:.]+\])(:\d{1,5})?([/?#].*)?$",
                         re.IGNORECASE)


def seed_url(text: str) -> tuple[str, bool]:
    """The URL to crawl for ``text``, and whether ``https://`` was added; raises BadSeed."""
    text = text.strip()
    if "://" not in text:
        if _HOST_FIRST.match(text):
            return f"https://{text}", True
        raise BadSeed(f"{text!r} is not a URL: give one like https://www.example.com/")
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https"):
        raise BadSeed(f"{text}: only http:// and https:// URLs can be crawled")
    try:
        parts.port  # noqa: B018 (raises on a port that is no number or out of range)
    except ValueError as exc:
        raise BadSeed(f"{text}: {exc}") from None
    if not parts.hostname:
        raise BadSeed(f"{text}: no host name")
    if any(char.isspace() for char in parts.netloc):  # a typo; Scrapy would only fail later, as an "Invalid URI"
        raise BadSeed(f"{text}: a host name has no spaces")
    return text, False
