"""Full-text search on a 100,000-article database: top 20 by relevance, with snippets.

    .venv/bin/python bench/search.py [--articles 100000] [--db /tmp/search-bench.db] [--queries 200]

Builds the database with the project's own schema (``open_db``: migrations,
FTS5 with its triggers, the indexes) from generated articles: ~350 words each
from a 40,000-word vocabulary with Zipf-distributed frequencies, as natural
language has; then times ``SEARCH_SQL`` (the Datasette search's FTS5 table,
ranked by bm25, snippets of the text) for queries of one and two words drawn
from the same distribution, without the 100 most frequent words (nobody
searches for "the"). An existing ``--db`` with enough articles is reused.
Prints the median, 90th percentile and worst time, and the slowest queries.
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import random
import statistics
import string
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from newsarchive.db.store import open_db  # noqa: E402

# The query the archive's readers run: the 20 best matches by bm25, each with a snippet of its text.
SEARCH_SQL = """
SELECT articles.url, articles.title,
       snippet(articles_fts, 1, '[', ']', '…', 16) AS snippet
FROM articles_fts JOIN articles ON articles.rowid = articles_fts.rowid
WHERE articles_fts MATCH ?
ORDER BY articles_fts.rank
LIMIT 20
"""
VOCABULARY = 40_000
SKIP_COMMON = 100


def vocabulary(rng: random.Random) -> list[str]:
    words: set[str] = set()
    while len(words) < VOCABULARY:
        words.add("".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(3, 10))))
    return sorted(words, key=lambda w: rng.random())


def zipf_sampler(rng: random.Random, words: list[str]):
    cumulative = list(itertools.accumulate(1 / (rank + 1) ** 1.05 for rank in range(len(words))))
    total = cumulative[-1]

    def sample(k: int, start: int = 0) -> list[str]:
        low = cumulative[start - 1] if start else 0.0
        return [words[bisect.bisect_left(cumulative, low + rng.random() * (total - low))] for _ in range(k)]

    return sample


def article_rows(count: int, rng: random.Random, sample):
    for i in range(count):
        paragraphs = [" ".join(sample(rng.randint(40, 90))).capitalize() + "." for _ in range(rng.randint(3, 6))]
        text = "\n\n".join(paragraphs)
        yield {
            "url": f"https://news.example/{i % 50}/story-{i}.html",
            "title": " ".join(sample(rng.randint(5, 10))).capitalize(),
            "site": f"news{i % 50}.example",
            "language": "en",
            "published": f"2026-{1 + i % 12:02d}-{1 + i % 28:02d}",
            "text": text,
            "word_count": len(text.split()),
            "fingerprint": f"{i:016x}",
            "authors": "[]", "tags": "[]", "categories": "[]", "removed": "[]",
        }


def build(path: Path, count: int, rng: random.Random, sample) -> float:
    db = open_db(path)
    start = time.perf_counter()
    rows = article_rows(count, rng, sample)
    while batch := list(itertools.islice(rows, 1000)):
        with db.conn:
            db["articles"].insert_all(batch, batch_size=1000)
    seconds = time.perf_counter() - start
    db.execute("INSERT INTO articles_fts(articles_fts) VALUES('optimize')")
    db.conn.commit()
    db.close()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--db", type=Path, help="build here (or reuse); default: a temp dir")
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    rng = random.Random(20261130)
    words = vocabulary(rng)
    sample = zipf_sampler(rng, words)
    with tempfile.TemporaryDirectory() as tmp:
        path = args.db or Path(tmp) / "news.db"
        db = open_db(path)
        have = db["articles"].count
        db.close()
        if have < args.articles:
            seconds = build(path, args.articles - have, rng, sample)
            print(f"built {args.articles - have} articles in {seconds:.0f} s "
                  f"({(args.articles - have) / seconds:.0f} rows/s with FTS triggers), "
                  f"{path.stat().st_size / 1e6:.0f} MB")
        db = open_db(path)
        queries = [" ".join(sample(rng.choice((1, 1, 2)), start=SKIP_COMMON)) for _ in range(args.queries)]
        for query in queries[:10]:  # warm the page cache
            db.execute(SEARCH_SQL, [query]).fetchall()
        times = []
        for query in queries:
            start = time.perf_counter()
            found = db.execute(SEARCH_SQL, [query]).fetchall()
            times.append((time.perf_counter() - start, query, len(found)))
        plan = db.execute("EXPLAIN QUERY PLAN " + SEARCH_SQL, [queries[0]]).fetchall()
        db.close()
    ms = sorted(1000 * t for t, _, _ in times)
    print(f"{args.articles} articles, {len(times)} queries: "
          f"median {statistics.median(ms):.2f} ms, p90 {ms[int(0.9 * len(ms))]:.2f} ms, worst {ms[-1]:.2f} ms "
          f"(target: median < 5 ms)")
    print("slowest:", ", ".join(f"{q!r} {1000 * t:.1f} ms ({n} rows)" for t, q, n in sorted(times)[-3:]))
    print("plan:", " / ".join(row[-1] for row in plan))


if __name__ == "__main__":
    main()
