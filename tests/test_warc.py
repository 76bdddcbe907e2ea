"""The WARC writer: golden records, linking, rotation, revisits, and what standard readers accept."""

from __future__ import annotations

import gzip
import io
import itertools
import os
import zlib
from datetime import datetime, timezone
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator
from warcio.checker import Checker

from newsarchive.warc.writer import Exchange, WarcWriter, http_version, payload_digest, status_line

GOLDEN = Path(__file__).parent / "golden" / "exchange.warc"
WHEN = datetime(2026, 11, 25, 12, 30, 0, tzinfo=timezone.utc)


def pinned_writer(directory: Path, **kwargs) -> WarcWriter:
    counter = itertools.count(1)
    return WarcWriter(
        directory, info={"hostname": "test-host"},
        make_id=lambda: f"<urn:uuid:00000000-0000-0000-0000-{next(counter):012d}>",
        clock=lambda: WHEN, **kwargs,
    )


def exchange(url: str = "http://news.example/story.html?id=7", body: bytes | None = None, **kwargs) -> Exchange:
    body = gzip.compress(b"<html><body><p>Hello</p></body></html>", mtime=0) if body is None else body
    return Exchange(
        url=url, status=kwargs.pop("status", 200),
        response_headers=kwargs.pop("response_headers", [
            ("Content-Type", "text/html; charset=utf-8"), ("Content-Encoding", "gzip"),
            ("Transfer-Encoding", "chunked"),
        ]),
        body=body,
        request_headers=[("User-Agent", "newsarchive-test"), ("Accept-Encoding", "gzip, deflate")],
        ip_address="127.0.0.1", fetched_at=WHEN, **kwargs,
    )


def members(path: Path) -> list[bytes]:
    """Each gzip member of a file, decompressed separately."""
    data, out = path.read_bytes(), []
    while data:
        inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
        out.append(inflater.decompress(data))
        data = inflater.unused_data
    return out


def test_records_match_golden_file(tmp_path):
    with pinned_writer(tmp_path) as writer:
        writer.write_exchange(exchange())
    [path] = writer.files
    assert path.name == "newsarchive-20261125123000000-00000.warc.gz"
    written = b"".join(members(path))
    if os.environ.get("NEWSARCHIVE_REGEN_GOLDEN"):  # regenerate deliberately, then review the diff
        GOLDEN.write_bytes(written)
    assert written == GOLDEN.read_bytes()


def test_one_gzip_member_per_record_and_pointer_reads_alone(tmp_path):
    with pinned_writer(tmp_path) as writer:
        capture = writer.write_exchange(exchange())
    [path] = writer.files
    assert len(members(path)) == 3  # warcinfo, response, request
    with path.open("rb") as f:
        f.seek(capture.offset)
        chunk = f.read(capture.length)
    record = next(iter(ArchiveIterator(io.BytesIO(chunk))))
    assert record.rec_type == "response"
    assert record.rec_headers.get_header("WARC-Record-ID") == capture.record_id
    # Stored as received: still gzip bytes, and the content-encoding header kept with them.
    assert record.raw_stream.read().startswith(b"\x1f\x8b")
    assert record.http_headers.get_header("Content-Encoding") == "gzip"
    # The client undid the chunking, so the header must not claim it.
    assert record.http_headers.get_header("Transfer-Encoding") is None
    assert capture.payload_digest == payload_digest(exchange().body)


def test_request_is_linked_to_response(tmp_path):
    with pinned_writer(tmp_path) as writer:
        capture = writer.write_exchange(exchange())
    with writer.files[0].open("rb") as f:
        records = [(r.rec_type, dict(r.rec_headers.headers), r.http_headers) for r in ArchiveIterator(f)]
    assert [r[0] for r in records] == ["warcinfo", "response", "request"]
    request_headers, http = records[2][1], records[2][2]
    assert request_headers["WARC-Concurrent-To"] == capture.record_id
    assert (http.protocol, http.statusline) == ("GET", "/story.html?id=7 HTTP/1.1")
    assert http.get_header("Host") == "news.example"


def test_files_pass_warcio_check(tmp_path, capsys):
    with pinned_writer(tmp_path) as writer:
        writer.write_exchange(exchange())
        writer.write_exchange(exchange(url="http://news.example/missing", status=404, body=b"not here",
                                       response_headers=[("Content-Type", "text/plain")]))
    args = type("Args", (), {"inputs": [str(p) for p in writer.files], "verbose": True})
    assert Checker(args).process_all() == 0
    assert "digest pass" in capsys.readouterr().out


