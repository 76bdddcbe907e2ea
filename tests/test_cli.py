"""The newsarchive command: argument errors, stats, serve, and the demo as `make demo` runs it."""

from __future__ import annotations

import json
import os
import re
import shlex
import sqlite3
import socket
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from warcio.archiveiterator import ArchiveIterator

from newsarchive.cli import main
from newsarchive.db.store import Store

ROOT = Path(__file__).resolve().parent.parent


def small_archive(directory: Path) -> Path:
    store = Store(directory / "news.db")
    store.add_page({"url": "http://x/1", "outcome": "article", "status": 200})
    store.add_page({"url": "http://x/", "outcome": "not_article", "status": 200})
    store.add_article({"url": "http://x/1", "title": "Ferry strike ends", "text": "The ferry strike ended today.",
                       "site": "x", "authors": "[]"})
    store.close()
    return directory


def test_help_lists_the_commands():
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    for command in ("crawl", "demo", "serve", "stats"):
        assert command in result.output


def test_crawl_needs_a_url(tmp_path):
    result = CliRunner().invoke(main, ["crawl", "--dir", str(tmp_path)])
    assert result.exit_code == 1 and "at least one start URL" in result.output


@pytest.mark.parametrize("given, error", [
    ("not-a-url", "'not-a-url' is not a URL: give one like https://www.example.com/"),
    ("ftp://example.com/", "ftp://example.com/: only http:// and https:// URLs can be crawled"),
    ("http://:80/", "http://:80/: no host name"),
    ("https://exa mple.com/", "https://exa mple.com/: a host name has no spaces"),
])
def test_crawl_refuses_a_bad_url_in_one_line_before_scrapy_starts(tmp_path, given, error):
    for args in ([given], ["--sitemap", given], ["--feed", given]):
        result = CliRunner().invoke(main, ["crawl", *args, "--dir", str(tmp_path / "a")])
        assert result.exit_code == 1
        assert result.output == f"Error: {error}\n"
        assert not (tmp_path / "a").exists()


def test_crawl_refuses_a_setting_error_in_one_line(tmp_path):
    result = CliRunner().invoke(main, ["crawl", "http://x/", "-s", "NOEQUALS", "--dir", str(tmp_path)])
    assert result.exit_code == 1 and len(result.output.splitlines()) == 1


def test_crawl_rejects_malformed_setting(tmp_path):
    result = CliRunner().invoke(main, ["crawl", "http://x/", "-s", "NOEQUALS", "--dir", str(tmp_path)])
    assert result.exit_code == 1 and "NAME=VALUE" in result.output


def test_stats_without_archive_is_a_clear_error(tmp_path):
    result = CliRunner().invoke(main, ["stats", "--dir", str(tmp_path / "nowhere")])
    assert result.exit_code == 1 and "no archive database" in result.output


def test_stats_summarises(tmp_path):
    result = CliRunner().invoke(main, ["stats", "--dir", str(small_archive(tmp_path))])
    assert result.exit_code == 0
    assert "Articles stored:  1" in result.output
    assert "article 1" in result.output and "not_article 1" in result.output


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_runs_datasette_with_search(tmp_path):
    port = free_port()
    command = [sys.executable, "-m", "newsarchive.cli", "serve", "--dir", str(small_archive(tmp_path)),
               "--port", str(port)]
    server = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}/news/articles.json?_search=ferry&_shape=array"
        for _ in range(100):
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    rows = json.load(response)
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise AssertionError("datasette did not start")
        assert [r["title"] for r in rows] == ["Ferry strike ends"]
    finally:
        server.terminate()
        server.wait(10)
    # Stopping `newsarchive serve` stops Datasette too: nothing is left listening on the port.
    assert not port_is_open(port, wait=3.0), "datasette outlived `newsarchive serve`"


def port_is_open(port: int, wait: float) -> bool:
    """Whether something still accepts connections on the port once ``wait`` seconds have passed."""
    deadline = time.monotonic() + wait
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        except OSError:
            return False
        if time.monotonic() > deadline:
            return True
        time.sleep(0.1)


