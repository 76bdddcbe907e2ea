"""CDXJ indexes of WARC files, the format pywb and ReplayWeb.page look captures up in.

The indexing itself is cdxj-indexer's (the Webrecorder tool pywb's own
``wb-manager`` index is compatible with); this module only decides how files
are named in the index and where it is written.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Iterable

from cdxj_indexer import CDXJIndexer
from sqlite_utils import Database

from newsarchive.archive import ArchiveDir, stored_name

logger = logging.getLogger(__name__)

# Explicit, because importing the wacz package appends "warcinfo" to
# CDXJIndexer.DEFAULT_RECORDS for the whole process.
INDEXED_RECORDS = "response,revisit,resource"


class _Indexer(CDXJIndexer):
    """Names files relative to ``dir_root`` when they are inside it, by absolute path otherwise."""

    def _resolve_rel_path(self, filename: str) -> str:
        if self.dir_root:
            # Outside the root (an imported WARC): by absolute path. pywb prefixes names with each of
            # its archive_paths in turn, so a collection lists DIR/warc/ and file:// (see the README).
            return stored_name(filename, self.dir_root)
        return Path(filename).name


def write_cdxj(warc_paths: Iterable[str | os.PathLike], out_path: str | os.PathLike,
               root: str | os.PathLike | None = None) -> int:
    """Write a sorted CDXJ index of ``warc_paths`` to ``out_path``; return the number of lines.

    ``root``: the folder names are relative to (pywb's collection ``archive``
    folder, or DIR/warc); without it each file is named by its base name.
    The file is written beside ``out_path`` first and renamed, so a reader
    never sees half an index.
    """
    inputs = [str(path) for path in warc_paths]
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    indexer = _Indexer(
        str(partial), inputs, sort=True, post_append=True,
        records=INDEXED_RECORDS, dir_root=str(root) if root else None,
    )
    indexer.process_all()
    os.replace(partial, out)
    with open(out, "rb") as written:
        lines = sum(1 for _ in written)
    logger.info("indexed %d WARC files into %s (%d lines)", len(inputs), out, lines)
    return lines


def archive_files(directory: str | os.PathLike, db: Database | None) -> list[Path]:
    """DIR/warc/* plus the external WARCs that imported rows point at."""
    archive = ArchiveDir(directory)
    files = archive.warc_files()
    if db is not None and db["pages"].exists():
        for (name,) in db.execute("SELECT DISTINCT warc_filename FROM pages WHERE warc_filename LIKE '/%'"):
            path = archive.warc_path(name)
            if path.exists() and path not in files:
                files.append(path)
            elif not path.exists():
                logger.warning("imported WARC %s is gone; left out of the package", path)
    return files
