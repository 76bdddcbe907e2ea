"""Crash points, each hit once: a real process dies (``os._exit``, like ``kill -9``) at that point,
and what it leaves behind is checked from a fresh process.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from click.testing import CliRunner
from sqlite_utils import Database

import shutil

from archive_helpers import fixture_routes, run_crawl
from newsarchive.demo.server import SiteServer
from newsarchive.cli import main
from newsarchive.db.runs import mark_interrupted, resumed_crawls, stored_leaves
from newsarchive.db.store import Store
from newsarchive.jobs.reextract import needs_rebuild
from newsarchive.warc.journal import finish_journals

ROOT = Path(__file__).resolve().parent.parent


def run_until_crash(code: str, **env: str) -> subprocess.CompletedProcess:
    """Run ``code`` in a child Python; it is expected to die with exit status 9."""
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT, capture_output=True, text=True,
                          timeout=60, env={**os.environ, "PYTHONPATH": str(ROOT), **env})
    assert done.returncode == 9, done.stderr
    return done


def test_a_crash_between_the_tables_of_a_flush_leaves_neither(tmp_path):
    # The batch's pages rows are written, then the process dies before its articles rows.
    run_until_crash("""
        import os, sys
        from sqlite_utils.db import Table
        from newsarchive.db.store import Store
        store = Store(os.environ["DB"], batch_size=1000)
        store.flush()
        real = Table.upsert_all
        def upsert_all(self, records, **kw):
            if self.name == "articles":
                os._exit(9)
            return real(self, records, **kw)
        Table.upsert_all = upsert_all
        store.add_page({"url": "https://n.example/a", "outcome": "article", "reason": "test"})
        store.add_article({"url": "https://n.example/a", "title": "A", "text": "words", "fingerprint": "f"})
        store.flush()
    """, DB=str(tmp_path / "news.db"))
    db = Database(tmp_path / "news.db")
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert db["pages"].count == 0
    assert db["articles"].count == 0


def test_a_killed_rebuild_is_finished_by_the_next_reextract(crawled_site, tmp_path):
    directory = shutil.copytree(crawled_site.directory, tmp_path / "archive")
    with Database(directory / "news.db") as db:
        articles = {row["url"] for row in db["articles"].rows}
    for path in directory.glob("news.db*"):
        path.unlink()
    # The rebuild dies after storing its second page.
    run_until_crash("""
        import os
        from newsarchive.jobs import import_warc
        from newsarchive.jobs.reextract import rebuild
        real, seen = import_warc._Importer.apply, []
        def apply(self, entry, result):
            real(self, entry, result)
            seen.append(entry)
            if len(seen) == 2:
                self.policy.store.flush()
                os._exit(9)
        import_warc._Importer.apply = apply
        rebuild(os.environ["DIR"], workers=1)
    """, DIR=str(directory))
    with Database(directory / "news.db") as db:
        assert 0 < db["pages"].count < len(articles) + 3  # some rows: a naive check would think it done
    assert needs_rebuild(directory)
    result = CliRunner().invoke(main, ["reextract", "--dir", str(directory), "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("rebuilt ")
    with Database(directory / "news.db") as db:
        assert {row["url"] for row in db["articles"].rows} == articles
        assert [(r["spider"], r["finish_reason"]) for r in db["crawls"].rows] == [
            ("reextract", "interrupted"), ("reextract", "finished")]
    assert not needs_rebuild(directory)


def test_a_journal_cut_short_by_a_kill_is_sorted_into_its_index_without_its_last_line(tmp_path):
    journal = tmp_path / "crawl-3.cdxj.open"
    journal.write_text('org,b)/ 20240501100000 {"url": "http://b.org/"}\n'
                       'org,a)/ 20240501100000 {"url": "http://a.org/"}\n'
                       'org,c)/ 2024050')
    assert finish_journals(tmp_path) == [tmp_path / "crawl-3.cdxj"]
    assert (tmp_path / "crawl-3.cdxj").read_text().splitlines() == [
        'org,a)/ 20240501100000 {"url": "http://a.org/"}', 'org,b)/ 20240501100000 {"url": "http://b.org/"}']
    assert not journal.exists()


def test_runs_left_unfinished_are_marked_interrupted_and_chain_into_a_resume(tmp_path):
    store = Store(tmp_path / "news.db")
    seeds = ["https://n.example/"]
    ids = [store.start_crawl("news", seeds, {}) for _ in range(2)]
    other = store.start_crawl("news", ["https://other.example/"], {})
    store.finish_crawl(other, {}, "finished")
    killed = store.start_crawl("news", seeds, {})
    store.add_page({"url": "https://n.example/a", "outcome": "article", "reason": "", "crawl_id": killed,
                    "fetched_at": "2026-01-01T00:00:09+00:00"})
    store.add_article({"url": "https://n.example/a", "text": "x", "fingerprint": "a"})
    store.add_page({"url": "https://n.example/b", "outcome": "article", "reason": "", "crawl_id": killed})
    store.add_page({"url": "https://n.example/c", "outcome": "not_article", "reason": "", "crawl_id": killed})
    store.add_page({"url": "https://n.example/d", "outcome": "duplicate", "reason": "", "crawl_id": ids[0]})
    store.flush()
    db = store.db
    assert mark_interrupted(db) == [*ids, killed]
    assert db["crawls"].get(killed)["finished_at"] == "2026-01-01T00:00:09+00:00"
    assert mark_interrupted(db) == []
    chain = resumed_crawls(db, "news", seeds)
    assert chain == [killed, *reversed(ids)]
    # b says article but has no article row: fetched again. c leads somewhere: fetched again.
    assert stored_leaves(db, chain) == {"https://n.example/a", "https://n.example/d"}
    store.finish_crawl(store.start_crawl("news", seeds, {}), {}, "finished")
    assert resumed_crawls(db, "news", seeds) == []
    store.close()


def drop_an_article_row(directory) -> str:
    """A torn batch of an older version: the pages row says article, the articles row is gone."""
    with Database(directory / "news.db") as db:
        url = next(row["url"] for row in db["articles"].rows)
        db.execute("DELETE FROM articles WHERE url = ?", [url])
        db.conn.commit()
    return url


def test_reextract_repairs_an_article_page_without_its_article_row(crawled_site, tmp_path):
    directory = shutil.copytree(crawled_site.directory, tmp_path / "archive")
    url = drop_an_article_row(directory)
    result = CliRunner().invoke(main, ["reextract", "--dir", str(directory), "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert " 1 added" in result.output
    with Database(directory / "news.db") as db:
        assert db["articles"].get(url)["text"]


def test_a_recrawl_repairs_an_article_page_without_its_article_row(tmp_path):
    with SiteServer(routes=fixture_routes()) as site:
        run_crawl(tmp_path / "archive", start_urls=site.url).check()
        url = drop_an_article_row(tmp_path / "archive")
        run_crawl(tmp_path / "archive", start_urls=site.url).check()  # same payloads: revisit records
    with Database(tmp_path / "archive" / "news.db") as db:
        assert db["articles"].get(url)["text"]
        assert db["pages"].get(url)["revisit_record_id"], "fetched unchanged, re-extracted all the same"
