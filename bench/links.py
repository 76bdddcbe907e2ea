"""The spider's link extraction: ``page_links`` against Scrapy's ``LinkExtractor()`` on the same pages.

    .venv/bin/python bench/links.py [--devset-modern ../shared/devset-modern] [-n 300] [--rounds 2]

Checks that both give the same URLs in the same order on every page (exits 1 if not), then times
each on fresh responses (CPU, ``time.process_time``), the body already decoded, as in the crawl
(the spider's meta-refresh check decodes it first). Pages are the generated ones of
``pipeline.py`` and, with ``--devset-modern``, the real 2023–2026 pages read in place, each
under two URLs (a page's links are resolved against its URL, and a site's pages share menus):
``http://127.0.0.1:8000/news/NAME`` and ``https://127.0.0.1:8443/a/b/NAME?x=1``.
"""

from __future__ import annotations

import argparse
import gzip
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.pipeline import article_page  # noqa: E402


def pages(args: argparse.Namespace) -> list[tuple[str, bytes]]:
    rng = random.Random(20261201)
    found = [(f"http://127.0.0.1:8000/news/story-{i}.html", article_page(i, rng).encode()) for i in range(args.pages)]
    if args.devset_modern:
        for path in sorted((args.devset_modern / "pages").glob("*.html.gz")):
            body = gzip.decompress(path.read_bytes())
            name = path.name[:-3]
            found += [(f"http://127.0.0.1:8000/news/{name}", body), (f"https://127.0.0.1:8443/a/b/{name}?x=1", body)]
    return found


def responses(site: list[tuple[str, bytes]]) -> list:
    from scrapy.http import HtmlResponse
    built = [HtmlResponse(url, body=body, headers={b"Content-Type": b"text/html"}) for url, body in site]
    for response in built:
        response.text  # noqa: B018 decoded before the spider's callback runs
    return built


def timed(label: str, fn, count: int) -> tuple[float, list]:
    start = time.process_time()
    result = fn()
    ms = 1000 * (time.process_time() - start) / count
    print(f"  {ms:6.2f} ms/page  {label}")
    return ms, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--pages", type=int, default=300, help="generated pages")
    parser.add_argument("--devset-modern", type=Path)
    parser.add_argument("--rounds", type=int, default=2, help="timed rounds, alternating the two")
    args = parser.parse_args()
    from scrapy.linkextractors import LinkExtractor

    from newsarchive.crawl.links import page_links

    site = pages(args)
    print(f"{len(site)} pages, {sum(len(b) for _, b in site) / len(site) / 1000:.0f} KB each")
    extractor = LinkExtractor()
    scrapy_urls = [[link.url for link in extractor.extract_links(r)] for r in responses(site)]
    ours = [page_links(r) for r in responses(site)]
    differ = [url for (url, _), a, b in zip(site, scrapy_urls, ours) if a != b]
    links = sum(map(len, ours))
    print(f"same URLs, same order on {len(site) - len(differ)} of {len(site)} pages "
          f"({links} links, {links / len(site):.0f} per page)")
    for url in differ[:5]:
        print("  differs:", url)
    ratios = []
    for _ in range(args.rounds):
        fresh = responses(site)
        slow, _ = timed("LinkExtractor().extract_links", lambda: [extractor.extract_links(r) for r in fresh], len(site))
        fresh = responses(site)
        fast, _ = timed("page_links", lambda: [page_links(r) for r in fresh], len(site))
        ratios.append(slow / fast)
    print("LinkExtractor / page_links CPU: " + ", ".join(f"{r:.1f}x" for r in ratios))
    sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
