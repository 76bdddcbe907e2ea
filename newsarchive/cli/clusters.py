"""``dedup``: group near-duplicate articles (wire copies, light re-edits) into clusters."""

from __future__ import annotations

import logging
from pathlib import Path

import click

from newsarchive.cli.options import db_path, dir_option, locked_archive


@click.command()
@click.option("--rebuild", is_flag=True, help="Sign every article again and cluster the archive from scratch.")
@click.option("--threshold", type=click.FloatRange(0, 1, min_open=True), metavar="J",
              help="Estimated Jaccard similarity of word shingles that makes two texts near-duplicates "
                   "[default: the archive's, else 0.5]; kept for later runs.")
@click.option("-v", "--verbose", is_flag=True)
@dir_option
def dedup(rebuild: bool, threshold: float | None, verbose: bool, directory: Path) -> None:
    """Cluster near-duplicate articles: each article's cluster_id is the URL of its cluster's earliest article.

    Crawls, import-warc and reextract keep the clusters up to date as they
    end; run this to rebuild them, or with --threshold to change how alike
    two texts must be (every article is compared again).

    Example: newsarchive dedup --dir archive --threshold 0.6
    """
    from newsarchive.db.clusters import update_clusters_at

    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    path = db_path(directory)
    with locked_archive(directory, "dedup"):
        report = update_clusters_at(path, threshold=threshold, rebuild=rebuild)
    click.echo(report.summary())
    if report.clusters:
        click.echo("browse them: newsarchive serve, then the near_duplicates query")


COMMANDS = [dedup]
