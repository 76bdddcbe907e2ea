"""``export``: the archive's articles as a corpus file (JSON lines, Parquet, CSV) with a dataset card."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import click

from newsarchive.cli.options import db_path, dir_option
from newsarchive.cli.progress import progress_bar

DAY = click.DateTime(["%Y-%m-%d"])


@click.command()
@click.option("-o", "--output", required=True, metavar="FILE",
              help="File to write (.jsonl, .parquet or .csv); '-' writes JSON lines to stdout.")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "parquet", "csv"]),
              help="Format, if the file's extension does not say it.")
@click.option("--site", help="Only this host (subdomains included) or site name.")
@click.option("--since", type=DAY, metavar="DAY", help="Only articles published on or after DAY (2026-05-01).")
@click.option("--until", type=DAY, metavar="DAY", help="Only articles published on or before DAY.")
@click.option("--language", help="Only this language (en also takes en-GB).")
@click.option("--min-words", type=click.IntRange(min=0), help="Only articles of at least this many words.")
@click.option("--dedup", is_flag=True,
              help="One article per near-duplicate cluster (wire copies, re-edits): the earliest published.")
@click.option("--no-card", is_flag=True, help="Do not write the dataset card (README.md beside FILE).")
@dir_option
def export(output: str, fmt: str | None, site: str | None, since: datetime | None, until: datetime | None,
           language: str | None, min_words: int | None, dedup: bool, no_card: bool, directory: Path) -> None:
    """Export the archive's articles for pandas, DuckDB, Hugging Face datasets or a spreadsheet.

    Lists (authors, tags) are arrays, dates typed timestamps in Parquet; the
    schema is versioned and described in the dataset card written beside FILE.
    Articles without a publication date are filtered by the day they were fetched.

    Example: newsarchive export -o corpus/articles.parquet --since 2026-01-01 --language en --dir archive
    """
    from newsarchive.archive import Archive, ArticleFilter
    from newsarchive.jobs.card import card_path, write_card
    from newsarchive.jobs.export import SCHEMA_VERSION, ExportError, export as run, export_to_stdout, format_for

    db_path(directory)
    try:
        fmt = format_for(output, fmt)
    except ExportError as exc:
        raise click.ClickException(str(exc)) from exc
    if output == "-" and fmt == "parquet":
        raise click.ClickException("Parquet needs a file (-o FILE.parquet): it is not written as a stream")
    chosen = ArticleFilter(site=site, since=since and since.date(), until=until and until.date(),
                           language=language, min_words=min_words, dedup=dedup)
    threshold = _clusters_up_to_date(directory) if dedup else None
    if output == "-":
        with Archive(directory) as archive, progress_bar("exporting", lambda: archive.count(chosen)) as progress:
            report = export_to_stdout(archive, fmt, chosen, progress)
        click.echo(f"exported {report.rows} articles ({fmt}, schema {SCHEMA_VERSION})", err=True)
        return
    target = Path(output)
    if target.is_dir():
        raise click.ClickException(f"{target} is a folder: give a file name, e.g. {target / ('articles.' + fmt)}")
    target.parent.mkdir(parents=True, exist_ok=True)
    # Written beside and renamed at the end: a failed or interrupted export leaves no half file behind.
    partial = target.with_name(f".{target.name}.partial")
    with Archive(directory) as archive, progress_bar("exporting", lambda: archive.count(chosen)) as progress:
        try:
            report = run(archive, partial, fmt, chosen, progress=progress)
            os.replace(partial, target)
            start_urls = archive.start_urls()
        finally:
            partial.unlink(missing_ok=True)
    click.echo(f"exported {report.rows} articles to {target} ({fmt}, schema {SCHEMA_VERSION})")
    if not no_card:
        card = write_card(card_path(target), target, fmt, report, directory.resolve(), chosen, start_urls,
                          threshold)
        click.echo(f"dataset card: {card}")
    if report.rows == 0:
        click.echo("no article matched the filters", err=True)


def _clusters_up_to_date(directory: Path) -> float | None:
    """Cluster what no run has clustered yet; return the threshold the clusters were made with.

    While another run writes into DIR, its clusters are used as they are (that run updates them as it ends).
    """
    from newsarchive.db.clusters import stored_params, update_clusters_at
    from newsarchive.db.store import open_db
    from newsarchive.lock import ArchiveLock, ArchiveLocked

    try:
        lock = ArchiveLock(directory, "export --dedup").acquire()
    except ArchiveLocked as exc:
        click.echo(f"{exc}: exporting its near-duplicate clusters as they are now", err=True)
        db = open_db(db_path(directory))
        try:
            params = stored_params(db)
        finally:
            db.close()
        return params.threshold if params else None
    try:
        return update_clusters_at(db_path(directory)).threshold
    finally:
        lock.release()


COMMANDS = [export]
