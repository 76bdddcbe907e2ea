"""Plain-text summaries of an archive folder, for the CLI."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from newsarchive.archive import ArchiveDir


def archive_summary(directory: Path, stats: dict[str, Any] | None = None) -> dict[str, Any]:
    """Counts from the database and the WARC folder, plus this crawl's stats when given."""
    archive = ArchiveDir(directory)
    db_path = archive.db_path
    warcs = archive.warc_files()
    summary: dict[str, Any] = {
        "db": db_path,
        "warc_files": warcs,
        "warc_bytes": sum(p.stat().st_size for p in warcs),
        "outcomes": {},
        "articles": 0,
        "sites": 0,
    }
    if db_path.exists():
        db = Database(db_path)
        crawl_id = (stats or {}).get("newsarchive/crawl_id")
        where, params = ("WHERE crawl_id = ?", [crawl_id]) if crawl_id else ("", [])
        summary["outcomes"] = dict(db.execute(
            f"SELECT outcome, count(*) FROM pages {where} GROUP BY outcome ORDER BY 2 DESC", params).fetchall())
        summary["articles"] = db.execute("SELECT count(*) FROM articles").fetchone()[0]
        summary["sites"] = db.execute("SELECT count(DISTINCT site) FROM articles").fetchone()[0]
        if "cluster_id" in db["articles"].columns_dict:
            summary["near_duplicates"] = db.execute(
                "SELECT count(*), coalesce(sum(n), 0) FROM (SELECT count(*) AS n FROM articles "
                "WHERE cluster_id IS NOT NULL GROUP BY cluster_id HAVING n > 1)").fetchone()
        db.close()
    if stats:
        summary["fetched"] = stats.get("downloader/response_count", 0)
        summary["elapsed"] = stats.get("elapsed_time_seconds")
        summary["finish_reason"] = stats.get("finish_reason")
        summary["revisits"] = stats.get("newsarchive/warc/revisits", 0)
    return summary


def format_summary(summary: dict[str, Any]) -> str:
    lines = []
    if "fetched" in summary:
        # A crawl stopped at once (a second Ctrl-C) never closed: Scrapy set neither its time nor its reason.
        elapsed = summary.get("elapsed")
        took = f" in {elapsed:.1f} s" if elapsed is not None else ""
        lines.append(f"Pages fetched:    {summary['fetched']}{took} ({summary['finish_reason'] or 'stopped at once'})")
        if summary.get("revisits"):
            lines.append(f"Unchanged:        {summary['revisits']} (same payload as archived: revisit records)")
    outcomes = ", ".join(f"{k} {v}" for k, v in summary["outcomes"].items()) or "none"
    lines.append(f"Page outcomes:    {outcomes}")
    lines.append(f"Articles stored:  {summary['articles']} from {summary['sites']} sites")
    clusters, members = summary.get("near_duplicates") or (0, 0)
    if clusters:
        lines.append(f"Near-duplicates:  {members} articles in {clusters} cluster{'s' if clusters != 1 else ''} "
                     "(export --dedup keeps one of each)")
    lines.append(f"WARC files:       {len(summary['warc_files'])} ({summary['warc_bytes'] / 1e6:.1f} MB) "
                 f"in {ArchiveDir(summary['db'].parent).warc_dir}")
    lines.append(f"Database:         {summary['db']}")
    lines.append(f"Browse it:        {datasette_command(summary['db'])}")
    lines.append(f"             or: newsarchive serve --dir {shlex.quote(str(summary['db'].parent))}")
    return "\n".join(lines)


def datasette_command(db_path: Path) -> str:
    """The command that opens ``db_path`` in Datasette, runnable as printed (no venv activation needed)."""
    from newsarchive.datasette import datasette_options

    beside = Path(sys.executable).parent / "datasette"
    program = str(beside) if beside.exists() else "datasette"
    return shlex.join([program, str(db_path), *datasette_options()])
