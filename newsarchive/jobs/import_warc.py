"""Importing WARC files written by other tools (CC-NEWS, Browsertrix, Heritrix, wget) into the database.

The files are scanned record by record (newsarchive/warc/scan.py, which
reports and skips damaged data); rows point at the external file by absolute
path, so ``show --raw`` and ``reextract`` read the bytes from where they are.
What each record becomes:

* ``response`` with HTTP status 200 and an HTML content type (or none):
  extracted in the process pool -> ``article``, ``not_article``,
  ``duplicate`` or ``error`` (the extraction failed), by the outcome policy
  the crawl follows too (newsarchive/processing/outcome.py). A body that decodes
  to more than MAX_EXTRACT_BYTES is read no further: ``not_article``.
* other HTTP ``response`` records: a ``pages`` row without extraction:
  3xx -> ``redirect`` (with ``redirected_to``), 4xx/5xx -> ``error``,
  anything else (other 2xx, non-HTML types) -> ``not_article``; but a bot
  wall or challenge page among the 4xx/5xx and other 2xx (their bodies are
  read up to MAX_WALL_BYTES for it) -> ``blocked`` (newsarchive/processing/blocked.py),
  as 200 pages are in extraction.
* skipped, only counted: ``warcinfo``, ``request``, ``metadata``,
  ``resource`` and ``conversion`` records (no HTTP response to keep),
  ``revisit`` records (their payload is another record's; importing them
  would replace an article with nothing), and non-HTTP responses
  (Heritrix's ``dns:`` records).
* a corrupt or truncated record: reported and skipped (see the scanner).
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from newsarchive.db.clusters import ClusterReport, update_clusters
from newsarchive.db.store import Store
from newsarchive.processing.blocked import MAX_WALL_BYTES, blocked_reason
from newsarchive.processing.outcome import OutcomePolicy, PageCapture
from newsarchive.processing.page import HTML_TYPES, MAX_EXTRACT_BYTES, MIN_WORDS, PageResult
from newsarchive.processing.pool import ExtractionPool, in_order
from newsarchive.warc.scan import Entry, ScanReport, scan_warc

logger = logging.getLogger(__name__)

SPIDER = "import-warc"


@dataclass
class ImportReport(ScanReport):
    label: str = "import"  # what the summary calls the run
    crawl_id: int = 0
    files: int = 0
    outcomes: Counter = field(default_factory=Counter)  # pages rows written, by outcome
    clusters: ClusterReport | None = None  # the near-duplicate clusters brought up to date at the end

    def summary(self) -> str:
        lines = [f"{self.label} {self.crawl_id}: {self.files} files, {self.records} records read"]
        lines.append("pages: " + (", ".join(f"{k} {v}" for k, v in sorted(self.outcomes.items())) or "none"))
        if self.skipped:
            lines.append("skipped: " + ", ".join(f"{k} {v}" for k, v in sorted(self.skipped.items())))
        if self.problems:
            lines.append(f"{len(self.problems)} corrupt or truncated records skipped:")
            lines.extend(f"  {message}" for message in self.problems)
        if self.clusters is not None:
            lines.append(self.clusters.summary())
        return "\n".join(lines)

    def count(self, key: str, delta: int) -> None:
        """The outcome policy's reports: pages rows by outcome (articles rows are not summed up here)."""
        kind, _, outcome = key.partition("/")
        if kind == "pages":
            tally(self.outcomes, outcome, delta)


def tally(counter: Counter, key: str, delta: int) -> None:
    """Add ``delta``; a count back at zero leaves the counter, so summaries and comparisons skip it."""
    counter[key] += delta
    if not counter[key]:
        del counter[key]


def is_candidate(entry: Entry) -> bool:
    return entry.status == 200 and (not entry.mime or entry.mime in HTML_TYPES)


def body_limit(entry: Entry) -> int | None:
    """Extraction candidates come with their bodies, up to what extraction accepts; responses that may be
    bot walls (other 2xx, 4xx, 5xx) with theirs, up to what a wall can be."""
    if is_candidate(entry):
        return MAX_EXTRACT_BYTES
    return MAX_WALL_BYTES if may_be_wall(entry) else None


def may_be_wall(entry: Entry) -> bool:
    return entry.status >= 400 or (200 < entry.status < 300)


def too_large() -> PageResult:
    """The outcome of a page whose body is over MAX_EXTRACT_BYTES: decided here, the body never read whole."""
    return PageResult("not_article", f"too large to extract (over {MAX_EXTRACT_BYTES} bytes)")


# -- writing ----------------------------------------------------------------

