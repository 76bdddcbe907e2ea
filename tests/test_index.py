"""CDXJ indexes: lines parse, and each points at its record."""

from __future__ import annotations

import json
import shutil

from click.testing import CliRunner
from surt import surt

from archive_helpers import write_cc_news_warc
from newsarchive.cli import main
from newsarchive.warc.cdxj import write_cdxj
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
