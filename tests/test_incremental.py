"""Incremental crawls against a site that lives: what a second crawl fetches, and the versions it keeps.

The site (tests/living_site.py) publishes and edits between crawls and
answers conditional requests; its request log and the archive's rows say
what each crawl did. ``NEWSARCHIVE_NOW`` moves the second crawl two hours on,
so the young articles are due for their first re-check (1 h after their
first fetch) without waiting.
"""

from __future__ import annotations

import json
import shutil
import signal
import sqlite3
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlite_utils import Database
from warcio.archiveiterator import ArchiveIterator

from archive_helpers import run_crawl
from fault_helpers import check_archive, start_crawl, wait_for_articles
from living_site import LivingSite
from newsarchive.cli import main

pytestmark = pytest.mark.e2e

QUIET = {"NEWSARCHIVE_EXTRACT_WORKERS": "1", "LOG_LEVEL": "INFO"}
OLD = timedelta(days=30)
# robots.txt is not among them: Scrapy fetches it once per crawl, in full, to obey it, and the spider
# reads the sitemaps from that fetch (it used to ask for the file a second time, conditionally).
LISTINGS = ("/", "/section/old.html", "/sitemap.xml", "/feed.xml")


def later(hours: float = 2) -> str:
    return (datetime.now(timezone.utc) + timedelta(hours=hours)).isoformat(timespec="seconds")


def crawl(site: LivingSite, directory: Path, **settings: str):
    run = run_crawl(directory, settings={**QUIET, **settings}, start_urls=site.url, feed_urls=site.url + "feed.xml")
    return run.check()


def last_stats(directory: Path) -> dict:
    row = sqlite3.connect(directory / "news.db").execute("SELECT stats FROM crawls ORDER BY id DESC LIMIT 1").fetchone()
    return json.loads(row[0])


def newsroom(site: LivingSite) -> dict[str, str]:
    """Three old stories (in the unchanging section) and two young ones."""
    paths = {}
    for n in range(3):
        paths[f"old{n}"] = site.publish(f"old-{n}", f"Old story {n}", 100 + n, age=OLD + timedelta(days=n),
                                        section="old").path
    paths["young"] = site.publish("young", "Young story", 200).path
    paths["edited"] = site.publish("edited", "Story that will change", 201).path
    return paths


@pytest.fixture(scope="module")
def lived(tmp_path_factory):
    """A first crawl; then the site publishes two stories and edits one; then the second crawl."""
    directory = tmp_path_factory.mktemp("living") / "archive"
    with LivingSite() as site:
        paths = newsroom(site)
        crawl(site, directory)
        first = list(site.log)
        site.log.clear()
        time.sleep(1.05)  # Last-Modified has one-second resolution
        paths["new0"] = site.publish("new-0", "Fresh story zero", 300).path
        paths["new1"] = site.publish("new-1", "Fresh story one", 301).path
        site.edit(paths["edited"])
        crawl(site, directory, NEWSARCHIVE_NOW=later())
        second = list(site.log)
        site.log.clear()
        yield site, directory, paths, first, second


def test_a_second_crawl_fetches_what_is_new_and_changed_and_nothing_else(lived):
    site, directory, paths, first, second = lived
    fetched = [hit.path for hit in second if hit.status == 200]
    for name in ("old0", "old1", "old2", "young"):
        assert paths[name] not in fetched, f"unchanged {name} fetched again with a 200"
    for name in ("old0", "old1", "old2"):
        assert not site.hits(paths[name]) or all(h not in second for h in site.hits(paths[name]))
        assert paths[name] not in [hit.path for hit in second], "an old archived story is not even checked"
    assert fetched.count(paths["new0"]) == fetched.count(paths["new1"]) == 1
    assert paths["edited"] in fetched
    # The young story that did not change was re-checked, conditionally, and found unchanged.
    checks = [hit for hit in second if hit.path == paths["young"]]
    assert checks and all(hit.conditional and hit.status == 304 for hit in checks)
    db = Database(directory / "news.db")
    assert {r["url"] for r in db["articles"].rows} == {site.url.rstrip("/") + p for p in paths.values()}
    stats = last_stats(directory)
    assert stats["newsarchive/incremental/skipped"] >= 3 and stats["newsarchive/incremental/not_modified"] >= 2


def test_listings_are_asked_for_conditionally_and_304_where_unchanged(lived):
    site, directory, paths, first, second = lived
    assert not any(hit.conditional for hit in first), "the first crawl has nothing to validate against"
    for path in LISTINGS:
        hits = [hit for hit in second if hit.path == path]
        assert any(hit.conditional for hit in hits), f"{path} was not asked for conditionally"
    unchanged = [hit for hit in second if hit.path == "/section/old.html" and hit.conditional]
    assert unchanged and {hit.status for hit in unchanged} == {304}
    for crawl in (first, second):
        robots = [hit for hit in crawl if hit.path == "/robots.txt"]
        assert len(robots) == 1 and not robots[0].conditional and robots[0].status == 200
    changed = [hit for hit in second if hit.path in ("/", "/sitemap.xml", "/feed.xml")]
    assert {hit.status for hit in changed} == {200}


