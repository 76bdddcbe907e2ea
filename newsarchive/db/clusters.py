"""Near-duplicate clusters in the database, kept up to date incrementally.

``update_clusters(db)`` is what a crawl, ``import-warc`` and ``reextract`` call
when they end, and ``newsarchive dedup`` runs: it signs only the articles that
are new or changed since the last call (or whose rows lost their cluster),
forgets the ones that are gone, and clusters again just the articles those
touch, their old clusters included (a changed text may split one). The result
is the one a full rebuild gives: the same pairs compare equal whichever run
signs them, and a cluster is named by its earliest member
(``neardup.representative``), not by the order of the work.

Tables (migration ``m011_near_duplicates``):

* ``neardup_signatures``: one row per article: its MinHash signature, a digest
  of what it was made from (the text's fingerprint and the article's date), its
  rank (publication date, else fetch time) and its cluster;
* ``neardup_bands``: the LSH band keys, ``(key, signature_id)``, indexed, so
  candidates come from SQL and memory holds only the articles being clustered;
* ``neardup_params``: the ``Params`` they were made with; other params rebuild all;
* ``neardup_presigned`` (migration ``m012_presigned_signatures``): signatures
  the extraction workers made (``PageResult.signature``), by text fingerprint.
  An article whose text has one made the same way is not signed again here;
  the table is emptied once read.

``articles.cluster_id`` mirrors the signatures' cluster: the URL of the
cluster's earliest article, the article's own URL when it has no near-duplicate.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, replace
from typing import Any, Iterable, Iterator, Sequence

import numpy as np
from sqlite_utils import Database

from newsarchive.corpus.neardup import (Params, UnionFind, band_keys, from_blob, representative, signature,
                                        similarity, to_blob)

logger = logging.getLogger(__name__)

# What a signature is made from: when it changes, the article is signed again.
DIGEST_SQL = "coalesce(a.fingerprint, '') || '|' || coalesce(a.published, a.fetched_at, '')"
CHUNK = 500  # rows per SQL IN (...) and per read of texts


@dataclass
class ClusterReport:
    signed: int = 0  # articles signed (new or changed)
    presigned: int = 0  # of those, how many had a signature the extraction workers made
    forgotten: int = 0  # signatures of articles that are gone
    compared: int = 0  # articles whose candidates were compared
    clusters: int = 0  # clusters of two or more articles, in the whole archive
    clustered: int = 0  # articles in those clusters
    rebuilt: bool = False
    threshold: float = 0.0

    def summary(self) -> str:
        how = "rebuilt" if self.rebuilt else "updated"
        plural = "" if self.clusters == 1 else "s"
        return (f"near-duplicates {how} (Jaccard >= {self.threshold:g}): {self.signed} articles signed "
                f"({self.presigned} by the extraction workers), "
                f"{self.forgotten} forgotten; {self.clustered} articles in {self.clusters} cluster{plural}")


def stored_params(db: Database) -> Params | None:
    """The parameters the stored signatures were made with (None: nothing signed yet)."""
    if not db["neardup_params"].exists():
        return None
    row = db.execute("SELECT params FROM neardup_params WHERE id = 1").fetchone()
    return Params(**json.loads(row[0])) if row else None


def update_clusters(db: Database, params: Params | None = None, rebuild: bool = False) -> ClusterReport:
    """Bring every article's ``cluster_id`` up to date; return what was done.

    ``params``: how to compare (default: those of the stored signatures, else
    ``Params()``); params other than the stored ones, or ``rebuild``, sign
    every article again. One transaction: a run stopped half-way leaves the
    clusters as they were.
    """
    stored = stored_params(db)
    params = params or stored or Params()
    report = ClusterReport(threshold=params.threshold)
    with db.atomic():
        if rebuild or params != stored:
            _clear(db, params)
            report.rebuilt = True
        old_clusters = _forget_gone(db, params, report)
        affected = _sign_changed(db, params, report, old_clusters)
        affected.update(_members(db, old_clusters))
        _cluster(db, params, affected, report)
        # Read or out of date (other params, an article gone): none is needed again.
        db.execute("DELETE FROM neardup_presigned")
        report.clusters, report.clustered = db.execute(
            "SELECT count(*), coalesce(sum(n), 0) FROM (SELECT count(*) AS n FROM neardup_signatures "
            "GROUP BY cluster_id HAVING n > 1)").fetchone()
    logger.info("%s", report.summary())
    return report


def update_clusters_at(path: str | os.PathLike, threshold: float | None = None,
                       rebuild: bool = False) -> ClusterReport:
    """``update_clusters`` on the database at ``path`` (migrated first); ``threshold`` replaces the stored one."""
    from newsarchive.db.store import open_db

    db = open_db(path)
    try:
        params = None
        if threshold is not None:
            params = replace(stored_params(db) or Params(), threshold=threshold)
        return update_clusters(db, params, rebuild)
    finally:
        db.close()


def _clear(db: Database, params: Params) -> None:
    for table in ("neardup_bands", "neardup_signatures", "neardup_params"):
        db.execute(f"DELETE FROM {table}")
    db["neardup_params"].insert({"id": 1, "params": json.dumps(params.as_dict(), sort_keys=True)})


def _forget_gone(db: Database, params: Params, report: ClusterReport) -> set[str]:
    """Drop the signatures of articles no longer stored; return the clusters they were in."""
    gone = db.execute("SELECT s.id, s.signature, s.cluster_id FROM neardup_signatures s "
                      "LEFT JOIN articles a ON a.url = s.url WHERE a.url IS NULL").fetchall()
    for signature_id, blob, _ in gone:
        _drop_bands(db, signature_id, blob, params)
        db.execute("DELETE FROM neardup_signatures WHERE id = ?", [signature_id])
    report.forgotten = len(gone)
    return {cluster for _, _, cluster in gone if cluster}


def _sign_changed(db: Database, params: Params, report: ClusterReport, old_clusters: set[str]) -> set[int]:
    """(Re)sign the articles that are new, changed, or without their cluster; return their signature ids.

    The clusters they were in join ``old_clusters``.
    """
    changed = db.execute(
        f"SELECT a.url, s.cluster_id FROM articles a LEFT JOIN neardup_signatures s ON s.url = a.url "
        f"WHERE s.id IS NULL OR s.digest IS NOT {DIGEST_SQL} OR a.cluster_id IS NOT s.cluster_id").fetchall()
    old_clusters.update(cluster for _, cluster in changed if cluster)
    signed: set[int] = set()
    for part in _chunks([url for url, _ in changed]):
        # The text is read only when no worker signed it (a NULL fingerprint joins nothing).
        rows = db.execute(
            f"SELECT a.url, CASE WHEN p.signature IS NULL THEN a.text END, {DIGEST_SQL}, "
            f"coalesce(a.published, a.fetched_at), s.id, s.signature, p.signature "
            f"FROM articles a LEFT JOIN neardup_signatures s ON s.url = a.url "
            f"LEFT JOIN neardup_presigned p ON p.fingerprint = a.fingerprint AND p.signing = ? "
            f"WHERE a.url IN ({_marks(part)})", [params.signing, *part]).fetchall()
        for url, text, digest, rank, signature_id, old_blob, presigned in rows:
            if signature_id is not None:
                _drop_bands(db, signature_id, old_blob, params)
            if presigned is not None:
                report.presigned += 1
                values = from_blob(presigned)
            else:
                values = signature(text or "", params)
            signed.add(_store_signature(db, params, url, values, digest, rank, signature_id))
    report.signed = len(signed)
    return signed


def _store_signature(db: Database, params: Params, url: str, values: np.ndarray | None, digest: str,
                     rank: str | None, signature_id: int | None) -> int:
    blob = to_blob(values) if values is not None else None
    if signature_id is None:
        cursor = db.execute("INSERT INTO neardup_signatures (url, digest, rank, signature) VALUES (?, ?, ?, ?)",
                            [url, digest, rank, blob])
        signature_id = cursor.lastrowid
    else:
        db.execute("UPDATE neardup_signatures SET digest = ?, rank = ?, signature = ?, cluster_id = NULL "
                   "WHERE id = ?", [digest, rank, blob, signature_id])
    if values is not None:
        db.conn.executemany("INSERT OR IGNORE INTO neardup_bands (key, signature_id) VALUES (?, ?)",
                            [(key, signature_id) for key in band_keys(values, params)])
    return signature_id


def _drop_bands(db: Database, signature_id: int, blob: bytes | None, params: Params) -> None:
    if blob is not None:
        db.conn.executemany("DELETE FROM neardup_bands WHERE key = ? AND signature_id = ?",
                            [(key, signature_id) for key in band_keys(from_blob(blob), params)])


def _members(db: Database, clusters: set[str]) -> set[int]:
    """The signature ids of the articles still in these clusters."""
    found: set[int] = set()
    for part in _chunks(sorted(clusters)):
        found.update(row[0] for row in db.execute(
            f"SELECT id FROM neardup_signatures WHERE cluster_id IN ({_marks(part)})", part))
    return found


def _cluster(db: Database, params: Params, affected: set[int], report: ClusterReport) -> None:
    """Compare each affected article with its LSH candidates and name the clusters they form.

    A candidate outside ``affected`` brings its whole (settled) cluster along:
    it stands in the union-find as ("cluster", name). Only articles with a
    near-duplicate enter the union-find, so a rebuild holds little more than
    the set of ids; the others are their own clusters.
    """
    groups = UnionFind()
    ranks: dict[Any, tuple[str | None, str]] = {}  # node -> (rank, url): what names a cluster
    for part in _chunks(sorted(affected)):
        for signature_id, url, rank, blob in db.execute(
                f"SELECT id, url, rank, signature FROM neardup_signatures WHERE id IN ({_marks(part)})", part).fetchall():
            report.compared += 1
            if blob is None:
                continue
            values = from_blob(blob)
            for other, other_url, other_rank, other_blob, cluster in _candidates(db, signature_id, values, params):
                if other in affected and other < signature_id:
                    continue  # compared from the other side
                if similarity(values, from_blob(other_blob)) < params.threshold:
                    continue
                ranks[signature_id] = (rank, url)
                if other in affected:
                    ranks[other] = (other_rank, other_url)
                    groups.union(signature_id, other)
                else:
                    node = ("cluster", cluster or other_url)
                    groups.union(signature_id, node)
                    ranks.setdefault(node, _rank_of(db, cluster or other_url))
    for group in groups.groups():
        _name(db, group, representative(ranks[node] for node in group))
    _alone(db, sorted(affected.difference(groups.parent)))


def _alone(db: Database, ids: list[int]) -> None:
    """Articles without a near-duplicate: each is its own cluster, named by its URL."""
    for part in _chunks(ids):
        db.execute(f"UPDATE neardup_signatures SET cluster_id = url WHERE id IN ({_marks(part)})", part)
        db.execute(f"UPDATE articles SET cluster_id = url WHERE cluster_id IS NOT url AND url IN "
                   f"(SELECT url FROM neardup_signatures WHERE id IN ({_marks(part)}))", part)


def _candidates(db: Database, signature_id: int, values, params: Params) -> list[tuple]:
    keys = band_keys(values, params)
    return db.execute(
        f"SELECT s.id, s.url, s.rank, s.signature, s.cluster_id FROM neardup_signatures s WHERE s.id IN "
        f"(SELECT DISTINCT signature_id FROM neardup_bands WHERE key IN ({_marks(keys)})) AND s.id != ?",
        [*keys, signature_id]).fetchall()


def _rank_of(db: Database, url: str) -> tuple[str | None, str]:
    row = db.execute("SELECT rank FROM neardup_signatures WHERE url = ?", [url]).fetchone()
    return (row[0] if row else None, url)


def _name(db: Database, group: list, name: str) -> None:
    """Every article of ``group`` (signature ids, and whole clusters) gets the cluster ``name``."""
    ids = [node for node in group if isinstance(node, int)]
    clusters = [node[1] for node in group if isinstance(node, tuple)]
    for part in _chunks(ids):
        db.execute(f"UPDATE neardup_signatures SET cluster_id = ? WHERE id IN ({_marks(part)})", [name, *part])
        # Only rows whose cluster changes are written.
        db.execute(f"UPDATE articles SET cluster_id = ? WHERE cluster_id IS NOT ? AND url IN "
                   f"(SELECT url FROM neardup_signatures WHERE id IN ({_marks(part)}))", [name, name, *part])
    for part in _chunks(clusters):
        db.execute(f"UPDATE neardup_signatures SET cluster_id = ? WHERE cluster_id IN ({_marks(part)})",
                   [name, *part])
        db.execute(f"UPDATE articles SET cluster_id = ? WHERE cluster_id IN ({_marks(part)}) AND cluster_id != ?",
                   [name, *part, name])


def _chunks(items: Sequence) -> Iterator[list]:
    items = list(items)
    for start in range(0, len(items), CHUNK):
        yield items[start:start + CHUNK]


def _marks(items: Iterable) -> str:
    return ", ".join("?" for _ in items)
