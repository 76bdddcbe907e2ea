"""Sitemaps, feeds and robots.txt, including hostile ones."""

from __future__ import annotations

import gzip

from newsarchive.crawl.discovery import alternate_feeds, parse_listing, robots_sitemaps

BASE = "http://news.example/sitemap.xml"


def listing(body: bytes, max_urls: int = 1000, max_bytes: int = 10_000_000):
    return parse_listing(body, BASE, max_urls=max_urls, max_bytes=max_bytes)


def urlset(*locs: str) -> bytes:
    entries = "".join(f"<url><loc>{loc}</loc></url>" for loc in locs)
    return f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</urlset>'.encode()


def test_urlset():
    found = listing(urlset("http://news.example/a", "http://news.example/b", "http://news.example/a"))
    assert (found.kind, found.urls) == ("urlset", ["http://news.example/a", "http://news.example/b"])


def test_sitemap_index():
    body = (b'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            b"<sitemap><loc>http://news.example/s1.xml</loc></sitemap></sitemapindex>")
    assert listing(body).kind == "sitemapindex"
    assert listing(body).urls == ["http://news.example/s1.xml"]


def test_google_news_sitemap_reads_only_page_locs():
    body = b"""<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"
        xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">
      <url><loc>http://news.example/story</loc>
        <news:news><news:publication><news:name>Gazette</news:name></news:publication>
        <news:publication_date>2026-11-01</news:publication_date><news:title>T</news:title></news:news>
        <image:image><image:loc>http://news.example/pic.jpg</image:loc></image:image>
      </url></urlset>"""
    assert listing(body).urls == ["http://news.example/story"]


def test_gzipped_sitemap():
    assert listing(gzip.compress(urlset("http://news.example/a"))).urls == ["http://news.example/a"]


def test_gzip_bomb_is_refused():
    bomb = gzip.compress(b"<urlset>" + b" " * 5_000_000 + b"</urlset>")
    found = listing(bomb, max_bytes=1_000_000)
    assert found.urls == [] and "inflates past" in found.problem


def test_entity_expansion_is_not_performed():
    laughs = b"""<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">
      <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
      <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
      <urlset><url><loc>http://news.example/&lol3;</loc></url></urlset>"""
    found = listing(laughs)
    assert all("lollollol" not in url for url in found.urls)


def test_external_entities_are_not_fetched_or_read(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET")
    body = f"""<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file://{secret}">]>
      <urlset><url><loc>http://news.example/&e;</loc></url></urlset>""".encode()
    assert all("TOPSECRET" not in url for url in listing(body).urls)


def test_garbage_is_reported_not_raised():
    assert listing(b"\x00\x01 not xml at all").kind == "unknown"
    assert listing(b"").kind == "unknown"
    assert listing(b"<html><body>a page</body></html>").problem.startswith("unexpected root")


def test_url_limit():
    found = listing(urlset(*(f"http://news.example/{i}" for i in range(10))), max_urls=3)
    assert len(found.urls) == 3 and "7 more URLs" in found.problem


def test_non_http_and_relative_locs():
    found = listing(urlset("javascript:alert(1)", "/relative", "ftp://x/y"))
    assert found.urls == ["http://news.example/relative"]


def test_rss_and_atom():
    rss = b"""<rss version="2.0"><channel><link>http://news.example/</link>
      <item><title>A</title><link>http://news.example/a</link></item>
      <item><title>B</title><link> http://news.example/b </link></item></channel></rss>"""
    atom = b"""<feed xmlns="http://www.w3.org/2005/Atom"><link href="http://news.example/"/>
      <entry><link rel="alternate" href="http://news.example/c"/><link rel="edit" href="http://news.example/edit"/></entry>
      <entry><link href="/d"/></entry></feed>"""
    assert listing(rss).urls == ["http://news.example/a", "http://news.example/b"]
    assert (listing(atom).kind, listing(atom).urls) == ("atom", ["http://news.example/c", "http://news.example/d"])


def test_robots_sitemap_lines():
    body = b"User-agent: *\nDisallow: /private/\nSitemap: http://news.example/s.xml\nsitemap:/rel.xml\n"
    assert robots_sitemaps(body, "http://news.example/robots.txt") == [
        "http://news.example/s.xml", "http://news.example/rel.xml"]


# -- feeds a page announces (<link rel="alternate">) ------------------------------

def test_alternate_feeds_of_a_home_page():
    page = b"""<!DOCTYPE html><html><head><title>Home</title>
      <link rel="alternate" type="application/rss+xml" title="All" href="/feed.xml">
      <LINK REL="Alternate" TYPE="application/atom+xml; charset=utf-8" HREF="https://news.example/atom.xml">
      <link rel="alternate" hreflang="fr" href="/fr/">
      <link rel="alternate" type="application/rss+xml" href="">
      <link rel="stylesheet" type="text/css" href="/site.css">
      <link rel="alternate" type="text/html" href="/print">
      <link rel="alternate" type="application/rss+xml" href="/feed.xml">
      </head><body><a href="/other.xml" rel="alternate" type="application/rss+xml">not a link element</a></body></html>"""
    assert alternate_feeds(page, "http://news.example/index.html") == [
        "http://news.example/feed.xml", "https://news.example/atom.xml"]


def test_alternate_feeds_of_what_is_no_page():
    assert alternate_feeds(b"", "http://news.example/") == []
    assert alternate_feeds(b"\x00\xff\xfe binary", "http://news.example/") == []
    assert alternate_feeds(b'<link rel="alternate" type="application/rss+xml" href="javascript:x()">',
                           "http://news.example/") == []
