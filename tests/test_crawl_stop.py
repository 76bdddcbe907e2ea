"""Ctrl-C: the first stops a crawl promptly (downloads under way finish, queued ones are not sent) and says
how to resume; the run ends as ``shutdown``, which the next run of the same command resumes."""

from __future__ import annotations

import os
import signal
import sys
import subprocess
import time

import pytest
from sqlite_utils import Database

from archive_helpers import FAST, ROOT, VENV_BIN
from slow_site import article_hits, slow_site

pytestmark = pytest.mark.e2e

ARTICLES = 40


def start_crawl(url: str, directory, *options: str) -> subprocess.Popen:
    # The default politeness (delay, AutoThrottle, 4 per site), as a user runs it; extraction in one process.
    command = [str(VENV_BIN / "newsarchive"), "crawl", url, "--dir", str(directory),
               "-s", "NEWSARCHIVE_EXTRACT_WORKERS=1", "-s", "TELNETCONSOLE_ENABLED=False", *options]
    return subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for(condition, limit: float = 120) -> None:
    end = time.monotonic() + limit
    while not condition():
        assert time.monotonic() < end, "the crawl did not get that far"
        time.sleep(0.05)


def test_first_ctrl_c_stops_promptly_and_says_how_to_resume(tmp_path):
    directory = tmp_path / "archive"
    with slow_site(articles=ARTICLES, delay=0.5) as server:
        crawl = start_crawl(server.url, directory)
        wait_for(lambda: len(article_hits(server)) >= 3)
        signalled = time.monotonic()
        crawl.send_signal(signal.SIGINT)
        out, err = crawl.communicate(timeout=120)
        ended = time.monotonic()
        fetched_after = [at for at in article_hits(server) if at > signalled]
        fetched = len(article_hits(server))
    # Correctness bounds, not speed targets: without the prompt stop the crawl fetched ~30 more pages.
    assert ended - signalled < 30, err[-3000:]
    assert len(fetched_after) <= 4, (len(fetched_after), err[-3000:])
    assert fetched < ARTICLES / 2
    assert crawl.returncode == 130, err[-3000:]
    assert "run the same command again to resume" in err
    assert "Traceback" not in err and "Error:" not in err
    assert "(shutdown)" in out  # the summary's first line
    db = Database(directory / "news.db")
    assert [row["finish_reason"] for row in db["crawls"].rows] == ["shutdown"]
    # Requests taken back from the downloader are not recorded as failures.
    assert db.execute("SELECT count(*) FROM pages WHERE outcome = 'error'").fetchone()[0] == 0


def test_the_same_command_again_resumes_and_fetches_the_rest(tmp_path):
    directory = tmp_path / "archive"
    with slow_site(articles=12, delay=0.3) as server:
        # Depth 1: the articles are at the depth limit, so a resume skips those already stored.
        crawl = start_crawl(server.url, directory, "--depth", "1")
        wait_for(lambda: len(article_hits(server)) >= 2)
        crawl.send_signal(signal.SIGINT)
        crawl.communicate(timeout=120)
        assert crawl.returncode == 130
        stored = {row["url"] for row in Database(directory / "news.db")["articles"].rows}
        assert 0 < len(stored) < 12  # the downloads under way when it stopped were finished and kept
        hits_before = len(article_hits(server))
        settings = [arg for name, value in FAST.items() for arg in ("-s", f"{name}={value}")]
        again = subprocess.run([str(VENV_BIN / "newsarchive"), "crawl", server.url, "--dir", str(directory),
                                "--depth", "1", *settings], cwd=ROOT, capture_output=True, text=True, timeout=240)
        assert again.returncode == 0, again.stderr[-3000:]
        refetched = article_hits(server)[hits_before:]
    db = Database(directory / "news.db")
    assert db["articles"].count == 12
    # The articles the stopped run stored lead nowhere further: not fetched again.
    assert len(refetched) == 12 - len(stored)
    assert [row["finish_reason"] for row in db["crawls"].rows] == ["shutdown", "finished"]


def test_second_ctrl_c_stops_at_once(tmp_path):
    directory = tmp_path / "archive"
    with slow_site(articles=ARTICLES, delay=1.0) as server:
        crawl = start_crawl(server.url, directory)
        wait_for(lambda: len(article_hits(server)) >= 2)
        crawl.send_signal(signal.SIGINT)
        time.sleep(0.3)
        crawl.send_signal(signal.SIGINT)
        out, err = crawl.communicate(timeout=120)
    assert crawl.returncode == 130, err[-3000:]
    assert "Crawl stopped at once: run the same command again to resume" in err
    assert "Traceback" not in err
    assert "(stopped at once)" in out and "Run report" not in out  # not "no pages fetched" under "Pages fetched: N"
    assert os.path.exists(directory / "news.db")


def test_scrapy_crawl_stops_promptly_too_and_logs_the_resume_hint(tmp_path):
    command = [sys.executable, "-m", "scrapy", "crawl", "news", "-s", f"NEWSARCHIVE_DIR={tmp_path / 'archive'}",
               "-s", "NEWSARCHIVE_EXTRACT_WORKERS=1", "-s", "TELNETCONSOLE_ENABLED=False"]
    with slow_site(articles=ARTICLES, delay=0.5) as server:
        crawl = subprocess.Popen([*command, "-a", f"start_urls={server.url}"], cwd=ROOT, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
        wait_for(lambda: len(article_hits(server)) >= 3)
        signalled = time.monotonic()
        crawl.send_signal(signal.SIGINT)
        _, err = crawl.communicate(timeout=120)
        fetched_after = [at for at in article_hits(server) if at > signalled]
    assert len(fetched_after) <= 4, err[-3000:]
    assert "queued requests not fetched" in err
    assert "Crawl stopped before the end: run the same command again to resume" in err
    assert "Spider closed (shutdown)" in err
