"""Resilient WARC scanning: the HTTP responses of a WARC file written by any tool, whatever is wrong with it.

Files are streamed, record by record, never loaded whole. A record cut short
(truncated file), unreadable (corrupt gzip member, junk between records,
headers warcio or we cannot parse), longer than its Content-Length or not
matching its WARC-Block-Digest is reported with the reason and skipped;
reading resumes at the next record start found after it, so one bad record
never costs the rest of the file. A whole-file gzip (one member for all
records) is reported with warcio's advice to recompress it: no row could
point into it. Records other than HTTP responses are only counted.

``import-warc`` (newsarchive/jobs/import_warc.py) turns the entries into rows.
"""

from __future__ import annotations

import logging
import os
import re
import zlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Callable, Generator, Iterator
from urllib.parse import urljoin

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.recordloader import ArcWarcRecord

from newsarchive.archive import stored_name

logger = logging.getLogger(__name__)


@dataclass
class Entry:
    """One HTTP response record, with its pointer, ready to become rows."""

    url: str
    status: int
    content_type: str | None
    fetched_at: str | None
    filename: str
    offset: int
    length: int = 0
    record_id: str | None = None
    payload_digest: str | None = None
    location: str | None = None
    # Set only when the caller wants the body: after transfer- and content-decoding.
    body: bytes | None = field(default=None, repr=False)
    # A body wanted but over its limit: not read further.
    too_large: bool = False

    @property
    def mime(self) -> str:
        return (self.content_type or "").split(";")[0].strip().lower()


@dataclass
class ScanReport:
    """What scanning found besides the entries: records read, skipped by kind, and problems."""

    records: int = 0
    skipped: Counter = field(default_factory=Counter)  # records not imported, by kind
    problems: list[str] = field(default_factory=list)  # corrupt or truncated data, one message each


# How much of an entry's body to read: None for none; a body over the limit is not read further.
BodyLimit = Callable[[Entry], "int | None"]


def read_body(stream: BinaryIO, limit: int) -> bytes | None:
    """A decoded body, or None if it is over ``limit`` bytes.

    Read no further than one byte past the limit: a small record can inflate
    a thousandfold (Content-Encoding: gzip).
    """
    body = stream.read(limit + 1)
    return body if len(body) <= limit else None


def _no_body(entry: Entry) -> int | None:
    return None


# -- reading ----------------------------------------------------------------

def scan_warc(path: Path, report: ScanReport, root: Path | None = None,
              body_limit: BodyLimit = _no_body) -> Iterator[Entry]:
    """The HTTP responses in one WARC file, in file order; problems go into ``report``.

    Rows will name the file relative to ``root`` (see ``stored_name``).
    ``body_limit`` says which entries come with their bodies, read up to what size.

    Unreadable data (a corrupt record, junk between records) is reported and
    skipped: reading resumes at the next record start found after it.
    """
    filename = stored_name(path, root)
    with open(path, "rb") as stream:
        start: int | None = 0
        while start is not None:
            start = yield from _scan_from(path, stream, start, filename, report, body_limit)


def _scan_from(path: Path, stream: BinaryIO, start: int, filename: str, report: ScanReport,
               body_limit: BodyLimit) -> Generator[Entry, None, int | None]:
    """Yield the entries from offset ``start`` on; return where to resume after unreadable data, or None."""
    stream.seek(start)
    # Digests are checked (and only recorded, never raised) so a damaged record is caught.
    records = ArchiveIterator(stream, check_digests=True)
    last_end = start
    try:
        for record in _parsed(records):
            report.records += 1
            # Before asking for the offset: warcio's get_record_offset() reads the record to its end.
            entry, failure = _entry_or_failure(record, filename, report, body_limit)
            errors = records.err_count
            records.read_to_end(record)
            offset, length = records.get_record_offset(), records.get_record_length()
            if records.err_count > errors:
                # Not followed by the blank lines that end a record: its Content-Length is wrong,
                # so its body holds bytes of whatever follows. Look for the next record inside it.
                resume = next_record_start(stream, offset + 1)
                report.problems.append(f"{path.name}: record at offset {offset} does not end where its "
                                       f"Content-Length says, skipped{_resuming(resume, offset)}")
                return resume
            if length < 0 or _member_goes_on(records):
                # One gzip member for the whole file (`gzip file.warc`): no record can be pointed at,
                # and warcio's offsets run wild (even backwards). Stop before using them.
                resume = next_record_start(stream, offset + 1)
                report.problems.append(f"{path.name}: record at offset {offset} is not its own gzip member "
                                       f"({_WHOLE_FILE_GZIP}){_resuming(resume, offset)}")
                return resume
            last_end = offset + length
            if _block_digest_failed(record):
                # Damaged bytes (and with gzip, the next member's read as this one's): look inside it.
                resume = next_record_start(stream, offset + 1)
                report.problems.append(f"{path.name}: record at offset {offset} does not match its "
                                       f"WARC-Block-Digest, skipped{_resuming(resume, offset)}")
                return resume
            if getattr(record.raw_stream, "limit", 0) > 0:
                # The declared Content-Length never arrived: the record (or the file) ends short.
                report.problems.append(f"{path.name}: record at offset {offset} is truncated "
                                       f"({record.raw_stream.limit} bytes missing); skipped")
                continue
            if failure is not None:
                report.problems.append(f"{path.name}: record at offset {offset} cannot be imported "
                                       f"({failure}); skipped")
                continue
            if entry is not None:
                entry.offset, entry.length = offset, length
                yield entry
    except UnparsableRecord as exc:
        # warcio gave up on the record after the last one read: it starts past that one's blank lines.
        at = _after_blank_lines(stream, last_end)
        resume = next_record_start(stream, at + 1)
        report.problems.append(f"{path.name}: record at offset {at} cannot be read "
                               f"({_parse_failure_reason(stream, at, exc)}){_resuming(resume, at)}")
        return resume
    except _READ_ERRORS as exc:
        resume = next_record_start(stream, last_end + 1)
        report.problems.append(f"{path.name}: unreadable data at offset {last_end} "
                               f"({_read_failure_reason(stream, last_end, exc)}){_resuming(resume, last_end)}")
        return resume
    _check_tail(path, stream, last_end, report)
    return None


