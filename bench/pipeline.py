"""End-to-end crawl throughput against bare trafilatura in a 2-process pool, same pages, same run.

    .venv/bin/python bench/pipeline.py [--pages 1500] [--repeat 1]

Generates N article pages (news-CMS-like markup, ~100 KB each), serves them
from 127.0.0.1 with a sitemap, then
  1. bare: trafilatura.extract(html, with_metadata=True, output_format="json")
     over the same pages in a 2-process ProcessPoolExecutor (spawn + map);
  2. crawl: `scrapy crawl news -a sitemap_urls=…` with WARC writing, the
     extraction pool and SQLite, politeness off (local server).
Also runs newsarchive.extract alone in the same kind of pool. Prints pages/s
for all three and two ratios: crawl / bare trafilatura (the end-to-end
figure) and crawl / bare newsarchive (what crawling, WARC and SQLite cost on
top of our extraction). The machine is shared and noisy: compare the ratios,
not the absolute rates.

Per page it also prints the CPU of the crawl process (its stat
``newsarchive/cpu_seconds/crawl`` / pages) and of the extraction workers, and
the workers' CPU of each bare pool. ``--profile FILE`` records the crawl
process with py-spy (``pip install py-spy``; main thread and the WARC writer
thread, no idle samples) and prints where its CPU goes (see
``bench/profile_summary.py``). ``--devset-modern DIR`` serves the real pages
of ``../shared/devset-modern`` (read in place, never copied into the repo)
instead of generated ones, repeated under distinct URLs up to ``--pages``.
``--no-charset`` serves them as ``text/html`` without a charset. ``--compare
CHECKOUT`` also runs the crawl with another checkout's code (e.g. main), for
before/after figures from one run (``--compare-first``: that one first, as load
drifts during a run and CPU time grows with it).
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from newsarchive.archive import ArchiveDir  # noqa: E402
from newsarchive.demo.responses import Response  # noqa: E402
from newsarchive.demo.server import SiteServer, serve_file  # noqa: E402

WORDS = ("harbour council ferry bridge storm festival market school lifeboat tide report minister budget "
         "residents police court weather season museum station trains workers union strike plan vote "
         "mayor museum archive river quay fishing boats crew rescue coast guard funding repair project "
         "delay contract engineers survey families business shop bakery record cargo terminal shipping").split()


def sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(10, 24))]
    return " ".join(words).capitalize() + "."


def article_page(i: int, rng: random.Random) -> str:
    """A page shaped like a real news CMS's: ~100 KB, mega-menu, teasers, comments, inline scripts."""
    paragraphs = "".join(f"<p>{' '.join(sentence(rng) for _ in range(rng.randint(3, 6)))}</p>\n"
                         for _ in range(rng.randint(8, 16)))
    menu = "".join(f'<li class="menu-item"><a href="/section/{a}/{b}/">{a.title()} {b}</a></li>'
                   for a in WORDS[:30] for b in WORDS[30:40])
    teasers = "".join(
        f'<div class="teaser"><div class="teaser__media"><img src="/img/{rng.randint(0, 10**6)}.jpg" alt=""></div>'
        f'<div class="teaser__body"><h3><a href="/news/{rng.randint(0, 10**6)}.html">{sentence(rng)}</a></h3>'
        f'<p>{sentence(rng)}</p><span class="meta">{rng.randint(1, 59)} min ago</span></div></div>'
        for _ in range(24))
    comments = "".join(f'<li class="comment"><b>reader{k}</b><p>{sentence(rng)} {sentence(rng)}</p></li>'
                       for k in range(12))
    script = "var cfg = " + json.dumps({"k%d" % k: sentence(rng) for k in range(150)}) + ";"
    title = sentence(rng)[:-1]
    date = f"2026-03-{1 + i % 28:02d}T08:00:00+00:00"
    ld = json.dumps({"@context": "https://schema.org", "@type": "NewsArticle", "headline": title,
                     "datePublished": date, "author": {"@type": "Person", "name": "Bench Writer"}})
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title} | Bench Gazette</title>
<meta property="og:type" content="article"><meta property="og:site_name" content="Bench Gazette">
<meta property="article:published_time" content="{date}">
<script type="application/ld+json">{ld}</script><script>{script}</script>
<style>{'body{margin:0} .nav li{display:inline} ' * 150}</style></head>
<body><header><div class="top"><nav class="nav"><ul>{menu}</ul></nav></div></header>
<div class="layout"><div class="col-main"><main><article><h1>{title}</h1>
<div class="share"><a href="#">Share on Facebook</a> <a href="#">Share on X</a></div>
<p class="byline">By Bench Writer</p><div class="article-body">{paragraphs}</div></article>
<section class="comments"><h2>{len(comments) and 12} Comments</h2><ol>{comments}</ol></section></main></div>
<aside class="col-side"><h2>Most read</h2>{teasers}</aside></div>
<div class="newsletter">Sign up for our newsletter</div>
<footer><ul>{menu[:20000]}</ul><p>© 2026 Bench Gazette. All rights reserved.</p></footer></body></html>"""


def build_site(directory: Path, count: int) -> list[Path]:
    rng = random.Random(20261125)
    (directory / "news").mkdir(parents=True)
    paths = []
    for i in range(count):
        path = directory / "news" / f"story-{i}.html"
        path.write_text(article_page(i, rng), encoding="utf-8")
        paths.append(path)
    locs = "".join(f"<url><loc>{{{{BASE}}}}/news/story-{i}.html</loc></url>" for i in range(count))
    (directory / "sitemap.xml").write_text(
        f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{locs}</urlset>')
    (directory / "robots.txt").write_text("User-agent: *\nAllow: /\n")
    (directory / "index.html").write_text("<html><body>bench</body></html>")
    return paths


def _bare(html: bytes) -> int:
    import trafilatura

    out = trafilatura.extract(html, with_metadata=True, output_format="json")
    return len(out or "")


def _ours(html: bytes) -> int:
    from newsarchive import extract

    article = extract(html)
    return len(article.text) if article else 0


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def bare_pool(paths: list[Path], fn=_bare) -> tuple[float, float]:
    """Pages/s and the workers' CPU seconds per page (measured once the pool's processes are reaped)."""
    bodies = [p.read_bytes() for p in paths]
    cpu = children_cpu()
    start = time.perf_counter()
    import multiprocessing

    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as pool:
        list(pool.map(fn, bodies, chunksize=4))
    rate = len(bodies) / (time.perf_counter() - start)
    return rate, (children_cpu() - cpu) / len(bodies)


def devset_site(directory: Path, source: Path, count: int) -> list[Path]:
    """Real pages (decompressed from ``source/pages/*.html.gz`` into a temp dir), repeated to ``count`` URLs."""
    originals = sorted((source / "pages").glob("*.html.gz"))
    (directory / "news").mkdir(parents=True)
    paths = []
    for i in range(count):
        path = directory / "news" / f"story-{i}.html"
        if i < len(originals):
            path.write_bytes(gzip.decompress(originals[i].read_bytes()))
        else:
            shutil.copyfile(paths[i % len(originals)], path)
        paths.append(path)
    locs = "".join(f"<url><loc>{{{{BASE}}}}/news/story-{i}.html</loc></url>" for i in range(count))
    (directory / "sitemap.xml").write_text(
        f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{locs}</urlset>')
    (directory / "robots.txt").write_text("User-agent: *\nAllow: /\n")
    return paths


class PrecompressedSite:
    """The site's files served from memory, HTML gzipped once beforehand (as nginx's ``gzip_static``).

    The demo server gzips each HTML response as it sends it: ~4 ms of CPU for a 315 KB page, in
    this process, on the two cores the crawl and its workers share, while the bare pools read
    files and pay nothing of the kind. A real crawl's server is another machine.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.routes: dict[str, Response] = {}
        self.server = SiteServer(routes=self.routes)

    def __enter__(self) -> SiteServer:
        self.server.start()
        base = self.server.url.rstrip("/")
        compressed: dict[bytes, bytes] = {}  # repeated real pages are compressed once
        for path in sorted(p for p in self.root.rglob("*") if p.is_file()):
            url_path = "/" + path.relative_to(self.root).as_posix()
            response = serve_file(self.root, url_path, base)
            if (response.content_type or "").startswith("text/html"):
                if response.body not in compressed:
                    compressed[response.body] = gzip.compress(response.body, 6, mtime=0)
                response = Response(200, compressed[response.body], response.content_type, compressible=False,
                                    headers={"Content-Encoding": "gzip"})
            self.routes[url_path] = response
        self.routes["/"] = self.routes.get("/index.html", Response(200, b"<html></html>"))
        return self.server

    def __exit__(self, *exc_info) -> None:
        self.server.stop()


def crawl(url: str, out: Path, pages: int, profile: Path | None = None,
          root: Path = ROOT) -> tuple[float, int, float, float]:
    settings = {"DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_ENABLED": "False", "CONCURRENT_REQUESTS": "32",
                "CONCURRENT_REQUESTS_PER_DOMAIN": "32", "LOG_LEVEL": "WARNING", "NEWSARCHIVE_DIR": str(out),
                "TELNETCONSOLE_ENABLED": "False"}
    command = [sys.executable, "-m", "scrapy", "crawl", "news", "-a", f"sitemap_urls={url}sitemap.xml"]
    for k, v in settings.items():
        command += ["-s", f"{k}={v}"]
    if profile is not None:
        # The crawl process only (its workers are other processes). --gil: only the thread holding the
        # GIL is sampled, so blocked threads (pipe writes to busy workers, selects) never count as CPU;
        # the GIL-free part of zlib/hashlib is missed and measured apart (bench/README.md).
        command = ["py-spy", "record", "--gil", "--threads", "-r", "200", "-f", "raw", "-o", str(profile),
                   "--"] + command
    # `python -m` puts the working directory first on sys.path: the crawl runs root's code.
    subprocess.run(command, cwd=root, check=True)
    db = sqlite3.connect(ArchiveDir(out).db_path)
    stats = json.loads(db.execute("SELECT stats FROM crawls ORDER BY id DESC LIMIT 1").fetchone()[0])
    articles = db.execute("SELECT count(*) FROM articles").fetchone()[0]
    fetched = stats.get("response_received_count", 0)
    crawl_cpu, workers_cpu = stats["newsarchive/cpu_seconds/crawl"], stats["newsarchive/cpu_seconds/workers"]
    startup = stats.get("newsarchive/cpu_seconds/startup")
    # Near-duplicate clustering runs once at the crawl's end (counted in cpu_seconds/crawl and on its own).
    neardup = stats.get("newsarchive/cpu_seconds/near_duplicates", 0)
    after_start = (f" ({1000 * (crawl_cpu - startup - neardup) / pages:.1f} ms without its {startup:.2f} s start"
                   f" and {neardup:.2f} s of clustering at the end)") if startup else ""
    print(f"crawl: {fetched} responses, {articles} articles, elapsed {stats['elapsed_time_seconds']:.1f} s; "
          f"CPU per page: crawl process {1000 * crawl_cpu / pages:.1f} ms{after_start}, "
          f"workers {1000 * workers_cpu / pages:.1f} ms")
    return pages / float(stats["elapsed_time_seconds"]), articles, (crawl_cpu + workers_cpu) / pages, crawl_cpu / pages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=1500)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--profile", type=Path, help="py-spy raw profile of the crawl process, written here")
    parser.add_argument("--devset-modern", type=Path, help="serve these real pages (e.g. ../shared/devset-modern)")
    parser.add_argument("--compare", type=Path, metavar="CHECKOUT",
                        help="also crawl with another checkout's code (e.g. /work/main), same pages, same run")
    parser.add_argument("--compare-first", action="store_true",
                        help="crawl with the --compare checkout before this one (load drifts during a run)")
    parser.add_argument("--no-charset", action="store_true",
                        help="serve HTML as plain text/html, no charset (as many servers do)")
    args = parser.parse_args()
    if args.no_charset:
        from newsarchive.demo import server as demo_server

        demo_server._CONTENT_TYPES[".html"] = "text/html"
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        if args.devset_modern:
            paths = devset_site(site, args.devset_modern, args.pages)
        else:
            paths = build_site(site, args.pages)
        size = sum(p.stat().st_size for p in paths) / len(paths) / 1000
        print(f"{len(paths)} pages, {size:.0f} KB each on average")
        with PrecompressedSite(site) as server:
            for run in range(args.repeat):
                bare, bare_cpu = bare_pool(paths)
                ours, ours_cpu = bare_pool(paths, _ours)
                if args.compare and args.compare_first:
                    print(f"--- first, the same crawl with the code of {args.compare}:")
                    other, _, other_cpu, other_crawl = crawl(server.url, Path(tmp) / f"compare{run}", len(paths),
                                                             root=args.compare)
                rate, articles, cpu, crawl_cpu = crawl(server.url, Path(tmp) / f"archive{run}", len(paths), args.profile)
                print(f"bare trafilatura, 2-process pool:          {bare:6.1f} pages/s  "
                      f"(workers {1000 * bare_cpu:.1f} ms CPU/page)")
                print(f"bare newsarchive.extract, 2-process pool:  {ours:6.1f} pages/s  "
                      f"(workers {1000 * ours_cpu:.1f} ms CPU/page)")
                print(f"crawl (WARC + pool + SQLite):              {rate:6.1f} pages/s  ({articles} articles)")
                print(f"ratio crawl / bare trafilatura pool = {rate / bare:.2f}")
                print(f"ratio crawl / bare newsarchive pool = {rate / ours:.2f}  (what the crawl costs beyond extraction)")
                # CPU per page (crawl process + workers against the bare pool's workers): what the
                # throughput ratio tends to on a CPU-bound machine, and barely moved by others' load.
                print(f"CPU ratios: bare trafilatura / crawl = {bare_cpu / cpu:.2f}, "
                      f"bare newsarchive / crawl = {ours_cpu / cpu:.2f}")
                if args.compare:
                    if not args.compare_first:
                        print(f"--- the same crawl with the code of {args.compare}:")
                        other, _, other_cpu, other_crawl = crawl(server.url, Path(tmp) / f"compare{run}",
                                                                 len(paths), root=args.compare)
                    print(f"crawl ({args.compare}): {other:6.1f} pages/s; this checkout / that one: "
                          f"{rate / other:.2f} wall, crawl-process CPU {crawl_cpu / other_crawl:.2f}x, "
                          f"total CPU {cpu / other_cpu:.2f}x")
        if args.profile:
            from bench.profile_summary import summarize

            print(summarize(args.profile.read_text().splitlines(), pages=len(paths), cpu_ms=1000 * crawl_cpu))


if __name__ == "__main__":
    main()
