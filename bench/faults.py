"""The issue-9 resume measurement: N cycles of (fresh archive, crawl killed at a random moment, same command
run again to its end); how many of the site's articles each cycle lost.

    .venv/bin/python bench/faults.py --cycles 20 --jobdir            # this checkout
    FAULT_CHECKOUT=/work/main .venv/bin/python bench/faults.py ...   # another checkout's crawls

The local site is tests/fault_helpers.py's (300 articles, links, robots.txt, sitemap). Besides
articles lost it reports dangling pointers, integrity, unfinished crawls rows and orphaned workers.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from fault_helpers import NewsSite, check_archive, kill_after, start_crawl  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cycles", type=int, default=20)
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--jobdir", action="store_true", help="crawl with -s JOBDIR=…")
    parser.add_argument("--longest", type=float, default=12.0, help="kill at most this many seconds in")
    parser.add_argument("--seed", type=int, default=9)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    totals = {"lost": 0, "cycles_losing": 0, "dangling": 0, "bad_integrity": 0, "unfinished": 0, "orphans": 0,
              "kills": 0}
    with NewsSite(args.articles) as site:
        for cycle in range(args.cycles):
            root = Path(tempfile.mkdtemp(prefix="faults-"))
            directory, job = root / "archive", (root / "job" if args.jobdir else None)
            started = time.monotonic()
            kill = kill_after(start_crawl(directory, {"start_urls": site.url}, job), rng.uniform(1.0, args.longest))
            code = start_crawl(directory, {"start_urls": site.url}, job).wait(timeout=600)
            found = check_archive(directory, site.article_urls, [kill] if kill else [])
            totals["kills"] += kill is not None
            totals["lost"] += len(found.lost)
            totals["cycles_losing"] += bool(found.lost)
            totals["dangling"] += len(found.dangling)
            totals["bad_integrity"] += found.integrity != "ok"
            totals["unfinished"] += len(found.unfinished)
            totals["orphans"] += len(found.orphans)
            print(f"cycle {cycle + 1}: killed at {kill.after if kill else '-':.4} s, resume exit {code}, "
                  f"lost {len(found.lost)}/{args.articles}, dangling {len(found.dangling)}, "
                  f"integrity {found.integrity}, unfinished {found.unfinished}, orphans {len(found.orphans)} "
                  f"({time.monotonic() - started:.0f} s)", flush=True)
    print(f"{args.cycles} cycles ({totals['kills']} killed mid-crawl): {totals['lost']} of "
          f"{args.cycles * args.articles} articles lost, in {totals['cycles_losing']} cycles; "
          f"dangling {totals['dangling']}, integrity failures {totals['bad_integrity']}, "
          f"unfinished crawls rows {totals['unfinished']}, orphaned workers {totals['orphans']}")


if __name__ == "__main__":
    main()