def test_a_304_is_archived_as_received_and_the_row_keeps_the_full_capture(lived):
    site, directory, paths, first, second = lived
    url = site.url + "section/old.html"
    row = Database(directory / "news.db")["pages"].get(url)
    assert row["status"] == 200 and row["outcome"] == "not_article" and row["etag"]
    assert row["checked_at"] > row["fetched_at"], "the 304 check is recorded"
    record_statuses = {}
    for path in sorted((directory / "warc").glob("*.warc.gz")):
        with path.open("rb") as stream:
            for record in ArchiveIterator(stream):
                if record.rec_type == "response" and record.rec_headers.get_header("WARC-Target-URI") == url:
                    record_statuses[path.name] = record.http_headers.statusline
    assert list(record_statuses.values()) == ["200 OK", "304 Not Modified"]
    # The row still points at the first, full response.
    assert row["warc_filename"] == sorted(record_statuses)[0]


def test_the_edited_story_has_two_versions_and_a_word_diff(lived):
    site, directory, paths, first, second = lived
    url = site.url.rstrip("/") + paths["edited"]
    db = Database(directory / "news.db")
    versions = list(db.query("SELECT * FROM article_versions WHERE url = ? ORDER BY version", [url]))
    assert [v["version"] for v in versions] == [1, 2]
    assert versions[0]["warc_record_id"] != versions[1]["warc_record_id"]
    assert db["articles"].get(url)["text"] == versions[1]["text"]
    assert "Update 1" in versions[1]["text"] and "Update 1" not in versions[0]["text"]
    others = db.execute("SELECT count(*) FROM article_versions WHERE url != ? AND version > 1", [url]).fetchone()[0]
    assert others == 0, "a 304, a revisit or a new story makes no second version"
    listed = CliRunner().invoke(main, ["show", url, "--versions", "--dir", str(directory)])
    assert listed.exit_code == 0, listed.output
    lines = listed.output.splitlines()
    assert len(lines) == 3 and lines[1].split()[0] == "1" and lines[2].split()[0] == "2"
    assert "Story that will change" in lines[2]
    diff = CliRunner().invoke(main, ["show", url, "--diff", "--dir", str(directory)])
    assert diff.exit_code == 0, diff.output
    assert "{+(updated)+}" in diff.output
    assert "{+Update 1: the council confirmed the figures on Tuesday evening.+}" in diff.output
    assert "[-" not in diff.output, "nothing was removed"
    same = CliRunner().invoke(main, ["show", url, "--diff", "2", "1", "--dir", str(directory)])
    assert "[-Update 1: the council confirmed the figures on Tuesday evening.-]" in same.output


@pytest.mark.parametrize("path, args, message", [
    ("/nowhere.html", ["--versions"], "has no article versions"),
    ("/news/edited.html", ["--diff", "1", "9"], "has no version 9"),
    ("/news/edited.html", ["--diff", "1"], "two version numbers or none"),
    ("/news/edited.html", ["1", "2"], "go with --diff"),
])
def test_show_versions_errors_are_one_line(lived, path, args, message):
    site, directory, paths, first, second = lived
    url = site.url.rstrip("/") + path
    result = CliRunner().invoke(main, ["show", url, *args, "--dir", str(directory)])
    assert result.exit_code == 1 and message in result.output and "Traceback" not in result.output


def test_refetch_all_fetches_everything_in_full(lived, tmp_path):
    site, directory, paths, first, second = lived
    copy = tmp_path / "archive"
    shutil.copytree(directory, copy)
    with LivingSite() as again:
        # Same stories on a new server (a new port, so new URLs): crawl once, then recrawl with REFETCH=all.
        newsroom(again)
        crawl(again, copy)
        again.log.clear()
        crawl(again, copy, NEWSARCHIVE_REFETCH="all")
        hits = list(again.log)
    article_paths = [p for p in again.stories]
    for path in article_paths:
        assert [hit.status for hit in hits if hit.path == path] == [200], path
    assert not any(hit.conditional for hit in hits)


