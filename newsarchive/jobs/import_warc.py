"""Importing WARC files written by other tools (CC-NEWS, Browsertrix, Heritrix, wget) into the database.

The files are streamed, record by record, never loaded whole; rows point at
the external file by absolute path, so ``show --raw`` and ``reextract`` read
the bytes from where they are. What each record becomes:

* ``response`` with HTTP status 200 and an HTML content type (or none):
  extracted in the process pool -> ``article``, ``not_article``,
  ``duplicate`` or ``error`` (the extraction failed). Of two pages with the
  same text, the first holds the article, unless the later one is the page
  its publisher names canonical (the crawl's rule too). A body that decodes
  to more than MAX_EXTRACT_BYTES is read no further: ``not_article``.
* other HTTP ``response`` records: a ``pages`` row without extraction:
  3xx -> ``redirect`` (with ``redirected_to``), 4xx/5xx -> ``error``,
  anything else (other 2xx, non-HTML types) -> ``not_article``.
* skipped, only counted: ``warcinfo``, ``request``, ``metadata``,
  ``resource`` and ``conversion`` records (no HTTP response to keep),
  ``revisit`` records (their payload is another record's; importing them
  would replace an article with nothing), and non-HTTP responses
  (Heritrix's ``dns:`` records).
* a record cut short (truncated file), unreadable (corrupt gzip member,
  junk between records, headers warcio or we cannot parse), longer than its
  Content-Length or not matching its WARC-Block-Digest: reported with the
  reason and skipped; reading resumes at the next record start found after
  it, so one bad record never costs the rest of the file.
* a whole-file gzip (one member for all records): reported, with warcio's
  advice to recompress it; no row could point into it.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import zlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Generator, Iterable, Iterator
from urllib.parse import urljoin

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.recordloader import ArcWarcRecord

from newsarchive.processing.page import HTML_TYPES, MAX_EXTRACT_BYTES, MIN_WORDS, PageResult
from newsarchive.processing.pool import ExtractionPool, in_order
from newsarchive.archive import stored_name
from newsarchive.db.store import Store, article_row, same_text_as

logger = logging.getLogger(__name__)

SPIDER = "import-warc"


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
    # Set only for extraction candidates: the body after transfer- and content-decoding.
    body: bytes | None = field(default=None, repr=False)
    # An extraction candidate whose body is over MAX_EXTRACT_BYTES: not read further, not extracted.
    too_large: bool = False

    @property
    def mime(self) -> str:
        return (self.content_type or "").split(";")[0].strip().lower()

    def page_fields(self, crawl_id: int) -> dict[str, Any]:
        return {
            "url": self.url, "status": self.status, "content_type": self.content_type,
            "fetched_at": self.fetched_at, "warc_date": self.fetched_at, "crawl_id": crawl_id,
            "warc_filename": self.filename, "warc_offset": self.offset, "warc_length": self.length,
            "warc_record_id": self.record_id, "payload_digest": self.payload_digest,
        }


@dataclass
class ImportReport:
    label: str = "import"  # what the summary calls the run
    crawl_id: int = 0
    files: int = 0
    records: int = 0
    outcomes: Counter = field(default_factory=Counter)  # pages rows written, by outcome
    skipped: Counter = field(default_factory=Counter)  # records not imported, by kind
    problems: list[str] = field(default_factory=list)  # corrupt or truncated data, one message each

    def summary(self) -> str:
        lines = [f"{self.label} {self.crawl_id}: {self.files} files, {self.records} records read"]
        lines.append("pages: " + (", ".join(f"{k} {v}" for k, v in sorted(self.outcomes.items())) or "none"))
        if self.skipped:
            lines.append("skipped: " + ", ".join(f"{k} {v}" for k, v in sorted(self.skipped.items())))
        if self.problems:
            lines.append(f"{len(self.problems)} corrupt or truncated records skipped:")
            lines.extend(f"  {message}" for message in self.problems)
        return "\n".join(lines)


def is_candidate(entry: Entry) -> bool:
    return entry.status == 200 and (not entry.mime or entry.mime in HTML_TYPES)


def too_large() -> PageResult:
    """The outcome of a page whose body is over MAX_EXTRACT_BYTES: decided here, the body never read whole."""
    return PageResult("not_article", f"too large to extract (over {MAX_EXTRACT_BYTES} bytes)")


def read_body(stream: BinaryIO) -> bytes | None:
    """A decoded body for extraction, or None if it is over MAX_EXTRACT_BYTES.

    Read no further than one byte past the limit: a small record can inflate
    a thousandfold (Content-Encoding: gzip), and extraction would refuse it anyway.
    """
    body = stream.read(MAX_EXTRACT_BYTES + 1)
    return body if len(body) <= MAX_EXTRACT_BYTES else None


# -- reading ----------------------------------------------------------------

def scan_warc(path: Path, report: ImportReport, root: Path | None = None) -> Iterator[Entry]:
    """The HTTP responses in one WARC file, in file order; problems go into ``report``.

    Unreadable data (a corrupt record, junk between records) is reported and
    skipped: reading resumes at the next record start found after it.
    """
    filename = stored_name(path, root)
    with open(path, "rb") as stream:
        start: int | None = 0
        while start is not None:
            start = yield from _scan_from(path, stream, start, filename, report)


def _scan_from(path: Path, stream: BinaryIO, start: int, filename: str,
               report: ImportReport) -> Generator[Entry, None, int | None]:
    """Yield the entries from offset ``start`` on; return where to resume after unreadable data, or None."""
    stream.seek(start)
    # Digests are checked (and only recorded, never raised) so a damaged record is caught.
    records = ArchiveIterator(stream, check_digests=True)
    last_end = start
    try:
        for record in _parsed(records):
            report.records += 1
            # Before asking for the offset: warcio's get_record_offset() reads the record to its end.
            entry, failure = _entry_or_failure(record, filename, report)
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


def _entry_or_failure(record: ArcWarcRecord, filename: str,
                      report: ImportReport) -> tuple[Entry | None, str | None]:
    """The record's entry (None for records not imported), or why the record cannot become one."""
    try:
        return _entry_of(record, filename, report), None
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


