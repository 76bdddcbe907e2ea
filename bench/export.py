"""Benchmark: ``newsarchive export`` memory and speed as the archive grows.

Generates an archive database of N articles (about 600 words each, lists and
dates filled in, no WARC files: export reads only the database), then exports
the first N/5 and all N of them in each format, each in a fresh process, and
reports peak RSS and rows per second. Memory is flat when the peak for N is
about the peak for N/5: rows are streamed in batches, never held all at once.

    .venv/bin/python bench/export.py [-n 50000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from newsarchive.db.store import open_db  # noqa: E402

WORDS = ("council budget river bridge school teachers voters mayor harbour festival storm rescue museum library "
         "railway station farmers market hospital nurses election candidates report inquiry court judge").split()

CHILD = """
import resource, sys, time
from newsarchive.archive import Archive, ArticleFilter
from newsarchive.jobs.export import export
directory, fmt, out, limit = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
start = time.perf_counter()
with Archive(directory) as archive:
    chosen = ArticleFilter(until=limit)
    report = export(archive, out, fmt, chosen)
elapsed = time.perf_counter() - start
print(report.rows, elapsed, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def generate(directory: Path, count: int) -> None:
    rng = random.Random(1)
    db = open_db(directory / "news.db")
    # The FTS triggers are most of the insert cost and export does not read the index.
    db.execute("DROP TRIGGER IF EXISTS articles_ai")

    def rows():
        for i in range(count):
            # Day i // (count / 5) + 1 of 5, so --until day 1 selects the first fifth.
            day = 1 + i * 5 // count
            text = "\n".join(" ".join(rng.choices(WORDS, k=60)) for _ in range(10))
            yield {
                "url": f"https://site{i % 50}.example/news/{i}.html", "title": f"Story {i}", "site": f"Site {i % 50}",
                "authors": json.dumps([f"Writer {i % 300}"]), "tags": json.dumps(["news", f"tag{i % 40}"]),
                "categories": json.dumps(["News"]), "removed": "[]", "language": "en",
                "published": f"2026-01-0{day}T10:00:00+00:00", "fetched_at": f"2026-01-0{day}T12:00:00+00:00",
                "text": text, "word_count": 600, "status": 200, "fingerprint": f"{i:040x}",
            }

    db["articles"].insert_all(rows(), batch_size=2000)
    db.close()


def measure(directory: Path, fmt: str, until: str) -> tuple[int, float, float]:
    out = directory / f"out.{fmt}"
    done = subprocess.run([sys.executable, "-c", CHILD, str(directory), fmt, str(out), until],
                          capture_output=True, text=True, check=True, cwd=ROOT)
    rows, elapsed, rss = done.stdout.split()
    out.unlink()
    return int(rows), float(elapsed), float(rss)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=50_000)
    parser.add_argument("--keep", type=Path, help="Generate into (or reuse) this folder instead of a temp dir.")
    args = parser.parse_args()
    directory = args.keep or Path(tempfile.mkdtemp(prefix="export-bench-"))
    if not (directory / "news.db").exists():
        start = time.perf_counter()
        generate(directory, args.n)
        size = (directory / "news.db").stat().st_size / 1e6
        print(f"generated {args.n} articles ({size:.0f} MB) in {time.perf_counter() - start:.0f} s: {directory}")
    print(f"{'format':8} {'rows':>8} {'seconds':>8} {'rows/s':>8} {'peak RSS MB':>12}")
    for fmt in ("jsonl", "csv", "parquet"):
        for until in ("2026-01-01", "2026-01-05"):
            rows, elapsed, rss = measure(directory, fmt, until)
            print(f"{fmt:8} {rows:8} {elapsed:8.1f} {rows / elapsed:8.0f} {rss:12.0f}")


if __name__ == "__main__":
    main()
