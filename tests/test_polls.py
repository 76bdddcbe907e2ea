"""The adaptive schedule of feeds and sitemaps (newsarchive/db/polls.py)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from newsarchive.db.polls import ListingPolls, known_urls, next_interval
from newsarchive.db.store import open_db

MIN, MAX = 60.0, 3600.0
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("previous, found, new, expected", [
    (600, 20, 20, 300),    # all new: twice as often
    (600, 20, 10, 300),    # half new counts as mostly new
    (600, 20, 9, 600),     # some new: as before
    (600, 20, 0, 1200),    # nothing new: half as often
    (600, 0, 0, 1200),     # an empty listing: half as often
    (100, 10, 10, MIN),    # never below the minimum
    (3000, 10, 0, MAX),    # never above the maximum
    (10, 5, 0, MIN),       # an interval below the bounds is brought inside them
])
def test_next_interval(previous, found, new, expected):
    assert next_interval(previous, found, new, MIN, MAX) == expected


def test_repeated_empty_polls_back_off_to_the_maximum_and_new_urls_bring_it_back():
    interval = MIN
    for _ in range(10):
        interval = next_interval(interval, 30, 0, MIN, MAX)
    assert interval == MAX
    interval = next_interval(interval, 30, 30, MIN, MAX)
    assert interval == MAX / 2


@pytest.fixture
def db(tmp_path):
    db = open_db(tmp_path / "news.db")
    db["pages"].insert_all([{"url": "http://n.example/old1", "outcome": "article"},
                            {"url": "http://n.example/old2", "outcome": "error"}])
    yield db
    db.close()


def test_known_urls_are_those_with_a_pages_row(db):
    urls = ["http://n.example/old1", "http://n.example/new", "http://n.example/old2"] + [
        f"http://n.example/{i}" for i in range(1200)]  # more than one query's worth
    assert known_urls(db, urls) == {"http://n.example/old1", "http://n.example/old2"}


def test_a_listing_never_polled_is_due_and_its_first_poll_is_saved(db):
    polls = ListingPolls.load(db, MIN, MAX, now=NOW)
    assert polls.due("http://n.example/feed.xml")
    poll = polls.observe(db, "http://n.example/feed.xml", "n", ["http://n.example/old1", "http://n.example/new"])
    assert (poll.last_found, poll.last_new, poll.interval_seconds) == (2, 1, MIN)
    assert polls.save(db) == 1
    again = ListingPolls.load(db, MIN, MAX, now=NOW + timedelta(seconds=MIN - 1))
    assert not again.due("http://n.example/feed.xml")
    assert ListingPolls.load(db, MIN, MAX, now=NOW + timedelta(seconds=MIN)).due("http://n.example/feed.xml")
    assert ListingPolls.load(db, MIN, MAX, everything_due=True, now=NOW).due("http://n.example/feed.xml")


def test_a_poll_finding_nothing_new_pushes_the_next_one_back(db):
    polls = ListingPolls.load(db, MIN, MAX, now=NOW)
    polls.observe(db, "http://n.example/feed.xml", "n", ["http://n.example/old1"])
    polls.save(db)
    row = db["listing_polls"].get("http://n.example/feed.xml")
    assert row["interval_seconds"] == 2 * MIN and row["last_new"] == 0 and row["source"] == "n"
    later = ListingPolls.load(db, MIN, MAX, now=NOW + timedelta(seconds=2 * MIN))
    later.observe(db, "http://n.example/feed.xml", "n", [])
    assert later.polled["http://n.example/feed.xml"].interval_seconds == 4 * MIN


def test_an_unreadable_due_date_means_due(db):
    db["listing_polls"].insert({"url": "http://n.example/s.xml", "source": None, "interval_seconds": 60.0,
                                "next_due_at": "soon", "last_polled_at": "", "last_found": 0, "last_new": 0})
    assert ListingPolls.load(db, MIN, MAX, now=NOW).due("http://n.example/s.xml")


# -- in a crawl (newsarchive/crawl/listings.py), with Scrapy's own crawler --------------------------

@pytest.fixture
def crawler(tmp_path):
    from scrapy.utils.reactor import install_reactor, is_reactor_installed
    from scrapy.utils.test import get_crawler

    from newsarchive.crawl.addon import NewsArchive
    from spiders.news import NewsSpider

    if not is_reactor_installed():  # get_crawler needs one (installed, never run)
        install_reactor("twisted.internet.asyncioreactor.AsyncioSelectorReactor")
    open_db(tmp_path / "news.db").close()
    crawler = get_crawler(NewsSpider, {"ADDONS": {NewsArchive: 0}, "NEWSARCHIVE_DIR": str(tmp_path)})
    crawler.spider = NewsSpider.from_crawler(crawler, start_urls="http://n.example/")
    return crawler


@pytest.mark.parametrize("reason, kept", [("finished", 1), ("shutdown", 0), ("closespider_timeout", 0)])
def test_only_a_finished_crawl_keeps_its_polls(crawler, tmp_path, reason, kept):
    schedule = crawler.spider.schedule
    schedule.open()
    assert schedule.polls.minimum == 900.0 and schedule.polls.maximum == 86_400.0  # the add-on's defaults
    schedule.polled("http://n.example/feed.xml", "n", ["http://n.example/a"])
    schedule.close(reason)
    db = open_db(tmp_path / "news.db")
    try:
        assert db["listing_polls"].count == kept
    finally:
        db.close()