def test_rotation_keeps_pairs_together_and_names_in_order(tmp_path):
    with pinned_writer(tmp_path, max_bytes=1500) as writer:
        for i in range(6):
            writer.write_exchange(exchange(url=f"http://news.example/{i}"))
    assert len(writer.files) > 1
    assert [p.name for p in writer.files] == sorted(p.name for p in writer.files)
    for path in writer.files:
        with path.open("rb") as f:
            types = [r.rec_type for r in ArchiveIterator(f)]
        assert types[0] == "warcinfo"
        assert types[1:] == ["response", "request"] * ((len(types) - 1) // 2)


def test_never_overwrites_an_existing_file(tmp_path):
    with pinned_writer(tmp_path) as first:
        first.write_exchange(exchange())
    with pinned_writer(tmp_path) as second:
        second.write_exchange(exchange())
    assert first.files[0] != second.files[0]
    assert first.files[0].exists() and second.files[0].exists()


def test_revisit_record_cites_the_original(tmp_path):
    with pinned_writer(tmp_path) as writer:
        original = writer.write_exchange(exchange())
        revisit = writer.write_revisit(exchange(), original, "http://news.example/story.html?id=7")
    with writer.files[0].open("rb") as f:
        records = list((r.rec_type, r.rec_headers, r.content_stream().read()) for r in ArchiveIterator(f))
    kind, headers, body = records[3]
    assert kind == "revisit" and body == b""
    assert headers.get_header("WARC-Refers-To") == original.record_id
    assert headers.get_header("WARC-Refers-To-Date") == original.date
    assert headers.get_header("WARC-Payload-Digest") == original.payload_digest
    assert "identical-payload-digest" in headers.get_header("WARC-Profile")
    assert revisit.record_id != original.record_id


@pytest.mark.parametrize("status, line", [(200, "200 OK"), (404, "404 Not Found"), (299, "299 ")])
def test_status_line_never_invents_a_phrase(status, line):
    assert status_line(status) == line


def test_truncated_response_is_marked(tmp_path):
    with pinned_writer(tmp_path) as writer:
        writer.write_exchange(exchange(truncated=True))
    with writer.files[0].open("rb") as f:
        response = [r for r in ArchiveIterator(f) if r.rec_type == "response"][0]
    assert response.rec_headers.get_header("WARC-Truncated") == "disconnect"


def test_http2_responses_get_an_http_version_not_the_alpn_name(tmp_path):
    assert http_version("HTTP/1.1") == "HTTP/1.1" and http_version("h2") == "HTTP/2"
    with pinned_writer(tmp_path) as writer:
        writer.write_exchange(exchange(protocol="h2"))
    with writer.files[0].open("rb") as f:
        heads = {r.rec_type: r.http_headers for r in ArchiveIterator(f) if r.http_headers}
    assert heads["response"].protocol == "HTTP/2" and heads["response"].statusline == "200 OK"
    assert heads["request"].protocol == "GET" and heads["request"].statusline == "/story.html?id=7 HTTP/2"


def _deflate_block_type(member: bytes) -> int:
    # After the 10-byte gzip header (no FNAME etc. here): BFINAL is bit 0, BTYPE bits 1-2 (0 = stored).
    return (member[10] >> 1) & 0b11


def _member_at(path: Path, capture) -> bytes:
    with path.open("rb") as f:
        f.seek(capture.offset)
        return f.read(capture.length)


def test_compressed_payloads_are_stored_text_is_deflated(tmp_path):
    text = b"<html><body>" + b"<p>The harbour bridge opens in spring.</p>" * 200 + b"</body></html>"
    with pinned_writer(tmp_path) as writer:
        gzipped = writer.write_exchange(exchange())
        plain = writer.write_exchange(exchange(body=text, response_headers=[("Content-Type", "text/html")]))
    [path] = writer.files
    assert _deflate_block_type(_member_at(path, gzipped)) == 0  # stored: deflate would not shrink gzip bytes
    assert _deflate_block_type(_member_at(path, plain)) != 0
    assert plain.length < len(text) / 5
    # Both still read alone from their pointers, with the payload as received.
    for capture, body in ((gzipped, exchange().body), (plain, text)):
        record = next(iter(ArchiveIterator(io.BytesIO(_member_at(path, capture)))))
        assert record.raw_stream.read() == body
