"""CDXJ indexes: lines parse, and each points at its record."""

from __future__ import annotations

import io
import json
import shutil

import pytest

from click.testing import CliRunner
from cdxj_indexer import CDXJIndexer
from surt import surt
from warcio.recordloader import ArcWarcRecord

from archive_helpers import write_cc_news_warc
from newsarchive.cli import main
from newsarchive.warc.cdxj import INDEXED_RECORDS, write_cdxj
from newsarchive.archive import ArchiveDir
from newsarchive.warc.records import read_record


def parse(path):
    entries = []
    for line in path.read_text().splitlines():
        key, timestamp, fields = line.split(" ", 2)
        entries.append((key, timestamp, json.loads(fields)))
    return entries


def test_write_cdxj_indexes_every_response(tmp_path):
    warc = tmp_path / "cc.warc.gz"
    urls = ["http://b.test/2", "http://a.test/1", "http://a.test/3"]
    offsets = write_cc_news_warc(warc, [(u, b"<p>x</p>" + u.encode(), {}) for u in urls])
    out = tmp_path / "indexes" / "cc.cdxj"
    assert write_cdxj([warc], out) == 3
    entries = parse(out)
    assert [e[0] for e in entries] == sorted(e[0] for e in entries), "CDXJ must be sorted"
    by_url = {fields["url"]: (key, ts, fields) for key, ts, fields in entries}
    assert set(by_url) == set(urls)
    for url, offset in zip(urls, offsets):
        key, ts, fields = by_url[url]
        assert key == surt(url)
        assert ts == "20240501100000"
        assert fields["filename"] == "cc.warc.gz"
        assert int(fields["offset"]) == offset
        assert fields["status"] == "200" and fields["mime"] == "text/html"
        assert read_record(warc, int(fields["offset"])).url == url


def test_index_command_covers_the_crawl_and_imported_files(crawled_site, tmp_path):
    directory = tmp_path / "archive"
    shutil.copytree(crawled_site.directory, directory)
    external = tmp_path / "elsewhere" / "cc.warc.gz"
    external.parent.mkdir()
    write_cc_news_warc(external, [("http://c.test/story", b"<p>short</p>", {})])
    result = CliRunner().invoke(main, ["import-warc", str(external), "--dir", str(directory), "--workers", "1"])
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(main, ["index", "--dir", str(directory)])
    assert result.exit_code == 0, result.output
    entries = parse(directory / "indexes" / "index.cdxj")
    by_url = {fields["url"]: fields for _, _, fields in entries}
    # Our files by name relative to DIR/warc, imported ones by absolute path.
    assert by_url["http://c.test/story"]["filename"] == str(external)
    gz = by_url[crawled_site.url + "news/gzip-story.html"]
    assert "/" not in gz["filename"]
    assert read_record(ArchiveDir(directory).warc_path(gz["filename"]), int(gz["offset"])).url == crawled_site.url + "news/gzip-story.html"
    assert by_url[crawled_site.url + "old-story"]["status"] == "301"
    assert not any(fields.get("mime") == "warc/warcinfo" for fields in by_url.values())


def stock_cdxj(files, root) -> list[str]:
    """What cdxj-indexer itself (decoding bodies, as it does) writes for ``files``."""
    out = io.StringIO()
    indexer = CDXJIndexer(out, [str(f) for f in files], sort=True, post_append=True, records=INDEXED_RECORDS,
                          dir_root=str(root))
    indexer.process_all()
    return out.getvalue().splitlines()


@pytest.mark.parametrize("crawl", ["first", "recrawl"])
def test_the_lines_a_crawl_writes_as_it_goes_are_cdxj_indexers(crawl, request):
    # Redirects, gzip and chunked bodies, a 404, robots.txt; the recrawl's revisit records.
    site = request.getfixturevalue("crawled_site" if crawl == "first" else "recrawled_site")
    archive = ArchiveDir(site.directory)
    files = archive.warc_files()
    written = [line for index in sorted(archive.index_dir.glob("crawl-*.cdxj")) for line in index.read_text().splitlines()]
    assert sorted(written) == stock_cdxj(files, archive.warc_dir)
    assert not list(archive.index_dir.glob("*.open")), "the journal is sorted into the index at the end"


def test_the_index_command_never_decodes_a_body(tmp_path, monkeypatch):
    # A gzip bomb: 50 MB of zeros in ~50 KB. Its index line needs none of it decoded.
    warc = tmp_path / "warc" / "bomb.warc.gz"
    warc.parent.mkdir()
    write_cc_news_warc(warc, [("http://bomb.test/a", b"\0" * 50_000_000, {"gzip": True}),
                              ("http://bomb.test/b", b"<p>fine</p>", {})])

    def decoded(self):
        raise AssertionError(f"{self.rec_headers.get_header('WARC-Target-URI')} decoded")

    monkeypatch.setattr(ArcWarcRecord, "content_stream", decoded)
    out = tmp_path / "index.cdxj"
    assert write_cdxj([warc], out, root=warc.parent) == 2
    monkeypatch.undo()
    assert out.read_text().splitlines() == stock_cdxj([warc], warc.parent)


def test_the_crawls_mime_split_is_cdxj_indexers():
    # The crawl writes its index lines without importing cdxj-indexer; the mime must end where it ends it.
    from newsarchive.warc.cdxj import MIME_END, index_mime

    assert MIME_END.pattern == CDXJIndexer.RE_SPACE.pattern
    for value in ["text/html; charset=utf-8", "text/html;charset=x", "text/html", " text/html ", "a b", ""]:
        expected = CDXJIndexer.RE_SPACE.split(value, 1)[0].strip() or None
        assert index_mime(value) == expected


@pytest.mark.parametrize("buffer", [40, 1 << 20])
def test_the_journal_sorts_as_cdxj_indexers_sorting_writer(buffer):
    # Spilled runs (a small buffer) and one run in memory: the same lines, repeats once, as SortingWriter.
    from cdxj_indexer.main import SortingWriter

    from newsarchive.warc.journal import sort_lines

    lines = [f"com,example)/{i % 17} 2026{i % 5} {{}}\n" for i in range(200)] + ["a\n", "a\n", "\n"]
    expected, got = io.StringIO(), io.StringIO()
    writer = SortingWriter(expected, max_sort_buff_size=buffer)
    for line in lines:
        writer.write(line)
    writer.flush()
    assert sort_lines(iter(lines), got, buffer=buffer) == len(lines)
    assert got.getvalue() == expected.getvalue()
    assert len(got.getvalue().splitlines()) < len(lines)
