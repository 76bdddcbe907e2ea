"""Bot walls in a real crawl: ``blocked`` rows, site_runs, and the run report of ``scrapy crawl`` and ``newsarchive crawl``."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import pytest
from click.testing import CliRunner
from sqlite_utils import Database

from archive_helpers import FAST, ROOT, CrawledSite, fixture_routes, run_crawl
from newsarchive.cli import main
from newsarchive.demo.responses import Response
from newsarchive.demo.server import SiteServer
from newsarchive.jobs.reextract import reextract

pytestmark = pytest.mark.e2e

# Written for this test after Cloudflare's documented challenge furniture (not copied from any page).
CHALLENGE = (b"<!DOCTYPE html><html><head><title>Just a moment...</title>"
             b"<script>window._cf_chl_opt = {cType: 'managed'};</script></head>"
             b"<body><p>Checking if the site connection is secure.</p>"
             b"<noscript>Enable JavaScript and cookies to continue</noscript></body></html>")
WALLS = {"/news/walled.html": "blocked", "/news/challenge.html": "blocked", "/news/slow-down.html": "blocked",
         "/news/accepted.html": "blocked"}


def walled_routes() -> dict[str, Response]:
    routes = fixture_routes()
    links = "".join(f'<li><a href="{path}">x</a></li>' for path in WALLS)
    routes["/"] = Response(200, routes["/"].body.replace(b"</ul>", links.encode() + b"</ul>"), compressible=False)
    routes["/news/walled.html"] = Response(403, b"Forbidden", content_type="text/plain")
    routes["/news/challenge.html"] = Response(200, CHALLENGE)
    routes["/news/slow-down.html"] = Response(429, b"", content_type=None)
    routes["/news/accepted.html"] = Response(202, b"<html><script>challenge()</script></html>")  # a 2xx wall
    return routes


@pytest.fixture(scope="module")
def walled_site() -> Iterator[SiteServer]:
    with SiteServer(routes=walled_routes()) as server:
        yield server


@pytest.fixture(scope="module")
def first_crawl(walled_site, tmp_path_factory):
    directory = tmp_path_factory.mktemp("walls") / "archive"
    run = run_crawl(directory, settings={"NEWSARCHIVE_EXTRACT_WORKERS": "1", "RETRY_TIMES": "0"},
                    start_urls=walled_site.url).check()
    return CrawledSite(directory, walled_site.url, walled_site.routes), run.log


def site_runs(directory) -> list[dict]:
    return list(Database(directory / "news.db").query("SELECT * FROM site_runs ORDER BY crawl_id"))


def test_walls_are_blocked_rows_and_counted_per_site(first_crawl):
    site, _ = first_crawl
    db = Database(site.directory / "news.db")
    outcomes = {row["url"].removeprefix(site.url.rstrip("/")): row["outcome"] for row in db["pages"].rows}
    assert {path: outcomes[path] for path in WALLS} == WALLS
    assert db.execute("SELECT count(*) FROM articles").fetchone()[0] == 5
    [run] = site_runs(site.directory)
    host = site.url.removeprefix("http://").rstrip("/")
    assert (run["site"], run["crawl_id"], run["new"], run["updated"], run["blocked"], run["errors"]) == \
        (host, 1, 5, 0, 4, 1)  # errors: the fixture's 404
    stats = db.execute("SELECT json_extract(stats, '$.\"downloader/response_count\"') FROM crawls").fetchone()[0]
    assert run["fetched"] == stats  # every response, in exactly one bucket
    assert run["median_words"] > 200
    assert run["flags"] == f"4 of {run['fetched']} pages blocked (bot wall or challenge page)"


def test_scrapy_crawl_logs_the_run_report(first_crawl):
    site, log = first_crawl
    [run] = site_runs(site.directory)
    lines = log.splitlines()
    start = next(i for i, line in enumerate(lines) if "Run report (crawl 1), per site:" in line)
    assert "WARNING" in lines[start]  # a flagged site: shown even with LOG_LEVEL=WARNING
    assert lines[start + 1].split() == ["site", "fetched", "new", "updated", "unchanged", "not_article", "errors",
                                        "blocked", "words"]
    assert lines[start + 2].split() == [run["site"], str(run["fetched"]), "5", "0", str(run["unchanged"]),
                                        str(run["not_article"]), "1", "4", str(run["median_words"])]
    assert f"flagged {run['site']}: 4 of" in lines[start + 3]


def test_a_wall_in_front_of_an_archived_article_keeps_it_and_the_cli_reports_it(first_crawl, walled_site, tmp_path):
    site, _ = first_crawl
    directory = tmp_path / "archive"
    subprocess.run(["cp", "-a", str(site.directory), str(directory)], check=True)
    plain = "/news/plain-story.html"
    before = Database(directory / "news.db")["articles"].get(site.url.rstrip("/") + plain)
    routes = walled_site.routes
    original = routes[plain]
    routes[plain] = Response(200, CHALLENGE)
    try:
        # In full: an incremental crawl would not fetch the archived article again (it is not young).
        command = [sys.executable, "-m", "newsarchive.cli", "crawl", site.url, "--refetch-all", "--dir", str(directory)]
        for name, value in {**FAST, "NEWSARCHIVE_EXTRACT_WORKERS": "1", "RETRY_TIMES": "0"}.items():
            command += ["-s", f"{name}={value}"]
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=240, env=env)
    finally:
        routes[plain] = original
    assert done.returncode == 0, done.stderr[-3000:]
    db = Database(directory / "news.db")
    url = site.url.rstrip("/") + plain
    assert db["pages"].get(url)["outcome"] == "blocked"
    kept = db["articles"].get(url)
    assert (kept["text"], kept["warc_record_id"], kept["crawl_id"]) == (before["text"], before["warc_record_id"], 1)
    second = site_runs(directory)[-1]
    assert (second["crawl_id"], second["new"], second["updated"], second["blocked"]) == (2, 0, 0, 5)
    assert second["unchanged"] >= 4  # the other articles: same payload, revisit records
    # Printed once, by the CLI (not logged by the extension too).
    out = done.stdout
    assert out.count("Run report (crawl 2), per site:") == 1 and "Run report" not in done.stderr
    row = out.splitlines()[out.splitlines().index("Run report (crawl 2), per site:") + 2].split()
    assert row[:3] == [second["site"], str(second["fetched"]), "0"] and row[7] == "5"
    health = CliRunner().invoke(main, ["health", "--dir", str(directory)])
    assert health.exit_code == 0
    assert f"FLAG {second['site']}: 5 of {second['fetched']} pages blocked" in health.output
    # Re-extraction judges the challenge pages that came with a 200 again: still walls, the article still kept.
    report = reextract(directory, workers=1)
    assert report.outcomes == {"blocked": 2, "article": 4, "not_article": 3}, report.outcomes  # /, about, robots.txt
    assert db["pages"].get(url)["outcome"] == "blocked" and db["articles"].get(url)["text"] == before["text"]
