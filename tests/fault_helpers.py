"""The fault campaign's tools: a generated news site, crawls killed with SIGKILL, and what to check after.

The site (``NewsSite``) has a home page, section pages, and articles that
link to related articles, plus a robots.txt naming a sitemap of some of them:
every way the spider finds pages, at every depth. A crawl runs as
``scrapy crawl news`` in a child process, exactly as users run it, and is
killed at a random moment (``kill -9``: no handler runs, nothing is flushed).

``FAULT_CHECKOUT`` (an environment variable) runs the crawls from another
checkout, e.g. ``main``, to measure what it loses with the same campaign.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from archive_helpers import FAST, article_html
from newsarchive.demo.responses import Response
from newsarchive.demo.server import SiteServer
from newsarchive.archive import ArchiveDir
from newsarchive.warc.records import RecordError, read_record

CHECKOUT = Path(os.environ.get("FAULT_CHECKOUT") or Path(__file__).resolve().parent.parent)

# A local server needs no politeness (FAST), and the campaign reads the crawl's log.
SETTINGS = {
    **FAST,
    "LOG_LEVEL": "INFO",
    # Small batches: a kill falls between many of them.
    "NEWSARCHIVE_DB_BATCH": "10",
    "NEWSARCHIVE_DB_FLUSH_SECONDS": "0.5",
}


class CountingRoutes(dict):
    """Routes that count how often each path was asked for."""

    def __init__(self, *args) -> None:
        super().__init__(*args)
        self.hits: Counter[str] = Counter()
        self.delay = 0.0  # seconds each answer waits (each request has its own thread)

    def get(self, path, default=None):
        self.hits[path] += 1
        time.sleep(self.delay)
        return super().get(path, default)


SITEMAP_EVERY = 2  # the sitemap lists every other article


def Route(body: bytes, gzip: bool = False, chunked: bool = False, content_type: str = "text/html") -> Response:
    # gzip-encoded only where asked (and the client accepts it), as a real site would.
    return Response(200, body, content_type=content_type, compressible=gzip, chunked=chunked)


class NewsSite(SiteServer):
    """``articles`` articles in ``sections`` sections, served on 127.0.0.1."""

    def __init__(self, articles: int = 120, sections: int = 8, delay: float = 0.0) -> None:
        super().__init__(routes=CountingRoutes({"/": Route(b"")}))  # filled in below, once the URL is known
        self.start()
        # Kept: the tests read the URL after the server has stopped.
        self._url = SiteServer.url.fget(self)
        self.hits = self.routes.hits
        self.routes.delay = delay
        # A killed crawl resets its connections: expected here, not worth a traceback.
        self._httpd.handle_error = lambda request, client_address: None
        self.article_paths = [f"/news/{i:04d}.html" for i in range(articles)]
        base = self.url.rstrip("/")
        links = lambda paths: "".join(f'<li><a href="{p}">{p}</a></li>' for p in paths)  # noqa: E731
        section_paths = [f"/section/{k}.html" for k in range(sections)]
        self.routes["/"] = Route(f"<html><head><title>Home</title></head><body><ul>{links(section_paths)}"
                                 "</ul></body></html>".encode())
        for k, path in enumerate(section_paths):
            self.routes[path] = Route(f"<html><head><title>Section {k}</title></head><body><ul>"
                                      f"{links(self.article_paths[k::sections])}</ul></body></html>".encode())
        for i, path in enumerate(self.article_paths):
            related = [self.article_paths[(i + step) % articles] for step in (1, 7)]
            extra = f"<aside><ul>{links(related)}</ul></aside>"
            self.routes[path] = Route(article_html(1000 + i, f"Story number {i}", extra=extra).encode(),
                                      gzip=i % 3 == 0, chunked=i % 5 == 0)
        self.routes["/robots.txt"] = Route(f"User-agent: *\nAllow: /\nSitemap: {base}/sitemap.xml\n".encode(),
                                           content_type="text/plain")
        entries = "".join(f"<url><loc>{base}{p}</loc></url>" for p in self.article_paths[::SITEMAP_EVERY])
        self.routes["/sitemap.xml"] = Route(
            f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</urlset>'
            .encode(), content_type="application/xml")

    @property
    def url(self) -> str:
        return getattr(self, "_url", None) or SiteServer.url.fget(self)

    @property
    def article_urls(self) -> set[str]:
        return {self.url.rstrip("/") + path for path in self.article_paths}

    @property
    def sitemap_urls(self) -> set[str]:
        """The articles its sitemap lists."""
        return {self.url.rstrip("/") + path for path in self.article_paths[::SITEMAP_EVERY]}


def start_crawl(directory: Path, seeds: dict[str, str], jobdir: Path | None = None,
                crash_at: str | None = None, extra: dict[str, str] | None = None) -> subprocess.Popen:
    """``scrapy crawl news -a start_urls=…`` (or ``sitemap_urls``…) into ``directory``, its log beside it.

    ``crash_at``: a crash point of ``crash_points.py``, where the crawl kills itself.
    """
    settings = {**SETTINGS, "NEWSARCHIVE_DIR": str(directory), **({"JOBDIR": str(jobdir)} if jobdir else {}),
                **(extra or {})}
    command = [sys.executable, "-m", "scrapy", "crawl", "news"]
    for name, value in seeds.items():
        command += ["-a", f"{name}={value}"]
    for name, value in settings.items():
        command += ["-s", f"{name}={value}"]
    log = open(directory.parent / f"{directory.name}.log", "a")
    env = {**os.environ, "PYTHONPATH": str(CHECKOUT)}
    if crash_at:
        # crash_points.py is loaded at start-up as sitecustomize and patches the point in.
        env.update(PYTHONPATH=f"{Path(__file__).parent / 'crash_points'}{os.pathsep}{CHECKOUT}", CRASH_AT=crash_at)
    return subprocess.Popen(command, cwd=CHECKOUT, stdout=log, stderr=subprocess.STDOUT, env=env)


def children(pid: int) -> set[int]:
    """Live processes whose parent is ``pid`` (Linux /proc): a crawl's extraction workers."""
    found = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit() and _stat(int(entry))[1:2] == [str(pid)]:
            found.add(int(entry))
    return found


