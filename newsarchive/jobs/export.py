"""An archive's articles as a corpus file: JSON lines, Parquet or CSV, streamed, with a dataset card.

One schema (``FIELDS``, versioned by ``SCHEMA_VERSION``) for every format:
lists are real arrays (JSON arrays, Parquet ``list<string>``; in CSV, whose
cells hold no arrays, a JSON array as text); dates are ISO 8601 text in JSON
lines and CSV and typed UTC timestamps in Parquet. Rows are read and written
``batch_size`` at a time, so memory does not grow with the archive.

Bump SCHEMA_VERSION's major number when a field is removed, renamed or changes
type; its minor number when one is added.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import os
import sys
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, TextIO

from newsarchive.archive import Archive, ArticleFilter

logger = logging.getLogger(__name__)

SCHEMA_VERSION = "1.1"  # 1.1: cluster_id
FORMATS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet", ".csv": "csv"}


@dataclass(frozen=True)
class Field:
    name: str
    kind: str  # "string", "int", "list" (of strings) or "timestamp"
    description: str


FIELDS = (
    Field("url", "string", "The URL the article was fetched from (after redirects)."),
    Field("canonical_url", "string", "The page's own canonical URL (link rel=canonical or og:url)."),
    Field("title", "string", "Headline."),
    Field("authors", "list", "Author names."),
    Field("published", "timestamp", "Publication date or date-time as stated by the page (a date alone is midnight UTC in Parquet)."),
    Field("modified", "timestamp", "Last modification date or date-time, where the page states it."),
    Field("site", "string", "Site name (og:site_name or the host name)."),
    Field("language", "string", "Language code from the page's markup (html lang, og:locale)."),
    Field("description", "string", "The page's own summary (meta description / og:description)."),
    Field("tags", "list", "Tags and keywords."),
    Field("categories", "list", "Categories or sections."),
    Field("image", "string", "Main image URL."),
    Field("page_type", "string", "Declared page type: schema.org @type or og:type."),
    Field("text", "string", "Clean article text, one paragraph per line (no menus, share bars, related links, comments)."),
    Field("word_count", "int", "Number of words in text."),
    Field("fingerprint", "string", "Hash of the normalised text: equal for the same text at different URLs."),
    Field("status", "int", "HTTP status of the response."),
    Field("fetched_at", "timestamp", "When the response was received."),
    Field("crawl_id", "int", "The crawl that fetched it (crawls.id in the archive's news.db)."),
    Field("warc_filename", "string", "WARC file holding the raw response (relative to the archive's warc/ folder, or absolute)."),
    Field("warc_offset", "int", "Byte offset of the response record in the WARC file."),
    Field("warc_length", "int", "Compressed length of the response record in bytes."),
    Field("warc_record_id", "string", "WARC-Record-ID of the response record."),
    Field("payload_digest", "string", "WARC-Payload-Digest (SHA-1, base32) of the body as received."),
    Field("warc_date", "timestamp", "WARC-Date of the record holding the payload (what replay tools look up)."),
    Field("cluster_id", "string", "Near-duplicate cluster (wire copies, light re-edits): the URL of its earliest "
          "published article, the article's own URL when it has no near-duplicate."),
)
NAMES = [f.name for f in FIELDS]


class ExportError(Exception):
    """The export cannot be written as asked (unknown format, Parquet to a terminal...)."""


def format_for(path: str, given: str | None = None) -> str:
    """The format to write: ``given``, or the one the file's extension names (``-`` is JSON lines)."""
    if given:
        return given
    if path == "-":
        return "jsonl"
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise ExportError(f"cannot tell the format from {path!r}: name it .jsonl, .parquet or .csv, or pass --format")
    return FORMATS[suffix]


@dataclass
class ExportReport:
    rows: int = 0
    sites: Counter = field(default_factory=Counter)
    languages: Counter = field(default_factory=Counter)
    published: list[str] = field(default_factory=list)  # [first, last] publication day seen
    fetched: list[str] = field(default_factory=list)  # [first, last] fetch time seen

    def count(self, row: dict[str, Any]) -> None:
        self.rows += 1
        self.sites[row.get("site") or "(no site)"] += 1
        self.languages[row.get("language") or "(unknown)"] += 1
        _widen(self.published, (row.get("published") or "")[:10])
        _widen(self.fetched, row.get("fetched_at") or "")


