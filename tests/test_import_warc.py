"""Importing WARCs written by other tools: CC-NEWS-style files, crawlers' files, truncated and corrupt ones."""

from __future__ import annotations

import fnmatch
import gzip
import io
import json
import zlib

import brotli
import pytest
from click.testing import CliRunner
from sqlite_utils import Database
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from archive_helpers import article_html, article_text, response_record, write_cc_news_warc
from newsarchive.jobs import import_warc as importer
from newsarchive.jobs import reextract as reextract_module
from newsarchive.cli import main
from newsarchive.jobs.import_warc import import_warcs
from newsarchive.processing.page import MAX_EXTRACT_BYTES
from newsarchive.jobs.reextract import reextract
from newsarchive.warc.records import read_record

STORY = "http://news.test/2024/05/01/"


def cc_news_pages() -> list[tuple[str, bytes, dict]]:
    return [
        (STORY + "bridge.html", article_html(11, "Bridge opens").encode(), {}),
        (STORY + "storm.html", article_html(12, "Storm warning").encode(), {"gzip": True}),
        (STORY + "nurses.html", article_html(13, "Nurses strike").encode("cp1252"),
         {"gzip": True, "content_type": "text/html; charset=windows-1252"}),
        ("http://news.test/logo.png", b"\x89PNG\r\n\x1a\n" + bytes(200), {"content_type": "image/png"}),
        ("http://news.test/gone.html", b"<html><body>Not found</body></html>", {"status": "404 Not Found"}),
        ("http://news.test/", b"<html><body><a href='/x'>Home</a></body></html>", {}),
        ("http://mirror.test/bridge.html", article_html(11, "Bridge opens").encode(), {}),
    ]


@pytest.fixture
def cc_news(tmp_path):
    path = tmp_path / "CC-NEWS-20240501100000-00001.warc.gz"
    offsets = write_cc_news_warc(path, cc_news_pages())
    return path, offsets


def test_import_cc_news_file(cc_news, tmp_path):
    path, offsets = cc_news
    directory = tmp_path / "archive"
    result = CliRunner().invoke(main, ["import-warc", str(path), "--dir", str(directory), "--workers", "1"])
    assert result.exit_code == 0, result.output
    db = Database(directory / "news.db")
    pages = {row["url"]: row for row in db["pages"].rows}
    outcomes = {url: row["outcome"] for url, row in pages.items()}
    assert outcomes == {
        STORY + "bridge.html": "article", STORY + "storm.html": "article", STORY + "nurses.html": "article",
        "http://news.test/logo.png": "not_article", "http://news.test/gone.html": "error",
        "http://news.test/": "not_article", "http://mirror.test/bridge.html": "duplicate",
    }
    assert pages["http://news.test/logo.png"]["reason"] == "content type image/png"
    assert pages["http://news.test/gone.html"]["reason"] == "HTTP 404"
    assert pages["http://mirror.test/bridge.html"]["reason"] == f"same text as {STORY}bridge.html"
    # Every row points at its record in the external file, by absolute path.
    for (url, _, _), offset in zip(cc_news_pages(), offsets):
        assert pages[url]["warc_filename"] == str(path.resolve())
        assert pages[url]["warc_offset"] == offset
        assert pages[url]["warc_length"] > 0
        assert pages[url]["fetched_at"] == "2024-05-01T10:00:00Z"
    articles = {row["url"]: row for row in db["articles"].rows}
    assert set(articles) == {STORY + "bridge.html", STORY + "storm.html", STORY + "nurses.html"}
    assert articles[STORY + "storm.html"]["title"] == "Storm warning"
    assert articles[STORY + "nurses.html"]["warc_offset"] == offsets[2]
    crawl = db["crawls"].get(articles[STORY + "storm.html"]["crawl_id"])
    assert crawl["spider"] == "import-warc"
    assert json.loads(crawl["start_urls"]) == [str(path.resolve())]
    assert crawl["finish_reason"] == "finished"
    assert "warcinfo 1" in result.output
    # show reads the external record back, content-decoded.
    raw = CliRunner().invoke(main, ["show", STORY + "storm.html", "--raw", "--dir", str(directory)])
    assert raw.exit_code == 0
    assert raw.stdout_bytes == article_html(12, "Storm warning").encode()


