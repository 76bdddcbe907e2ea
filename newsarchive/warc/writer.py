"""Writing HTTP exchanges as WARC records, with warcio, into rotating files we own.

Each record is its own gzip member, so any record can be read alone from its
(offset, length) pointer, and replay tools index the files as they are. The
response record holds the body exactly as it came over the wire
(content-encoding intact); only the transfer encoding is gone, because the
HTTP client already removed the chunking, so its header is dropped too
rather than misstating the stored bytes.
"""

from __future__ import annotations

import base64
import hashlib
import io
import logging
import os
import socket
import uuid
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http import HTTPStatus
from pathlib import Path
from typing import BinaryIO, Callable
from urllib.parse import urlsplit

from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date
from warcio.warcwriter import WARCWriter

logger = logging.getLogger(__name__)

Headers = list[tuple[str, str]]

# Hop-by-hop framing the client undid before we saw the body.
_FRAMING_HEADERS = {"transfer-encoding"}
# Content-codings whose bytes deflate cannot shrink: a record carrying one is gzipped at level 0.
_COMPRESSED_CODINGS = {"gzip", "x-gzip", "deflate", "br", "zstd", "compress", "x-compress"}


@dataclass
class Exchange:
    """One HTTP request and its response, as plain values."""

    url: str
    status: int
    response_headers: Headers
    # The body as received: still content-encoded (gzip, br...), never decoded to text.
    body: bytes
    method: str = "GET"
    request_headers: Headers = field(default_factory=list)
    request_body: bytes = b""
    protocol: str = "HTTP/1.1"
    ip_address: str | None = None
    fetched_at: datetime | None = None
    # The connection dropped before the declared length arrived.
    truncated: bool = False


@dataclass(frozen=True)
class Capture:
    """Where a response (or revisit) record lives, and what identifies its payload."""

    filename: str
    offset: int
    length: int
    record_id: str
    date: str
    payload_digest: str


def new_record_id() -> str:
    return f"<urn:uuid:{uuid.uuid4()}>"


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