def alive(pid: int) -> bool:
    state = _stat(pid)
    return bool(state) and state[0] != "Z"


def _stat(pid: int) -> list[str]:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[:2]
    except (OSError, IndexError):
        return []


@dataclass
class Kill:
    after: float  # seconds into the crawl
    workers: set[int]  # the crawl's children when it was killed
    began: bool = True  # the run had written its crawls row: it leaves an "interrupted" one


def kill_after(crawl: subprocess.Popen, seconds: float, started: Callable[[], bool] | None = None) -> Kill | None:
    """SIGKILL the crawl ``seconds`` after it started; None if it ended first.

    ``started``: says whether the run has begun (its ``crawls`` row written) when it is killed; a
    loaded machine's slow interpreter start can make a kill land before the run exists.
    """
    try:
        crawl.wait(timeout=seconds)
        return None
    except subprocess.TimeoutExpired:
        pass
    began = started() if started is not None else True
    workers = children(crawl.pid)
    crawl.send_signal(signal.SIGKILL)
    crawl.wait()
    return Kill(seconds, workers, began)


@dataclass
class Findings:
    lost: list[str] = field(default_factory=list)  # expected articles without an articles row
    dangling: list[str] = field(default_factory=list)  # rows or index lines whose WARC record is not there
    integrity: str = ""
    unfinished: list[int] = field(default_factory=list)  # crawls rows never finished
    open_journals: list[str] = field(default_factory=list)
    orphans: list[int] = field(default_factory=list)  # workers alive after their crawl was killed

    @property
    def ok(self) -> bool:
        return (not self.lost and not self.dangling and self.integrity == "ok" and not self.unfinished
                and not self.open_journals and not self.orphans)