def _widen(bounds: list[str], value: str) -> None:
    if not value:
        return
    if not bounds:
        bounds.extend([value, value])
    bounds[0], bounds[1] = min(bounds[0], value), max(bounds[1], value)


def export(archive: Archive, out: TextIO | io.BufferedIOBase | str | os.PathLike, fmt: str,
           filter: ArticleFilter | None = None, batch_size: int = 1000,
           progress: Callable[[int], None] | None = None) -> ExportReport:
    """Write the archive's articles (those ``filter`` keeps) to ``out`` in ``fmt``; return what was written.

    ``out`` is a path, or an open stream: text for JSON lines and CSV, binary for Parquet.
    ``progress(1)`` is told of each article written (``Archive.count`` says how many there are).
    """
    report = ExportReport()
    rows = archive.rows(filter, batch_size=batch_size)
    writer = {"jsonl": _write_jsonl, "csv": _write_csv, "parquet": _write_parquet}.get(fmt)
    if writer is None:
        raise ExportError(f"unknown format {fmt!r}: jsonl, parquet or csv")
    writer(_counted(rows, report, progress), out, batch_size)
    return report


def _counted(rows: Iterable[dict], report: ExportReport, progress: Callable[[int], None] | None) -> Iterator[dict]:
    for row in rows:
        report.count(row)
        if progress is not None:
            progress(1)
        yield {name: row.get(name) for name in NAMES}


def _batches(rows: Iterable[dict], size: int) -> Iterator[list[dict]]:
    batch: list[dict] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _text_stream(out: Any, fn: Any) -> None:
    if hasattr(out, "write"):
        fn(out)
    else:
        with open(out, "w", encoding="utf-8", newline="") as stream:
            fn(stream)


def _write_jsonl(rows: Iterable[dict], out: Any, batch_size: int) -> None:
    def write(stream: TextIO) -> None:
        for batch in _batches(rows, batch_size):
            stream.write("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in batch))

    _text_stream(out, write)


def _write_csv(rows: Iterable[dict], out: Any, batch_size: int) -> None:
    lists = [f.name for f in FIELDS if f.kind == "list"]

    def write(stream: TextIO) -> None:
        writer = csv.DictWriter(stream, fieldnames=NAMES)
        writer.writeheader()
        for batch in _batches(rows, batch_size):
            for row in batch:
                # A CSV cell holds no array: a JSON array as text, which every CSV reader keeps intact.
                writer.writerow({**row, **{name: json.dumps(row[name] or [], ensure_ascii=False) for name in lists}})

    _text_stream(out, write)


def arrow_schema():  # -> pyarrow.Schema
    """The Parquet schema of ``FIELDS``, with the schema version in its metadata."""
    import pyarrow as pa

    types = {"string": pa.string(), "int": pa.int64(), "list": pa.list_(pa.string()),
             "timestamp": pa.timestamp("us", tz="UTC")}
    return pa.schema([pa.field(f.name, types[f.kind]) for f in FIELDS],
                     metadata={"newsarchive.schema_version": SCHEMA_VERSION})


def _write_parquet(rows: Iterable[dict], out: Any, batch_size: int) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = arrow_schema()
    stamps = [f.name for f in FIELDS if f.kind == "timestamp"]
    with pq.ParquetWriter(out, schema, compression="zstd") as writer:
        for batch in _batches(rows, batch_size):
            for row in batch:
                for name in stamps:
                    row[name] = parse_timestamp(row[name])
            writer.write_batch(pa.RecordBatch.from_pylist(batch, schema=schema))


def parse_timestamp(value: str | None) -> datetime | None:
    """An ISO 8601 date or date-time as an aware UTC datetime (a date alone is midnight, a naive time UTC)."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        logger.warning("not an ISO 8601 date, exported as null: %r", value)
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


def export_to_stdout(archive: Archive, fmt: str, filter: ArticleFilter | None = None,
                     progress: Callable[[int], None] | None = None) -> ExportReport:
    """JSON lines (or CSV) on stdout, UTF-8 whatever the terminal's encoding."""
    stream = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="")
    try:
        return export(archive, stream, fmt, filter, progress=progress)
    finally:
        stream.flush()
        stream.detach()  # sys.stdout's buffer stays open for whoever writes next