def test_a_lying_server_and_a_future_lastmod_lose_no_new_story(tmp_path):
    directory = tmp_path / "archive"
    week = {"NEWSARCHIVE_MAX_AGE_DAYS": "7"}
    with LivingSite(lying=True) as site:
        paths = newsroom(site)
        crawl(site, directory, **week)
        site.log.clear()
        future = datetime.now(timezone.utc) + timedelta(days=400)
        new = site.publish("breaking", "Breaking story", 400, lastmod=future).path
        forgotten = site.publish("forgotten", "Long-forgotten story", 401, age=timedelta(days=40),
                                 in_sitemap_only=True).path
        site.stories[paths["old0"]].lastmod = future  # the sitemap claims an old story changes next year
        site._rebuild()
        # Two hours on: the feed and sitemap are due again (their adaptive schedule, db/polls.py).
        crawl(site, directory, **week, NEWSARCHIVE_NOW=later())
        hits = list(site.log)
    db = Database(directory / "news.db")
    assert db["articles"].get(site.url.rstrip("/") + new)["title"] == "Breaking story"
    assert [hit.status for hit in hits if hit.path == new] == [200]
    # Its ETag is every page's: it validates nothing, so nothing is asked for with it.
    assert not any(hit.if_none_match for hit in hits)
    assert any(hit.path == paths["old0"] for hit in hits), ("dated after the last check: checked again", [(h.path, h.status, h.conditional) for h in hits])
    assert not any(hit.path == forgotten for hit in hits), "older than NEWSARCHIVE_MAX_AGE_DAYS in the sitemap"
    assert last_stats(directory)["newsarchive/incremental/too_old"] >= 1


@pytest.mark.parametrize("jobdir", [True, False])
def test_an_incremental_crawl_killed_midway_resumes_to_the_right_rows(tmp_path, jobdir):
    directory = tmp_path / "archive"
    with LivingSite() as site:
        for n in range(20):
            site.publish(f"old-{n}", f"Old story {n}", 500 + n, age=OLD, section="old")
        seeds = {"start_urls": site.url, "feed_urls": site.url + "feed.xml"}
        assert start_crawl(directory, seeds).wait(timeout=300) == 0
        old = {site.url.rstrip("/") + path for path in site.stories}
        for n in range(30):
            site.publish(f"new-{n}", f"New story {n}", 700 + n, age=OLD)
        site.log.clear()
        site.delay = 0.15  # slow enough to be killed midway
        job = tmp_path / "job" if jobdir else None
        second = start_crawl(directory, seeds, job)
        wait_for_articles(directory, 20 + 5, timeout=120)
        second.send_signal(signal.SIGKILL)
        second.wait()
        # Stored: the article row and its page's (a row torn from its page by the kill is fetched again).
        stored = {url for (url,) in sqlite3.connect(directory / "news.db").execute(
            "SELECT url FROM articles JOIN pages USING (url) WHERE pages.outcome = 'article'")}
        killed_hits = list(site.log)
        site.log.clear()
        site.delay = 0.0
        assert start_crawl(directory, seeds, job).wait(timeout=300) == 0
        hits = list(site.log)
        every = {site.url.rstrip("/") + path for path in site.stories}
    findings = check_archive(directory, every)
    assert findings.lost == [] and findings.dangling == [] and findings.integrity == "ok", findings
    db = Database(directory / "news.db")
    assert {r["url"] for r in db["articles"].rows} == every
    assert db.execute("SELECT max(version) FROM article_versions").fetchone()[0] == 1
    base = site.url.rstrip("/")
    assert not [hit for hit in killed_hits + hits if base + hit.path in old and hit.status == 200], \
        "old stories fetched again"
    assert not [hit for hit in hits if base + hit.path in stored], "the resume fetches what the killed run stored"
    assert all(any(base + hit.path == url for hit in killed_hits + hits) for url in every - old)


def _versions(directory: Path) -> list[tuple]:
    db = sqlite3.connect(directory / "news.db")
    try:
        return db.execute("SELECT url, version, text, warc_filename, warc_offset FROM article_versions "
                          "ORDER BY url, version").fetchall()
    finally:
        db.close()


def test_rebuilding_from_the_warcs_and_reextracting_keep_the_same_versions(lived, tmp_path):
    site, directory, paths, first, second = lived
    from newsarchive.jobs.reextract import rebuild, reextract

    expected = _versions(directory)
    assert len(expected) == len(paths) + 1
    copy = tmp_path / "archive"
    shutil.copytree(directory, copy)
    reextract(copy, workers=1)
    assert _versions(copy) == expected, "re-extracting the captures again makes no new version"
    for name in ("news.db", "news.db-wal", "news.db-shm"):
        (copy / name).unlink(missing_ok=True)
    rebuild(copy, workers=1)
    # Successive captures in the WARCs, read in order, give the same versions; the 304s drop nothing.
    assert _versions(copy) == expected
    articles = {url for (url,) in sqlite3.connect(copy / "news.db").execute("SELECT url FROM articles")}
    assert articles == {site.url.rstrip("/") + p for p in paths.values()}


def test_reextract_rebuilds_earlier_versions_from_their_own_captures(lived, tmp_path):
    site, directory, paths, first, second = lived
    from newsarchive.jobs.reextract import reextract

    copy = tmp_path / "archive"
    shutil.copytree(directory, copy)
    expected = _versions(copy)
    url = site.url.rstrip("/") + paths["edited"]
    with sqlite3.connect(copy / "news.db") as db:
        db.execute("UPDATE article_versions SET text = 'stale' WHERE url = ? AND version = 1", [url])
    report = reextract(copy, workers=1)
    assert report.versions == 1
    assert _versions(copy) == expected
