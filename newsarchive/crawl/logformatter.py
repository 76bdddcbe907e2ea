"""Scrapy's log lines about items, one short line each: ``Dropped: <url> (<reason>)``.

Scrapy's own formatter prints the whole item after each message: for a dropped
page that is the ``Page`` with its capture pointer, for a stored article its
full text. The add-on sets LOG_FORMATTER to this one (unless a project chose
another); the levels stay Scrapy's (a DropItem's own ``log_level``; ours are
all DEBUG: newsarchive/crawl/exceptions.py).
"""

from __future__ import annotations

from typing import Any

from scrapy import Spider
from scrapy.http import Response
from scrapy.logformatter import LogFormatter, LogFormatterResult
from twisted.python.failure import Failure


def item_url(item: Any) -> str:
    """The URL an item is about: a ``Page``'s, an article row's, or "?" for items of other spiders."""
    url = getattr(item, "url", None)
    if url is None and isinstance(item, dict):
        url = item.get("url")
    return str(url) if url else "?"


class ShortLogFormatter(LogFormatter):
    def dropped(self, item: Any, exception: BaseException, response: Response | Failure | None,
                spider: Spider) -> LogFormatterResult:
        result = super().dropped(item, exception, response, spider)
        return {**result, "msg": "Dropped: %(url)s (%(reason)s)",
                "args": {"url": item_url(item), "reason": exception}}

    def scraped(self, item: Any, response: Response | Failure | None, spider: Spider) -> LogFormatterResult:
        result = super().scraped(item, response, spider)
        return {**result, "msg": "Stored: %(url)s", "args": {"url": item_url(item)}}
