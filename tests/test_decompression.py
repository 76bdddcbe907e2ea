"""Pages only handed to extraction reach the worker still gzipped; the worker inflates them as Scrapy would."""

from __future__ import annotations

import gzip
import json
import random
import sqlite3
import zlib

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse, Response as ScrapyResponse
from scrapy.utils._compression import _inflate
from scrapy.utils.gz import gunzip
from scrapy.utils.response import get_meta_refresh

from archive_helpers import article_html, run_crawl
from newsarchive.crawl.decompression import DECODE_LATER, ENCODED, decoded, deferrable_coding, may_refresh_encoded
from newsarchive.demo.responses import Response
from newsarchive.demo.server import SiteServer
from newsarchive.processing.coding import Undecodable, decode_body
from newsarchive.processing.page import MAX_EXTRACT_BYTES, process_page

PAGE = article_html(7, "Ferry timetable changes").encode()


def raw_deflate(data: bytes) -> bytes:
    packer = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    return packer.compress(data) + packer.flush()


# -- the decoder: Scrapy's output, bounded ------------------------------------

@pytest.mark.parametrize("cut", [None, -4, -8, 0.5, 0.1, 30])
def test_gzip_decodes_to_what_scrapy_decodes_whole_or_cut_short(cut):
    body = gzip.compress(PAGE * 20)
    if cut is not None:
        body = body[:int(len(body) * cut) if isinstance(cut, float) else cut]
    try:
        expected = gunzip(body)
    except EOFError:  # nothing inflated before the end: Scrapy fails the response
        with pytest.raises(Undecodable):
            decode_body(body, "gzip", 10**8)
        return
    assert expected and decode_body(body, "gzip", 10**8) == expected
    assert decode_body(body, "x-gzip", 10**8) == expected


def test_gzip_keeps_what_came_before_a_bad_crc_junk_or_a_second_member():
    body = gzip.compress(PAGE)
    crc = bytearray(body)
    crc[-6] ^= 0xFF
    for damaged in (bytes(crc), body + b"<html>junk", body + gzip.compress(b"<p>more</p>")):
        assert decode_body(damaged, "gzip", 10**8) == gunzip(damaged)
    assert decode_body(body + gzip.compress(b"<p>more</p>"), "gzip", 10**8) == PAGE + b"<p>more</p>"


def test_deflate_wrapped_or_raw_decodes_to_what_scrapy_decodes():
    for body in (zlib.compress(PAGE), raw_deflate(PAGE), zlib.compress(PAGE)[:-20]):
        assert decode_body(body, "deflate", 10**8) == _inflate(body)
    assert decode_body(raw_deflate(PAGE), "deflate", 10**8) == PAGE


@pytest.mark.parametrize("coding", ["gzip", "deflate"])
def test_damaged_bodies_give_scrapys_text_or_fail_where_scrapy_fails(coding):
    """Flipped bits, cuts and junk (seeded): the same bytes as Scrapy's decoder, or an error where it raises."""
    rng = random.Random(20261201)
    page = b"".join(b"<p>%d harbour council ferry %s</p>\n" % (i, rng.randbytes(12).hex().encode())
                    for i in range(2000))
    compress, scrapys = (gzip.compress, gunzip) if coding == "gzip" else (zlib.compress, _inflate)
    good = compress(page)
    outcomes = set()
    for _ in range(200):
        damaged = bytearray(good)
        kind = rng.choice(["flip", "cut", "junk"])
        if kind == "flip":
            damaged[rng.randrange(len(damaged))] ^= 1 << rng.randrange(8)
        elif kind == "cut":
            del damaged[rng.randrange(len(damaged)):]
        else:
            damaged += rng.randbytes(rng.randrange(1, 50))
        try:
            expected = scrapys(bytes(damaged))
        except Exception:  # noqa: BLE001 - Scrapy fails the response, whatever the error
            with pytest.raises(Undecodable):
                decode_body(bytes(damaged), coding, 10**8)
            outcomes.add("error")
            continue
        assert decode_body(bytes(damaged), coding, 10**8) == expected
        outcomes.add("text")
    assert outcomes == {"error", "text"}


def test_a_bomb_is_inflated_no_further_than_one_byte_past_the_limit():
    bomb = gzip.compress(b"\0" * 50_000_000)  # ~50 KB on the wire
    assert len(decode_body(bomb, "gzip", 1000)) == 1001
    assert len(decode_body(zlib.compress(b"\0" * 50_000_000), "deflate", 1000)) == 1001


def test_what_is_not_its_coding_is_undecodable_and_other_codings_are_refused():
    with pytest.raises(Undecodable):
        decode_body(PAGE, "gzip", 10**8)
    with pytest.raises(Undecodable):
        decode_body(b"\x1f\x8b\x08\x00garbage", "deflate", 10**8)
    with pytest.raises(ValueError):
        decode_body(gzip.compress(PAGE), "br", 10**8)


