"""Which of two pages with the same text holds the article row (newsarchive/crawl/pipeline.py)."""

import pytest

from newsarchive.crawl.pipeline import better_copy

PLAIN = "http://news.test/news/bridge.html"
CHUNKED = "http://news.test/chunked/news/bridge.html"


@pytest.mark.parametrize("url, canonical, stored, stored_canonical, expected", [
    # The canonical page arrives after a copy: it takes the row.
    (PLAIN, PLAIN, CHUNKED, PLAIN, True),
    # A copy arrives after the canonical page: it is the duplicate.
    (CHUNKED, PLAIN, PLAIN, PLAIN, False),
    # Neither or both canonical: first come keeps the row.
    (CHUNKED, None, PLAIN, None, False),
    (PLAIN, PLAIN, "http://mirror.test/bridge.html", "http://mirror.test/bridge.html", False),
    # URL forms that mean the same page count as canonical.
    ("http://news.test/a?b=2&a=1", "http://news.test/a?a=1&b=2", CHUNKED, None, True),
])
def test_better_copy(url, canonical, stored, stored_canonical, expected):
    assert better_copy(url, canonical, stored, stored_canonical) is expected
