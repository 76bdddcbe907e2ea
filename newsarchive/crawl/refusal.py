"""A crawl that cannot start because of a user mistake says so in one line, without a traceback.

A spider's ``__init__`` and an extension's ``from_crawler`` run while Scrapy
builds the crawler; what they raise reaches asyncio, which logs "Task
exception was never retrieved" with the whole traceback (``scrapy crawl``
then exits 1). ``refused(message)`` returns a ``CrawlRefused`` to raise and
makes sure that log record carries the message alone.
"""

from __future__ import annotations

import logging


class CrawlRefused(Exception):
    """The crawl cannot start (a bad start URL, a busy archive folder); the message is one line."""


class _OneLine(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, CrawlRefused):
            record.msg, record.args = "Crawl not started: %s", (str(error),)
            record.exc_info, record.exc_text = None, None
            # Ours, not asyncio's: the line reads "[newsarchive] ERROR: Crawl not started: …".
            record.name = "newsarchive"
        return True


_FILTER = _OneLine()


def refused(message: str) -> CrawlRefused:
    """The exception to raise; asyncio's report of it will be one line."""
    asyncio_logger = logging.getLogger("asyncio")
    if _FILTER not in asyncio_logger.filters:
        asyncio_logger.addFilter(_FILTER)
    return CrawlRefused(message)