class _Importer:
    def __init__(self, policy: OutcomePolicy, crawl_id: int) -> None:
        self.policy = policy
        self.crawl_id = crawl_id

    def capture(self, entry: Entry) -> PageCapture:
        return PageCapture(status=entry.status, fetched_at=entry.fetched_at, crawl_id=self.crawl_id,
                           warc_filename=entry.filename, warc_offset=entry.offset, warc_length=entry.length,
                           warc_record_id=entry.record_id, payload_digest=entry.payload_digest,
                           warc_date=entry.fetched_at)

    def page(self, entry: Entry, outcome: str, reason: str | None) -> None:
        redirected_to = entry.location if outcome == "redirect" else None
        self.policy.page(entry.url, outcome, reason, self.capture(entry),
                         {"content_type": entry.content_type, "redirected_to": redirected_to})

    def without_extraction(self, entry: Entry) -> None:
        # A body over MAX_WALL_BYTES was not read (None): too big for a wall.
        wall = blocked_reason(entry.status, entry.body) if may_be_wall(entry) and entry.body is not None else None
        if wall is not None:
            self.page(entry, "blocked", wall)
        elif entry.status == 304:
            # A conditional re-check: the page's rows keep the last full capture (crawl's rule, outcome.py).
            self.policy.checked(entry.url, entry.fetched_at, self.capture(entry),
                                {"content_type": entry.content_type, "redirected_to": None})
        elif 300 <= entry.status < 400:
            self.page(entry, "redirect", f"{entry.status} to {entry.location}")
        elif entry.status >= 400:
            self.page(entry, "error", f"HTTP {entry.status}")
        elif entry.status != 200:
            self.page(entry, "not_article", f"HTTP {entry.status}")
        else:
            self.page(entry, "not_article", f"content type {entry.mime}")

    def apply(self, entry: Entry, result: PageResult | None) -> None:
        if result is None and entry.too_large and is_candidate(entry):
            result = too_large()
        if result is None:
            self.without_extraction(entry)
        else:
            self.policy.record(entry.url, result, self.capture(entry),
                               {"content_type": entry.content_type, "redirected_to": None})


def _jobs(entries: Iterable[Entry]) -> Iterator[tuple[Entry, bytes | None, str, str | None]]:
    for entry in entries:
        if not is_candidate(entry):
            yield entry, None, entry.url, entry.content_type  # not extracted (a wall's body stays for its rule)
            continue
        body, entry.body = entry.body, None  # the worker gets its copy; the queue must not hold it twice
        yield entry, body, entry.url, entry.content_type


def import_warcs(paths: Iterable[str | os.PathLike], db_path: str | os.PathLike, workers: int = 0,
                 min_words: int = MIN_WORDS, batch_size: int = 100, root: str | os.PathLike | None = None,
                 spider: str = SPIDER, progress: Callable[[int], None] | None = None) -> ImportReport:
    """Import the WARC files at ``paths`` into the database at ``db_path``; return what happened.

    Rows name the files by absolute path, or relative to ``root`` for files
    inside it (a crawl's own DIR/warc). ``spider`` names the run in ``crawls``.
    ``progress(n)`` is told of each n bytes of the files read (all the files' sizes in all).
    """
    files = [Path(p).resolve() for p in paths]
    missing = [str(p) for p in files if not p.is_file()]
    if missing:
        raise FileNotFoundError(f"no such WARC file: {', '.join(missing)}")
    root_path = Path(root) if root is not None else None
    report = ImportReport(label="import" if spider == SPIDER else spider, files=len(files))
    store = Store(db_path, batch_size=batch_size)
    pool = ExtractionPool(workers, min_words=min_words)
    report.crawl_id = store.start_crawl(spider, [str(p) for p in files], {"workers": pool.workers,
                                                                         "min_words": min_words})
    importer = _Importer(OutcomePolicy(store, report.count), report.crawl_id)
    reason = "finished"
    try:
        entries = (entry for path in files for entry in _logged_scan(path, report, root_path, progress))
        # File order (see in_order): a later capture of a URL wins, "duplicate" names the same copy.
        asyncio.run(in_order(pool, _jobs(entries), importer.apply))
        store.flush()
        report.clusters = update_clusters(store.db)
    except BaseException as exc:
        reason = f"failed: {exc!r}"
        raise
    finally:
        pool.close()
        store.flush()
        store.finish_crawl(report.crawl_id, _stats(report), reason)
        store.close()
    return report


def _logged_scan(path: Path, report: ImportReport, root: Path | None,
                 progress: Callable[[int], None] | None = None) -> Iterator[Entry]:
    before = len(report.problems)
    logger.info("importing %s", path)
    done = 0
    for entry in scan_warc(path, report, root, body_limit):
        if progress is not None and entry.offset + entry.length > done:
            progress(entry.offset + entry.length - done)
            done = entry.offset + entry.length
        yield entry
    if progress is not None:
        progress(max(path.stat().st_size - done, 0))
    for message in report.problems[before:]:
        logger.warning("%s", message)


def _stats(report: ImportReport) -> dict[str, Any]:
    return {"files": report.files, "records": report.records, "pages": dict(report.outcomes),
            "skipped": dict(report.skipped), "problems": report.problems}