def inflated_length(member: bytes, cut: int) -> int:
    """How many bytes the first ``cut`` bytes of a gzip member inflate to."""
    return len(zlib.decompressobj(zlib.MAX_WBITS | 16).decompress(member[:cut]))


@pytest.mark.parametrize("where", ["inside-headers", "inside-body"])
def test_truncated_file_imports_up_to_the_last_whole_record(cc_news, tmp_path, where):
    path, offsets = cc_news
    data = path.read_bytes()
    # Cut the fourth response record (the PNG) short; the three stories before it are whole.
    member = data[offsets[3]:offsets[4]]
    record = zlib.decompressobj(zlib.MAX_WBITS | 16).decompress(member)
    warc_headers_end = record.index(b"\r\n\r\n")
    http_headers_end = record.index(b"\r\n\r\n", warc_headers_end + 4) + 4
    block_end = len(record) - 4  # two blank lines end the record, outside its Content-Length
    # Where the cut falls in what the member inflates to: within the WARC header block, or in the body.
    low, high = (1, warc_headers_end) if where == "inside-headers" else (http_headers_end + 1, block_end)
    cut = max(n for n in range(len(member)) if low <= inflated_length(member, n) < high)
    truncated = tmp_path / "truncated.warc.gz"
    truncated.write_bytes(data[:offsets[3] + cut])
    report = import_warcs([truncated], tmp_path / "news.db", workers=1)
    if where == "inside-headers":
        expected = [(f"truncated.warc.gz: {cut} bytes after the last whole record (offset {offsets[3]}) "
                     "are not a whole record; skipped")]
    else:
        missing = block_end - inflated_length(member, cut)
        expected = [f"truncated.warc.gz: record at offset {offsets[3]} is truncated ({missing} bytes missing); skipped"]
    assert report.problems == expected
    assert report.outcomes == {"article": 3}
    db = Database(tmp_path / "news.db")
    assert {row["url"] for row in db["pages"].rows} == {STORY + "bridge.html", STORY + "storm.html",
                                                        STORY + "nurses.html"}
    assert json.loads(db["crawls"].get(report.crawl_id)["stats"])["problems"] == report.problems


