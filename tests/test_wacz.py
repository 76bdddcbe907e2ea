"""WACZ packages validate and hold the WARCs, a CDXJ index and the article pages."""

from __future__ import annotations

import gzip
import json
import zipfile

from click.testing import CliRunner

from newsarchive.cli import main
from newsarchive.warc.wacz import validate_wacz


def test_wacz_command_writes_a_valid_package(crawled_site, tmp_path):
    out = tmp_path / "news.wacz"
    result = CliRunner().invoke(main, ["wacz", "--dir", str(crawled_site.directory), "-o", str(out)])
    assert result.exit_code == 0, result.output
    valid, output = validate_wacz(out)
    assert valid, output
    with zipfile.ZipFile(out) as package:
        names = set(package.namelist())
        warcs = {p.name for p in (crawled_site.directory / "warc").glob("*.warc.gz")}
        assert {f"archive/{name}" for name in warcs} <= names
        assert {"indexes/index.cdx.gz", "indexes/index.idx", "datapackage.json", "pages/pages.jsonl"} <= names
        index = gzip.decompress(package.read("indexes/index.cdx.gz")).decode()
        assert crawled_site.url + "news/gzip-story.html" in index
        pages = [json.loads(line) for line in package.read("pages/pages.jsonl").decode().splitlines()]
    assert pages[0]["format"] == "json-pages-1.0"
    titles = {page["url"]: page["title"] for page in pages[1:]}
    assert titles[crawled_site.url + "news/gzip-story.html"] == "Storm closes the harbour"
    assert crawled_site.url not in titles, "only articles are listed as pages"


def test_wacz_without_warcs_is_a_click_error(tmp_path):
    result = CliRunner().invoke(main, ["wacz", "--dir", str(tmp_path)])
    assert result.exit_code == 1
    assert "no WARC files" in result.output
