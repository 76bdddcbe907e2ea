"""CPU of each step the crawl process runs per page, measured one at a time on the same pages.

    .venv/bin/python bench/crawl_parts.py [-n 500] [--devset-modern ../shared/devset-modern]

A sampling profile of the whole crawl (bench/pipeline.py --profile) shows
the shares; this times the newsarchive-owned steps alone with
``time.process_time`` (all threads of this process), on the bytes the crawl
sees: each page gzip-encoded as the bench server sends it.

* warc: ``WarcWriter.write_exchange`` (response + request record, digests,
  gzip level 6, file write);
* revisit check: ``payload_digest`` of the body (done only when the URL was
  archived before);
* gunzip: what HttpCompressionMiddleware does (``scrapy.utils.gz.gunzip``);
* decode: ``HtmlResponse.text`` of the decoded body (MetaRefreshMiddleware
  reads it on every HTML response);
* links: ``LinkExtractor().extract_links`` (what the spider used on pages it follows links
  from) and ``newsarchive.crawl.links.page_links`` (what it uses now; bench/links.py checks
  they agree);
* hand-off: pickling the body to a worker and its ``PageResult`` back;
* rows: the pipeline's pages + articles rows through ``Store`` (batches of
  100, FTS5 triggers), including the duplicate-text lookup.
"""

from __future__ import annotations

import argparse
import gzip
import pickle
import random
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.pipeline import article_page  # noqa: E402
from newsarchive.db.store import Store, article_row  # noqa: E402
from newsarchive.extract.article import Article  # noqa: E402
from newsarchive.processing.page import PageResult  # noqa: E402
from newsarchive.warc.writer import Exchange, WarcWriter, payload_digest  # noqa: E402

REQUEST_HEADERS = [("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"),
                   ("Accept-Language", "en"), ("User-Agent", "newsarchive/0.1"),
                   ("Accept-Encoding", "gzip, deflate, br, zstd")]


def pages(args) -> list[tuple[str, bytes]]:
    if args.devset_modern:
        files = sorted((args.devset_modern / "pages").glob("*.html.gz"))
        return [(f"http://127.0.0.1:8000/news/{f.name[:-3]}", gzip.decompress(f.read_bytes())) for f in files]
    rng = random.Random(20261125)
    return [(f"http://127.0.0.1:8000/news/story-{i}.html", article_page(i, rng).encode()) for i in range(args.pages)]


def timed(label: str, count: int, fn) -> float:
    start = time.process_time()
    fn()
    ms = 1000 * (time.process_time() - start) / count
    print(f"  {ms:6.2f} ms/page  {label}")
    return ms


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--pages", type=int, default=500)
    parser.add_argument("--devset-modern", type=Path)
    args = parser.parse_args()
    site = pages(args)
    wire = [(url, gzip.compress(html, compresslevel=6, mtime=0), html) for url, html in site]
    n = len(wire)
    print(f"{n} pages, {sum(len(h) for _, _, h in wire) / n / 1000:.0f} KB each, "
          f"{sum(len(w) for _, w, _ in wire) / n / 1000:.0f} KB gzipped on the wire")
    from scrapy.http import HtmlResponse
    from scrapy.linkextractors import LinkExtractor
    from scrapy.utils.gz import gunzip

    total = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        def warc() -> None:
            with WarcWriter(Path(tmp) / "warc", gzip_level=6) as writer:
                for url, body, _ in wire:
                    writer.write_exchange(Exchange(
                        url=url, status=200, body=body, request_headers=REQUEST_HEADERS,
                        response_headers=[("Content-Type", "text/html; charset=utf-8"), ("Content-Encoding", "gzip"),
                                          ("Content-Length", str(len(body))), ("Date", "Mon, 30 Nov 2026 20:00:00 GMT")],
                        ip_address="127.0.0.1", fetched_at=datetime.now(timezone.utc)))
        total += timed("WARC: write_exchange (2 records, digests, gzip 6, write)", n, warc)
        timed("revisit check: payload_digest of the body (recrawls only)", n,
              lambda: [payload_digest(body) for _, body, _ in wire])
        total += timed("gunzip (HttpCompressionMiddleware)", n, lambda: [gunzip(body) for _, body, _ in wire])
        responses = [HtmlResponse(url, body=html, headers={b"Content-Type": b"text/html"}) for url, _, html in wire]
        total += timed("decode to text (MetaRefreshMiddleware reads response.text)", n,
                       lambda: [r.text for r in responses])
        extractor = LinkExtractor()
        timed("LinkExtractor.extract_links (pages links are followed from, before)", n,
              lambda: [extractor.extract_links(r) for r in responses])
        from newsarchive.crawl.links import page_links

        fresh = [HtmlResponse(url, body=html, headers={b"Content-Type": b"text/html"}) for url, _, html in wire]
        [r.text for r in fresh]
        timed("page_links (pages links are followed from, now)", n, lambda: [page_links(r) for r in fresh])
        results = [PageResult("article", "ok", Article(text=html.decode()[:6000], title="t", url=url,
                                                       fingerprint=f"{i:016x}", authors=["A"]))
                   for i, (url, _, html) in enumerate(wire)]
        total += timed("hand-off: pickle body to the worker, PageResult back", n,
                       lambda: [(pickle.loads(pickle.dumps((html, url, "text/html", 80))),
                                 pickle.loads(pickle.dumps(r))) for (url, _, html), r in zip(wire, results)])

        def rows() -> None:
            store = Store(Path(tmp) / "news.db", batch_size=100)
            for (url, _, _), result in zip(wire, results):
                store.article_with_fingerprint(result.article.fingerprint, url)
                store.add_article({**article_row(result.article), "url": url, "status": 200, "crawl_id": 1})
                store.add_page({"url": url, "outcome": "article", "reason": "ok", "status": 200, "depth": 1,
                                "content_type": "text/html", "crawl_id": 1, "warc_filename": "x.warc.gz",
                                "warc_offset": 0, "warc_length": 1, "payload_digest": "sha1:X"})
            store.close()
        total += timed("rows: Store (duplicate lookup, pages + articles upserts, FTS)", n, rows)
    print(f"  {total:6.2f} ms/page  sum of the steps every page takes (without links, revisit check)")


if __name__ == "__main__":
    main()
