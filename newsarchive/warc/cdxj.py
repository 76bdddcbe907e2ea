"""CDXJ indexes of WARC files, the format pywb and ReplayWeb.page look captures up in.

A crawl writes its index lines as it writes its records (``cdxj_line``, from
what the writer knows; newsarchive/warc/journal.py). Rebuilding an index from
the files (``newsarchive index``) is cdxj-indexer's work (the Webrecorder tool
pywb's own ``wb-manager`` index is compatible with), with one change: it reads
records as stored and never undoes their Content-Encoding, which it did only
to copy bodies it then ignores (a 20 KB gzip bomb cost ~70 s and 10 GB of
temporary disk). This module decides how files are named in the index and
where it is written.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import re
import zlib
from pathlib import Path
from typing import Iterable

import surt
from sqlite_utils import Database
from warcio.timeutils import iso_date_to_timestamp

from newsarchive.archive import ArchiveDir, stored_name

logger = logging.getLogger(__name__)

# Explicit, because importing the wacz package appends "warcinfo" to
# CDXJIndexer.DEFAULT_RECORDS for the whole process.
INDEXED_RECORDS = "response,revisit,resource"
CHUNK = 1 << 20
# Where a Content-Type's mime ends: cdxj-indexer's CDXJIndexer.RE_SPACE (tests/test_index.py checks they agree).
MIME_END = re.compile(r"[;\s]")


def cdxj_line(url: str, warc_date: str, status: int | None, mime: str | None, digest: str | None, length: int,
              offset: int, filename: str) -> str:
    """One index line, as cdxj-indexer writes it for a response or revisit record (fields without a value
    left out; ``mime`` is ``warc/revisit`` for a revisit; ``filename`` as ``stored_name`` gives it)."""
    fields = {"url": url, "mime": mime, "status": None if status is None else str(status), "digest": digest,
              "length": str(length), "offset": str(offset), "filename": filename}
    return (f"{surt.surt(url)} {iso_date_to_timestamp(warc_date)} "
            f"{json.dumps({k: v for k, v in fields.items() if v})}\n")


def index_mime(content_type: str | None) -> str | None:
    """The ``mime`` of a response's index line: its Content-Type up to the first ``;`` or space."""
    value = MIME_END.split(content_type, 1)[0].strip() if content_type else ""
    return value or None


class _Undecoded:
    """warcio's ArchiveIterator, its records' content read as stored (Content-Encoding left alone)."""

    def __init__(self, records) -> None:
        self.records = records

    def __iter__(self):
        for record in self.records:
            # cdxj-indexer copies every record's content_stream() into a temporary file; for an
            # index, only the request bodies of POST/PUT are used, and those are not content-encoded.
            record.content_stream = lambda record=record: record.raw_stream
            yield record

    def get_record_offset(self) -> int:
        return self.records.get_record_offset()

    def get_record_length(self) -> int:
        return self.records.get_record_length()


@functools.cache
def _indexer_class() -> type:
    # Imported here: cdxj-indexer brings pyamf and pkg_resources (~0.15 s of CPU), and a crawl, which
    # imports this module for its index lines, never indexes whole files.
    from cdxj_indexer import CDXJIndexer

    class _Indexer(CDXJIndexer):
        """Names files relative to ``dir_root`` when they are inside it, by absolute path otherwise;
        never decodes a body."""

        def _create_record_iter(self, input_):
            return _Undecoded(super()._create_record_iter(input_))

        def process_index_entry(self, it, record, filename, output):
            if torn(filename, record.file_offset, record.file_length):
                # A writer killed mid-record leaves it cut short at the end of its file; no index line may lead there.
                logger.warning("%s: the last record (offset %d) is cut short; not indexed", filename, record.file_offset)
                return
            super().process_index_entry(it, record, filename, output)

        def _resolve_rel_path(self, filename: str) -> str:
            if self.dir_root:
                # Outside the root (an imported WARC): by absolute path. pywb prefixes names with each of
                # its archive_paths in turn, so a collection lists DIR/warc/ and file:// (see the README).
                return stored_name(filename, self.dir_root)
            return Path(filename).name

    return _Indexer


def torn(path: str | os.PathLike, offset: int, length: int) -> bool:
    """Is the gzip member at ``offset`` the last of the file and incomplete (its writer was killed)?

    Only a file's last member can be: WARC writers append. Checking it inflates that one member,
    in bounded pieces; an uncompressed ``.warc`` is not checked.
    """
    if not str(path).endswith(".gz") or offset + length < os.path.getsize(path):
        return False
    inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
    with open(path, "rb") as member:
        member.seek(offset)
        while not inflater.eof and (data := inflater.unconsumed_tail or member.read(CHUNK)):
            inflater.decompress(data, CHUNK)
    return not inflater.eof


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
    indexer = _indexer_class()(
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
