"""Reading one record back from its (file, offset) pointer."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

import pytest
from sqlite_utils import Database
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

import shutil

from warcio.archiveiterator import ArchiveIterator

from archive_helpers import write_cc_news_warc
from newsarchive.warc import records
from newsarchive.archive import ArchiveDir
from newsarchive.warc.records import RecordError, load_row_response, read_record, read_response

HTML = "<html><body><p>Grüße aus Köln</p></body></html>".encode()


def test_reads_a_gzip_encoded_body_decoded(tmp_path):
    path = tmp_path / "x.warc.gz"
    offsets = write_cc_news_warc(path, [("http://a.test/1", b"<p>one</p>", {}),
                                        ("http://a.test/2", HTML, {"gzip": True})])
    headers, body = read_response(path, offsets[1])
    assert headers.get_statuscode() == "200"
    assert headers.get_header("Content-Encoding") == "gzip"
    assert body == HTML
    assert read_record(path, offsets[0]).body == b"<p>one</p>"


def test_a_limit_caps_the_decoded_body_read(tmp_path):
    path = tmp_path / "x.warc.gz"
    offsets = write_cc_news_warc(path, [("http://a.test/2", HTML, {"gzip": True})])
    assert read_record(path, offsets[0], limit=10).body == HTML[:10]
    assert read_record(path, offsets[0], limit=len(HTML) + 1).body == HTML
    assert read_record(path, offsets[0]).body == HTML


def test_reads_a_chunked_body_dechunked(tmp_path):
    path = tmp_path / "chunked.warc"
    chunked = b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"
    with open(path, "wb") as out:
        writer = WARCWriter(out, gzip=False)
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/plain"), ("Transfer-Encoding", "chunked")],
                                protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record("http://a.test/c", "response", payload=io.BytesIO(chunked),
                                                      length=len(chunked), http_headers=http))
    stored = read_record(path, 0)
    assert stored.body == b"hello world"
    assert stored.status == 200 and stored.content_type == "text/plain"


def test_bad_pointer_raises_record_error(tmp_path):
    path = tmp_path / "x.warc.gz"
    write_cc_news_warc(path, [("http://a.test/1", b"<p>one</p>", {})])
    with pytest.raises(RecordError):
        read_record(path, 7)
    with pytest.raises(RecordError):
        read_record(tmp_path / "missing.warc.gz", 0)


def test_a_record_warcio_cannot_parse_raises_record_error(tmp_path):
    """A response record without WARC-Target-URI makes warcio fail with AttributeError: a RecordError here."""
    http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<p>x</p>"
    record = (b"WARC/1.0\r\nWARC-Type: response\r\nWARC-Date: 2024-05-01T10:00:00Z\r\n"
              b"Content-Length: %d\r\n\r\n%s\r\n\r\n" % (len(http), http))
    path = tmp_path / "no-uri.warc.gz"
    path.write_bytes(gzip.compress(record))
    with pytest.raises(RecordError, match="AttributeError"):
        read_record(path, 0)


def test_warc_path_is_relative_to_dir_warc_unless_absolute(tmp_path):
    assert ArchiveDir(tmp_path).warc_path("a.warc.gz") == tmp_path / "warc" / "a.warc.gz"
    assert ArchiveDir(tmp_path).warc_path("/data/cc.warc.gz") == Path("/data/cc.warc.gz")


def test_every_crawled_row_points_at_its_response(crawled_site):
    db = Database(crawled_site.directory / "news.db")
    rows = list(db.query("SELECT * FROM pages WHERE warc_filename IS NOT NULL"))
    assert len(rows) >= 8
    for row in rows:
        stored = load_row_response(crawled_site.directory, row, db)
        assert stored.record_type == "response"
        assert stored.url == row["url"]
        assert stored.warc_headers.get_header("WARC-Record-ID") == row["warc_record_id"]
        route = crawled_site.routes.get("/" + row["url"].removeprefix(crawled_site.url))
        if route is not None and route.status == 200:
            assert stored.body == route.body
    gz = next(r for r in rows if r["url"].endswith("gzip-story.html"))
    # The pointer's length covers exactly one gzip member.
    with open(ArchiveDir(crawled_site.directory).warc_path(gz["warc_filename"]), "rb") as f:
        f.seek(gz["warc_offset"])
        member = f.read(gz["warc_length"])
    assert gzip.decompress(member).startswith(b"WARC/1")


def revisit_pointer(directory: Path, url: str) -> dict:
    """A row pointing at the recrawl's revisit record of ``url``."""
    second = sorted((directory / "warc").glob("*.warc.gz"))[-1]
    with open(second, "rb") as stream:
        records = ArchiveIterator(stream)
        for record in records:
            if record.rec_type == "revisit" and record.rec_headers.get_header("WARC-Target-URI") == url:
                return {"url": url, "warc_filename": second.name, "warc_offset": records.get_record_offset()}
    raise AssertionError(f"no revisit of {url}")


def test_a_revisit_is_resolved_through_the_crawl_indexes_without_a_database(recrawled_site, tmp_path):
    archive = shutil.copytree(recrawled_site.directory, tmp_path / "archive")
    url = recrawled_site.url + "news/chunked-story.html"
    row = revisit_pointer(archive, url)
    stored = load_row_response(archive, row)
    assert stored.record_type == "revisit" and stored.status == 200
    assert stored.body == recrawled_site.routes["/news/chunked-story.html"].body
    # Without the indexes (and no database), the original cannot be found: a clear error.
    shutil.rmtree(archive / "indexes")
    with pytest.raises(RecordError, match="is a revisit record"):
        load_row_response(archive, row)


def test_the_indexes_are_not_read_when_the_database_holds_the_original(recrawled_site, tmp_path, monkeypatch):
    archive = shutil.copytree(recrawled_site.directory, tmp_path / "archive")
    url = recrawled_site.url + "news/chunked-story.html"
    searched = []
    real = records._candidates_in_indexes

    def watched(*args):
        searched.append(args)  # runs only when the first index candidate is asked for
        yield from real(*args)

    monkeypatch.setattr(records, "_candidates_in_indexes", watched)
    stored = load_row_response(archive, revisit_pointer(archive, url), Database(archive / "news.db"))
    assert stored.body == recrawled_site.routes["/news/chunked-story.html"].body
    assert searched == []


def test_index_lines_without_a_usable_pointer_are_skipped(recrawled_site, tmp_path):
    archive = shutil.copytree(recrawled_site.directory, tmp_path / "archive")
    url = recrawled_site.url + "news/chunked-story.html"
    for index in (archive / "indexes").glob("*.cdxj"):
        lines = index.read_text().splitlines(keepends=True)
        bad = []
        for line in lines:
            key, stamp, fields = line.split(" ", 2)
            fields = json.loads(fields)
            if fields["url"] == url and fields.get("mime") != "warc/revisit":
                # Before the good line: no filename; an offset that is no number; JSON that is no object.
                no_filename = {k: v for k, v in fields.items() if k != "filename"}
                bad += [f"{key} {stamp} {json.dumps(no_filename)}\n",
                        f"{key} {stamp} {json.dumps({**fields, 'offset': 'x'})}\n",
                        f"{key} {stamp} [\"{url}\"]\n"]
        index.write_text("".join(bad + lines))
    assert any("\"offset\": \"x\"" in i.read_text() for i in (archive / "indexes").glob("*.cdxj"))
    stored = load_row_response(archive, revisit_pointer(archive, url))
    assert stored.body == recrawled_site.routes["/news/chunked-story.html"].body