# -- the worker ----------------------------------------------------------------

def test_the_worker_extracts_an_encoded_page_as_the_decoded_one():
    plain = process_page(PAGE, "http://127.0.0.1/a.html", "text/html; charset=utf-8")
    for coding, body in (("gzip", gzip.compress(PAGE)), ("deflate", zlib.compress(PAGE))):
        encoded = process_page(body, "http://127.0.0.1/a.html", "text/html; charset=utf-8", content_encoding=coding)
        assert encoded.outcome == plain.outcome == "article"
        assert encoded.article.text == plain.article.text and encoded.article.title == plain.article.title


def test_the_worker_records_bombs_and_bad_bodies_as_outcomes():
    bomb = gzip.compress(b"<p>" + b"a" * (MAX_EXTRACT_BYTES + 10) + b"</p>")
    result = process_page(bomb, "http://127.0.0.1/b.html", "text/html", content_encoding="gzip")
    assert (result.outcome, result.reason) == ("not_article", f"too large to extract (over {MAX_EXTRACT_BYTES} bytes)")
    result = process_page(PAGE, "http://127.0.0.1/c.html", "text/html", content_encoding="gzip")
    assert result.outcome == "error" and "gzip" in result.reason


# -- which responses are deferred ------------------------------------------------

def response(headers: dict, status: int = 200, later: bool = True, body: bytes = b"x") -> ScrapyResponse:
    request = Request("http://127.0.0.1/a.html", meta={DECODE_LATER: True} if later else {})
    return ScrapyResponse(request.url, status=status, body=body, headers=headers, request=request)


GZ_UTF8 = {b"Content-Type": b"text/html; charset=utf-8", b"Content-Encoding": b"gzip"}


@pytest.mark.parametrize("headers, status, later, expected", [
    (GZ_UTF8, 200, True, "gzip"),
    ({**GZ_UTF8, b"Content-Encoding": b"Deflate"}, 200, True, "deflate"),
    ({**GZ_UTF8, b"Content-Type": b"application/xhtml+xml; charset=windows-1252"}, 200, True, "gzip"),
    (GZ_UTF8, 200, False, None),  # links followed: the spider needs the whole page
    (GZ_UTF8, 404, True, None),  # read for a wall
    ({**GZ_UTF8, b"Content-Encoding": b"br"}, 200, True, None),
    ({**GZ_UTF8, b"Content-Encoding": b"gzip, gzip"}, 200, True, None),
    ({**GZ_UTF8, b"Content-Type": b"text/html"}, 200, True, None),  # Scrapy would sniff the charset
    ({**GZ_UTF8, b"Content-Type": b"text/html; charset=utf-16"}, 200, True, None),
    ({**GZ_UTF8, b"Content-Type": b"text/html; charset=no-such"}, 200, True, None),
    ({**GZ_UTF8, b"Content-Type": b"application/rss+xml; charset=utf-8"}, 200, True, None),  # a feed
    ({b"Content-Type": b"text/html; charset=utf-8"}, 200, True, None),
])
def test_only_html_pages_handed_on_with_one_gzip_or_deflate_coding_and_an_ascii_charset(
        headers, status, later, expected):
    assert deferrable_coding(response(headers, status, later).request, response(headers, status, later)) == expected


def refresh_cases() -> list[bytes]:
    head = '<html><head><meta http-equiv="Refresh" content="0; url=/other.html"><title>x</title></head>'
    wide = "<p>" + "𝔘" * 4080 + "</p>"  # 4-byte characters up to the edge of Scrapy's 4,096
    return [
        (head + "<body>moved</body></html>").encode(),
        (wide[:4090 - 90] + '<meta http-equiv="REFRESH" content="1;url=/edge.html">').encode(),
        ("<html><body>" + "<p>story</p>" * 3000 + "</body></html>").encode(),  # none
        "\ufeff".encode("utf-16-le") + head.encode("utf-16-le"),
        "\ufeff".encode("utf-32-be") + head.encode("utf-32-be"),
        "\ufeff".encode("utf-32-le") + head.encode("utf-32-le"),
    ]


@pytest.mark.parametrize("page", refresh_cases())
def test_the_refresh_check_on_the_first_bytes_never_misses_a_refresh_scrapy_finds(page):
    request = Request("http://127.0.0.1/a.html", meta={DECODE_LATER: True, ENCODED: "gzip"})
    encoded = ScrapyResponse(request.url, body=gzip.compress(page), headers=GZ_UTF8, request=request)
    whole = HtmlResponse(request.url, body=page, headers={b"Content-Type": GZ_UTF8[b"Content-Type"]})
    if get_meta_refresh(whole)[1] is not None:
        assert may_refresh_encoded(encoded)
    full = decoded(encoded, 10**8)
    assert type(full) is HtmlResponse and full.body == page and b"Content-Encoding" not in full.headers
    assert get_meta_refresh(full) == get_meta_refresh(whole)