def _entry_of(record: ArcWarcRecord, filename: str, report: ImportReport) -> Entry | None:
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
    if is_candidate(entry):
        entry.body = read_body(record.content_stream())
        entry.too_large = entry.body is None
    return entry


def _check_tail(path: Path, stream, last_end: int, report: ImportReport) -> None:
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


# -- writing ----------------------------------------------------------------

class _Importer:
    def __init__(self, store: Store, pool: ExtractionPool, crawl_id: int, report: ImportReport) -> None:
        self.store = store
        self.pool = pool
        self.crawl_id = crawl_id
        self.report = report

    def page(self, entry: Entry, outcome: str, reason: str | None) -> None:
        redirected_to = entry.location if outcome == "redirect" else None
        self.store.add_page({**entry.page_fields(self.crawl_id), "outcome": outcome, "reason": reason,
                             "redirected_to": redirected_to})
        self.report.outcomes[outcome] += 1

    def without_extraction(self, entry: Entry) -> None:
        if 300 <= entry.status < 400:
            self.page(entry, "redirect", f"{entry.status} to {entry.location}")
        elif entry.status >= 400:
            self.page(entry, "error", f"HTTP {entry.status}")
        elif entry.status != 200:
            self.page(entry, "not_article", f"HTTP {entry.status}")
        else:
            self.page(entry, "not_article", f"content type {entry.mime}")

    def apply(self, entry: Entry, result: PageResult | None) -> None:
        if result is None and entry.too_large:
            result = too_large()
        if result is None:
            self.without_extraction(entry)
        else:
            self.extracted(entry, result)

    def extracted(self, entry: Entry, result: PageResult) -> None:
        if result.article is None:
            self.page(entry, "not_article" if result.outcome != "error" else "error", result.reason)
            if result.outcome != "error":
                self.store.remove_article(entry.url)
            return
        other = self.store.same_text(result.article.fingerprint, entry.url, result.article.canonical_url)
        if other is not None and other.keeps:
            self.page(entry, "duplicate", same_text_as(other.url))
            return
        if other is not None:
            self.demote(other.url, entry.url)
        fields = entry.page_fields(self.crawl_id)
        fields.pop("content_type")
        self.store.add_article({**article_row(result.article), **fields})
        self.page(entry, "article", result.reason)


    def demote(self, url: str, copy_of: str) -> None:
        """``url``'s article is a copy of ``copy_of``, the page its publisher names canonical."""
        row = self.store.demote(url, copy_of)
        if row is not None and row.get("crawl_id") == self.crawl_id:
            self.report.outcomes[row["outcome"]] -= 1
            self.report.outcomes["duplicate"] += 1


def _jobs(entries: Iterable[Entry]) -> Iterator[tuple[Entry, bytes | None, str, str | None]]:
    for entry in entries:
        body, entry.body = entry.body, None  # the worker gets its copy; the queue must not hold it twice
        yield entry, body, entry.url, entry.content_type


def import_warcs(paths: Iterable[str | os.PathLike], db_path: str | os.PathLike, workers: int = 0,
                 min_words: int = MIN_WORDS, batch_size: int = 100, root: str | os.PathLike | None = None,
                 spider: str = SPIDER) -> ImportReport:
    """Import the WARC files at ``paths`` into the database at ``db_path``; return what happened.

    Rows name the files by absolute path, or relative to ``root`` for files
    inside it (a crawl's own DIR/warc). ``spider`` names the run in ``crawls``.
    """
    files = [Path(p).resolve() for p in paths]
    missing = [str(p) for p in files if not p.is_file()]
    if missing:
        raise FileNotFoundError(f"no such WARC file: {', '.join(missing)}")
    root_path = Path(root) if root is not None else None
    report = ImportReport(label="import" if spider == SPIDER else spider, files=len(files))
    store = Store(db_path, batch_size=batch_size)
    pool = ExtractionPool(workers, min_words=min_words)
    report.crawl_id = store.start_crawl(spider, [str(p) for p in files], {"workers": pool.workers,
                                                                         "min_words": min_words})
    importer = _Importer(store, pool, report.crawl_id, report)
    reason = "finished"
    try:
        entries = (entry for path in files for entry in _logged_scan(path, report, root_path))
        # File order (see in_order): a later capture of a URL wins, "duplicate" names the same copy.
        asyncio.run(in_order(pool, _jobs(entries), importer.apply))
    except BaseException as exc:
        reason = f"failed: {exc!r}"
        raise
    finally:
        pool.close()
        store.flush()
        store.finish_crawl(report.crawl_id, _stats(report), reason)
        store.close()
    return report


def _logged_scan(path: Path, report: ImportReport, root: Path | None) -> Iterator[Entry]:
    before = len(report.problems)
    logger.info("importing %s", path)
    yield from scan_warc(path, report, root)
    for message in report.problems[before:]:
        logger.warning("%s", message)


def _stats(report: ImportReport) -> dict[str, Any]:
    return {"files": report.files, "records": report.records, "pages": dict(report.outcomes),
            "skipped": dict(report.skipped), "problems": report.problems}
