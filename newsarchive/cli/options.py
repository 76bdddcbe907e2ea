"""Options shared by every command."""

from __future__ import annotations

import json
import logging
import sqlite3
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import click
from sqlite_utils import Database

from newsarchive.archive import ArchiveDir
from newsarchive.lock import ArchiveLock, ArchiveLocked
from newsarchive.processing.page import MIN_WORDS

logger = logging.getLogger(__name__)

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


min_words_option = click.option(
    "--min-words", type=click.IntRange(min=0), default=None,
    help="Fewer words and a page is not an article [default: what the archive's last crawl used, "
         f"else {MIN_WORDS}].",
)


def min_words_for(directory: Path, given: int | None) -> int:
    """``--min-words`` if given, else the value the archive's last crawl ran with, else the crawl's default.

    So offline commands classify pages as the crawl that fetched them did.
    """
    if given is not None:
        return given
    recorded = last_recorded(ArchiveDir(directory).db_path, RECORDED_MIN_WORDS)
    if recorded is None:
        return MIN_WORDS
    try:
        return int(recorded)
    except (TypeError, ValueError):
        raise click.ClickException(f"the last crawl in {directory} recorded a minimum word count of "
                                   f"{recorded!r}, not a number: give --min-words") from None


# How crawls rows record the word threshold: a crawl's settings, or import-warc's and reextract's own.
RECORDED_MIN_WORDS = ("NEWSARCHIVE_MIN_WORDS", "min_words")


def last_recorded(path: Path, names: tuple[str, ...]) -> Any:
    """The value the newest ``crawls`` row recorded in its settings under one of ``names``, or None."""
    if not path.exists():
        return None
    db = Database(path)
    try:
        rows = db.execute("SELECT settings FROM crawls ORDER BY id DESC").fetchall()
    except sqlite3.Error as exc:
        logger.warning("cannot read the crawls of %s: %s", path, exc)
        return None
    finally:
        db.close()
    for (settings,) in rows:
        try:
            recorded = json.loads(settings or "{}")
        except ValueError:
            continue
        for name in names:
            if isinstance(recorded, dict) and recorded.get(name) is not None:
                return recorded[name]
    return None


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
            try:
                db = open_db(archive.db_path)
                try:
                    mark_interrupted(db)
                finally:
                    db.close()
            except sqlite3.DatabaseError as exc:  # not SQLite at all, or damaged: one line, nothing written
                raise click.ClickException(f"{archive.db_path} is not a readable archive database ({exc}): "
                                           "move it away, or give another --dir") from None
        yield
    finally:
        lock.release()


sources_option = click.option(
    "--sources", type=click.Path(dir_okay=False, path_type=Path), default=None,
    help="Sources file (TOML): the sites to archive, one [[source]] table each (see sources.example.toml).",
)


def check_sources(path: Path | None) -> None:
    """Read and validate a sources file before anything starts: a mistake is one line naming FILE:LINE."""
    if path is None:
        return
    from newsarchive.sources import SourcesError, load_sources

    try:
        load_sources(path)
    except SourcesError as exc:
        raise click.ClickException(str(exc)) from None
