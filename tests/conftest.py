"""Shared fixtures: the demo site on 127.0.0.1 (port 0) and real crawls in subprocesses.

Scrapy's reactor can start only once per process, so each crawl runs as
``scrapy crawl news`` in a child process, exactly as users run it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from newsarchive.demo import SITE_DIR, load_truth
from newsarchive.demo.server import SiteServer

ROOT = Path(__file__).resolve().parent.parent

# Local server: no politeness delays, quick timeouts.
FAST = {
    "DOWNLOAD_DELAY": "0",
    "AUTOTHROTTLE_ENABLED": "False",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "8",
    "DOWNLOAD_TIMEOUT": "20",
    "NEWSARCHIVE_EXTRACT_WORKERS": "2",
    "TELNETCONSOLE_ENABLED": "False",
}


@dataclass
class CrawlRun:
    directory: Path
    returncode: int
    log: str

    @property
    def db(self) -> Path:
        return self.directory / "news.db"

    @property
    def warcs(self) -> list[Path]:
        return sorted((self.directory / "warc").glob("*.warc.gz"))


def run_crawl(directory: Path, settings: dict[str, str] | None = None, timeout: float = 240, **args: str) -> CrawlRun:
    """``scrapy crawl news -a NAME=VALUE… -s NAME=VALUE…`` from the checkout root."""
    command = [sys.executable, "-m", "scrapy", "crawl", "news"]
    for name, value in args.items():
        command += ["-a", f"{name}={value}"]
    for name, value in {**FAST, "NEWSARCHIVE_DIR": str(directory), **(settings or {})}.items():
        command += ["-s", f"{name}={value}"]
    # tests/ too, for components only tests use (tests/loopback_dns.py); not as the package
    # "tests", which some installed distributions shadow.
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "tests")])}
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=timeout, env=env)
    return CrawlRun(directory, done.returncode, done.stderr + done.stdout)


@pytest.fixture(scope="session")
def site():
    with SiteServer(SITE_DIR) as server:
        yield server


@pytest.fixture(scope="session")
def truth():
    return load_truth()
