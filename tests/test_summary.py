"""The end-of-crawl summary (newsarchive/db/report.py) for crawls that ended every way."""

from __future__ import annotations

from newsarchive.db.report import archive_summary, format_summary


def first_line(tmp_path, stats: dict) -> str:
    return format_summary(archive_summary(tmp_path, stats)).splitlines()[0]


def test_the_summary_of_a_finished_crawl(tmp_path):
    stats = {"downloader/response_count": 24, "elapsed_time_seconds": 7.42, "finish_reason": "finished"}
    assert first_line(tmp_path, stats) == "Pages fetched:    24 in 7.4 s (finished)"


def test_a_crawl_stopped_at_once_says_so_not_none(tmp_path):
    """A second Ctrl-C: Scrapy never closed the spider, so no elapsed time and no finish reason."""
    stats = {"downloader/response_count": 3, "newsarchive/crawl_id": 1}
    assert first_line(tmp_path, stats) == "Pages fetched:    3 (stopped at once)"
