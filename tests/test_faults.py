"""The fault suite: real crawls killed with SIGKILL, then run again; nothing may be lost.

Each case asserts what docs/reliability.md promises after a crash: every
article stored once the same command has run to its end, no row or index
line pointing at a WARC record that is not there, SQLite's integrity check
``ok``, every ``crawls`` row finished, no index left half-written, no
extraction worker outliving its crawl. The long campaign (20 kills) is marked
``slow``: ``make test-slow`` runs it.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import time

import pytest

from fault_helpers import NewsSite, campaign, check_archive, start_crawl, wait_for_articles
from newsarchive.archive import ArchiveDir
from newsarchive.warc.cdxj import write_cdxj

pytestmark = pytest.mark.skipif(not os.path.isdir("/proc"), reason="finds the crawl's workers through /proc")


def assert_nothing_lost(findings, kills, wanted_kills):
    assert len(kills) == wanted_kills, "every cycle should have been killed mid-crawl"
    assert findings.lost == []
    assert findings.dangling == []
    assert findings.integrity == "ok"
    assert findings.unfinished == []
    assert findings.open_journals == []
    assert findings.orphans == []


def crawls(directory):
    db = sqlite3.connect(directory / "news.db")
    try:
        return [(row[0], row[1], json.loads(row[2] or "{}")) for row in
                db.execute("SELECT id, finish_reason, stats FROM crawls ORDER BY id")]
    finally:
        db.close()


def test_killed_link_crawls_resume_to_the_complete_set(tmp_path):
    # Killed with JOBDIR, then without, then run to the end with JOBDIR again.
    with NewsSite(articles=120) as site:
        kills, findings = campaign(tmp_path / "archive", site, kills=2, jobdir=None, seed=9, longest=6.0)
    assert_nothing_lost(findings, kills, 2)
    reasons = [reason for _, reason, _ in crawls(tmp_path / "archive")]
    # A kill that lands before the run has begun (a slow start on a loaded machine) leaves no row.
    assert reasons.count("interrupted") == sum(kill.began for kill in kills) and reasons[-1] == "finished"


def test_a_resumed_sitemap_crawl_fetches_only_what_is_not_stored(tmp_path):
    directory = tmp_path / "archive"
    with NewsSite(articles=120) as site:
        seeds = {"sitemap_urls": site.url + "sitemap.xml"}
        first = start_crawl(directory, seeds, tmp_path / "job")
        wait_for_articles(directory, 20, first)
        first.send_signal(signal.SIGKILL)
        first.wait()
        db = sqlite3.connect(directory / "news.db")
        stored = {url for (url,) in db.execute("SELECT url FROM articles")}
        db.close()
        site.hits.clear()
        assert start_crawl(directory, seeds, tmp_path / "job").wait(timeout=300) == 0
        findings = check_archive(directory, site.sitemap_urls)
    base = site.url.rstrip("/")
    refetched = [url for url in stored if site.hits[url.removeprefix(base)]]
    assert refetched == [], "stored articles were fetched again"
    missing = [url for url in site.sitemap_urls - stored if not site.hits[url.removeprefix(base)]]
    assert missing == []
    assert site.hits["/sitemap.xml"] == 1, "the seeds are fetched again"
    (_, first_reason, _), (_, reason, stats) = crawls(directory)
    assert (first_reason, reason) == ("interrupted", "finished")
    assert stats["newsarchive/resume/skipped"] == len(stored) and stats["newsarchive/resume/jobdir_discarded"]
    assert findings.lost == [] and findings.dangling == [] and findings.integrity == "ok"


def test_a_second_crawl_into_a_busy_folder_is_refused_and_writes_nothing(tmp_path):
    directory = tmp_path / "archive"
    with NewsSite(articles=40, delay=2.0) as site:  # slow: the first crawl is still on when the second starts
        first = start_crawl(directory, {"start_urls": site.url})
        wait_for_articles(directory, 1, first)
        second = start_crawl(directory, {"start_urls": site.url})
        assert second.wait(timeout=60) != 0
        assert first.poll() is None, "the first crawl should still be running"
        assert first.wait(timeout=120) == 0
    log = (tmp_path / "archive.log").read_text()
    assert f"is in use by PID {first.pid} (crawl)" in log
    assert [reason for _, reason, _ in crawls(directory)] == ["finished"]


@pytest.mark.slow
def test_twenty_kills_lose_nothing(tmp_path):
    # With and without JOBDIR in turn, seeded from the home page: links, robots.txt, the sitemap.
    with NewsSite(articles=300) as site:
        kills, findings = campaign(tmp_path / "archive", site, kills=20, jobdir=None, seed=2026, longest=12.0)
    assert_nothing_lost(findings, kills, 20)


@pytest.mark.slow
def test_twenty_kills_of_a_sitemap_crawl_lose_nothing(tmp_path):
    with NewsSite(articles=300) as site:
        kills, findings = campaign(tmp_path / "archive", site, kills=20, jobdir=None, seed=7, longest=8.0,
                                   sitemap=True)
    assert_nothing_lost(findings, kills, 20)


@pytest.mark.slow
def test_a_crawl_stopped_with_ctrl_c_resumes_from_its_jobdir(tmp_path):
    directory = tmp_path / "archive"
    with NewsSite(articles=300) as site:
        first = start_crawl(directory, {"start_urls": site.url}, tmp_path / "job")
        wait_for_articles(directory, 30, first)
        first.send_signal(signal.SIGINT)  # Scrapy closes cleanly and saves its queue
        assert first.wait(timeout=120) == 0
        assert start_crawl(directory, {"start_urls": site.url}, tmp_path / "job").wait(timeout=300) == 0
        findings = check_archive(directory, site.article_urls)
    (_, first_reason, _), (_, reason, stats) = crawls(directory)
    assert (first_reason, reason) == ("shutdown", "finished")
    assert "newsarchive/resume/jobdir_discarded" not in stats, "a clean stop's JOBDIR is Scrapy's to resume"
    assert findings.ok, findings


@pytest.mark.parametrize("point", ["warc-record", "index-sort"])
def test_a_crash_at_each_point_of_a_crawl_is_recovered_by_the_next_run(tmp_path, point):
    directory = tmp_path / "archive"
    with NewsSite(articles=60) as site:
        seeds = {"start_urls": site.url}
        assert start_crawl(directory, seeds, tmp_path / "job", crash_at=point).wait(timeout=300) == 9
        assert start_crawl(directory, seeds, tmp_path / "job").wait(timeout=300) == 0
        findings = check_archive(directory, site.article_urls)
    assert findings.ok, findings
    indexes = sorted(p.name for p in (directory / "indexes").iterdir())
    # The killed crawl's index is finished by the next run (which writes one of its own only if it
    # archived anything: after a crash at the very end there is nothing left to fetch).
    assert indexes[0] == "crawl-1.cdxj" and set(indexes) <= {"crawl-1.cdxj", "crawl-2.cdxj"}, indexes
    assert [reason for _, reason, _ in crawls(directory)] == ["interrupted", "finished"]
    # `newsarchive index` reads the killed crawl's WARC, torn last record and all, to the same index.
    archive = ArchiveDir(directory)
    rebuilt = write_cdxj(archive.warc_files(), tmp_path / "all.cdxj", root=archive.warc_dir)
    written = sum(len(index.read_text().splitlines()) for index in archive.index_dir.glob("crawl-*.cdxj"))
    assert rebuilt == written
