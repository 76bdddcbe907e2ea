"""The SQLite store: migrations, idempotent upserts, batching, full-text search kept in sync."""

from __future__ import annotations

import json
import sqlite3

from sqlite_utils import Database

from newsarchive.extract.article import Article
from newsarchive.db.schema import migrate, migrations
from newsarchive.db.store import Store, article_row


def article(url: str, text: str = "The harbour bridge opens in spring after delays.", **kw) -> dict:
    a = Article(text=text, title=kw.pop("title", "Bridge opens"), authors=["Ana Ruiz"], fingerprint=kw.pop("fp", url))
    return {**article_row(a), "url": url, **kw}


def page(url: str, outcome: str = "article") -> dict:
    return {"url": url, "outcome": outcome, "reason": "test", "status": 200}


def test_migrations_are_named_and_applied_once(tmp_path):
    db = Database(tmp_path / "news.db")
    applied = migrate(db)
    assert applied == [m.name for m in migrations._migrations]
    assert applied[0].startswith("m001_")
    assert migrate(db) == []
    assert {"articles", "pages", "crawls", "articles_fts"} <= set(db.table_names())


def test_wal_mode(tmp_path):
    Store(tmp_path / "news.db").close()
    conn = sqlite3.connect(tmp_path / "news.db")
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_recrawl_updates_rows_never_duplicates(tmp_path):
    store = Store(tmp_path / "news.db", batch_size=1)
    store.add_article(article("http://x/1", text="first version of the story"))
    store.add_article(article("http://x/1", text="second version of the story"))
    store.add_page(page("http://x/1"))
    store.add_page(page("http://x/1"))
    store.close()
    db = Database(tmp_path / "news.db")
    assert db["articles"].count == 1 and db["pages"].count == 1
    assert db["articles"].get("http://x/1")["text"] == "second version of the story"


def test_fts_follows_updates_and_deletes(tmp_path):
    store = Store(tmp_path / "news.db", batch_size=1)
    store.add_article(article("http://x/1", text="ferry strike ends"))
    store.add_article(article("http://x/1", text="harbour festival begins"))
    store.flush()
    search = lambda q: [r["url"] for r in store.db["articles"].search(q)]  # noqa: E731
    assert search("festival") == ["http://x/1"]
    assert search("ferry") == []
    store.remove_article("http://x/1")
    store.flush()
    assert search("festival") == []
    store.close()


def test_rows_wait_for_a_full_batch(tmp_path):
    store = Store(tmp_path / "news.db", batch_size=3)
    store.add_page(page("http://x/1"))
    store.add_page(page("http://x/2"))
    assert Database(tmp_path / "news.db")["pages"].count == 0
    store.add_page(page("http://x/3"))
    assert Database(tmp_path / "news.db")["pages"].count == 3
    store.close()


def test_unflushed_batch_is_all_that_a_crash_loses(tmp_path):
    store = Store(tmp_path / "news.db", batch_size=2)
    for i in range(5):
        store.add_page(page(f"http://x/{i}"))
    # No close(): the process "dies" with one row buffered.
    assert Database(tmp_path / "news.db")["pages"].count == 4
    assert Database(tmp_path / "news.db").execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_duplicate_lookup_sees_buffered_and_stored_rows(tmp_path):
    store = Store(tmp_path / "news.db", batch_size=100)
    store.add_article(article("http://x/1", fp="abc"))
    assert store.article_with_fingerprint("abc", other_than="http://x/2") == "http://x/1"
    assert store.article_with_fingerprint("abc", other_than="http://x/1") is None
    store.flush()
    assert store.article_with_fingerprint("abc", other_than="http://x/2") == "http://x/1"
    store.close()


def test_duplicate_lookup_skips_articles_pending_deletion_or_rewrite(tmp_path):
    """A stored row that a buffered removal or rewrite has overtaken no longer holds that text."""
    store = Store(tmp_path / "news.db", batch_size=100)
    store.add_article(article("http://x/A", fp="old text"))
    store.add_article(article("http://x/B", fp="b text"))
    store.flush()
    store.remove_article("http://x/A")  # not flushed: the row is still in the database
    assert store.article_with_fingerprint("old text", other_than="http://x/C") is None
    store.add_article(article("http://x/B", fp="new b text"))  # B's text changed, not flushed either
    assert store.article_with_fingerprint("b text", other_than="http://x/C") is None
    assert store.article_with_fingerprint("new b text", other_than="http://x/C") == "http://x/B"
    store.add_article(article("http://x/D", fp="d text"))
    store.add_article(article("http://x/D", fp="new d text"))  # rewritten before any flush
    assert store.article_with_fingerprint("d text", other_than="http://x/C") is None
    store.flush()
    assert store.article_with_fingerprint("old text", other_than="http://x/C") is None
    assert store.article_with_fingerprint("b text", other_than="http://x/C") is None
    store.close()


def test_demote_hands_the_article_over(tmp_path):
    store = Store(tmp_path / "news.db", batch_size=100)
    store.add_article(article("http://x/amp/1", fp="abc", canonical_url="http://x/1"))
    store.add_page(page("http://x/amp/1"))
    assert store.demote("http://x/amp/1", "same text as http://x/1")["outcome"] == "article"
    assert store.article("http://x/amp/1") is None
    assert store.page("http://x/amp/1")["reason"] == "same text as http://x/1"
    assert store.page("http://x/amp/1")["outcome"] == "duplicate"
    assert store.article_with_fingerprint("abc", other_than="http://x/1") is None
    store.close()


def test_crawl_row_records_settings_and_stats(tmp_path):
    store = Store(tmp_path / "news.db")
    crawl_id = store.start_crawl("news", ["http://x/"], {"DOWNLOAD_DELAY": 0.5})
    store.finish_crawl(crawl_id, {"item_scraped_count": 3}, "finished")
    row = store.db["crawls"].get(crawl_id)
    assert json.loads(row["settings"]) == {"DOWNLOAD_DELAY": 0.5}
    assert json.loads(row["stats"]) == {"item_scraped_count": 3}
    assert row["finish_reason"] == "finished" and row["finished_at"]
    store.close()


def test_list_fields_are_json(tmp_path):
    row = article("http://x/1")
    assert json.loads(row["authors"]) == ["Ana Ruiz"]


def test_rows_added_together_are_written_in_one_batch(tmp_path):
    from newsarchive.db.store import Store

    store = Store(tmp_path / "news.db", batch_size=2)
    with store.together():
        store.add_article({"url": "https://n.test/a", "text": "t"})
        store.add_version({"url": "https://n.test/a", "version": 1, "text": "t"})
        store.add_page({"url": "https://n.test/a", "outcome": "article"})
        assert store.db["articles"].count == 0, "no batch ends inside together()"
    assert store.pending() == 0 and store.db["pages"].count == store.db["articles"].count == 1
    store.close()