def test_garbage_after_records_is_reported_not_fatal(cc_news, tmp_path):
    path, _ = cc_news
    broken = tmp_path / "broken.warc.gz"
    broken.write_bytes(path.read_bytes() + b"this is not a WARC record at all\n" * 3)
    result = CliRunner().invoke(main, ["import-warc", str(broken), "--dir", str(tmp_path / "a"), "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert "1 corrupt or truncated records skipped" in result.output
    assert Database(tmp_path / "a" / "news.db")["articles"].count == 3


def test_missing_file_is_a_click_error(tmp_path):
    result = CliRunner().invoke(main, ["import-warc", str(tmp_path / "nope.warc.gz"), "--dir", str(tmp_path)])
    assert result.exit_code == 2
    assert "does not exist" in result.output


@pytest.mark.parametrize("content", [b"# A README\n\nNot a WARC at all.\n", b"", gzip.compress(b"just text\n")],
                         ids=["text", "empty", "gzipped-text"])
def test_a_file_holding_no_warc_record_is_refused_and_nothing_is_created(cc_news, tmp_path, content):
    not_warc = tmp_path / "README.md"
    not_warc.write_bytes(content)
    good, _ = cc_news
    directory = tmp_path / "a"
    result = CliRunner().invoke(main, ["import-warc", str(good), str(not_warc), "--dir", str(directory)])
    assert result.exit_code == 1, result.output
    assert result.output.strip() == f"Error: no WARC record in {not_warc}: not a WARC file? Nothing imported"
    assert not directory.exists()


def test_junk_before_the_first_record_is_still_a_warc(cc_news, tmp_path):
    path, _ = cc_news
    prefixed = tmp_path / "prefixed.warc.gz"
    prefixed.write_bytes(b"some junk a broken tool left\n" + path.read_bytes())
    result = CliRunner().invoke(main, ["import-warc", str(prefixed), "--dir", str(tmp_path / "a"), "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert Database(tmp_path / "a" / "news.db")["articles"].count == 3


# -- files from crawlers: request, response, metadata, resource, revisit records --------

def chunked(body: bytes, size: int = 700) -> bytes:
    pieces = [body[i:i + size] for i in range(0, len(body), size)]
    return b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in pieces) + b"0\r\n\r\n"


def write_crawler_warc(path, compress: bool) -> None:
    """Like wget's, Browsertrix's or Heritrix's files: every record type, and bodies as wget stores them."""
    with open(path, "wb") as out:
        writer = WARCWriter(out, gzip=compress, warc_version="WARC/1.0")
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "Wget/1.21.3"}))
        bodies = {
            # wget keeps the chunked transfer coding in the stored body, with its header.
            "chunked.html": (chunked(article_html(21, "Ferry returns").encode()),
                             [("Content-Type", "text/html"), ("Transfer-Encoding", "chunked")]),
            "gzip-chunked.html": (chunked(gzip.compress(article_html(22, "Quay repairs").encode(), mtime=0)),
                                  [("Content-Type", "text/html; charset=utf-8"), ("Content-Encoding", "gzip"),
                                   ("Transfer-Encoding", "chunked")]),
            # Browsertrix keeps bodies as the browser received them, often brotli-encoded.
            "brotli.html": (brotli.compress(article_html(23, "Tide gauge fixed").encode()),
                            [("Content-Type", "text/html; charset=utf-8"), ("Content-Encoding", "br")]),
            "data.json": (b'{"a": 1}', [("Content-Type", "application/json")]),
        }
        for name, (body, headers) in bodies.items():
            url = "http://wget.test/" + name
            request = StatusAndHeaders(f"GET /{name} HTTP/1.1", [("Host", "wget.test")], is_http_request=True)
            writer.write_record(writer.create_warc_record(url, "request", payload=io.BytesIO(b""), length=0,
                                                          http_headers=request))
            record = response_record(writer, url, body, headers=headers[1:], content_type=headers[0][1])
            record.rec_headers.replace_header("Content-Type", "application/http;msgtype=response")
            writer.write_record(record)
        writer.write_record(writer.create_warc_record("dns:wget.test", "response", payload=io.BytesIO(b"1.2.3.4"),
                                                      length=7, warc_content_type="text/dns"))
        writer.write_record(writer.create_warc_record(
            "metadata://gnu.org/software/wget/warc/MANIFEST.txt", "metadata", payload=io.BytesIO(b"x"), length=1,
            warc_content_type="text/plain"))
        writer.write_record(writer.create_warc_record(
            "metadata://gnu.org/software/wget/warc/wget.log", "resource", payload=io.BytesIO(b"log"), length=3,
            warc_content_type="text/plain"))
        writer.write_record(writer.create_revisit_record(
            "http://wget.test/chunked.html", digest="sha1:AAAA", refers_to_uri="http://wget.test/chunked.html",
            refers_to_date="2024-05-01T00:00:00Z"))


