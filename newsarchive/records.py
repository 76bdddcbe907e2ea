"""Reading one archived HTTP response back from its (file, offset) pointer.

Every record in our WARCs (and in most others') is its own gzip member, so a
reader can seek straight to a row's ``warc_offset`` and parse one record
there, without touching the rest of the file. The body comes back as the
server meant it: chunking and content-encoding (gzip, deflate, br) undone by
warcio's ``content_stream()``.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlite_utils import Database
from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeaders

logger = logging.getLogger(__name__)


class RecordError(Exception):
    """The pointer does not lead to a readable response record."""


@dataclass
class StoredResponse:
    url: str
    record_type: str  # "response", "revisit", "resource"...
    warc_headers: StatusAndHeaders
    http_headers: StatusAndHeaders | None
    # Transfer- and content-decoded; empty for a revisit, whose payload lives in the original record.
    body: bytes

    @property
    def status(self) -> int | None:
        if self.http_headers is None:
            return None
        code = self.http_headers.get_statuscode()
        return int(code) if code and code.isdigit() else None

    @property
    def content_type(self) -> str | None:
        if self.http_headers is None:
            return self.warc_headers.get_header("Content-Type")
        return self.http_headers.get_header("Content-Type")


def warc_path(directory: str | os.PathLike, filename: str) -> Path:
    """Our files are stored by name, relative to DIR/warc; imported files by absolute path."""
    path = Path(filename)
    return path if path.is_absolute() else Path(directory) / "warc" / path


def read_record(path: str | os.PathLike, offset: int) -> StoredResponse:
    """Parse the one record starting at ``offset`` in the WARC file at ``path``."""
    try:
        with open(path, "rb") as stream:
            stream.seek(offset)
            # warcio skips junk looking for a record; a pointer must land exactly on one.
            head = stream.read(5)
            if not (head.startswith(b"\x1f\x8b") or head == b"WARC/"):
                raise RecordError(f"no WARC record starts at {path}:{offset}")
            stream.seek(offset)
            for record in ArchiveIterator(stream):
                return StoredResponse(
                    url=record.rec_headers.get_header("WARC-Target-URI") or "",
                    record_type=record.rec_type,
                    warc_headers=record.rec_headers,
                    http_headers=record.http_headers,
                    body=record.content_stream().read(),
                )
    except (OSError, ArchiveLoadFailed, EOFError, ValueError) as exc:
        raise RecordError(f"cannot read the record at {path}:{offset}: {exc}") from exc
    raise RecordError(f"no WARC record at {path}:{offset}")


def read_response(path: str | os.PathLike, offset: int) -> tuple[StatusAndHeaders | None, bytes]:
    """The HTTP status line and headers, and the decoded body, of the record at ``offset``."""
    stored = read_record(path, offset)
    return stored.http_headers, stored.body


def load_row_response(directory: str | os.PathLike, row: dict[str, Any], db: Database | None = None) -> StoredResponse:
    """The response a ``pages``/``articles`` row points at, following a revisit to its original.

    A revisit record carries no body; the original is any other row with the
    same payload digest whose record is a full response.
    """
    if not row.get("warc_filename") or row.get("warc_offset") is None:
        raise RecordError(f"{row.get('url')} has no WARC pointer")
    stored = read_record(warc_path(directory, row["warc_filename"]), int(row["warc_offset"]))
    if stored.record_type != "revisit":
        return stored
    original = _original_of_revisit(db, directory, row) if db is not None else None
    if original is None:
        raise RecordError(f"{row['url']} is a revisit and its original capture is not in the database")
    body = read_record(warc_path(directory, original["warc_filename"]), int(original["warc_offset"])).body
    # The revisit's own headers are what this fetch received; only the payload is shared.
    return StoredResponse(stored.url, "revisit", stored.warc_headers, stored.http_headers, body)


def _original_of_revisit(db: Database, directory: str | os.PathLike, row: dict[str, Any]) -> dict[str, Any] | None:
    digest = row.get("payload_digest") or ""
    if not digest:
        return None
    for candidate in db.query(
        "SELECT url, warc_filename, warc_offset FROM pages WHERE payload_digest = ? AND warc_filename IS NOT NULL"
        " AND NOT (warc_filename = ? AND warc_offset = ?)",
        [digest, row["warc_filename"], row["warc_offset"]],
    ):
        # The digest alone does not say which row holds the full record: check.
        try:
            kind = read_record(warc_path(directory, candidate["warc_filename"]), candidate["warc_offset"]).record_type
        except RecordError as exc:
            logger.warning("skipping candidate original %s: %s", candidate["url"], exc)
            continue
        if kind == "response":
            return candidate
    return None

