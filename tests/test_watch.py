"""Watch mode: the crawl of a sources file again and again, until told to stop."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive_helpers import FAST, ROOT
from fault_helpers import NewsSite
from newsarchive.cli import main
from newsarchive.demo.server import SiteServer
from newsarchive.watch import crawl_command, next_start, parse_every
from test_sources_crawl import feed_site_routes

ENV = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "tests")])}


@pytest.mark.parametrize("text, seconds", [("30m", 1800), ("1s", 1), ("90", 90), ("1.5h", 5400), ("1d", 86400),
                                           (" 6H ", 21600)])
def test_parse_every(text, seconds):
    assert parse_every(text) == seconds


@pytest.mark.parametrize("text", ["", "0", "0m", "-5m", "soon", "30 minutes", "1w"])
def test_parse_every_refuses(text):
    with pytest.raises(ValueError, match="not an interval"):
        parse_every(text)


def test_next_start_keeps_the_beat_and_never_piles_up():
    assert next_start(100.0, 60.0, 130.0) == 160.0  # the run took 30 s: the next starts a slot later
    assert next_start(100.0, 60.0, 250.0) == 250.0  # the run overran: the next starts at once, once


def test_each_run_is_this_python_running_the_crawl_command(tmp_path):
    command = crawl_command(tmp_path / "s.toml", tmp_path / "a", ("DOWNLOAD_DELAY=0",))
    assert command == [sys.executable, "-m", "newsarchive.cli", "crawl", "--sources", str(tmp_path / "s.toml"),
                       "--dir", str(tmp_path / "a"), "-s", "DOWNLOAD_DELAY=0"]


def test_watch_mistakes_are_one_line(tmp_path):
    sources = tmp_path / "s.toml"
    sources.write_text('[[source]]\nname = "x"\nfeeds = ["https://x.example/rss"]\n')
    result = CliRunner().invoke(main, ["watch", "--sources", str(sources), "--every", "soon", "--dir", str(tmp_path)])
    assert result.exit_code == 1 and result.output.startswith("Error: --every: 'soon' is not an interval")
    sources.write_text('[[source]]\nname = "x"\n')
    result = CliRunner().invoke(main, ["watch", "--sources", str(sources), "--dir", str(tmp_path)])
    assert result.exit_code == 1 and result.output == f"Error: {sources}:1: source 'x' lists no URL: give start_urls, feeds or sitemaps\n"


def watch_command(sources: Path, directory: Path, *options: str, **settings: str) -> list[str]:
    pairs = [arg for name, value in {**FAST, **settings}.items() for arg in ("-s", f"{name}={value}")]
    return [sys.executable, "-m", "newsarchive.cli", "watch", "--sources", str(sources), "--dir", str(directory),
            *options, *pairs]


def beta_sources(folder: Path, site_url: str) -> Path:
    """A sources file with one source, "beta", starting at ``site_url``."""
    sources = folder / "sources.toml"
    sources.write_text(f'[[source]]\nname = "beta"\nstart_urls = ["{site_url}/"]\n')
    return sources


def crawls(directory: Path) -> list[tuple[str | None, dict]]:
    db = sqlite3.connect(directory / "news.db")
    try:
        return [(reason, json.loads(stats or "{}"))
                for reason, stats in db.execute("SELECT finish_reason, stats FROM crawls ORDER BY id")]
    finally:
        db.close()


@pytest.mark.e2e
def test_two_runs_and_the_feed_waits_for_its_turn(tmp_path):
    with SiteServer(routes={}) as site:
        site.routes.update(feed_site_routes(site.url))
        sources = beta_sources(tmp_path, site.url)
        done = subprocess.run(watch_command(sources, tmp_path / "a", "--every", "1s", "--max-runs", "2"),
                              capture_output=True, text=True, timeout=400, env=ENV)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "watch done: 2 runs, 0 failed" in done.stdout
    (first_reason, first), (second_reason, second) = crawls(tmp_path / "a")
    assert (first_reason, second_reason) == ("finished", "finished")
    assert first["newsarchive/listings/polled"] == 1
    # 1 s later the feed (polled at most every NEWSARCHIVE_POLL_MIN) is not due: skipped.
    assert second["newsarchive/listings/not_due"] == 1 and "newsarchive/listings/polled" not in second


def wait_for(condition, timeout: float = 180.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "gave up waiting"
        time.sleep(0.2)


def started(directory: Path) -> bool:
    try:
        return len(crawls(directory)) > 0
    except sqlite3.Error:
        return False


@pytest.mark.e2e
def test_ctrl_c_during_a_run_ends_it_gracefully_and_stops_the_watch(tmp_path):
    with NewsSite(articles=120, delay=0.2) as site:
        sources = tmp_path / "sources.toml"
        sources.write_text(f'[[source]]\nname = "big"\nstart_urls = ["{site.url}"]\n')
        watch = subprocess.Popen(watch_command(sources, tmp_path / "a", "--every", "1h",
                                               CONCURRENT_REQUESTS_PER_DOMAIN="1"),
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV)
        try:
            wait_for(lambda: started(tmp_path / "a"))
            watch.send_signal(signal.SIGINT)
            out, err = watch.communicate(timeout=180)
        finally:
            if watch.poll() is None:
                watch.kill()
    assert watch.returncode == 0, err[-3000:]
    assert "watch stopped by SIGINT: 1 runs, 0 failed, the last one stopped" in out  # exit 130 is no failure
    (reason, stats), = crawls(tmp_path / "a")
    assert reason == "shutdown"  # Scrapy's graceful stop: the run's rows are written, its row finished
    assert stats.get("newsarchive/articles", 0) < 120  # stopped before the end
    # A stopped run leaves the listing schedule as it was (here: empty), so the next run reads its sitemap again.
    db = sqlite3.connect(tmp_path / "a" / "news.db")
    try:
        assert db.execute("SELECT count(*) FROM listing_polls").fetchone() == (0,)
    finally:
        db.close()


@pytest.mark.e2e
def test_ctrl_c_between_runs_ends_the_watch(tmp_path):
    with SiteServer(routes={}) as site:
        site.routes.update(feed_site_routes(site.url))
        sources = beta_sources(tmp_path, site.url)
        watch = subprocess.Popen(watch_command(sources, tmp_path / "a", "--every", "1h"),
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV)
        try:
            for line in watch.stderr:  # the watcher's log, and the crawl's
                if "run 1 ended (exit code 0)" in line:
                    break
            watch.send_signal(signal.SIGINT)
            out, err = watch.communicate(timeout=60)
        finally:
            if watch.poll() is None:
                watch.kill()
    assert watch.returncode == 0, err[-3000:]
    assert "watch stopped by SIGINT: 1 runs, 0 failed" in out
    assert [reason for reason, _ in crawls(tmp_path / "a")] == ["finished"]
