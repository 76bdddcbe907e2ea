"""Where the crawl process's CPU goes: a py-spy raw profile summed by component.

    py-spy record --threads -r 200 -f raw -o crawl.txt -- python -m scrapy crawl news ...
    .venv/bin/python bench/profile_summary.py crawl.txt --pages 600 [--rate 200] [--cpu-ms 3.2]

Each sample's stack is put in the bucket of the frame nearest its leaf that
matches a rule below (so zlib under warcio counts as WARC writing, SQLite
under the pipeline as SQLite); imports anywhere in a stack count as startup.
Prints milliseconds per page for each bucket and the top functions by own time.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path

# (bucket, pattern on one frame "function (path:line)"), checked from the leaf towards the root.
RULES = [
    ("WARC writing (warcio, gzip, digests)", r"newsarchive/warc/writer\.py|warcio/|newsarchive/warc/background\.py"),
    ("revisit lookup", r"newsarchive/warc/revisits\.py"),
    ("CDXJ index at crawl end", r"newsarchive/warc/cdxj\.py|cdxj_indexer"),
    ("SQLite rows (Store, sqlite-utils)", r"newsarchive/db/|sqlite_utils/"),
    ("pool hand-off (pickle, queues, futures)", r"newsarchive/processing/pool\.py|concurrent/futures/|multiprocessing/"),
    ("decompression (HttpCompressionMiddleware)", r"httpcompression|scrapy/utils/_compression|gzip\.py"),
    ("response type / charset detection", r"responsetypes|w3lib/encoding|scrapy/http/response/text"),
    ("link extraction", r"linkextractors"),
    ("sitemap / feed parsing", r"newsarchive/crawl/discovery\.py|scrapy/utils/sitemap"),
    ("archive pipeline (rows, stats)", r"newsarchive/crawl/pipeline\.py|newsarchive/crawl/capture\.py"),
    ("spider (items, requests)", r"spiders/news\.py"),
    ("stats collector", r"scrapy/statscollectors"),
    ("HTTP client (Twisted web, TLS, sockets)", r"twisted/web/|scrapy/core/downloader/handlers|scrapy/core/http2"),
    ("Scrapy downloader, scheduler, middlewares", r"scrapy/core/downloader|scrapy/core/scheduler|scrapy/downloadermiddlewares|scrapy/pqueues|queuelib|scrapy/dupefilters|scrapy/utils/request"),
    ("Scrapy engine, scraper, spider middlewares", r"scrapy/"),
    ("reactor / asyncio loop", r"twisted/|asyncio/"),
]
STARTUP = re.compile(r"_find_and_load|_call_with_frames_removed")
# Leaf frames where a thread waits rather than computes (py-spy's idle detection misses some).
WAITING = re.compile(r"^(\S+\.)?(select|wait|poll|_recv|_recv_bytes|_send|acquire) \(")

WAIT_BUCKET = "(waiting: select, locks, pipe to busy workers)"


def bucket(frames: list[str]) -> str:
    if frames and WAITING.search(frames[-1]):
        return WAIT_BUCKET
    if any(STARTUP.search(f) for f in frames):
        return "startup (imports)"
    for frame in reversed(frames):
        for name, pattern in RULES:
            if re.search(pattern, frame):
                return name
    return "other"


def summarize(lines: list[str], pages: int, rate: int = 200, top: int = 25, cpu_ms: float | None = None) -> str:
    """Per-page milliseconds of each bucket.

    py-spy's sample counts overstate CPU (``--gil`` charges idle stretches to the last GIL holder,
    the default mode counts threads blocked in a pipe write), so with ``cpu_ms`` (the crawl's own
    CPU per page, from its stats) each bucket is that figure times the bucket's share of the
    computing samples; without it, samples / rate.
    """
    buckets: Counter[str] = Counter()
    own: Counter[str] = Counter()
    threads: Counter[str] = Counter()
    total = 0
    for line in lines:
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        frames = stack.split(";")
        if frames and frames[0].startswith(("thread (", "process ")):
            threads[frames[0]] += n
            frames = [f for f in frames if not f.startswith(("thread (", "process "))]
        total += n
        buckets[bucket(frames)] += n
        own[re.sub(r":\d+\)$", ")", frames[-1]) if frames else "?"] += n

    busy = total - buckets[WAIT_BUCKET]

    def ms(n: int) -> float:
        return cpu_ms * n / busy if cpu_ms else 1000 * n / rate / pages

    out = [f"crawl process: {total} samples at {rate}/s = {total / rate:.2f} s, of which computing "
           f"{busy / rate:.2f} s; {ms(busy):.2f} ms per page ({pages} pages"
           + (", scaled to the measured CPU)" if cpu_ms else ")")]
    out += [f"  {ms(n):6.2f} ms  {100 * n / total:5.1f}%  {name}" for name, n in buckets.most_common()]
    if len(threads) > 1:
        out.append("by thread:")
        out += [f"  {ms(n):6.2f} ms  {name}" for name, n in threads.most_common()]
    out.append(f"top {top} functions by own time:")
    out += [f"  {ms(n):6.2f} ms  {name}" for name, n in own.most_common(top)]
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("profile", type=Path)
    parser.add_argument("--pages", type=int, required=True)
    parser.add_argument("--rate", type=int, default=200)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--cpu-ms", type=float, help="measured CPU per page to scale the shares to")
    args = parser.parse_args()
    print(summarize(args.profile.read_text().splitlines(), args.pages, args.rate, args.top, args.cpu_ms))


if __name__ == "__main__":
    main()
