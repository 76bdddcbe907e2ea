"""Offline commands classify pages as a crawl does: --min-words, else the archive's last crawl's setting."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from sqlite_utils import Database

from archive_helpers import article_html, write_cc_news_warc
from newsarchive.archive import ArchiveDir
from newsarchive.cli import main
from newsarchive.cli.options import min_words_for
from newsarchive.db.store import Store

URL = "http://cc.test/2024/05/story.html"  # about 260 words of prose


@pytest.fixture
def warc(tmp_path):
    path = tmp_path / "CC-NEWS.warc.gz"
    # Not declared an article: a dated page that declares one is kept as a brief whatever its length.
    page = article_html(11, "Harbour festival returns").replace('<meta property="og:type" content="article">', "")
    write_cc_news_warc(path, [(URL, page.encode(), {})])
    return path


def recorded_crawl(directory, settings: dict) -> None:
    store = Store(ArchiveDir(directory).db_path)
    try:
        store.start_crawl("news", [], settings)
    finally:
        store.close()


def import_warc(warc, directory, *options: str) -> str:
    result = CliRunner().invoke(main, ["import-warc", str(warc), "--dir", str(directory), "--workers", "1", *options])
    assert result.exit_code == 0, result.output
    return Database(ArchiveDir(directory).db_path)["pages"].get(URL)["outcome"]


def test_without_a_recorded_crawl_the_default_applies(warc, tmp_path):
    assert min_words_for(tmp_path / "new", None) == 80
    assert import_warc(warc, tmp_path / "new") == "article"


def test_min_words_option_decides(warc, tmp_path):
    assert import_warc(warc, tmp_path / "archive", "--min-words", "1000") == "not_article"


def test_the_last_crawls_setting_is_the_default(warc, tmp_path):
    directory = tmp_path / "archive"
    recorded_crawl(directory, {"NEWSARCHIVE_MIN_WORDS": 40})
    recorded_crawl(directory, {"NEWSARCHIVE_MIN_WORDS": "1000"})  # -s values are recorded as given
    assert min_words_for(directory, None) == 1000
    assert min_words_for(directory, 5) == 5
    assert import_warc(warc, directory) == "not_article"
    # The import recorded the threshold it ran with, so the next offline run keeps it.
    crawls = list(Database(ArchiveDir(directory).db_path)["crawls"].rows)
    assert json.loads(crawls[-1]["settings"])["min_words"] == 1000


def test_reextract_takes_min_words(warc, tmp_path):
    directory = tmp_path / "archive"
    import_warc(warc, directory)
    runner = CliRunner()
    result = runner.invoke(main, ["reextract", "--dir", str(directory), "--workers", "1", "--min-words", "1000"])
    assert result.exit_code == 0, result.output
    assert "1 dropped" in result.output
    assert Database(ArchiveDir(directory).db_path)["pages"].get(URL)["outcome"] == "not_article"


def test_a_recorded_value_that_is_no_number_is_one_clear_line(warc, tmp_path):
    directory = tmp_path / "archive"
    recorded_crawl(directory, {"NEWSARCHIVE_MIN_WORDS": "eighty"})
    result = CliRunner().invoke(main, ["import-warc", str(warc), "--dir", str(directory)])
    assert result.exit_code == 1 and "'eighty', not a number: give --min-words" in result.output
