"""The article database: batched, idempotent writes into SQLite via sqlite-utils.

Rows wait in memory and are written in one transaction per batch, so a
crash loses at most the last batch; WAL mode keeps readers (Datasette) and
the writer out of each other's way and the file consistent.
"""

from __future__ import annotations

import json
import logging
import os
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from sqlite_utils import Database

from newsarchive.corpus.neardup import WORKER_PARAMS
from newsarchive.extract.article import VERDICT_FIELDS, Article
from newsarchive.db.schema import migrate

logger = logging.getLogger(__name__)

JSON_ARTICLE_FIELDS = ("authors", "tags", "categories", "removed")


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def open_db(path: str | os.PathLike) -> Database:
    """Open (creating if needed) and migrate the database at ``path``."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    db = Database(path)
    db.enable_wal()
    db.execute("PRAGMA synchronous=NORMAL")  # safe under WAL; a crash loses no committed batch
    db.execute("PRAGMA busy_timeout=10000")
    migrate(db)
    return db


def article_row(article: Article) -> dict[str, Any]:
    """The ``articles`` columns that come from extraction (no crawl or WARC fields)."""
    row = article.to_dict()
    for name in VERDICT_FIELDS:
        del row[name]  # the pages row holds the verdict (outcome, reason)
    for name in JSON_ARTICLE_FIELDS:
        row[name] = json.dumps(row[name], ensure_ascii=False)
    return row


class Store:
    """Buffered writer for ``pages`` and ``articles`` rows."""

    def __init__(self, path: str | os.PathLike, batch_size: int = 100) -> None:
        self.path = Path(path)
        self.batch_size = batch_size
        self.db = open_db(self.path)
        self._pages: dict[str, dict] = {}
        self._articles: dict[str, dict] = {}
        self._deleted_articles: set[str] = set()
        self._fingerprints: dict[str, str] = {}  # of buffered articles
        self._versions: dict[tuple[str, int], dict] = {}  # article_versions rows
        self._signatures: dict[str, bytes] = {}  # fingerprint -> the workers' MinHash signature of that text
        self._held = 0  # > 0 inside ``together()``: no batch may end there
        self.written = {"pages": 0, "articles": 0}

    # -- crawls -------------------------------------------------------------

    def start_crawl(self, spider: str, start_urls: Iterable[str], settings: dict) -> int:
        table = self.db["crawls"]
        table.insert({
            "spider": spider,
            "started_at": now_iso(),
            "start_urls": json.dumps(list(start_urls)),
            "settings": json.dumps(settings, default=str, sort_keys=True),
        })
        return table.last_pk

    def finish_crawl(self, crawl_id: int, stats: dict, reason: str | None) -> None:
        self.db["crawls"].update(crawl_id, {
            "finished_at": now_iso(),
            "finish_reason": reason,
            "stats": json.dumps(stats, default=str, sort_keys=True),
        })

    # -- rows ---------------------------------------------------------------

    def add_page(self, row: dict) -> None:
        self._pages[row["url"]] = row
        self._maybe_flush()

    def add_article(self, row: dict) -> None:
        self._articles[row["url"]] = row
        if row.get("fingerprint"):
            self._fingerprints[row["fingerprint"]] = row["url"]
        self._deleted_articles.discard(row["url"])
        self._maybe_flush()

    def remove_article(self, url: str) -> None:
        """Forget an article row, e.g. when a recrawl finds the page no longer is one."""
        self._articles.pop(url, None)
        self._deleted_articles.add(url)
        self._maybe_flush()

    def add_signature(self, fingerprint: str, blob: bytes) -> None:
        """The near-duplicate signature an extraction worker made of the text with this fingerprint.

        Kept for ``update_clusters`` (newsarchive/db/clusters.py), which then need not sign the text itself.
        """
        self._signatures[fingerprint] = blob

    def add_version(self, row: dict) -> None:
        """An ``article_versions`` row (a new version, or one whose capture was extracted again)."""
        self._versions[(row["url"], row["version"])] = row
        self._maybe_flush()

    def pending(self) -> int:
        return len(self._pages) + len(self._articles) + len(self._deleted_articles) + len(self._versions)

    @contextmanager
    def together(self) -> Iterator[None]:
        """The rows added inside go into the same batch: a crash never keeps an article without its page."""
        self._held += 1
        try:
            yield
        finally:
            self._held -= 1
            self._maybe_flush()

    def _maybe_flush(self) -> None:
        if not self._held and self.pending() >= self.batch_size:
            self.flush()

    def flush(self) -> None:
        """Write everything buffered in one transaction: all of it is stored, or none of it.

        ``db.atomic()``, not ``with db.conn``: sqlite-utils' ``upsert_all``
        opens its own transaction and commits it unless one is already open,
        so under ``with db.conn`` (which begins nothing itself) a crash
        between the tables left ``pages`` saying "article" with no article row.
        """
        if not self.pending():
            return
        with self.db.atomic():
            if self._pages:
                self.db["pages"].upsert_all(self._pages.values(), pk="url")
            if self._articles:
                self.db["articles"].upsert_all(self._articles.values(), pk="url")
            for url in self._deleted_articles:
                self.db.execute("DELETE FROM articles WHERE url = ?", [url])
            if self._versions:
                self.db["article_versions"].upsert_all(self._versions.values(), pk=("url", "version"))
            if self._signatures:
                self.db.conn.executemany(
                    "INSERT OR REPLACE INTO neardup_presigned (fingerprint, signing, signature) VALUES (?, ?, ?)",
                    [(fp, WORKER_PARAMS.signing, blob) for fp, blob in self._signatures.items()])
        self.written["pages"] += len(self._pages)
        self.written["articles"] += len(self._articles)
        logger.debug("flushed %d pages, %d articles", len(self._pages), len(self._articles))
        self._pages.clear()
        self._articles.clear()
        self._fingerprints.clear()
        self._deleted_articles.clear()
        self._versions.clear()
        self._signatures.clear()

    # -- reads --------------------------------------------------------------

    def article_with_fingerprint(self, fingerprint: str, other_than: str,
                                 skipping: Callable[[str], bool] = lambda url: False) -> str | None:
        """URL of a stored (or buffered) article with this text, if any other than ``other_than``.

        Stored rows of the pages ``skipping`` names do not count (their articles are out of date).
        """
        buffered = self._fingerprints.get(fingerprint)
        # Still that text: the buffered row may have been rewritten with another since.
        if buffered and buffered != other_than and self._articles.get(buffered, {}).get("fingerprint") == fingerprint:
            return buffered
        for (url,) in self.db.execute("SELECT url FROM articles WHERE fingerprint = ? AND url != ?",
                                      [fingerprint, other_than]):
            # A stored row with a removal or rewrite waiting in the buffer no longer holds this text.
            if url not in self._deleted_articles and url not in self._articles and not skipping(url):
                return url
        return None

    def demote(self, url: str, reason: str) -> dict | None:
        """``url``'s article goes and its pages row becomes a ``duplicate`` (the outcome policy's decision).

        Returns the pages row as it was (None if there is none).
        """
        self.remove_article(url)
        row = self.page(url)
        if row is not None:
            self.add_page({**row, "outcome": "duplicate", "reason": reason})
        return row

    def article(self, url: str) -> dict | None:
        """The ``articles`` row for ``url``, buffered or stored."""
        if url in self._articles:
            return self._articles[url]
        if url in self._deleted_articles:
            return None
        rows = list(self.db["articles"].rows_where("url = ?", [url], limit=1))
        return rows[0] if rows else None

    def latest_version(self, url: str) -> dict | None:
        """The newest ``article_versions`` row of ``url``, buffered or stored."""
        buffered = [row for (u, _), row in self._versions.items() if u == url] if self._versions else []
        rows = list(self.db["article_versions"].rows_where("url = ?", [url], order_by="version desc", limit=1))
        candidates = buffered + rows
        return max(candidates, key=lambda row: row["version"]) if candidates else None

    def page(self, url: str) -> dict | None:
        """The ``pages`` row for ``url``, buffered or stored."""
        if url in self._pages:
            return self._pages[url]
        rows = list(self.db["pages"].rows_where("url = ?", [url], limit=1))
        return rows[0] if rows else None

    def close(self) -> None:
        self.flush()
        self.db.close()