def test_a_story_without_refresh_is_ruled_out_from_its_first_bytes():
    request = Request("http://127.0.0.1/a.html", meta={DECODE_LATER: True, ENCODED: "gzip"})
    encoded = ScrapyResponse(request.url, body=gzip.compress(PAGE), headers=GZ_UTF8, request=request)
    assert not may_refresh_encoded(encoded)


# -- a crawl ---------------------------------------------------------------------

def sitemap_site() -> dict[str, Response]:
    def gz(html: bytes, **options) -> Response:
        return Response(200, gzip.compress(html), headers={"Content-Encoding": "gzip"}, compressible=False, **options)

    refresh = b'<html><head><meta http-equiv="refresh" content="0; url=/news/target.html"></head><body></body></html>'
    pages = {
        "/news/one.html": gz(article_html(1, "Council approves river bridge").encode()),
        "/news/two.html": Response(200, zlib.compress(article_html(2, "Storm closes the harbour").encode()),
                                   headers={"Content-Encoding": "deflate"}, compressible=False),
        "/news/refresh.html": gz(refresh),
        "/news/target.html": gz(article_html(3, "Nurses agree a new deal").encode()),
        "/news/nocharset.html": gz(article_html(4, "Museum reopens after repairs").encode(), content_type="text/html"),
        "/news/corrupt.html": Response(200, b"this is not gzip", headers={"Content-Encoding": "gzip"},
                                       compressible=False),
        # A gzip header, then corrupt deflate data: refused mid-stream, as Scrapy refuses it.
        "/news/badstream.html": Response(200, gzip.compress(PAGE)[:10] + b"\xff" * 20 + gzip.compress(PAGE)[30:],
                                         headers={"Content-Encoding": "gzip"}, compressible=False),
        "/news/bomb.html": gz(b"<html><body><p>" + b"a" * (MAX_EXTRACT_BYTES + 1000) + b"</p></body></html>"),
    }
    listed = [path for path in pages if path != "/news/target.html"]
    locs = "".join(f"<url><loc>{{BASE}}{path}</loc></url>" for path in listed)
    sitemap = f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{locs}</urlset>'
    return {**pages, "/robots.txt": Response(200, b"User-agent: *\nAllow: /\n", "text/plain"),
            "/sitemap.xml": Response(200, sitemap.encode(), "application/xml")}


@pytest.mark.e2e
def test_a_sitemap_crawl_hands_its_pages_on_gzipped_and_stores_what_scrapy_would_have(tmp_path):
    routes = sitemap_site()
    with SiteServer(routes=routes) as server:
        base = server.url.rstrip("/")
        routes["/sitemap.xml"] = Response(200, routes["/sitemap.xml"].body.replace(b"{BASE}", base.encode()),
                                          "application/xml")
        run = run_crawl(tmp_path / "out", sitemap_urls=f"{base}/sitemap.xml").check()
    db = sqlite3.connect(run.db)
    outcomes = {url.removeprefix(base): (outcome, reason) for url, outcome, reason in
                db.execute("SELECT url, outcome, reason FROM pages WHERE url LIKE '%/news/%'")}
    assert {path: o for path, (o, _) in outcomes.items()} == {
        "/news/one.html": "article", "/news/two.html": "article", "/news/refresh.html": "redirect",
        "/news/target.html": "article", "/news/nocharset.html": "article", "/news/corrupt.html": "error",
        "/news/badstream.html": "error", "/news/bomb.html": "not_article"}
    assert outcomes["/news/bomb.html"][1] == f"too large to extract (over {MAX_EXTRACT_BYTES} bytes)"
    texts = dict(db.execute("SELECT url, text FROM articles"))
    for path, seed, title in (("/news/one.html", 1, "Council approves river bridge"),
                              ("/news/two.html", 2, "Storm closes the harbour"),
                              ("/news/target.html", 3, "Nurses agree a new deal")):
        html = article_html(seed, title).encode()
        assert texts[base + path] == process_page(html, base + path, "text/html").article.text
    stats = json.loads(db.execute("SELECT stats FROM crawls").fetchone()[0])
    # one, two, refresh, target (the refresh keeps no hops), corrupt, badstream, bomb; not the charset-less page.
    assert stats["newsarchive/decompression/deferred"] == 7
    assert "spider_exceptions" not in json.dumps(stats)
