"""The outcome policy (newsarchive/processing/outcome.py): which rows a page's result becomes, on a real Store."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlite_utils import Database

from newsarchive.db.schema import migrate
from newsarchive.db.store import Store
from newsarchive.extract.article import Article
from newsarchive.processing.outcome import (
    CAPTURE_COLUMNS, OutcomePolicy, PageCapture, SameText, better_copy,
)
from newsarchive.processing.page import PageResult

PLAIN = "http://news.test/news/bridge.html"
CHUNKED = "http://news.test/chunked/news/bridge.html"
AMP = "http://news.test/amp/bridge.html"


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


def found(text: str, canonical: str | None = None, title: str = "Bridge opens") -> PageResult:
    return PageResult("article", "declared type article",
                      Article(text=text, title=title, canonical_url=canonical, fingerprint=f"fp:{text}", word_count=9))


def capture(n: int, crawl_id: int | None = 1) -> PageCapture:
    return PageCapture(status=200, fetched_at=f"2026-01-0{n}T00:00:00Z", crawl_id=crawl_id, warc_filename="a.warc.gz",
                       warc_offset=100 * n, warc_length=90, warc_record_id=f"<urn:uuid:{n}>", payload_digest=f"sha1:{n}",
                       warc_date=f"2026-01-0{n}T00:00:00Z")


@pytest.fixture
def run(tmp_path):
    """A policy over a real Store, with its reports summed up; rows read back after a flush."""
    store = Store(tmp_path / "news.db", batch_size=1000)
    counts: Counter = Counter()

    def count(key: str, delta: int) -> None:
        counts[key] += delta

    policy = OutcomePolicy(store, count)
    policy.counts = counts
    yield policy
    store.close()


def rows(policy: OutcomePolicy) -> tuple[dict, dict]:
    policy.store.flush()
    db = policy.store.db
    return ({r["url"]: r for r in db["pages"].rows}, {r["url"]: r for r in db["articles"].rows})


def test_capture_columns_are_columns_of_both_tables(tmp_path):
    db = Database(tmp_path / "news.db")
    migrate(db)
    for table in ("pages", "articles"):
        assert set(CAPTURE_COLUMNS) <= set(db[table].columns_dict)


def test_an_article_becomes_a_pages_row_and_an_articles_row_with_the_capture(run):
    recorded = run.record(PLAIN, found("The bridge opens."), capture(1), {"depth": 2, "content_type": "text/html"})
    assert (recorded.outcome, recorded.article["url"]) == ("article", PLAIN)
    pages, articles = rows(run)
    assert pages[PLAIN]["outcome"] == "article" and pages[PLAIN]["depth"] == 2
    assert {c: articles[PLAIN][c] for c in CAPTURE_COLUMNS} == capture(1).columns()
    assert PageCapture.of_row(pages[PLAIN]) == capture(1)
    assert run.counts == {"pages/article": 1, "articles/added": 1}


def test_a_page_that_is_no_longer_an_article_loses_its_article_row(run):
    run.record(PLAIN, found("The bridge opens."), capture(1))
    recorded = run.record(PLAIN, PageResult("not_article", "too few words"), capture(2))
    assert recorded.article is None
    pages, articles = rows(run)
    assert (pages[PLAIN]["outcome"], pages[PLAIN]["reason"]) == ("not_article", "too few words")
    assert articles == {}
    assert run.counts == {"pages/article": 1, "articles/added": 1, "pages/not_article": 1, "articles/dropped": 1}


def test_an_extraction_error_keeps_the_article(run):
    run.record(PLAIN, found("The bridge opens."), capture(1))
    run.record(PLAIN, PageResult("error", "extraction timed out"), capture(2))
    pages, articles = rows(run)
    assert pages[PLAIN]["outcome"] == "error" and PLAIN in articles


def test_a_copy_after_the_canonical_page_is_its_duplicate(run):
    run.record(PLAIN, found("The bridge opens.", canonical=PLAIN), capture(1))
    recorded = run.record(AMP, found("The bridge opens.", canonical=PLAIN), capture(2))
    assert (recorded.outcome, recorded.original) == ("duplicate", PLAIN)
    pages, articles = rows(run)
    assert (pages[AMP]["outcome"], pages[AMP]["reason"]) == ("duplicate", f"same text as {PLAIN}")
    assert list(articles) == [PLAIN]
    assert run.counts == {"pages/article": 1, "articles/added": 1, "pages/duplicate": 1}


def test_the_canonical_page_after_a_copy_demotes_it_and_the_counts_follow(run):
    run.record(AMP, found("The bridge opens.", canonical=PLAIN), capture(1))
    run.record(PLAIN, found("The bridge opens.", canonical=PLAIN), capture(2))
    pages, articles = rows(run)
    assert list(articles) == [PLAIN]
    assert (pages[AMP]["outcome"], pages[AMP]["reason"]) == ("duplicate", f"same text as {PLAIN}")
    # The copy's article was this run's: counted back, as if the canonical page had come first.
    assert +run.counts == {"pages/article": 1, "articles/added": 1, "pages/duplicate": 1}


def test_demoting_an_earlier_runs_article_drops_it_without_touching_this_runs_page_counts(tmp_path):
    earlier = Store(tmp_path / "news.db")
    OutcomePolicy(earlier, lambda key, delta: None).record(AMP, found("The bridge opens.", canonical=PLAIN), capture(1))
    earlier.close()
    store = Store(tmp_path / "news.db")
    counts: Counter = Counter()
    policy = OutcomePolicy(store, lambda key, delta: counts.update({key: delta}))
    policy.record(PLAIN, found("The bridge opens.", canonical=PLAIN), capture(2, crawl_id=2))
    store.close()
    db = Database(tmp_path / "news.db")
    assert [r["url"] for r in db["articles"].rows] == [PLAIN]
    assert db["pages"].get(AMP)["outcome"] == "duplicate"
    assert counts == {"pages/article": 1, "articles/added": 1, "articles/dropped": 1}


def test_same_text_says_which_copy_keeps_the_article(run):
    run.record("http://x/amp/1", found("abc", canonical="http://x/1"), capture(1))
    assert run.same_text("fp:abc", "http://x/copy", None) == SameText("http://x/amp/1", keeps=True)
    assert run.same_text("fp:abc", "http://x/1", "http://x/1") == SameText("http://x/amp/1", keeps=False)
    assert run.same_text("fp:other", "http://x/1", "http://x/1") is None
    run.demote("http://x/amp/1", "http://x/1")
    assert run.store.article("http://x/amp/1") is None
    assert run.store.page("http://x/amp/1")["reason"] == "same text as http://x/1"
    assert run.same_text("fp:abc", "http://x/1", "http://x/1") is None


def test_rewriting_an_article_reports_whether_extraction_changed_it(run):
    run.record(PLAIN, found("The bridge opens."), capture(1))
    run.record(PLAIN, found("The bridge opens."), capture(2))  # another fetch, same text: unchanged
    run.record(PLAIN, found("The bridge opens.", title="Bridge opens at last"), capture(3))
    assert run.counts["articles/unchanged"] == 1 and run.counts["articles/changed"] == 1


def test_a_stale_article_is_no_evidence_of_a_duplicate(tmp_path):
    """A re-extraction judges a selected page's stored article by its new text, when its turn comes."""
    store = Store(tmp_path / "news.db")
    OutcomePolicy(store, lambda key, delta: None).record(AMP, found("Old text."), capture(1))
    store.flush()
    policy = OutcomePolicy(store, lambda key, delta: None, stale={AMP})
    assert policy.record(PLAIN, found("Old text."), capture(2)).outcome == "article"
    # Once AMP is re-extracted it counts again: with the same text, it is PLAIN's duplicate now.
    assert policy.record(AMP, found("Old text."), capture(1)).outcome == "duplicate"
    store.close()