@pytest.mark.e2e
def test_demo_crawls_the_bundled_site_and_says_how_to_browse(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "newsarchive.cli", "demo", "--dir", str(tmp_path)],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    out = done.stdout
    assert "Serving the demo site at http://127.0.0.1:" in out
    assert "Pages fetched:" in out and "(finished)" in out
    assert "Articles stored:  9" in out
    assert f"datasette {tmp_path / 'news.db'} --metadata" in out
    assert "newsarchive serve --dir" in out
    assert list((tmp_path / "warc").glob("*.warc.gz"))


@pytest.mark.e2e
def test_demo_writes_where_the_commands_look_and_its_next_steps_run_as_printed(tmp_path):
    """`make demo` runs `newsarchive demo` with no --dir: ./archive, every command's default folder."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "newsarchive.cli", "demo"], cwd=tmp_path, capture_output=True,
                          text=True, timeout=300, env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    assert (tmp_path / "archive" / "news.db").exists()
    steps = done.stdout.split("Next:\n", 1)[1].splitlines()
    commands = [shlex.split(line.split("#")[0]) for line in steps]
    assert [command[1:] for command in commands] == [["serve"], ["stats"], ["export", "-o", "articles.jsonl"]]
    for command in commands[1:]:
        ran = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=120, env=env)
        assert ran.returncode == 0, ran.stderr
    assert len((tmp_path / "articles.jsonl").read_text().splitlines()) == 9
    demo_target = re.search(r"^demo:.*\n\t(.+)$", (ROOT / "Makefile").read_text(), re.M).group(1)
    assert demo_target.split()[-1] == "demo", "make demo must write to the default folder"


@pytest.mark.e2e
def test_demo_run_again_is_incremental_and_writes_revisits_for_the_listings(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    runs = [subprocess.run([sys.executable, "-m", "newsarchive.cli", "demo", "--dir", str(tmp_path)],
                           cwd=tmp_path, capture_output=True, text=True, timeout=300, env=env) for _ in range(2)]
    assert [run.returncode for run in runs] == [0, 0], runs[-1].stderr[-2000:]
    urls = [run.stdout.splitlines()[0] for run in runs]
    assert urls[0] == urls[1], "the site must keep its address for its pages to be revisits"
    second = sorted((tmp_path / "warc").glob("*.warc.gz"))[-1]
    with open(second, "rb") as stream:
        kinds = Counter(record.rec_type for record in ArchiveIterator(stream))
    # Incremental: the archived articles are not fetched again; the listings (the demo server sends
    # no validators) are, and come back unchanged. (Was: every page again, >= 20 revisits.)
    assert kinds["response"] == 0 and kinds["revisit"] >= 10
    with open(second, "rb") as stream:
        fetched = {record.rec_headers.get_header("WARC-Target-URI") for record in ArchiveIterator(stream)}
    articles = {url for (url,) in sqlite3.connect(tmp_path / "news.db").execute("SELECT url FROM articles")}
    assert len(articles) == 9 and not articles & fetched
    assert "Articles stored:  9" in runs[1].stdout
    assert f"Unchanged:        {kinds['revisit']} (same payload as archived: revisit records)" in runs[1].stdout


def test_every_command_takes_dir_defaulting_to_archive():
    for name, command in main.commands.items():
        options = {param.name: param for param in command.params}
        assert "directory" in options, f"{name} has no --dir"
        assert options["directory"].opts == ["--dir"] and options["directory"].default == Path("archive"), name


def test_crawl_into_a_folder_whose_database_is_not_sqlite_is_one_line(tmp_path):
    (tmp_path / "news.db").write_bytes(b"not a database, a text file someone saved here\n" * 40)
    result = CliRunner().invoke(main, ["crawl", "http://127.0.0.1:9/", "--dir", str(tmp_path)])  # never fetched
    assert result.exit_code == 1, result.output
    assert result.output.startswith(f"Error: {tmp_path / 'news.db'} is not a readable archive database")
    assert len(result.output.splitlines()) == 1 and result.exception.__class__ is SystemExit
