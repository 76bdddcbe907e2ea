"""Issue 11: what incremental crawling saves, and what the archive's size costs in memory.

    .venv/bin/python bench/incremental_crawl.py                      # both parts
    .venv/bin/python bench/incremental_crawl.py --part polling --polls 8 --new 3 --old 100
    .venv/bin/python bench/incremental_crawl.py --part memory --known 100000

(a) ``polling``: a simulated day of polling one site (tests/living_site.py: a home page, an archive
section, robots.txt, a sitemap, an RSS feed, ETag/Last-Modified and 304s). The site starts with
``--old`` articles; before each of ``--polls`` crawls it publishes ``--new`` more. The same schedule
runs twice, into two archives: incremental (the default) and ``NEWSARCHIVE_REFETCH=all``. Reported:
requests the server answered per poll and per new article, and how many were 200s and 304s. The
revisit policy is off here (``NEWSARCHIVE_REVISIT_YOUNG_DAYS=0``): the polls run minutes apart, not
hours, so its intervals would not mean what they mean in a day.

(b) ``memory``: peak RSS of the crawl process (Scrapy's ``memusage/max`` stat, sampled every 0.2 s) crawling a 50-article
site into an empty archive, and into one whose database already holds ``--known`` URLs (pages,
articles and article_versions rows written straight into SQLite).
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from archive_helpers import run_crawl  # noqa: E402
from living_site import LivingSite  # noqa: E402
from newsarchive.db.store import open_db  # noqa: E402

from datetime import timedelta  # noqa: E402

QUIET = {"LOG_LEVEL": "WARNING", "NEWSARCHIVE_EXTRACT_WORKERS": "1", "NEWSARCHIVE_REVISIT_YOUNG_DAYS": "0"}


def crawl(site: LivingSite, directory: Path, **settings: str) -> dict:
    run_crawl(directory, settings={**QUIET, **settings}, start_urls=site.url,
              feed_urls=site.url + "feed.xml").check()
    db = sqlite3.connect(directory / "news.db")
    try:
        return json.loads(db.execute("SELECT stats FROM crawls ORDER BY id DESC LIMIT 1").fetchone()[0])
    finally:
        db.close()


def polling(polls: int, new: int, old: int) -> None:
    results = {}
    for mode, settings in (("incremental", {}), ("full recrawl", {"NEWSARCHIVE_REFETCH": "all"})):
        directory = Path(tempfile.mkdtemp(prefix="bench-incr-")) / "archive"
        with LivingSite() as site:
            for n in range(old):
                site.publish(f"old-{n}", f"Old story {n}", 10_000 + n, age=timedelta(days=30 + n % 30), section="old")
            crawl(site, directory, **settings)
            site.log.clear()
            seed = 20_000
            for poll in range(polls):
                for _ in range(new):
                    seed += 1
                    site.publish(f"new-{seed}", f"New story {seed}", seed)
                time.sleep(1.05)  # Last-Modified has one-second resolution
                crawl(site, directory, **settings)
            hits = list(site.log)
        stored = sqlite3.connect(directory / "news.db").execute("SELECT count(*) FROM articles").fetchone()[0]
        statuses = {code: sum(1 for h in hits if h.status == code) for code in (200, 304)}
        results[mode] = len(hits)
        print(f"{mode:>13}: {len(hits)} requests over {polls} polls ({len(hits) / polls:.1f} per poll), "
              f"{len(hits) / (polls * new):.2f} per new article; 200: {statuses[200]}, 304: {statuses[304]}; "
              f"articles stored {stored} (expected {old + polls * new})")
    print(f"full recrawl / incremental requests: {results['full recrawl'] / results['incremental']:.1f}x")


def build_known(directory: Path, known: int, host: str, seeds: list[str]) -> None:
    """``known`` archived articles (pages, articles, article_versions rows) written straight into SQLite.

    Their crawl is the same command, killed: the crawl that follows resumes it, the case in which the
    resume used to load every URL it stored into a set.
    """
    db = open_db(directory / "news.db")
    text = " ".join(["archived words of an older story"] * 10)
    pages, articles, versions = [], [], []
    for n in range(known):
        url = f"{host}archive/{n:06d}.html"
        capture = ("2026-01-01T00:00:00Z", 1, "old.warc.gz", n * 1000, 900, f"<urn:uuid:{n:032x}>", f"sha1:{n:032x}")
        pages.append((url, "article", 200, *capture, '"%d"' % n, "2026-01-01T00:00:00Z"))
        articles.append((url, f"Story {n}", text, 300, f"fp{n}", "2025-12-31T00:00:00Z", *capture))
        versions.append((url, 1, f"Story {n}", text, 300, f"fp{n}", *capture))
    cols = "fetched_at, crawl_id, warc_filename, warc_offset, warc_length, warc_record_id, payload_digest"
    with db.conn:
        db.execute("INSERT INTO crawls (id, spider, started_at, finished_at, finish_reason, start_urls) "
                   "VALUES (1, 'news', '2026-01-01', '2026-01-01', 'interrupted', ?)", [json.dumps(seeds)])
        db.conn.executemany(f"INSERT INTO pages (url, outcome, status, {cols}, etag, checked_at) "
                            f"VALUES ({', '.join('?' * 12)})", pages)
        db.conn.executemany(f"INSERT INTO articles (url, title, text, word_count, fingerprint, published, {cols}) "
                            f"VALUES ({', '.join('?' * 13)})", articles)
        db.conn.executemany(f"INSERT INTO article_versions (url, version, title, text, word_count, fingerprint, "
                            f"{cols}) VALUES ({', '.join('?' * 13)})", versions)
    db.close()


def memory(known: int, repeat: int) -> None:
    """Crawls into an empty archive and into a large one, alternating: the crawl process's start-up RSS
    varies by tens of MiB from run to run whatever the archive holds, so one pair of runs says little."""
    peaks: dict[str, list[float]] = {"empty archive": [], f"{known:,} known URLs": []}
    with LivingSite() as site:
        for n in range(50):
            site.publish(f"story-{n}", f"Story {n}", 30_000 + n, age=timedelta(days=30))
        for _ in range(repeat):
            for label, size in zip(peaks, (0, known)):
                directory = Path(tempfile.mkdtemp(prefix="bench-mem-")) / "archive"
                directory.mkdir(parents=True)
                if size:
                    started = time.monotonic()
                    # In a child process: a crawl's ru_maxrss (Scrapy's memusage) starts from its parent's RSS
                    # at fork, so the parent must not grow by building the rows itself.
                    subprocess.run([sys.executable, __file__, "--build", str(directory), str(size), site.url],
                                   check=True)
                    print(f"built {size:,} rows in {time.monotonic() - started:.1f} s "
                          f"({(directory / 'news.db').stat().st_size / 1e6:.0f} MB)")
                stats = crawl(site, directory, MEMUSAGE_CHECK_INTERVAL_SECONDS="0.2")
                peaks[label].append(stats["memusage/max"] / 2**20)
                print(f"{label:>20}: crawl process peak RSS {peaks[label][-1]:.1f} MiB, "
                      f"{stats.get('downloader/request_count')} requests")
    for label, values in peaks.items():
        print(f"{label:>20}: peak RSS min {min(values):.1f}, median {statistics.median(values):.1f}, "
              f"max {max(values):.1f} MiB over {len(values)} crawls")
    empty, large = (statistics.median(v) for v in peaks.values())
    print(f"median difference: {large - empty:+.1f} MiB ({large / empty:.2f}x)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=("polling", "memory", "both"), default="both")
    parser.add_argument("--polls", type=int, default=8)
    parser.add_argument("--new", type=int, default=3)
    parser.add_argument("--old", type=int, default=100)
    parser.add_argument("--known", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3, help="crawls of each kind in part (b)")
    parser.add_argument("--build", nargs=3, metavar=("DIR", "N", "SITE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build:
        directory, known, site = args.build
        build_known(Path(directory), int(known), site, [site, site + "feed.xml"])
        return
    if args.part in ("polling", "both"):
        polling(args.polls, args.new, args.old)
    if args.part in ("memory", "both"):
        memory(args.known, args.repeat)


if __name__ == "__main__":
    main()
