"""User mistakes before a crawl starts: one line each, no traceback, with ``newsarchive crawl`` and ``scrapy crawl``."""

from __future__ import annotations

import json
import socket
import subprocess

import pytest
from sqlite_utils import Database

from archive_helpers import ROOT, VENV_BIN, run_crawl
from logging_server import LoggingServer, Route
from newsarchive.lock import ArchiveLock
from newsarchive.seeds import BadSeed, seed_url


@pytest.mark.parametrize("given, url", [
    ("www.example.com", "https://www.example.com"),
    ("example.com/news/?page=2", "https://example.com/news/?page=2"),
    ("localhost:8000", "https://localhost:8000"),
    ("127.0.0.1:8080/", "https://127.0.0.1:8080/"),
    ("http://www.example.com/", "http://www.example.com/"),
    ("  https://example.com/x ", "https://example.com/x"),
])
def test_a_url_without_scheme_means_https(given, url):
    assert seed_url(given) == (url, url != given.strip())


@pytest.mark.parametrize("given", ["not-a-url", "news", "ftp://example.com/", "file:///etc/passwd", "http://",
                                   "http://example.com:99999/", "mailto:desk@example.com"])
def test_what_is_not_an_http_url_is_refused(given):
    with pytest.raises(BadSeed):
        seed_url(given)


@pytest.mark.e2e
def test_scrapy_crawl_with_a_bad_start_url_says_so_in_one_line(tmp_path):
    run = run_crawl(tmp_path / "archive", start_urls="not-a-url")
    assert run.returncode == 1
    assert "[newsarchive] ERROR: Crawl not started: 'not-a-url' is not a URL" in run.log
    assert "Traceback" not in run.log and "[asyncio]" not in run.log
    assert not (tmp_path / "archive" / "news.db").exists()


@pytest.mark.e2e
def test_scrapy_crawl_into_a_busy_archive_says_so_in_one_line(tmp_path):
    directory = tmp_path / "archive"
    with ArchiveLock(directory, "another crawl"):
        run = run_crawl(directory, start_urls="http://127.0.0.1:9/")
    assert run.returncode == 1
    assert f"Crawl not started: {directory} is in use by PID" in run.log
    assert "Traceback" not in run.log


@pytest.mark.e2e
def test_a_scheme_less_start_url_is_crawled_as_https_and_said_so(tmp_path):
    with LoggingServer("127.0.0.1", {"/": Route(b"<html><body>Home</body></html>")}) as server:
        given = f"127.0.0.1:{server.port}/"
        cli = subprocess.run([str(VENV_BIN / "newsarchive"), "crawl", given, "--depth", "0", "--dir",
                              str(tmp_path / "a"), "-s", "RETRY_TIMES=0"],
                             cwd=ROOT, capture_output=True, text=True, timeout=240)
        spider = run_crawl(tmp_path / "b", settings={"RETRY_TIMES": "0"}, start_urls=given)
    assert f"{given} has no scheme: crawling https://{given}" in cli.stderr
    assert f"{given} has no scheme: crawling https://{given}" in spider.log
    for directory in ("a", "b"):
        crawls = list(Database(tmp_path / directory / "news.db")["crawls"].rows)
        assert json.loads(crawls[0]["start_urls"]) == [f"https://{given}"]


@pytest.mark.e2e
def test_a_host_that_refuses_connections_costs_no_traceback(tmp_path):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]  # bound, never listening: connections are refused
        run = run_crawl(tmp_path / "archive", settings={"RETRY_TIMES": "0"}, start_urls=f"http://127.0.0.1:{port}/")
    assert run.returncode == 0, run.log[-3000:]
    assert "robots.txt of 127.0.0.1" in run.log and "unavailable" in run.log
    assert "Traceback" not in run.log, run.log[-3000:]
