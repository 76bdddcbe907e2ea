"""Importing WARCs written by other tools: CC-NEWS-style files, and truncated ones."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from sqlite_utils import Database

from archive_helpers import article_html, write_cc_news_warc
from newsarchive.cli import main
from newsarchive.importer import import_warcs

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


@pytest.mark.parametrize("cut", [300, 40], ids=["inside-body", "inside-headers"])
def test_truncated_file_imports_up_to_the_last_whole_record(cc_news, tmp_path, cut):
    path, offsets = cc_news
    data = path.read_bytes()
    # Cut the fourth response record (the PNG) short; the three stories before it are whole.
    end_of_fourth = offsets[4]
    truncated = tmp_path / "truncated.warc.gz"
    truncated.write_bytes(data[: offsets[3] + cut] if cut < end_of_fourth - offsets[3] else data[:end_of_fourth - 5])
    report = import_warcs([truncated], tmp_path / "news.db", workers=1)
    assert len(report.problems) == 1, report.problems
    assert "truncated.warc.gz" in report.problems[0]
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
