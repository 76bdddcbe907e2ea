"""The reading room in a real headless Chromium: pages render, the chart draws, screenshots are kept.

Screenshots land in tests/artifacts/browser/ (or $NEWSARCHIVE_SCREENSHOTS) for a reviewer to open:
articles.png, article.png, search.png, chart.png. Chromium comes from Debian's packages
(``apt-get install -y chromium``); without it these tests are skipped, saying so.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from datasette.utils import tilde_encode

from reading_room_helpers import demo_archive

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SHOTS = Path(os.environ.get("NEWSARCHIVE_SCREENSHOTS") or ROOT / "tests" / "artifacts" / "browser")

pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="no Chromium: install it with `apt-get install -y chromium` (Debian) to run the browser tests")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(demo_site, tmp_path_factory):
    """``newsarchive serve`` on the crawled demo archive, as a user starts it."""
    archive = demo_archive(demo_site, tmp_path_factory)
    port = free_port()
    process = subprocess.Popen([str(Path(sys.executable).parent / "newsarchive"), "serve", "--dir", str(archive),
                                "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            time.sleep(0.2)
    else:
        process.kill()
        pytest.fail(f"newsarchive serve did not start: {process.communicate()[0][-2000:]!r}")
    SHOTS.mkdir(parents=True, exist_ok=True)
    yield f"http://127.0.0.1:{port}", archive
    process.terminate()
    process.wait(timeout=10)


class ScreenshotsNote:
    """Says where the screenshots are, in pytest's closing summary (output during tests is captured)."""

    @staticmethod
    def pytest_terminal_summary(terminalreporter):
        terminalreporter.write_line(f"browser screenshots (articles, article, search, chart): {SHOTS}")


@pytest.fixture(scope="module", autouse=True)
def say_where_screenshots_are(request):
    if not request.config.pluginmanager.has_plugin("newsarchive-screenshots"):
        request.config.pluginmanager.register(ScreenshotsNote(), "newsarchive-screenshots")


def chromium(tmp_path: Path, url: str, *args: str) -> subprocess.CompletedProcess:
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
               f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1280,1100",
               # Virtual time runs until the page and its scripts (the chart's data fetch) are done.
               "--virtual-time-budget=10000", *args, url]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def screenshot(tmp_path: Path, url: str, name: str) -> Path:
    path = SHOTS / name
    path.unlink(missing_ok=True)
    done = chromium(tmp_path, url, f"--screenshot={path}")
    assert path.exists(), done.stderr[-2000:]
    # A blank page compresses to a few KB; a page with text and pictures does not.
    assert path.stat().st_size > 20_000, f"{path} looks blank"
    return path


def dom(tmp_path: Path, url: str) -> str:
    done = chromium(tmp_path, url, "--dump-dom")
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def first_url(archive: Path, where: str) -> str:
    import sqlite3

    with sqlite3.connect(archive / "news.db") as conn:
        return conn.execute(f"SELECT url FROM articles WHERE {where} ORDER BY published DESC").fetchone()[0]


def test_articles_list(server, tmp_path):
    base, _ = server
    html = dom(tmp_path, f"{base}/news/articles")
    assert re.findall(r"<th>(\w+)</th>", html)[:5] == ["title", "site", "published", "authors", "words"]
    screenshot(tmp_path, f"{base}/news/articles", "articles.png")


def test_article_page(server, tmp_path):
    base, archive = server
    url = f"{base}/news/articles/{tilde_encode(first_url(archive, 'authors != ' + repr('[]')))}"
    html = dom(tmp_path, url)
    assert '<article class="reading">' in html and 'class="raw-capture"' in html
    screenshot(tmp_path, url, "article.png")


def test_search_results_with_snippets(server, tmp_path):
    base, _ = server
    url = f"{base}/news/search?q={quote('harbour')}"
    html = dom(tmp_path, url)
    assert html.count('<p class="snippet">') >= 2 and "<mark>harbour" in html.lower()
    screenshot(tmp_path, url, "search.png")


def test_chart_of_articles_per_day_draws(server, tmp_path):
    base, _ = server
    url = f"{base}/-/dashboards/overview"
    html = dom(tmp_path, url)
    chart = html[html.index('id="chart-per-day"'):]
    # vega-embed has drawn: Vega's SVG (class "marks") or canvas inside the chart, which the server sends empty.
    assert re.search(r'<svg [^>]*class="marks"|<canvas\b', chart[:5000]), chart[:2000]
    screenshot(tmp_path, url, "chart.png")
