"""Session fixtures: the local sites (127.0.0.1, port 0) and finished crawls of them.

Two sites, both served by the demo ``SiteServer``: the bundled demo site
(``demo_site``, checked against its truth.json) and a tiny fixture news site
(``news_site``, ``archive_helpers.fixture_routes``). The fixture site is
crawled once per session (``crawled_site``), then a copy of that archive is
crawled again in full (``NEWSARCHIVE_REFETCH=all``) while the same server is up
(``recrawled_site``), so the second crawl finds every payload unchanged and
writes revisit records. Both folders
are shared read-only: tests that write copy them first. Tests that crawl are
marked ``e2e`` (deselect them with ``-m "not e2e"``).
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator

import pytest

from archive_helpers import CrawledSite, fixture_routes, run_crawl
from newsarchive.demo import SITE_DIR, load_truth
from newsarchive.demo.server import SiteServer

# The fixture site's crawls: one extraction process is plenty for its few pages.
QUIET = {"NEWSARCHIVE_EXTRACT_WORKERS": "1", "LOG_LEVEL": "WARNING"}


@pytest.fixture(scope="session")
def demo_site() -> Iterator[SiteServer]:
    with SiteServer(SITE_DIR) as server:
        yield server


@pytest.fixture(scope="session")
def truth() -> dict:
    return load_truth()


@pytest.fixture(scope="session")
def news_site() -> Iterator[SiteServer]:
    with SiteServer(routes=fixture_routes()) as server:
        yield server


@pytest.fixture(scope="session")
def crawled_site(news_site, tmp_path_factory) -> CrawledSite:
    """The fixture site crawled once."""
    directory = tmp_path_factory.mktemp("crawl") / "archive"
    run_crawl(directory, settings=QUIET, start_urls=news_site.url).check()
    return CrawledSite(directory, news_site.url, news_site.routes)


@pytest.fixture(scope="session")
def recrawled_site(crawled_site, news_site, tmp_path_factory) -> CrawledSite:
    """``crawled_site`` crawled again in full, unchanged: its second WARC file holds revisit records.

    In full: an incremental recrawl (the default) would not fetch the archived articles at all.
    """
    directory = tmp_path_factory.mktemp("recrawl") / "archive"
    shutil.copytree(crawled_site.directory, directory)
    # Into the next second, so the revisits' 14-digit timestamps differ from the originals'.
    time.sleep(1.05 - time.time() % 1)
    run_crawl(directory, settings={**QUIET, "NEWSARCHIVE_REFETCH": "all"}, start_urls=news_site.url).check()
    return CrawledSite(directory, news_site.url, news_site.routes)


# Tests that need a finished crawl are end-to-end tests, whichever module they are in.
CRAWL_FIXTURES = {"crawled_site", "recrawled_site"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if CRAWL_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.e2e)