def check_archive(directory: Path, expected: set[str], kills: list[Kill] = ()) -> Findings:
    archive = ArchiveDir(directory)
    found = Findings()
    db = sqlite3.connect(archive.db_path)
    try:
        found.integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
        stored = {url for (url,) in db.execute("SELECT url FROM articles")}
        found.lost = sorted(expected - stored)
        for table in ("pages", "articles"):
            for url, name, offset, record_id in db.execute(
                    f"SELECT url, warc_filename, warc_offset, warc_record_id FROM {table} "
                    "WHERE warc_filename IS NOT NULL"):
                if not _record_is(archive.warc_path(name), offset, record_id):
                    found.dangling.append(f"{table}: {url}")
        found.unfinished = [row[0] for row in db.execute("SELECT id FROM crawls WHERE finished_at IS NULL")]
    finally:
        db.close()
    for index in archive.index_dir.glob("*.cdxj"):
        for line in index.read_text().splitlines():
            fields = json.loads(line.split(" ", 2)[2])
            try:
                ok = read_record(archive.warc_path(fields["filename"]), int(fields["offset"])).url == fields["url"]
            except RecordError:
                ok = False
            if not ok:
                found.dangling.append(f"{index.name}: {fields['url']}")
    found.open_journals = sorted(p.name for p in archive.index_dir.glob("*.open"))
    deadline = time.monotonic() + 5
    pids = {pid for kill in kills for pid in kill.workers}
    while time.monotonic() < deadline and any(alive(pid) for pid in pids):
        time.sleep(0.2)
    found.orphans = sorted(pid for pid in pids if alive(pid))
    return found


def _record_is(path: Path, offset: int, record_id: str | None) -> bool:
    try:
        record = read_record(path, offset)
    except RecordError:
        return False
    return record.warc_headers.get_header("WARC-Record-ID") == record_id


FULL = {"NEWSARCHIVE_REFETCH": "all"}


def count_runs(directory: Path) -> int:
    """How many ``crawls`` rows the archive holds (0 before it has a database)."""
    try:
        db = sqlite3.connect(f"file:{directory / 'news.db'}?mode=ro", uri=True)
        try:
            return db.execute("SELECT count(*) FROM crawls").fetchone()[0]
        finally:
            db.close()
    except sqlite3.Error:
        return 0


def campaign(directory: Path, site: NewsSite, kills: int, jobdir: bool | None, seed: int, longest: float = 8.0,
             sitemap: bool = False) -> tuple[list[Kill], Findings]:
    """Crawls killed at random moments (up to ``longest`` s in) until ``kills`` were, then one run to its end.

    A run that ends before its moment does not count; later moments fall within as long a run. A
    finished run ends an episode: the next gets a new JOBDIR (a finished job has nothing left to do).
    ``jobdir``: True with JOBDIR, False without, None alternating.
    ``sitemap``: seeded with the site's sitemap instead of its home page.
    """
    rng = random.Random(seed)
    done: list[Kill] = []
    episode = 0  # a JOBDIR whose job finished has nothing left to do: the next run gets a new one
    seeds = {"sitemap_urls": site.url + "sitemap.xml"} if sitemap else {"start_urls": site.url}
    for attempt in range(kills * 4):
        if len(done) == kills:
            break
        job = directory.parent / f"job-{episode}" if (jobdir if jobdir is not None else len(done) % 2 == 0) else None
        started = time.monotonic()
        runs = count_runs(directory)
        # Every run a full crawl (REFETCH=all): an incremental rerun after a finished episode has
        # nothing left to fetch and would end before any kill could land.
        kill = kill_after(start_crawl(directory, seeds, job, extra=FULL), rng.uniform(1.0, longest),
                          started=lambda: count_runs(directory) > runs)
        if kill is not None:
            done.append(kill)
        else:
            # Ended first: later runs (recrawls, quicker) are killed within as long a run.
            longest = max(1.5, time.monotonic() - started)
            episode += 1
    job = directory.parent / f"job-{episode}" if (jobdir if jobdir is not None else len(done) % 2 == 0) else None
    code = start_crawl(directory, seeds, job, extra=FULL).wait(timeout=600)
    assert code == 0, (directory.parent / f"{directory.name}.log").read_text()[-3000:]
    expected = site.sitemap_urls if sitemap else site.article_urls
    return done, check_archive(directory, expected, done)


def wait_for_articles(directory: Path, count: int, crawl: subprocess.Popen | None = None,
                      timeout: float = 60.0) -> int:
    """Wait until the archive holds ``count`` articles (while ``crawl``, if given, still runs)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and (crawl is None or crawl.poll() is None):
        try:
            db = sqlite3.connect(directory / "news.db")
            stored = db.execute("SELECT count(*) FROM articles").fetchone()[0]
            db.close()
        except sqlite3.Error:
            stored = 0
        if stored >= count:
            return stored
        time.sleep(0.1)
    raise AssertionError(f"fewer than {count} articles stored in time")
