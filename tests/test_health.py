"""Per-site health: the buckets, the flag rule, site_runs, ``newsarchive health`` and the Datasette view."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest
from click.testing import CliRunner
from sqlite_utils import Database

from newsarchive.cli import main
from newsarchive.datasette import reading_room
from newsarchive.db.health import (
    MIN_HISTORY, SiteRun, SiteTally, Usual, bucket_of, flags_for, format_run_report, record_site_runs, site_health,
    site_of,
)
from newsarchive.db.store import Store
from newsarchive.extract.article import Article
from newsarchive.processing.outcome import OutcomePolicy, PageCapture
from newsarchive.processing.page import PageResult


@pytest.mark.parametrize("url, source, site", [
    ("https://www.example-news.com/a.html", None, "example-news.com"),
    ("http://127.0.0.1:8123/a.html", None, "127.0.0.1:8123"),
    ("https://news.example:443/a", None, "news.example:443"),
    ("https://www.example-news.com/a.html", "Example News", "Example News"),
])
def test_site_is_the_source_else_the_host(url, source, site):
    assert site_of(url, source) == site


@pytest.mark.parametrize("outcome, status, revisit, bucket", [
    ("blocked", 403, True, "blocked"),  # a wall seen again is still a wall
    ("error", 304, False, "unchanged"),  # a conditional request answered "not modified"
    ("not_modified", 304, False, "unchanged"),
    ("error", 404, False, "errors"),
    ("error", 404, True, "errors"),
    ("not_article", 200, True, "unchanged"),
    ("article", 200, True, "unchanged"),
    ("not_article", 200, False, "not_article"),
    ("duplicate", 200, False, "not_article"),
    ("redirect", 301, False, "not_article"),
    ("robots", None, False, None),
    ("out_of_scope", None, False, None),
])
def test_each_fetch_has_one_bucket(outcome, status, revisit, bucket):
    assert bucket_of(outcome, status, revisit) == bucket


def run_of(new=0, updated=0, unchanged=0, not_article=0, errors=0, blocked=0, words=None, crawl_id=9) -> SiteRun:
    counts = dict(new=new, updated=updated, unchanged=unchanged, not_article=not_article, errors=errors,
                  blocked=blocked)
    return SiteRun("news.test", crawl_id, counts, words)


HEALTHY = [run_of(new=8, not_article=8, words=600) for _ in range(MIN_HISTORY)]


def test_a_run_like_its_history_is_not_flagged():
    assert flags_for(run_of(new=6, not_article=9, words=550), Usual.of(HEALTHY)) == []


def test_a_fall_in_article_yield_is_flagged():
    # A redesign: the article pages now come out as not_article.
    assert flags_for(run_of(new=1, not_article=15, words=580), Usual.of(HEALTHY)) == \
        ["article yield 6%, usually 50%"]


def test_a_fall_in_median_words_is_flagged():
    assert flags_for(run_of(new=8, not_article=8, words=120), Usual.of(HEALTHY)) == \
        ["median 120 words per article, usually 600"]


def test_bot_walls_are_flagged_without_history():
    assert flags_for(run_of(new=5, not_article=3, blocked=2), Usual.of([])) == \
        ["2 of 10 pages blocked (bot wall or challenge page)"]
    assert flags_for(run_of(new=50, not_article=49, blocked=1), Usual.of([])) == []  # 1%: noise


def test_too_little_history_or_too_few_pages_raise_no_fall_flag():
    assert flags_for(run_of(new=1, not_article=15, words=100), Usual.of(HEALTHY[:MIN_HISTORY - 1])) == []
    # Three fresh pages, none an article: too few to judge the yield.
    assert flags_for(run_of(new=0, not_article=3, unchanged=40), Usual.of(HEALTHY)) == []


def capture(crawl_id: int, status: int = 200) -> PageCapture:
    return PageCapture(status=status, crawl_id=crawl_id)


def article(n: int, words: int) -> PageResult:
    text = " ".join(f"word{n}" for _ in range(words))
    return PageResult("article", "declared type article",
                      Article(text=text, title=f"Story {n}", fingerprint=f"fp:{n}:{words}", word_count=words))


def crawl_into(path, crawl_id: int, articles: int, words: int, listings: int = 2, blocked: int = 0) -> list[SiteRun]:
    """One run over news.test through the outcome policy, as the pipeline makes it; its site_runs rows."""
    store = Store(path)
    store.db["crawls"].insert({"id": crawl_id, "spider": "news"})
    tally = SiteTally()
    policy = OutcomePolicy(store, lambda key, delta: None, per_site=tally.add)
    for n in range(articles):
        policy.record(f"http://news.test/{crawl_id}/{n}.html", article(n + 100 * crawl_id, words + n),
                      capture(crawl_id))
    for n in range(listings):
        policy.record(f"http://news.test/section/{n}", PageResult("not_article", "no main text"), capture(crawl_id))
    for n in range(blocked):
        policy.page(f"http://news.test/wall/{n}", "blocked", "bot wall", capture(crawl_id, 403))
    policy.page("http://other.test/x", "error", "HTTP 500", capture(crawl_id, 500))
    store.flush()
    runs = record_site_runs(store.db, crawl_id, tally, f"2026-01-0{crawl_id}T00:00:00+00:00")
    store.close()
    return runs


def test_site_runs_rows_count_each_site_and_judge_against_history(tmp_path):
    path = tmp_path / "news.db"
    for crawl_id in (1, 2, 3):
        crawl_into(path, crawl_id, articles=5, words=400)
    runs = crawl_into(path, 4, articles=5, words=90, blocked=3)
    assert [r.site for r in runs] == ["news.test", "other.test"]
    rows = {r["site"]: r for r in Database(path).query("SELECT * FROM site_runs WHERE crawl_id = 4")}
    assert {k: rows["news.test"][k] for k in ("fetched", "new", "updated", "unchanged", "not_article", "errors",
                                              "blocked", "median_words")} == \
        {"fetched": 10, "new": 5, "updated": 0, "unchanged": 0, "not_article": 2, "errors": 0, "blocked": 3,
         "median_words": 92}
    assert rows["news.test"]["flags"] == ("3 of 10 pages blocked (bot wall or challenge page); "
                                          "median 92 words per article, usually 402")
    assert (rows["other.test"]["fetched"], rows["other.test"]["errors"], rows["other.test"]["flags"]) == (1, 1, None)
    report = format_run_report(runs, 4)
    assert report.splitlines()[1].split() == ["site", "fetched", "new", "updated", "unchanged", "not_article",
                                              "errors", "blocked", "words"]
    assert report.splitlines()[2].split() == ["news.test", "10", "5", "0", "0", "2", "0", "3", "92"]
    assert "flagged news.test: 3 of 10 pages blocked" in report


def test_a_demoted_copy_moves_out_of_its_article_bucket(tmp_path):
    store = Store(tmp_path / "news.db")
    tally = SiteTally()
    policy = OutcomePolicy(store, lambda key, delta: None, per_site=tally.add)
    text = Article(text="Same story.", title="Story", fingerprint="fp:same", word_count=2,
                   canonical_url="http://news.test/story")
    policy.record("http://news.test/story?amp=1", PageResult("article", "declared", text), capture(1))
    policy.record("http://news.test/story", PageResult("article", "declared", text), capture(1))
    store.close()
    assert +tally.counts["news.test"] == Counter({"new": 1, "not_article": 1})


@pytest.fixture
def health_archive(tmp_path):
    path = tmp_path / "news.db"
    for crawl_id in (1, 2, 3):
        crawl_into(path, crawl_id, articles=6, words=500)
    crawl_into(path, 4, articles=1, words=480, listings=8)
    return tmp_path


def test_health_command_prints_each_sites_latest_run_and_its_flags(health_archive):
    result = CliRunner().invoke(main, ["health", "--dir", str(health_archive)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split()[:4] == ["site", "crawl", "fetched", "new"]
    assert lines[1].split()[:4] == ["news.test", "4", "9", "1"]  # flagged sites first
    assert "FLAG news.test: article yield 11%, usually 75%" in result.output
    assert "other.test" in result.output and "FLAG other.test" not in result.output
    # Compared with one previous run only: too little history to judge.
    short = CliRunner().invoke(main, ["health", "--dir", str(health_archive), "--runs", "1"])
    assert short.exit_code == 0 and "No site flagged." in short.output


def test_health_without_an_archive_or_without_runs_says_so(tmp_path):
    missing = CliRunner().invoke(main, ["health", "--dir", str(tmp_path / "nowhere")])
    assert missing.exit_code == 1 and "no archive database" in missing.output
    Store(tmp_path / "news.db").close()
    empty = CliRunner().invoke(main, ["health", "--dir", str(tmp_path)])
    assert empty.exit_code == 0 and "No site health recorded yet" in empty.output
    assert CliRunner().invoke(main, ["health", "--dir", str(tmp_path), "--runs", "0"]).exit_code == 2


def test_site_health_in_python_matches_the_command(health_archive):
    table = site_health(Database(health_archive / "news.db"))
    assert [(h.latest.site, h.usual.runs, bool(h.flags)) for h in table] == [("news.test", 3, True),
                                                                             ("other.test", 3, False)]


def datasette_get(path, url: str):
    async def fetch():
        return await reading_room(path).client.get(url)

    return asyncio.run(fetch())


def test_datasette_shows_site_health_and_a_sites_runs(health_archive):
    path = health_archive / "news.db"
    rows = datasette_get(path, "/news/site_health.json?_shape=array").json()
    assert [(r["site"], r["crawl_id"], r["previous_runs"]) for r in rows] == [("news.test", 4, 3), ("other.test", 4, 3)]
    flagged = rows[0]
    assert (flagged["yield_percent"], flagged["usual_yield_percent"]) == (11, 75)
    assert flagged["flags"] == "article yield 11%, usually 75%"
    history = datasette_get(path, "/news/site_history.json?_shape=array&site=news.test").json()
    assert [r["crawl_id"] for r in history] == [4, 3, 2, 1]
    page = datasette_get(path, "/news/site_runs")
    assert page.status_code == 200 and "Per-site health" in page.text