class WarcWriter:
    """Appends exchanges to ``directory/PREFIX-TIMESTAMP-SERIAL.warc.gz``, rotating at ``max_bytes``.

    ``make_id`` and ``clock`` are injectable so tests can compare golden records.
    """

    def __init__(
        self,
        directory: str | os.PathLike,
        prefix: str = "newsarchive",
        max_bytes: int = 1_000_000_000,
        gzip_level: int = 6,
        info: dict[str, str] | None = None,
        make_id: Callable[[], str] = new_record_id,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.directory = Path(directory)
        self.prefix = prefix
        self.max_bytes = max_bytes
        self.gzip_level = gzip_level
        self.info = info or {}
        self.make_id = make_id
        self.clock = clock
        self._file: BinaryIO | None = None
        self._filename = ""
        self._serial = 0
        self._builder = WARCWriter(None, gzip=False)
        self.files: list[Path] = []
        self.records = 0

    # -- public API ---------------------------------------------------------

    def write_exchange(self, exchange: Exchange) -> Capture:
        """Write the response record, then the request record linked to it; return the response's pointer."""
        self._rotate_if_full()
        date = self._warc_date(exchange.fetched_at)
        response = self._response_record(exchange, date)
        capture = self._write(response)
        self._write(self._request_record(exchange, date, capture.record_id))
        return capture

    def write_revisit(self, exchange: Exchange, original: Capture, original_url: str) -> Capture:
        """Write a revisit record (identical-payload-digest profile) plus its request record."""
        self._rotate_if_full()
        date = self._warc_date(exchange.fetched_at)
        http_headers = self._http_response_headers(exchange)
        record = self._builder.create_revisit_record(
            exchange.url,
            digest=original.payload_digest,
            refers_to_uri=original_url,
            refers_to_date=original.date,
            http_headers=http_headers,
            warc_headers_dict=self._common_headers(date, exchange),
        )
        record.rec_headers.add_header("WARC-Refers-To", original.record_id)
        capture = self._write(record)
        self._write(self._request_record(exchange, date, capture.record_id))
        return capture

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            logger.info("closed WARC %s", self._filename)
            self._file = None

    def __enter__(self) -> "WarcWriter":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    # -- records ------------------------------------------------------------

    def _common_headers(self, date: str, exchange: Exchange) -> dict[str, str]:
        headers = {"WARC-Record-ID": self.make_id(), "WARC-Date": date}
        if exchange.ip_address:
            headers["WARC-IP-Address"] = exchange.ip_address
        return headers

    def _http_response_headers(self, exchange: Exchange) -> StatusAndHeaders:
        headers = [(k, v) for k, v in exchange.response_headers if k.lower() not in _FRAMING_HEADERS]
        return StatusAndHeaders(status_line(exchange.status), headers, protocol=http_version(exchange.protocol))

    def _response_record(self, exchange: Exchange, date: str):
        warc_headers = self._common_headers(date, exchange)
        if exchange.truncated:
            warc_headers["WARC-Truncated"] = "disconnect"
        return self._builder.create_warc_record(
            exchange.url,
            "response",
            payload=io.BytesIO(exchange.body),
            length=len(exchange.body),
            http_headers=self._http_response_headers(exchange),
            warc_headers_dict=warc_headers,
        )

    def _request_record(self, exchange: Exchange, date: str, concurrent_to: str):
        headers = list(exchange.request_headers)
        if not any(k.lower() == "host" for k, _ in headers):
            # The HTTP client adds Host itself; the archive should show what was sent.
            headers.insert(0, ("Host", urlsplit(exchange.url).netloc))
        parts = urlsplit(exchange.url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        http_headers = StatusAndHeaders(f"{exchange.method} {target} {http_version(exchange.protocol)}", headers,
                                        is_http_request=True)
        return self._builder.create_warc_record(
            exchange.url,
            "request",
            payload=io.BytesIO(exchange.request_body),
            length=len(exchange.request_body),
            http_headers=http_headers,
            warc_headers_dict={
                "WARC-Record-ID": self.make_id(),
                "WARC-Date": date,
                "WARC-Concurrent-To": concurrent_to,
            },
        )

    def _warcinfo_record(self, filename: str):
        fields = {"software": "newsarchive", "format": "WARC File Format 1.0",
                  "hostname": socket.gethostname(), **self.info}
        payload = "".join(f"{k}: {v}\r\n" for k, v in fields.items() if v).encode("utf-8")
        return self._builder.create_warc_record(
            "",
            "warcinfo",
            payload=io.BytesIO(payload),
            length=len(payload),
            warc_content_type="application/warc-fields",
            warc_headers_dict={
                "WARC-Record-ID": self.make_id(),
                "WARC-Date": self._warc_date(None),
                "WARC-Filename": filename,
            },
        )

    # -- files --------------------------------------------------------------

    def _write(self, record) -> Capture:
        out = self._current_file()
        offset = out.tell()
        member = self._gzip_member(record)
        out.write(member)
        # Flushed per record: a crash never loses a record already written.
        out.flush()
        self.records += 1
        headers = record.rec_headers
        return Capture(
            filename=self._filename,
            offset=offset,
            length=len(member),
            record_id=headers.get_header("WARC-Record-ID"),
            date=headers.get_header("WARC-Date"),
            payload_digest=headers.get_header("WARC-Payload-Digest") or "",
        )

    def _gzip_member(self, record) -> bytes:
        # warcio gzips at level 9; level 6 costs a quarter less CPU for nearly the same size.
        # A payload already compressed on the wire gains ~0.2% at level 6 for ~1 ms per 60 KB:
        # its member is stored (level 0), still one gzip member that any reader inflates.
        level = 0 if _payload_compressed(record) else self.gzip_level
        raw = io.BytesIO()
        self._builder._write_warc_record(raw, record)
        compressor = zlib.compressobj(level, zlib.DEFLATED, zlib.MAX_WBITS | 16)
        return compressor.compress(raw.getvalue()) + compressor.flush()

    def _rotate_if_full(self) -> None:
        # Checked per exchange, never per record, so a request stays in its response's file.
        if self._file is not None and self._file.tell() >= self.max_bytes:
            self.close()
        self._current_file()  # a new file's warcinfo record comes first, in ids and dates too

    def _current_file(self) -> BinaryIO:
        if self._file is None:
            self._open_next()
        assert self._file is not None
        return self._file

    def _open_next(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        stamp = self.clock().strftime("%Y%m%d%H%M%S%f")[:17]
        while True:
            name = f"{self.prefix}-{stamp}-{self._serial:05d}.warc.gz"
            self._serial += 1
            try:
                # "x": never append to or overwrite a file another run wrote.
                self._file = open(self.directory / name, "xb")
                break
            except FileExistsError:
                continue
        self._filename = name
        self.files.append(self.directory / name)
        logger.info("opened WARC %s", name)
        self._write(self._warcinfo_record(name))

    def _warc_date(self, when: datetime | None) -> str:
        when = when or self.clock()
        return datetime_to_iso_date(when.astimezone(timezone.utc).replace(tzinfo=None))


def _payload_compressed(record) -> bool:
    """A response record whose HTTP payload carries a compressing Content-Encoding (gzip, br...)."""
    if record.rec_type != "response" or record.http_headers is None:
        return False
    codings = (record.http_headers.get_header("Content-Encoding") or "").lower().split(",")
    return any(coding.strip() in _COMPRESSED_CODINGS for coding in codings)


def payload_digest(body: bytes) -> str:
    """The WARC-Payload-Digest warcio writes for this body: SHA-1 in base32."""
    return "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode("ascii")


def http_version(protocol: str) -> str:
    """The HTTP-version of the archived message lines: Scrapy's HTTP/2 client says ``h2`` (ALPN's name)."""
    return {"h2": "HTTP/2", "h3": "HTTP/3"}.get(protocol.lower(), protocol)


def status_line(status: int) -> str:
    """``200 OK``: the code is the one received.

    The HTTP client keeps the code but not the reason phrase, so the standard
    phrase is used; an unknown code gets an empty phrase (allowed by RFC 9112)
    rather than an invented one.
    """
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return f"{status} "
