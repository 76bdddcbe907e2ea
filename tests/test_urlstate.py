"""The archive's per-URL state (newsarchive/db/urlstate.py), dated listings and the word diff, on a real database."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from newsarchive.crawl.discovery import parse_listing
from newsarchive.db.store import Store
from newsarchive.db.urlstate import RevisitPolicy, UrlState, parse_date, parse_intervals
from newsarchive.textdiff import changed_words, word_diff

NOW = datetime(2026, 6, 10, 12, 0, tzinfo=timezone.utc)
ARTICLE, LISTING, BROKEN = "https://n.test/a.html", "https://n.test/", "https://n.test/torn.html"


def iso(when: datetime) -> str:
    return when.isoformat().replace("+00:00", "Z")


@pytest.fixture
def state(tmp_path):
    store = Store(tmp_path / "news.db")
    fetched = iso(NOW - timedelta(days=10))
    capture = {"status": 200, "fetched_at": fetched, "payload_digest": "sha1:A",
               "warc_filename": "a.warc.gz", "warc_offset": 0, "crawl_id": 1}
    store.add_page({"url": ARTICLE, "outcome": "article", **capture, "etag": '"a1"', "checked_at": fetched})
    store.add_article({"url": ARTICLE, "text": "t", "published": iso(NOW - timedelta(days=20)), **capture})
    store.add_version({"url": ARTICLE, "version": 1, "fetched_at": fetched})
    store.add_page({"url": LISTING, "outcome": "not_article", **capture, "payload_digest": "sha1:L",
                    "etag": '"l1"', "last_modified": "Mon, 01 Jun 2026 00:00:00 GMT"})
    store.add_page({"url": BROKEN, "outcome": "article", **capture})  # its articles row is missing
    store.close()
    found = UrlState(tmp_path / "news.db", validator_max_age=None)
    yield found
    found.close()


def test_an_archived_article_is_known_and_not_fetched_again(state):
    assert state.known(ARTICLE) and not state.known(LISTING) and not state.known(BROKEN)
    assert state.decide(ARTICLE, NOW).reason == "known" and not state.decide(ARTICLE, NOW).fetch
    assert state.decide("https://n.test/new.html", NOW).reason == "new"
    assert state.decide(LISTING, NOW).fetch and state.decide(BROKEN, NOW).fetch
    assert state.decide(ARTICLE, NOW, seed=True).fetch


@pytest.mark.parametrize("listed, fetch", [
    (NOW - timedelta(days=30), False),  # dated before the last check
    (NOW - timedelta(days=1), True),  # changed since
    (NOW + timedelta(days=365), True),  # a lastmod in the future: changed or unknown, never skipped
])
def test_a_listing_date_after_the_last_check_refetches(state, listed, fetch):
    assert state.decide(ARTICLE, NOW, listed=listed).fetch is fetch


def test_validators_come_from_the_last_200_and_a_shared_etag_is_none(state, tmp_path):
    assert state.validators(LISTING, NOW) == {"If-None-Match": '"l1"',
                                              "If-Modified-Since": "Mon, 01 Jun 2026 00:00:00 GMT"}
    assert state.validators("https://n.test/new.html", NOW) == {}
    store = Store(tmp_path / "news.db")
    store.add_page({"url": "https://n.test/b.html", "outcome": "article", "status": 200, "etag": '"l1"',
                    "payload_digest": "sha1:B"})
    store.close()
    assert state.validators(LISTING, NOW) == {}, "the same ETag on another payload validates nothing"


def test_validators_expire(tmp_path, state):
    aged = UrlState(tmp_path / "news.db", validator_max_age=timedelta(hours=24))
    assert aged.validators(LISTING, NOW) == {}
    assert aged.validators(LISTING, NOW - timedelta(days=9, hours=12)) != {}
    aged.close()


def test_an_archive_without_a_database_knows_nothing(tmp_path):
    empty = UrlState(tmp_path / "none.db")
    assert empty.lookup(ARTICLE) is None and empty.decide(ARTICLE, NOW).reason == "new"


FIRST = NOW - timedelta(hours=2)


@pytest.mark.parametrize("now, last_check, published, due", [
    (FIRST + timedelta(minutes=30), FIRST, None, False),  # before the first interval
    (FIRST + timedelta(hours=2), FIRST, None, True),  # 1 h passed, not checked since
    (FIRST + timedelta(hours=2), FIRST + timedelta(hours=1, minutes=5), None, False),  # checked after 1 h
    (FIRST + timedelta(hours=7), FIRST + timedelta(hours=1, minutes=5), None, True),  # 6 h passed
    (FIRST + timedelta(days=2), FIRST, FIRST - timedelta(days=2), False),  # published 4 days ago: not young
    (FIRST + timedelta(days=4), FIRST + timedelta(days=3, hours=1), None, False),  # every interval done
])
def test_young_articles_are_rechecked_at_growing_intervals(now, last_check, published, due):
    assert RevisitPolicy().due(now, FIRST, last_check, published) is due


def test_settings_values_parse():
    assert parse_intervals("1h, 30m,2d,45") == [timedelta(seconds=45), timedelta(minutes=30), timedelta(hours=1),
                                                 timedelta(days=2)]
    with pytest.raises(ValueError, match="not a duration"):
        parse_intervals("1 fortnight")
    assert parse_date("2026-05") == datetime(2026, 5, 1, tzinfo=timezone.utc)
    assert parse_date("Tue, 01 Dec 2026 02:03:22 GMT") == datetime(2026, 12, 1, 2, 3, 22, tzinfo=timezone.utc)
    assert parse_date("2026-02-01T10:00:00+01:00") == datetime(2026, 2, 1, 9, tzinfo=timezone.utc)
    assert parse_date("yesterday") is None and parse_date("") is None


def test_listings_date_their_entries():
    sitemap = b"""<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
      xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
      <url><loc>/a</loc><lastmod>2026-01-01</lastmod></url>
      <url><loc>/b</loc><news:news><news:publication_date>2026-02-01T10:00:00+01:00</news:publication_date>
      </news:news></url><url><loc>/c</loc></url></urlset>"""
    found = parse_listing(sitemap, "https://n.test/", 100, 10**6)
    assert found.dates == {"https://n.test/a": datetime(2026, 1, 1, tzinfo=timezone.utc),
                           "https://n.test/b": datetime(2026, 2, 1, 9, tzinfo=timezone.utc)}
    rss = b"<rss><channel><item><link>https://n.test/r</link><pubDate>Tue, 01 Dec 2026 02:03:22 GMT</pubDate>" \
          b"</item></channel></rss>"
    assert parse_listing(rss, "https://n.test/", 100, 10**6).dates["https://n.test/r"].day == 1
    atom = b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><link href="/e"/><published>2026-03-01T00:00:00Z' \
           b'</published><updated>2026-03-02T00:00:00Z</updated></entry></feed>'
    assert parse_listing(atom, "https://n.test/", 100, 10**6).dates["https://n.test/e"].day == 2


def test_word_diff_marks_removed_and_added_words():
    before, after = "The council met on Monday.\n\nIt voted.", "The council met on Tuesday evening.\n\nIt voted no."
    assert word_diff(before, after) == "The council met on [-Monday.-]{+Tuesday evening.+}\n\nIt [-voted.-]{+voted no.+}"
    assert word_diff("a b c d", "a d") == "a [-b c-] d"
    assert word_diff(after, after) == after
    assert changed_words(before, after) == (2, 4)


@pytest.mark.parametrize("setting, message", [
    ("NEWSARCHIVE_REFETCH=some", "is 'all' or empty"),
    ("NEWSARCHIVE_REVISIT_INTERVALS=1h,soon", "not a duration"),
    ("NEWSARCHIVE_NOW=tomorrow", "not an ISO date"),
    ("NEWSARCHIVE_MAX_AGE_DAYS=week", "takes a number"),
])
def test_bad_incremental_settings_are_one_line_errors(tmp_path, setting, message):
    from click.testing import CliRunner

    from newsarchive.cli import main

    result = CliRunner().invoke(main, ["crawl", "http://127.0.0.1:9/", "-s", setting, "--dir", str(tmp_path)])
    assert result.exit_code == 1 and message in result.output and "Traceback" not in result.output


def test_a_skipped_link_does_not_hide_the_same_url_coming_later_with_a_newer_sitemap_date(state):
    """The duplicate filter remembers only what it lets through: a plain link to an archived article
    (skipped) must not make the sitemap's request for it, dated after the last check, a duplicate."""
    from scrapy import Request
    from scrapy.utils.test import get_crawler

    from newsarchive.crawl.incremental import LISTED, Incremental
    from newsarchive.crawl.resume import ResumeDupeFilter

    dupes = ResumeDupeFilter(fingerprinter=get_crawler().request_fingerprinter, state=state,
                             incremental=Incremental(fixed_now=NOW))
    assert dupes.request_seen(Request(ARTICLE))  # a link: archived, skipped
    dated = Request(ARTICLE, meta={LISTED: (NOW - timedelta(days=1)).isoformat()})
    assert not dupes.request_seen(dated)  # the sitemap says it changed: fetched
    assert dupes.request_seen(Request(ARTICLE))  # and from then on a duplicate within the crawl
