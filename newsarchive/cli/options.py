"""Options shared by every command."""

from __future__ import annotations

from pathlib import Path

import click

from newsarchive.archive import ArchiveDir

dir_option = click.option(
    "--dir", "directory", type=click.Path(file_okay=False, path_type=Path), default=Path("archive"),
    show_default=True, envvar="NEWSARCHIVE_DIR",
    help="Archive folder: DIR/news.db and DIR/warc/*.warc.gz (the crawl's NEWSARCHIVE_DIR).",
)


def db_path(directory: Path, must_exist: bool = True) -> Path:
    path = ArchiveDir(directory).db_path
    if must_exist and not path.exists():
        raise click.ClickException(f"no archive database at {path}; run a crawl first (newsarchive crawl URL --dir {directory})")
    return path
