"""Reading one archived HTTP response back from its (file, offset) pointer.

Every record in our WARCs (and in most others') is its own gzip member, so a
reader can seek straight to a row's ``warc_offset`` and parse one record
there, without touching the rest of the file. The body comes back as the
server meant it: chunking and content-encoding (gzip, deflate, br) undone by
warcio's ``content_stream()``.
"""

from __future__ import annotations

import itertools
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from sqlite_utils import Database
from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeaders

from newsarchive.archive import ArchiveDir

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
        # isdecimal(), not isdigit(): "²00" is digits to isdigit() but not a number to int().
        return int(code) if code and code.isdecimal() else None

    @property
    def content_type(self) -> str | None:
        if self.http_headers is None:
            return self.warc_headers.get_header("Content-Type")
        return self.http_headers.get_header("Content-Type")


def read_record(path: str | os.PathLike, offset: int, limit: int | None = None) -> StoredResponse:
    """Parse the one record starting at ``offset`` in the WARC file at ``path``.

    With a ``limit``, at most that many bytes of the (decoded) body are read:
    a small record can inflate to gigabytes. Callers that refuse bodies over
    some size pass one byte more, and know a longer body by its length.
    """
    try:
        with open(path, "rb") as stream:
            stream.seek(offset)
            # warcio skips junk looking for a record; a pointer must land exactly on one.
            head = stream.read(5)
            if not (head.startswith(b"\x1f\x8b") or head == b"WARC/"):
                raise RecordError(f"no WARC record starts at {path}:{offset}")
            stream.seek(offset)
            record = _first_record(ArchiveIterator(stream), path, offset)
            return StoredResponse(
                url=record.rec_headers.get_header("WARC-Target-URI") or "",
                record_type=record.rec_type,
                warc_headers=record.rec_headers,
                http_headers=record.http_headers,
                body=record.content_stream().read(limit),
            )
    except (OSError, ArchiveLoadFailed, EOFError, ValueError) as exc:
        raise RecordError(f"cannot read the record at {path}:{offset}: {exc}") from exc


def _first_record(records: ArchiveIterator, path: str | os.PathLike, offset: int) -> ArcWarcRecord:
    try:
        return next(records)
    except StopIteration:
        raise RecordError(f"no WARC record at {path}:{offset}") from None
    except (OSError, ArchiveLoadFailed, EOFError, ValueError):
        raise
    except Exception as exc:
        # Odd headers make warcio fail with errors of its own (a response record without
        # WARC-Target-URI: AttributeError); bad input all the same, so a RecordError.
        raise RecordError(f"cannot read the record at {path}:{offset}: {type(exc).__name__}: {exc}") from exc


def read_response(path: str | os.PathLike, offset: int) -> tuple[StatusAndHeaders | None, bytes]:
    """The HTTP status line and headers, and the decoded body, of the record at ``offset``."""
    stored = read_record(path, offset)
    return stored.http_headers, stored.body


def load_row_response(directory: str | os.PathLike, row: dict[str, Any], db: Database | None = None,
                      limit: int | None = None) -> StoredResponse:
    """The response a ``pages``/``articles`` row points at, following a revisit to its original.

    A revisit record carries no body; the payload is read from the response
    record it refers to (see ``find_original``). ``limit``: as for ``read_record``.
    """
    if not row.get("warc_filename") or row.get("warc_offset") is None:
        raise RecordError(f"{row.get('url')} has no WARC pointer")
    stored = read_record(ArchiveDir(directory).warc_path(row["warc_filename"]), int(row["warc_offset"]), limit)
    if stored.record_type != "revisit":
        return stored
    original = find_original(directory, stored, db, limit)
    if original is None:
        raise RecordError(f"{row['url']} is a revisit record, and the response it refers to is neither in the "
                          f"database nor in the indexes in {Path(directory) / 'indexes'}")
    # The revisit's own headers are what this fetch received; only the payload is shared.
    return StoredResponse(stored.url, "revisit", stored.warc_headers, stored.http_headers, original.body)


def find_original(directory: str | os.PathLike, revisit: StoredResponse,
                  db: Database | None = None, limit: int | None = None) -> StoredResponse | None:
    """The response record a revisit refers to, by record id or payload digest.

    Looked up as replay tools do: first in the database (rows that point at
    the record, or at a record with the same payload), then in the archive's
    CDXJ indexes (DIR/indexes/*.cdxj). Every candidate is read and checked.
    """
    headers = revisit.warc_headers
    refers_to = headers.get_header("WARC-Refers-To")
    digest = _bare_digest(headers.get_header("WARC-Payload-Digest"))
    target = headers.get_header("WARC-Refers-To-Target-URI") or revisit.url
    candidates = _candidates_in_db(db, refers_to, headers.get_header("WARC-Payload-Digest")) if db is not None else []
    seen: set[tuple[str, int]] = set()
    # Chained, not listed: the indexes are read only if no database candidate is the original.
    for filename, offset in itertools.chain(candidates, _candidates_in_indexes(directory, target, digest)):
        if (filename, offset) in seen:
            continue
        seen.add((filename, offset))
        try:
            candidate = read_record(ArchiveDir(directory).warc_path(filename), offset, limit)
        except RecordError as exc:
            logger.warning("skipping a candidate original of %s: %s", revisit.url, exc)
            continue
        same_record = refers_to and candidate.warc_headers.get_header("WARC-Record-ID") == refers_to
        same_payload = digest and _bare_digest(candidate.warc_headers.get_header("WARC-Payload-Digest")) == digest
        if candidate.record_type == "response" and (same_record or same_payload):
            return candidate
    return None


def _candidates_in_db(db: Database, record_id: str | None, digest: str | None) -> list[tuple[str, int]]:
    found = []
    for table in ("pages", "articles"):
        if not db[table].exists():
            continue
        found += db.execute(
            f"SELECT warc_filename, warc_offset FROM {table} WHERE (warc_record_id = ? OR payload_digest = ?)"
            " AND warc_filename IS NOT NULL AND warc_offset IS NOT NULL",
            [record_id, digest],
        ).fetchall()
    return found


def _candidates_in_indexes(directory: str | os.PathLike, url: str, digest: str | None) -> Iterator[tuple[str, int]]:
    for index in ArchiveDir(directory).index_files():
        with open(index, encoding="utf-8") as lines:
            for line in lines:
                if url not in line:
                    continue
                try:
                    fields = json.loads(line.split(" ", 2)[2])
                except (IndexError, ValueError) as exc:
                    logger.warning("unreadable line in %s: %s", index, exc)
                    continue
                if not isinstance(fields, dict):
                    logger.warning("unreadable line in %s: its JSON is a %s, not an object", index,
                                   type(fields).__name__)
                    continue
                if fields.get("url") == url and fields.get("mime") != "warc/revisit" and \
                        (digest is None or _bare_digest(fields.get("digest")) == digest):
                    try:
                        pointer = str(fields["filename"]), int(fields["offset"])
                    except (KeyError, TypeError, ValueError) as exc:
                        # A hand-edited or other tool's index: one bad line must not end the search.
                        logger.debug("skipping a line of %s without a usable pointer (%s: %s): %s",
                                     index, type(exc).__name__, exc, line.strip())
                        continue
                    yield pointer


def _bare_digest(digest: str | None) -> str | None:
    """``sha1:ABC`` and ``ABC`` (as pywb indexes write it) are the same digest."""
    if not digest:
        return None
    return digest.strip().split(":", 1)[-1].upper()