# warcio's own words for it, on one line: they name the fix (warcio recompress).
_WHOLE_FILE_GZIP = " ".join(ArchiveIterator.GZIP_ERR_MSG.format("warc", "WARC").split())


def _member_goes_on(records: ArchiveIterator) -> bool:
    """In a gzipped file, the record's gzip member holds more after the record's end: the next record.

    warcio read that record's first line while looking for the blank lines
    after this one, and would fail on it next with the message above.
    """
    return records.reader is not None and records.reader.decompressor is not None and bool(records.next_line)


class UnparsableRecord(Exception):
    """warcio failed on a record's headers with an error that is not one of its read errors."""


# What reading bytes that are not (or no longer) a WARC record raises: from warcio, gzip and the file.
_READ_ERRORS = (ArchiveLoadFailed, EOFError, OSError, ValueError, zlib.error)


def _parsed(records: ArchiveIterator) -> Iterator[ArcWarcRecord]:
    """warcio's records, one by one; a failure to parse one is raised as UnparsableRecord.

    The iterator cannot go on after raising, so the caller resumes after the
    record with a new one.
    """
    iterator = iter(records)
    while True:
        try:
            record = next(iterator)
        except StopIteration:
            return
        except _READ_ERRORS:
            raise
        except Exception as exc:
            # Odd headers make warcio fail with errors of its own (a response record without
            # WARC-Target-URI: AttributeError); bad input all the same, so recorded, not fatal.
            raise UnparsableRecord(f"{type(exc).__name__}: {_printable(exc)}") from exc
        yield record


def _entry_or_failure(record: ArcWarcRecord, filename: str, report: ScanReport,
                      body_limit: BodyLimit) -> tuple[Entry | None, str | None]:
    """The record's entry (None for records not imported), or why the record cannot become one."""
    try:
        return _entry_of(record, filename, report, body_limit), None
    except _READ_ERRORS as exc:
        # Headers warcio accepts but that are no HTTP response: a status like "²00" (a digit to
        # isdigit(), not to int()), a Location urljoin rejects ("http://[::1/x").
        logger.debug("record of %s cannot be imported", filename, exc_info=True)
        return None, _printable(exc)


def _read_failure_reason(stream: BinaryIO, at: int, exc: BaseException) -> str:
    """What reading failed with; and whether the gzip member at ``at`` (if one starts there) is damaged.

    warcio falls back to reading a member it cannot inflate as plain text, so
    its error then speaks of junk; the hint says what the junk was.
    """
    reason = _printable(exc)
    stream.seek(at)
    if stream.read(2) == b"\x1f\x8b" and not _inflates(stream, at):
        reason += "; the gzip member there does not decompress"
    return reason


_INFLATE_STEP = 1 << 16


def _inflates(stream: BinaryIO, at: int) -> bool:
    """Whether the gzip member starting at ``at`` inflates to its end; its output is thrown away as it comes."""
    stream.seek(at)
    inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
    try:
        while not inflater.eof:
            data = inflater.unconsumed_tail or stream.read(_INFLATE_STEP)
            if not data:
                return False  # the file ends inside the member
            # Bounded output per step: a member that inflates a thousandfold must not fill memory.
            inflater.decompress(data, _INFLATE_STEP)
    except zlib.error as exc:
        logger.debug("gzip member at offset %d does not inflate: %s", at, exc)
        return False
    return True


def _after_blank_lines(stream: BinaryIO, position: int) -> int:
    """The offset of the first byte at or after ``position`` that is not a CR or LF."""
    stream.seek(position)
    head = stream.read(64)
    return position + len(head) - len(head.lstrip(b"\r\n"))


def _parse_failure_reason(stream: BinaryIO, at: int, exc: UnparsableRecord) -> str:
    """warcio's error, and in plain words what is wrong with the record when we can tell."""
    block = _header_block(stream, at).lower()
    kind = re.search(rb"\r\nwarc-type: *([a-z]+)", block)
    if kind and b"\r\nwarc-target-uri:" not in block:
        return f"a {kind[1].decode()} record without WARC-Target-URI; warcio: {exc}"
    return str(exc)


