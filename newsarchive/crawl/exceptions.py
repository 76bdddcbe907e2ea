"""One DropItem subclass per reason a page does not become an article row.

All log at DEBUG, in one line (newsarchive/crawl/logformatter.py): a crawl's
progress lines and summary count them; ``-s LOG_LEVEL=DEBUG`` (``newsarchive
crawl -vv``) lists them.
"""

from scrapy.exceptions import DropItem


class PageNotArticle(DropItem):
    """Home, section, tag, service pages, feeds, sitemaps, non-HTML: archived, not stored as articles."""

    def __init__(self, message: str) -> None:
        super().__init__(message, log_level="DEBUG")


class DuplicateArticle(DropItem):
    """Same text as an article already stored under another URL."""

    def __init__(self, message: str) -> None:
        super().__init__(message, log_level="DEBUG")


class FetchFailed(DropItem):
    """The fetch ended in an HTTP error, a network error, a robots.txt refusal or a failed extraction."""

    def __init__(self, message: str) -> None:
        super().__init__(message, log_level="DEBUG")


class UnchangedPage(DropItem):
    """A recrawl found the same bytes as archived: a revisit record was written, the rows stay."""

    def __init__(self, message: str) -> None:
        super().__init__(message, log_level="DEBUG")


class PageBlocked(DropItem):
    """A bot wall or challenge page instead of the page (processing/blocked.py): outcome ``blocked``."""

    def __init__(self, message: str) -> None:
        super().__init__(message, log_level="INFO")


class NotModifiedPage(DropItem):
    """A conditional re-check answered 304: archived as received, the rows keep the last full capture."""

    def __init__(self, message: str) -> None:
        super().__init__(message, log_level="DEBUG")
