"""Re-extraction: run the current extractor over archived responses again, offline.

The WARC files hold every body as received, so improving the extractor never
needs a recrawl: each ``pages`` row that was (or could now be) an article is
read back from its record, extracted in the same process pool as the crawl,
and ``articles`` is rebuilt from the results. Pages that were not articles
before can become articles now, and the other way round.

An archive without a database (lost, or never written) is rebuilt from its
WARC files alone: ``rebuild`` reads every response record in DIR/warc, as
``import-warc`` does, and names the files relative to DIR/warc, as a crawl
does.
"""

from __future__ import annotations

import asyncio
import difflib
import logging
import os
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator
from urllib.parse import urlsplit

from sqlite_utils import Database

from newsarchive.archive import ArchiveDir
from newsarchive.db.clusters import ClusterReport, update_clusters
from newsarchive.db.store import Store
from newsarchive.jobs.import_warc import ImportReport, import_warcs, tally, too_large
from newsarchive.processing.outcome import CAPTURE_COLUMNS, OutcomePolicy, PageCapture
from newsarchive.processing.page import MAX_EXTRACT_BYTES, MIN_WORDS, PageResult
from newsarchive.processing.pool import ExtractionPool, in_order
from newsarchive.warc.records import RecordError, load_row_response
from newsarchive.db.runs import REBUILD_SPIDER, rebuild_unfinished

logger = logging.getLogger(__name__)

# Outcomes decided by extraction (not by the fetch): these are worth running again, and so
# are the errors of extraction itself (a crash or time-out the current extractor may not have).
REEXTRACTED_OUTCOMES = ("article", "not_article", "duplicate")


@dataclass
class ReextractReport:
    pages: int = 0
    # Article rows: added, changed, dropped, unchanged; plus pages that could not be read or extracted.
    counts: Counter = field(default_factory=Counter)
    outcomes: Counter = field(default_factory=Counter)  # pages' new outcomes
    problems: list[str] = field(default_factory=list)
    diff: str | None = None
    clusters: ClusterReport | None = None  # the near-duplicate clusters brought up to date at the end
    versions: int = 0  # earlier versions of articles re-extracted from their own captures

    def summary(self) -> str:
        c = self.counts
        lines = [f"re-extracted {self.pages} pages: {c['changed']} articles changed, {c['added']} added, "
                 f"{c['dropped']} dropped, {c['unchanged']} unchanged"]
        if self.versions:
            lines.append(f"and {self.versions} earlier versions of articles, from their own captures")
        if self.problems:
            lines.append(f"{len(self.problems)} pages left as they were:")
            lines.extend(f"  {message}" for message in self.problems)
        if self.clusters is not None:
            lines.append(self.clusters.summary())
        return "\n".join(lines)

    def count(self, key: str, delta: int) -> None:
        """The outcome policy's reports: pages' new outcomes, and how their articles rows changed."""
        kind, _, name = key.partition("/")
        tally(self.outcomes if kind == "pages" else self.counts, name, delta)


def select_pages(db: Database, since: str | None = None, site: str | None = None,
                 url: str | None = None) -> Iterator[dict[str, Any]]:
    """The pages rows to re-extract, in the order they were stored."""
    return rows_by_rowid(db, [rowid for rowid, _ in select_keys(db, since, site, url)])


def select_keys(db: Database, since: str | None = None, site: str | None = None,
                url: str | None = None) -> list[tuple[int, str]]:
    """(rowid, url) of the pages to re-extract, in storage order: all a run keeps in memory of its selection."""
    # Challenge pages that came with a 200 were judged with their extraction: judged again with it.
    where = [f"(pages.outcome IN ({', '.join('?' * len(REEXTRACTED_OUTCOMES))}) OR "
             "(pages.outcome = 'error' AND pages.reason LIKE 'extraction %') OR "
             "(pages.outcome = 'blocked' AND pages.status = 200))", "pages.warc_filename IS NOT NULL",
             "pages.warc_offset IS NOT NULL"]
    params: list[Any] = list(REEXTRACTED_OUTCOMES)
    if since:
        where.append("pages.fetched_at >= ?")
        params.append(since)
    if url:
        where.append("pages.url = ?")
        params.append(url)
    sql = (f"SELECT pages.rowid, pages.url, articles.site FROM pages LEFT JOIN articles ON articles.url = pages.url"
           f" WHERE {' AND '.join(where)} ORDER BY pages.rowid")
    return [(rowid, page_url) for rowid, page_url, site_name in db.execute(sql, params)
            if not site or on_site(page_url, site_name, site)]