def test_a_dry_run_writes_nothing_but_decides_as_if_it_had(tmp_path):
    store = Store(tmp_path / "news.db")
    counts: Counter = Counter()
    policy = OutcomePolicy(store, lambda key, delta: counts.update({key: delta}), write=False)
    policy.record(AMP, found("The bridge opens.", canonical=PLAIN), capture(1))
    assert policy.record(PLAIN, found("The bridge opens.", canonical=PLAIN), capture(2)).outcome == "article"
    assert policy.record(CHUNKED, found("The bridge opens.", canonical=PLAIN), capture(3)).original == PLAIN
    store.close()
    db = Database(tmp_path / "news.db")
    assert db["pages"].count == 0 and db["articles"].count == 0
    assert +counts == {"pages/article": 1, "articles/added": 1, "pages/duplicate": 2}


# -- versions -------------------------------------------------------------------

def versions(policy: OutcomePolicy, url: str = PLAIN) -> list[dict]:
    policy.store.flush()
    return list(policy.store.db.query("SELECT * FROM article_versions WHERE url = ? ORDER BY version", [url]))


def test_a_new_capture_with_new_text_is_a_new_version_and_articles_holds_the_latest(run):
    run.record(PLAIN, found("first text"), capture(1))
    run.record(PLAIN, found("second text"), capture(2))
    kept = versions(run)
    assert [(v["version"], v["text"], v["warc_record_id"]) for v in kept] == [
        (1, "first text", "<urn:uuid:1>"), (2, "second text", "<urn:uuid:2>")]
    assert rows(run)[1][PLAIN]["text"] == "second text"
    assert run.counts["articles/changed"] == 1