@pytest.mark.parametrize("name", ["crawler.warc", "crawler.warc.gz"])
def test_import_a_crawler_warc_with_every_record_type(tmp_path, name):
    path = tmp_path / name
    write_crawler_warc(path, compress=name.endswith(".gz"))
    directory = tmp_path / "archive"
    result = CliRunner().invoke(main, ["import-warc", str(path), "--dir", str(directory), "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert "skipped: metadata 1, non-HTTP response 1, request 4, resource 1, revisit 1, warcinfo 1" in result.output
    db = Database(directory / "news.db")
    outcomes = {row["url"]: row["outcome"] for row in db["pages"].rows}
    assert outcomes == {"http://wget.test/chunked.html": "article", "http://wget.test/gzip-chunked.html": "article",
                        "http://wget.test/brotli.html": "article", "http://wget.test/data.json": "not_article"}
    titles = {row["url"]: row["title"] for row in db["articles"].rows}
    assert titles == {"http://wget.test/chunked.html": "Ferry returns",
                      "http://wget.test/gzip-chunked.html": "Quay repairs",
                      "http://wget.test/brotli.html": "Tide gauge fixed"}
    # The body comes back without its chunk framing and content-encoding.
    raw = CliRunner().invoke(main, ["show", "http://wget.test/gzip-chunked.html", "--raw", "--dir", str(directory)])
    assert raw.stdout_bytes == article_html(22, "Quay repairs").encode()


def corrupt(data: bytes, offsets: list[int], how: str) -> bytes:
    """Damage the third response record (or what follows the second) of a gzip-per-record file."""
    start, end = offsets[2], offsets[3]
    if how == "bytes-overwritten":
        return data[:start + 30] + b"X" * 50 + data[start + 80:]
    if how == "junk-between":
        return data[:start] + b"garbage, not a record\n" * 10 + data[start:]
    if how == "member-cut-short":
        return data[:end - 100] + data[end:]
    raise ValueError(how)


def expected_problems(offsets: list[int], how: str) -> list[tuple[str, str]]:
    """What the damage done by ``corrupt`` is reported as: (start, end) of the message."""
    start, end = offsets[2], offsets[3]
    unreadable = f"broken.warc.gz: unreadable data at offset {start} (Invalid WARC record, first line: "
    if how == "junk-between":
        junk = len(b"garbage, not a record\n" * 10)
        resuming = f"; resuming at the next record, offset {start + junk} ({junk} bytes on)"
        return [(unreadable + "garbage, not a record)", resuming)]
    # warcio cannot inflate the member, reads it as text instead, and finds no record there.
    next_start = end if how == "bytes-overwritten" else end - 100
    resuming = f"; resuming at the next record, offset {next_start} ({next_start - start} bytes on)"
    damaged = [(unreadable, "; the gzip member there does not decompress)" + resuming)]
    if how == "bytes-overwritten":
        return damaged
    # Cut short, the member goes on with the next one's bytes: mostly they do not inflate (31 runs in 40),
    # else they inflate to garbage, which then stands where the blank lines after the record should.
    too_long = f"broken.warc.gz: record at offset {start} does not end where its Content-Length says, skipped"
    return [*damaged, (too_long, resuming)]


@pytest.mark.parametrize("how", ["bytes-overwritten", "junk-between", "member-cut-short"])
def test_corrupt_record_is_skipped_and_the_records_after_it_imported(cc_news, tmp_path, how):
    path, offsets = cc_news
    broken = tmp_path / "broken.warc.gz"
    broken.write_bytes(corrupt(path.read_bytes(), offsets, how))
    report = import_warcs([broken], tmp_path / "news.db", workers=1)
    assert len(report.problems) == 1, report.problems
    assert any(report.problems[0].startswith(head) and report.problems[0].endswith(tail)
               for head, tail in expected_problems(offsets, how)), report.problems[0]
    pages = {row["url"] for row in Database(tmp_path / "news.db")["pages"].rows}
    lost = set() if how == "junk-between" else {STORY + "nurses.html"}
    assert pages == {url for url, _, _ in cc_news_pages()} - lost
    # Every row still points exactly at its record.
    for row in Database(tmp_path / "news.db")["pages"].rows:
        assert read_record(broken, row["warc_offset"]).url == row["url"]


BAD_MEMBERS = {
    # Inflates fine, to something that is no WARC record.
    "junk-inside": (gzip.compress(b"garbage, not a record\n" * 10, mtime=0),
                    "(Invalid WARC record, first line: garbage, not a record)"),
    # A gzip header, then bytes that are no deflate data: warcio reads the member as text instead.
    "does-not-inflate": (gzip.compress(b"", mtime=0)[:10] + b"\xff" * 40 + b"\n",
                         "(Invalid WARC record, first line: \\x8b\\x08\\x00*...; the gzip member there does not decompress)"),
}


@pytest.mark.parametrize("how", list(BAD_MEMBERS))
def test_a_bad_gzip_member_is_reported_with_what_reading_it_failed_with(cc_news, tmp_path, how):
    """The reason is what reading failed with; "does not decompress" only for a member that does not."""
    path, offsets = cc_news
    data = path.read_bytes()
    member, reason = BAD_MEMBERS[how]
    broken = tmp_path / "broken.warc.gz"
    broken.write_bytes(data[:offsets[2]] + member + data[offsets[2]:])
    report = import_warcs([broken], tmp_path / "news.db", workers=1)
    assert len(report.problems) == 1, report.problems
    expected = (f"broken.warc.gz: unreadable data at offset {offsets[2]} {reason}; resuming at the next record, "
                f"offset {offsets[2] + len(member)} ({len(member)} bytes on)")
    assert fnmatch.fnmatchcase(report.problems[0], expected), report.problems[0]
    assert Database(tmp_path / "news.db")["pages"].count == len(cc_news_pages())


def test_uncompressed_record_with_a_wrong_content_length_is_skipped(cc_news, tmp_path):
    path, _ = cc_news
    plain = b""
    data = path.read_bytes()
    while data:
        member = zlib.decompressobj(zlib.MAX_WBITS | 16)
        plain += member.decompress(data)
        data = member.unused_data
    # The first story loses its last 200 bytes: its Content-Length now reaches into the next record.
    second = plain.index(b"WARC/1.0", plain.index(b"bridge.html"))
    broken = tmp_path / "broken.warc"
    broken.write_bytes(plain[:second - 200] + plain[second:])
    report = import_warcs([broken], tmp_path / "news.db", workers=1)
    assert len(report.problems) == 1 and "does not end where its Content-Length says" in report.problems[0]
    pages = {row["url"] for row in Database(tmp_path / "news.db")["pages"].rows}
    assert pages == {url for url, _, _ in cc_news_pages()} - {STORY + "bridge.html"}


def test_record_whose_bytes_do_not_match_its_block_digest_is_skipped(cc_news, tmp_path):
    path, offsets = cc_news
    plain = tmp_path / "plain.warc"
    data, records = path.read_bytes(), []
    while data:
        member = zlib.decompressobj(zlib.MAX_WBITS | 16)
        records.append(member.decompress(data))
        data = member.unused_data
    # One letter of the first story's markup changed: the record still parses, but is not what was written.
    bridge = records[1]
    records[1] = bridge.replace(b"<p>", b"<P>", 1)
    assert records[1] != bridge
    plain.write_bytes(b"".join(records))
    report = import_warcs([plain], tmp_path / "news.db", workers=1)
    assert len(report.problems) == 1 and "does not match its WARC-Block-Digest" in report.problems[0]
    pages = {row["url"] for row in Database(tmp_path / "news.db")["pages"].rows}
    assert pages == {url for url, _, _ in cc_news_pages()} - {STORY + "bridge.html"}


def raw_response(url: str | None, http: bytes, compress: bool) -> bytes:
    """A response record written by hand, so its headers can be what no writer would produce."""
    headers = ("WARC/1.0\r\nWARC-Type: response\r\n" + (f"WARC-Target-URI: {url}\r\n" if url else "")
               + "WARC-Date: 2024-05-01T10:00:00Z\r\nWARC-Record-ID: <urn:uuid:00000000-0000-0000-0000-000000000001>\r\n"
               f"Content-Type: application/http;msgtype=response\r\nContent-Length: {len(http)}\r\n\r\n")
    record = headers.encode() + http + b"\r\n\r\n"
    return gzip.compress(record, mtime=0) if compress else record


def story_record(seed: int, compress: bool) -> bytes:
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=compress, warc_version="WARC/1.0")
    writer.write_record(response_record(writer, f"{STORY}{seed}.html", article_html(seed, f"Story {seed}").encode()))
    return out.getvalue()


ODD_RECORDS = {
    # warcio itself fails on it (AttributeError, not one of its read errors).
    "no-target-uri": (None, b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<p>x</p>",
                      "a response record without WARC-Target-URI"),
    # "\u00b2".isdigit() is true, but int() rejects it.
    "superscript-status": ("http://news.test/odd.html",
                           "HTTP/1.1 \u00b200 OK\r\nContent-Type: text/html\r\n\r\n<p>x</p>".encode(),
                           "invalid literal for int()"),
    "unjoinable-location": ("http://news.test/moved.html",
                            b"HTTP/1.1 301 Moved\r\nLocation: http://[::1/x\r\n\r\n", "Invalid IPv6 URL"),
}


@pytest.mark.parametrize("compress", [True, False], ids=["gzip", "plain"])
@pytest.mark.parametrize("odd", list(ODD_RECORDS))
def test_a_record_with_odd_headers_is_reported_and_the_import_goes_on(tmp_path, odd, compress):
    url, http, reason = ODD_RECORDS[odd]
    path = tmp_path / ("odd.warc.gz" if compress else "odd.warc")
    first = story_record(11, compress)
    path.write_bytes(first + raw_response(url, http, compress) + story_record(12, compress))
    report = import_warcs([path], tmp_path / "news.db", workers=1)
    assert report.outcomes == {"article": 2}
    assert len(report.problems) == 1, report.problems
    assert report.problems[0].startswith(f"{path.name}: record at offset {len(first)} cannot be ")
    assert reason in report.problems[0]
    pages = {row["url"] for row in Database(tmp_path / "news.db")["pages"].rows}
    assert pages == {STORY + "11.html", STORY + "12.html"}


@pytest.mark.parametrize("extra", [0, 100], ids=["small-records", "large-records"])
def test_a_whole_file_gzip_is_reported_with_warcios_advice(cc_news, tmp_path, extra):
    """`gzip file.warc`: one member for all records. warcio's first record length runs backwards (small
    records: -3638) or points into the middle of the member (large ones: 11085); the file is reported,
    the other files imported."""
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=False, warc_version="WARC/1.0")
    for seed in (11, 12, 13):
        more = "".join(f"<p>{p}</p>" for n in range(extra) for p in article_text(seed * 1000 + n))
        body = article_html(seed, f"Story {seed}").replace("</article>", more + "</article>")
        writer.write_record(response_record(writer, f"{STORY}{seed}.html", body.encode()))
    whole = tmp_path / "whole.warc.gz"
    whole.write_bytes(gzip.compress(out.getvalue()))
    good, _ = cc_news
    result = CliRunner().invoke(main, ["import-warc", str(whole), str(good), "--dir", str(tmp_path / "a"),
                                       "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert "whole.warc.gz: record at offset 0 is not its own gzip member" in result.output
    assert "warcio recompress <path/to/file> <path/to/new_file>" in result.output
    assert "1 corrupt or truncated records skipped" in result.output
    urls = {row["url"] for row in Database(tmp_path / "a" / "news.db")["pages"].rows}
    assert urls == {url for url, _, _ in cc_news_pages()}


def gzip_bomb(size: int) -> bytes:
    """An HTML body of ``size`` bytes, gzip-encoded: a thousandth of that on disk."""
    packer = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    html = b"<html><body><p>" + b"a" * (size - 33) + b"</p></body></html>"
    return packer.compress(html) + packer.flush()


def watch_jobs(monkeypatch, module) -> dict[str, int | None]:
    """Record, per URL, the size of the body each job hands to the extraction pool (None: no body)."""
    sizes: dict[str, int | None] = {}
    real = module.in_order

    async def watched(pool, jobs, apply, *args, **kwargs):
        def passing():
            for job in jobs:
                sizes[job[2]] = None if job[1] is None else len(job[1])
                yield job
        await real(pool, passing(), apply, *args, **kwargs)

    monkeypatch.setattr(module, "in_order", watched)
    return sizes


def test_a_body_too_large_to_extract_is_not_read_whole_nor_sent_to_the_pool(tmp_path, monkeypatch):
    """A record of a few KB whose Content-Encoding: gzip body inflates past MAX_EXTRACT_BYTES."""
    bomb = STORY + "bomb.html"
    path = tmp_path / "cc.warc.gz"
    write_cc_news_warc(path, [(STORY + "bridge.html", article_html(11, "Bridge opens").encode(), {})])
    # Not through write_cc_news_warc, which would gzip the whole body itself.
    with open(path, "ab") as out:
        writer = WARCWriter(out, gzip=True, warc_version="WARC/1.0")
        writer.write_record(response_record(writer, bomb, gzip_bomb(MAX_EXTRACT_BYTES + 1000),
                                            headers=[("Content-Encoding", "gzip")]))
    directory = tmp_path / "archive"
    sizes = watch_jobs(monkeypatch, importer)
    report = import_warcs([path], directory / "news.db", workers=1)
    assert sizes[bomb] is None and sizes[STORY + "bridge.html"] > 0
    assert report.outcomes == {"article": 1, "not_article": 1} and report.problems == []
    row = Database(directory / "news.db")["pages"].get(bomb)
    assert (row["outcome"], row["reason"]) == ("not_article", f"too large to extract (over {MAX_EXTRACT_BYTES} bytes)")
    # Re-extraction reads no more of it either, and comes to the same.
    sizes = watch_jobs(monkeypatch, reextract_module)
    again = reextract(directory, workers=1)
    assert sizes[bomb] is None and again.outcomes == {"article": 1, "not_article": 1}
    assert Database(directory / "news.db")["pages"].get(bomb)["reason"] == row["reason"]
    # show --raw prints the whole body, however large.
    raw = CliRunner().invoke(main, ["show", bomb, "--raw", "--dir", str(directory)])
    assert raw.exit_code == 0 and len(raw.stdout_bytes) == MAX_EXTRACT_BYTES + 1000


def with_canonical(html: str, canonical: str) -> bytes:
    return html.replace("</head>", f'<link rel="canonical" href="{canonical}"></head>').encode()


def import_two_copies(tmp_path):
    """An AMP copy, then its canonical page, with the same text, imported into tmp_path/archive."""
    canonical, copy = "http://news.test/bridge.html", "http://news.test/amp/bridge.html"
    html = article_html(11, "Bridge opens")
    path = tmp_path / "cc.warc.gz"
    write_cc_news_warc(path, [(copy, with_canonical(html, canonical), {}),
                              (canonical, with_canonical(html, canonical), {})])
    directory = tmp_path / "archive"
    return canonical, copy, directory, import_warcs([path], directory / "news.db", workers=1)


def test_the_canonical_copy_holds_the_article_whichever_comes_first(tmp_path):
    """As in a crawl: an AMP or tracking-parameter copy met first is demoted when the canonical page follows."""
    canonical, copy, directory, report = import_two_copies(tmp_path)
    assert report.outcomes == {"article": 1, "duplicate": 1}
    db = Database(directory / "news.db")
    assert [row["url"] for row in db["articles"].rows] == [canonical]
    assert db["pages"].get(copy)["reason"] == f"same text as {canonical}"
    db.close()
    # Re-extraction applies the same rule, so it changes nothing.
    again = reextract(directory, workers=1)
    assert dict(again.counts) == {"unchanged": 1} and again.outcomes == {"article": 1, "duplicate": 1}


def test_reextract_moves_the_article_to_the_canonical_copy(tmp_path):
    """An archive where the first copy kept the article (an older rule): re-extraction hands it over."""
    canonical, copy, directory, _ = import_two_copies(tmp_path)
    db = Database(directory / "news.db")
    db["articles"].insert({**db["articles"].get(canonical), "url": copy, "warc_offset": db["pages"].get(copy)["warc_offset"]})
    db["articles"].delete(canonical)
    db["pages"].update(copy, {"outcome": "article", "reason": "declared type article"})
    db["pages"].update(canonical, {"outcome": "duplicate", "reason": f"same text as {copy}"})
    db.close()
    report = reextract(directory, workers=1)
    assert dict(report.counts) == {"added": 1, "dropped": 1}
    assert report.outcomes == {"article": 1, "duplicate": 1}
    db = Database(directory / "news.db")
    assert [row["url"] for row in db["articles"].rows] == [canonical]
    assert db["pages"].get(copy)["outcome"] == "duplicate"
