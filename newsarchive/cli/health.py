"""The ``health`` command: per-site health, each site's latest run against its own history."""

from __future__ import annotations

from pathlib import Path

import click
from sqlite_utils import Database

from newsarchive.cli.options import db_path, dir_option
from newsarchive.db.health import HISTORY_RUNS, format_health, format_run_report, run_report, site_health


@click.command()
@dir_option
@click.option("--runs", type=click.IntRange(min=1), default=HISTORY_RUNS, show_default=True,
              help="How many previous runs of a site its latest run is compared with.")
def health(directory: Path, runs: int) -> None:
    """Per-site health: each site's latest run against its own history, with flags.

    Per site: pages fetched, new / updated / unchanged articles, not-articles,
    errors, blocked pages (bot walls), median words per article. A site is
    flagged when its article yield or median length fell far below its own
    history (a redesign broke extraction), or when it answers with bot walls.

    Example: newsarchive health --dir archive --runs 10
    """
    db = Database(db_path(directory))
    try:
        click.echo(format_health(site_health(db, runs)))
    finally:
        db.close()


def print_run_report(directory: Path, stats: dict) -> None:
    """After ``crawl`` and ``demo``: the run's report, per site (the crawl's site_runs rows)."""
    crawl_id = stats.get("newsarchive/crawl_id")
    path = db_path(directory, must_exist=False)
    if crawl_id is None or not path.exists():
        return
    db = Database(path)
    try:
        click.echo(format_run_report(run_report(db, crawl_id), crawl_id))
    finally:
        db.close()


COMMANDS = [health]
