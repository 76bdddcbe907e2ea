"""An archive folder: what lives where inside it, and how rows name its WARC files.

    DIR/news.db           the database (pages, articles, crawls)
    DIR/warc/*.warc.gz    the crawls' WARC files (and uncompressed ``.warc``)
    DIR/indexes/*.cdxj    CDXJ indexes for pywb and ReplayWeb.page
    DIR/newsarchive.lock  held by the one run writing into DIR (newsarchive/lock.py)

Every command and component finds these through ``ArchiveDir``; no other
module spells a file name or a glob of the folder. Rows name a crawl's WARC
file relative to DIR/warc and an imported one by absolute path.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DB_NAME = "news.db"
LOCK_NAME = "newsarchive.lock"
WARC_SUFFIXES = (".warc", ".warc.gz")


@dataclass(frozen=True)
class ArchiveDir:
    root: Path

    def __init__(self, root: str | os.PathLike) -> None:
        object.__setattr__(self, "root", Path(root))

    @property
    def db_path(self) -> Path:
        return self.root / DB_NAME

    @property
    def warc_dir(self) -> Path:
        return self.root / "warc"

    @property
    def index_dir(self) -> Path:
        return self.root / "indexes"

    @property
    def lock_path(self) -> Path:
        return self.root / LOCK_NAME

    def has_db(self) -> bool:
        return self.db_path.exists()

    def warc_files(self) -> list[Path]:
        """The WARC files the crawls wrote into DIR/warc, oldest first (names start with a timestamp)."""
        if not self.warc_dir.is_dir():
            return []
        return sorted(p for p in self.warc_dir.iterdir() if is_warc_name(p.name))

    def index_files(self) -> list[Path]:
        """The CDXJ indexes in DIR/indexes, by name."""
        return sorted(self.index_dir.glob("*.cdxj")) if self.index_dir.is_dir() else []

    def warc_path(self, name: str) -> Path:
        """The file a row's ``warc_filename`` names (``stored_name``'s inverse)."""
        path = Path(name)
        return path if path.is_absolute() else self.warc_dir / path

    def stored_name(self, path: str | os.PathLike) -> str:
        """How rows and indexes name a WARC file: relative to DIR/warc when inside it, else by absolute path."""
        return stored_name(path, self.warc_dir)


def is_warc_name(name: str) -> bool:
    return name.endswith(WARC_SUFFIXES)


def stored_name(path: str | os.PathLike, root: str | os.PathLike | None = None) -> str:
    """How rows and indexes name a WARC file: relative to ``root`` when inside it, else by absolute path.

    For files outside any archive folder (``import-warc`` into a new database), ``root`` is None.
    """
    path = Path(path).resolve()
    if root is not None and path.is_relative_to(Path(root).resolve()):
        return path.relative_to(Path(root).resolve()).as_posix()
    return path.as_posix()