def test_a_new_capture_with_the_same_text_makes_no_version(run):
    run.record(PLAIN, found("same text"), capture(1))
    run.record(PLAIN, found("same text", title="Retitled"), capture(2))
    assert [v["version"] for v in versions(run)] == [1]


def test_the_same_capture_extracted_again_updates_its_version_in_place(run):
    run.record(PLAIN, found("first text"), capture(1))
    run.record(PLAIN, found("second text"), capture(2))
    run.record(PLAIN, found("second text, extracted better"), capture(2))  # reextract of the last capture
    assert [(v["version"], v["text"]) for v in versions(run)] == [(1, "first text"),
                                                                    (2, "second text, extracted better")]


def test_a_dry_run_writes_no_version(tmp_path):
    store = Store(tmp_path / "news.db")
    OutcomePolicy(store, lambda key, delta: None, write=False).record(PLAIN, found("text"), capture(1))
    store.flush()
    assert store.db["article_versions"].count == 0
    store.close()


def test_a_304_moves_only_checked_at(run):
    run.record(PLAIN, found("text"), capture(1))
    run.checked(PLAIN, "2026-01-05T00:00:00Z", PageCapture(status=304, warc_record_id="<urn:uuid:304>"))
    pages, articles = rows(run)
    assert pages[PLAIN]["checked_at"] == "2026-01-05T00:00:00Z"
    assert pages[PLAIN]["status"] == 200 and pages[PLAIN]["warc_record_id"] == "<urn:uuid:1>"
    assert articles[PLAIN]["text"] == "text" and run.counts["pages/not_modified"] == 1


def test_a_304_for_a_page_never_archived_is_its_own_row(run):
    run.checked(PLAIN, "2026-01-05T00:00:00Z", PageCapture(status=304, warc_record_id="<urn:uuid:304>"))
    assert rows(run)[0][PLAIN]["status"] == 304


def test_the_versions_migration_makes_every_stored_article_its_version_1(tmp_path):
    from sqlite_utils import Database

    from newsarchive.db.schema import migrations

    db = Database(tmp_path / "news.db")
    # The schema before versions: apply the migrations up to m006 only.
    for migration in migrations.pending(db):
        if migration.name.startswith("m007"):
            break
        migration.fn(db)
        db["_sqlite_migrations"].insert({"migration_set": "newsarchive", "name": migration.name,
                                         "applied_at": "2026-01-01"}, alter=True)
    db["articles"].insert({"url": PLAIN, "title": "T", "text": "old text", "word_count": 2, "fingerprint": "f",
                           "fetched_at": "2026-01-01T00:00:00Z", "warc_record_id": "<urn:uuid:1>", "crawl_id": 1})
    migrate(db)
    assert [(r["url"], r["version"], r["text"], r["warc_record_id"]) for r in db["article_versions"].rows] == [
        (PLAIN, 1, "old text", "<urn:uuid:1>")]