# A gzip member (deflate), or an uncompressed WARC record's first line.
_RECORD_START = re.compile(rb"\x1f\x8b\x08|WARC/1\.[01]\r\n")
_SEARCH_BLOCK = 1 << 20


def holds_record(path: Path) -> bool:
    """Whether the file holds at least one WARC (or ARC) record warcio reads, or a WARC record start anywhere.

    Cheap for a WARC file (its first record); a file that is no archive at all is searched through.
    """
    with open(path, "rb") as stream:
        try:
            for _ in ArchiveIterator(stream):
                return True
        except Exception as exc:  # whatever warcio raises on bytes that are not an archive
            logger.debug("%s does not start with a record: %s", path, exc)
        return next_record_start(stream, 0) is not None


def next_record_start(stream: BinaryIO, position: int) -> int | None:
    """The offset of the first WARC record at or after ``position``, read in blocks; None if there is none.

    A candidate (a gzip member, or ``WARC/1.x`` uncompressed) counts only if
    it begins with a WARC header block, so payload bytes that happen to look
    like either are passed over.
    """
    while True:
        stream.seek(position)
        data = stream.read(_SEARCH_BLOCK + 16)
        if not data:
            return None
        for match in _RECORD_START.finditer(data):
            if match.start() >= _SEARCH_BLOCK:
                break
            at = position + match.start()
            if _is_record_start(stream, at):
                return at
        if len(data) <= _SEARCH_BLOCK:
            return None
        position += _SEARCH_BLOCK


def _is_record_start(stream: BinaryIO, at: int) -> bool:
    # A record's header block: version line, WARC-Type and Content-Length, then a blank line.
    block = _header_block(stream, at)
    lowered = block.lower()
    return block.startswith(b"WARC/1.") and b"\r\nwarc-type:" in lowered and b"\r\ncontent-length:" in lowered


def _header_block(stream: BinaryIO, at: int) -> bytes:
    """The first 8 KB of the record at ``at`` up to its blank line, inflated if gzipped; b"" if it does not inflate."""
    stream.seek(at)
    head = stream.read(8192)
    if not head.startswith(b"WARC/1."):
        try:
            head = zlib.decompressobj(zlib.MAX_WBITS | 16).decompress(head, 8192)
        except zlib.error:
            return b""
    return head.partition(b"\r\n\r\n")[0]


def _resuming(resume: int | None, since: int) -> str:
    if resume is None:
        return "; no record starts after it: the rest of the file is skipped"
    return f"; resuming at the next record, offset {resume} ({resume - since} bytes on)"


def _printable(exc: BaseException, limit: int = 160) -> str:
    """The exception's message on one line, with any binary junk it quotes escaped, and not too long."""
    # Whitespace collapsed: warcio's messages run over several indented lines.
    text = ascii(" ".join(str(exc).split()))[1:-1]
    return text if len(text) <= limit else text[:limit] + "..."


def _block_digest_failed(record) -> bool:
    # Only the block digest: tools disagree on what the payload digest covers (chunked bodies).
    checker = getattr(record, "digest_checker", None)
    return checker is not None and any(p.startswith("block digest failed") for p in checker.problems)


def _entry_of(record: ArcWarcRecord, filename: str, report: ScanReport, body_limit: BodyLimit) -> Entry | None:
    if record.rec_type != "response":
        report.skipped[record.rec_type] += 1
        return None
    if record.http_headers is None or not record.http_headers.get_statuscode().isdigit():
        report.skipped["non-HTTP response"] += 1
        return None
    headers = record.rec_headers
    url = headers.get_header("WARC-Target-URI") or ""
    location = record.http_headers.get_header("Location")
    entry = Entry(
        url=url,
        status=int(record.http_headers.get_statuscode()),
        content_type=record.http_headers.get_header("Content-Type"),
        fetched_at=headers.get_header("WARC-Date"),
        filename=filename,
        offset=-1,  # known once the record is read
        record_id=headers.get_header("WARC-Record-ID"),
        payload_digest=headers.get_header("WARC-Payload-Digest"),
        location=urljoin(url, location) if location else None,
    )
    limit = body_limit(entry)
    if limit is not None:
        entry.body = read_body(record.content_stream(), limit)
        entry.too_large = entry.body is None
    return entry


def _check_tail(path: Path, stream, last_end: int, report: ScanReport) -> None:
    """Bytes after the last whole record that are not blank: a record cut inside its headers."""
    size = os.fstat(stream.fileno()).st_size
    if size <= last_end:
        return
    stream.seek(last_end)
    tail = stream.read(4096)
    # Uncompressed WARCs end each record with blank lines that the record length leaves out.
    if size - last_end > len(tail) or tail.strip():
        report.problems.append(f"{path.name}: {size - last_end} bytes after the last whole record "
                               f"(offset {last_end}) are not a whole record; skipped")
