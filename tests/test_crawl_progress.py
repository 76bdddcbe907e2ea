"""What a crawl says while it runs: a progress line every NEWSARCHIVE_PROGRESS_SECONDS, dropped pages in
one short DEBUG line, and (for ``newsarchive crawl``) no wall of Scrapy configuration unless -v."""

from __future__ import annotations

import re
import subprocess

import pytest

from archive_helpers import FAST, ROOT, VENV_BIN, run_crawl
from slow_site import slow_site

pytestmark = pytest.mark.e2e

PROGRESS = re.compile(r"Progress: (\d+) pages fetched \((\d+) pages/min\), (\d+) articles, (\d+) errors, (\d+) queued")
# The articles answer slowly, so a crawl lasts several progress intervals.
QUICK_PROGRESS = {"NEWSARCHIVE_PROGRESS_SECONDS": "0.25", "NEWSARCHIVE_EXTRACT_WORKERS": "1"}


def test_scrapy_crawl_logs_progress_lines_and_short_drop_lines(tmp_path):
    with slow_site(articles=12, delay=0.4) as server:
        run = run_crawl(tmp_path / "archive", settings={**QUICK_PROGRESS, "LOG_LEVEL": "DEBUG",
                                                        "CONCURRENT_REQUESTS_PER_DOMAIN": "2"},
                        start_urls=server.url).check()
    lines = [PROGRESS.search(line) for line in run.log.splitlines()]
    progress = [tuple(map(int, found.groups())) for found in lines if found]
    assert progress, run.log[-3000:]
    pages, _, articles, errors, queued = progress[-1]
    # The counts are the crawl's stats as they stood: never above the final ones.
    fetched = int(re.search(r"'downloader/response_count': (\d+)", run.log).group(1))
    failed = int(re.search(r"'newsarchive/pages/error': (\d+)", run.log).group(1))  # /about.html: a 404
    assert 0 < pages <= fetched and articles <= 12 and errors <= failed and queued >= 0
    assert [line[0] for line in progress] == sorted(line[0] for line in progress)
    assert "[newsarchive.crawl.progress] INFO: Progress:" in run.log
    # Scrapy's own 60 s line is replaced, not doubled.
    assert "Crawled 0 pages (at 0 pages/min)" not in run.log
    # The home page is not an article: one line naming its URL and why, not the Page(...) repr.
    assert re.search(rf"DEBUG: Dropped: {re.escape(server.url)} \(not an article: .+\)$", run.log, re.M), run.log[-3000:]
    assert "Page(url=" not in run.log
    assert re.search(rf"DEBUG: Stored: {re.escape(server.url)}a/\d+\.html$", run.log, re.M)


def test_progress_lines_can_be_turned_off(tmp_path):
    with slow_site(articles=6, delay=0.3) as server:
        run = run_crawl(tmp_path / "archive", settings={**QUICK_PROGRESS, "NEWSARCHIVE_PROGRESS_SECONDS": "0",
                                                        "LOG_LEVEL": "INFO"},
                        start_urls=server.url).check()
    assert "Progress:" not in run.log
    # Scrapy's LogStats is back (it logs once at the start).
    assert "Crawled 0 pages (at 0 pages/min)" in run.log


def newsarchive_crawl(url: str, directory, *options: str) -> subprocess.CompletedProcess:
    settings = [arg for name, value in {**FAST, **QUICK_PROGRESS}.items() for arg in ("-s", f"{name}={value}")]
    return subprocess.run([str(VENV_BIN / "newsarchive"), "crawl", url, "--dir", str(directory), *settings, *options],
                          capture_output=True, text=True, timeout=240, cwd=ROOT)


def test_newsarchive_crawl_shows_progress_and_no_configuration_by_default(tmp_path):
    with slow_site(articles=8, delay=0.4) as server:
        quiet = newsarchive_crawl(server.url, tmp_path / "quiet", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=2")
        verbose = newsarchive_crawl(server.url, tmp_path / "verbose", "-v")
    assert quiet.returncode == 0, quiet.stderr[-3000:]
    assert PROGRESS.search(quiet.stderr), quiet.stderr
    # Scrapy's settings and component lists are INFO: shown with -v only.
    assert "Overridden settings" not in quiet.stderr and "Enabled downloader middlewares" not in quiet.stderr
    assert len(quiet.stderr.splitlines()) < 40, quiet.stderr
    assert "Articles stored:  8" in quiet.stdout
    assert verbose.returncode == 0, verbose.stderr[-3000:]
    assert "Overridden settings" in verbose.stderr and "Enabled downloader middlewares" in verbose.stderr


def test_the_queue_counts_the_scheduler_and_what_the_downloader_holds():
    from newsarchive.crawl.progress import progress_fields

    stats = {"downloader/response_count": 7, "newsarchive/articles": 3, "newsarchive/pages/error": 1,
             "scheduler/enqueued": 40, "scheduler/dequeued": 30}
    assert progress_fields(stats, in_downloader=5) == {"pages": 7, "articles": 3, "errors": 1, "queued": 15}
    assert progress_fields({}) == {"pages": 0, "articles": 0, "errors": 0, "queued": 0}