def rows_by_rowid(db: Database, rowids: list[int], chunk: int = 500) -> Iterator[dict[str, Any]]:
    """The pages rows with these rowids, in that order, read a chunk at a time."""
    for start in range(0, len(rowids), chunk):
        part = rowids[start:start + chunk]
        # Each chunk is read whole before any row is handed out: the caller writes between rows.
        rows = {row.pop("rowid"): row for row in db.query(
            f"SELECT rowid, * FROM pages WHERE rowid IN ({', '.join('?' * len(part))})", part)}
        yield from (rows[rowid] for rowid in part if rowid in rows)


def on_site(url: str, site_name: str | None, site: str) -> bool:
    """``site`` is a host (subdomains and "www." included) or an article's site name."""
    wanted = site.lower().removeprefix("www.")
    host = (urlsplit(url).hostname or "").removeprefix("www.")
    return host == wanted or host.endswith("." + wanted) or (site_name or "").lower() == site.lower()


class _Reextractor:
    def __init__(self, store: Store, directory: str | os.PathLike, selected: set[str],
                 report: ReextractReport, diff_url: str | None, dry_run: bool) -> None:
        self.directory = directory
        self.store = store
        self.report = report
        self.diff_url = diff_url
        # The selected pages' stored articles are judged by their new texts, not their old.
        self.policy = OutcomePolicy(store, report.count, stale=selected, write=not dry_run)

    def body_of(self, row: dict[str, Any]) -> tuple[bytes | None, str | None] | None:
        """The row's body (None if it is too large to extract) and content type; None if unreadable."""
        try:
            # Read no further than extraction would accept: a small record can inflate a thousandfold.
            stored = load_row_response(self.directory, row, self.store.db, limit=MAX_EXTRACT_BYTES + 1)
        except RecordError as exc:
            self.report.problems.append(f"{row['url']}: {exc}")
            self.report.counts["unreadable"] += 1
            return None
        body = stored.body if len(stored.body) <= MAX_EXTRACT_BYTES else None
        return body, stored.content_type or row.get("content_type")

    def apply(self, row: dict[str, Any], result: PageResult | None) -> None:
        if result is None:
            # Only a body over MAX_EXTRACT_BYTES comes without one (see body_of): not extracted.
            result = too_large()
        url = row["url"]
        if result.outcome == "error":
            # A crash now must not throw away what an earlier run extracted.
            self.report.problems.append(f"{url}: {result.reason}")
            self.report.counts["error"] += 1
            return
        old = self.store.article(url)
        # The pages row keeps its own capture columns; the article row those of capture_columns.
        recorded = self.policy.record(url, result, PageCapture.of_row(capture_columns(row, old)), row)
        if url == self.diff_url:
            self.report.diff = text_diff(url, old, recorded.article)


def capture_columns(page: dict[str, Any], article: dict[str, Any] | None) -> dict[str, Any]:
    """The capture columns of a re-extracted article row.

    Taken from the ``pages`` row, except while the stored article still comes
    from the same response record: a recrawl that found the payload unchanged
    (a revisit) moves the page's ``fetched_at`` and ``crawl_id`` on but leaves
    the article as it was, and re-extraction must not rewrite it either.
    """
    if article is not None and article.get("warc_record_id") and \
            article.get("warc_record_id") == page.get("warc_record_id"):
        return {c: article.get(c) for c in CAPTURE_COLUMNS}
    return {c: page.get(c) for c in CAPTURE_COLUMNS}


def older_versions(db: Database, selected: set[str]) -> list[dict[str, Any]]:
    """The ``article_versions`` rows of the selected pages that are not their article's current capture."""
    sql = ("SELECT v.* FROM article_versions v LEFT JOIN articles a ON a.url = v.url "
           "WHERE v.warc_filename IS NOT NULL AND v.warc_offset IS NOT NULL "
           "AND (a.warc_record_id IS NULL OR v.warc_record_id IS NOT a.warc_record_id) ORDER BY v.url, v.version")
    return [row for row in db.query(sql) if row["url"] in selected]


def _reextract_version(store: Store, report: ReextractReport, row: dict[str, Any], result: PageResult | None) -> None:
    """An earlier version re-extracted from its own capture: its text is updated in place, never renumbered."""
    if result is None or result.article is None:
        # No longer an article by today's rules (or unreadable): the version keeps the text it had.
        report.problems.append(f"{row['url']} version {row['version']}: "
                               f"{result.reason if result else 'too large to extract'}; kept as it was")
        return
    article = result.article
    store.add_version({**row, "title": article.title, "text": article.text, "word_count": article.word_count,
                       "fingerprint": article.fingerprint})
    report.versions += 1


