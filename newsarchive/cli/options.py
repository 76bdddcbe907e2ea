"""Options shared by every command."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import click

from newsarchive.archive import ArchiveDir
from newsarchive.lock import ArchiveLock, ArchiveLocked

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


@contextmanager
def locked_archive(directory: Path, purpose: str, create: bool = True) -> Iterator[None]:
    """Hold DIR's lock while the block writes into it; another run's lock is one line of refusal.

    Holding it, runs that were killed are marked as such (newsarchive/db/runs.py).
    ``create=False``: a DIR that does not exist is left so (nothing there to protect; the block says why).
    """
    if not create and not directory.is_dir():
        yield
        return
    from newsarchive.db.runs import mark_interrupted
    from newsarchive.db.store import open_db

    try:
        lock = ArchiveLock(directory, purpose).acquire()
    except ArchiveLocked as exc:
        raise click.ClickException(str(exc)) from None
    try:
        archive = ArchiveDir(directory)
        if archive.has_db():
            db = open_db(archive.db_path)
            try:
                mark_interrupted(db)
            finally:
                db.close()
        yield
    finally:
        lock.release()
