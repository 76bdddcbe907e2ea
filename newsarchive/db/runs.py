"""What the ``crawls`` table says about runs that did not end: killed runs, and what a rerun resumes.

Every run (crawl, import, rebuild) inserts its ``crawls`` row when it starts
and finishes it when it ends. A row left unfinished is a run that was killed
(``kill -9``, a power cut, an OOM kill): it can no longer be running, because
the archive lock (newsarchive/lock.py) lets one run write at a time and is
only then taken by the next. So the next run, holding the lock, marks such
rows ``interrupted`` — and uses them to know what it is resuming.
"""

from __future__ import annotations

import json
import logging
from typing import Iterable

from sqlite_utils import Database

logger = logging.getLogger(__name__)

INTERRUPTED = "interrupted"
# Runs a rerun of the same command continues: killed, or stopped by the user (Ctrl-C).
UNFINISHED = (INTERRUPTED, "shutdown")
REBUILD_SPIDER = "reextract"


def mark_interrupted(db: Database) -> list[int]:
    """Finish the rows of killed runs with reason ``interrupted``; return their ids.

    Call only while holding the archive lock: then no unfinished row belongs to a live run.
    Their ``finished_at`` is the last time they stored a page (their start when they stored none).
    """
    if not db["crawls"].exists():
        return []
    ids = [row[0] for row in db.execute("SELECT id FROM crawls WHERE finished_at IS NULL ORDER BY id")]
    with db.atomic():
        for crawl_id in ids:
            db.execute(
                "UPDATE crawls SET finish_reason = ?, finished_at = COALESCE("
                "(SELECT MAX(fetched_at) FROM pages WHERE crawl_id = ?), started_at) WHERE id = ?",
                [INTERRUPTED, crawl_id, crawl_id])
    if ids:
        logger.warning("runs %s did not end (killed?): marked %s", ", ".join(map(str, ids)), INTERRUPTED)
    return ids


def resumed_crawls(db: Database, spider: str, seeds: Iterable[str]) -> list[int]:
    """The crawls a new crawl of ``spider`` from ``seeds`` continues: the latest runs of the same command
    that did not finish, newest first, back to (not including) the last one that did.

    "The same command" is the same spider with the same seeds (start URLs, sitemaps and feeds, in
    order) into the same archive folder; its settings may differ. Runs of other commands in between
    (an import, another site's crawl) neither count nor break the chain.
    """
    if not db["crawls"].exists():
        return []
    wanted = json.dumps(list(seeds))
    chain = []
    for crawl_id, start_urls, reason in db.execute(
            "SELECT id, start_urls, finish_reason FROM crawls WHERE spider = ? AND finished_at IS NOT NULL "
            "ORDER BY id DESC", [spider]):
        if start_urls != wanted:
            continue
        if reason not in UNFINISHED:
            break
        chain.append(crawl_id)
    return chain


def rebuild_unfinished(db: Database) -> bool:
    """True when the last rebuild of the database from its WARCs (``reextract`` without pages) did not end."""
    if not db["crawls"].exists():
        return False
    row = db.execute("SELECT finish_reason FROM crawls WHERE spider = ? ORDER BY id DESC LIMIT 1",
                     [REBUILD_SPIDER]).fetchone()
    return row is not None and row[0] != "finished"


def stored_leaves(db: Database, crawl_ids: list[int]) -> set[str]:
    """URLs these crawls stored as an article (its ``articles`` row present) or as a duplicate."""
    if not crawl_ids:
        return set()
    marks = ", ".join("?" * len(crawl_ids))
    return {url for (url,) in db.execute(
        f"SELECT url FROM pages WHERE crawl_id IN ({marks}) AND (outcome = 'duplicate' OR "
        "(outcome = 'article' AND EXISTS (SELECT 1 FROM articles WHERE articles.url = pages.url)))", crawl_ids)}