def text_diff(url: str, old: dict | None, new: dict | None) -> str:
    """Unified diff of the stored and the newly extracted text of one article, line by line."""
    before = (old or {}).get("text") or ""
    after = (new or {}).get("text") or ""
    lines = difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True),
                                 fromfile=f"{url} (stored)", tofile=f"{url} (re-extracted)")
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def _jobs(rows: Iterable[dict[str, Any]], worker: _Reextractor,
          progress: Callable[[int], None] | None = None) -> Iterator[tuple[dict[str, Any], bytes | None, str, str | None]]:
    for row in rows:
        worker.report.pages += 1
        if progress is not None:
            progress(1)
        loaded = worker.body_of(row)
        if loaded is not None:
            body, content_type = loaded
            yield row, body, row["url"], content_type


def _version_jobs(rows: Iterable[dict[str, Any]],
                  worker: _Reextractor) -> Iterator[tuple[dict[str, Any], bytes | None, str, str | None]]:
    for row in rows:
        loaded = worker.body_of(row)
        if loaded is not None:
            yield row, loaded[0], row["url"], loaded[1]


def reextract(directory: str | os.PathLike, since: str | None = None, site: str | None = None,
              diff_url: str | None = None, only_url: str | None = None, dry_run: bool = False,
              workers: int = 0, min_words: int = MIN_WORDS, batch_size: int = 100,
              progress: Callable[[int], None] | None = None) -> ReextractReport:
    """Re-extract the selected pages of the archive in ``directory`` and rebuild their articles.

    ``progress(1)`` is told of each page read (``count_selected`` says how many there are).
    """
    db_path = ArchiveDir(directory).db_path
    report = ReextractReport()
    store = None
    pool = ExtractionPool(workers, min_words=min_words, sign=not dry_run)  # a dry run clusters nothing
    try:
        store = Store(db_path, batch_size=batch_size)
        # The selection is fixed first (rowids, not rows: memory stays small), so it never sees
        # the rows this run rewrites; each row is read just before its turn.
        keys = select_keys(store.db, since=since, site=site, url=only_url)
        selected = {url for _, url in keys}
        worker = _Reextractor(store, directory, selected, report, diff_url, dry_run)
        rows = rows_by_rowid(store.db, [rowid for rowid, _ in keys])
        if diff_url and diff_url not in selected:
            raise LookupError(f"{diff_url} is not among the pages to re-extract (no such page, "
                              "no WARC pointer, or outside --since/--site)")
        # Storage order (see in_order): the first copy of a text stays the article.
        asyncio.run(in_order(pool, _jobs(rows, worker, progress), worker.apply))
        if not dry_run:
            # The earlier versions' captures too: each keeps its version, with the text extracted now.
            store.flush()
            older = older_versions(store.db, selected)
            asyncio.run(in_order(pool, _version_jobs(older, worker), lambda row, result: _reextract_version(
                store, report, row, result)))
            store.flush()
            report.clusters = update_clusters(store.db)
    finally:
        pool.close()
        if store is not None:
            store.close()
    logger.info("%s", report.summary())
    return report


def count_selected(directory: str | os.PathLike, since: str | None = None, site: str | None = None) -> int:
    """How many pages ``reextract`` with these filters reads (for a progress bar's total)."""
    db = Database(ArchiveDir(directory).db_path)
    try:
        return len(select_keys(db, since=since, site=site))
    finally:
        db.close()


def needs_rebuild(directory: str | os.PathLike) -> bool:
    """True when DIR has no database, one without any ``pages`` rows to re-extract from,
    or one whose rebuild did not finish (it was killed: the next run rebuilds it again)."""
    path = ArchiveDir(directory).db_path
    if not path.exists():
        return True
    db = Database(path)
    try:
        return not db["pages"].exists() or db["pages"].count == 0 or rebuild_unfinished(db)
    finally:
        db.close()


def rebuild(directory: str | os.PathLike, workers: int = 0, min_words: int = MIN_WORDS,
            batch_size: int = 100, progress: Callable[[int], None] | None = None) -> ImportReport:
    """Build DIR/news.db from DIR/warc alone, offline: every response record read back and extracted.

    Revisit records are skipped, so rows point at the responses that hold
    the payloads, as after a crawl. Raises FileNotFoundError without WARCs.
    """
    archive = ArchiveDir(directory)
    files = archive.warc_files()
    if not files:
        raise FileNotFoundError(f"no WARC files in {archive.warc_dir}")
    report = import_warcs(files, archive.db_path, workers=workers, min_words=min_words,
                          batch_size=batch_size, root=archive.warc_dir, spider=REBUILD_SPIDER, progress=progress)
    logger.info("rebuilt the database of %s from %d WARC files", directory, len(files))
    return report
