"""The demo site server, and the bundled site's consistency with truth.json.

Everything runs against a SiteServer on a random local port: no internet.
"""

from __future__ import annotations

import gzip
import http.client
import re
import socket
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from newsarchive.demo import SITE_DIR, TRUTH_PATH, SiteServer, load_truth
from newsarchive.demo.server import TROUBLE_ROUTES, accepts_gzip, binary_junk, minimal_pdf

TRUTH = load_truth()
BRIDGE = "/news/2026/harbour-bridge.html"


class Fetched:
    """One raw response: status, headers (case-insensitive) and the undecoded body."""

    def __init__(self, resp: http.client.HTTPResponse) -> None:
        self.status = resp.status
        self.headers = resp.headers
        self.body = resp.read()

    def header(self, name: str) -> str | None:
        return self.headers.get(name)


def fetch(server: SiteServer, path: str, *, method: str = "GET", headers: dict[str, str] | None = None) -> Fetched:
    """Fetch without following redirects or decoding, so we see the wire response."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    try:
        conn.request(method, path, headers=headers or {})
        return Fetched(conn.getresponse())
    finally:
        conn.close()


def site_file(path: str) -> Path:
    rel = path.lstrip("/")
    target = SITE_DIR / rel
    return target / "index.html" if path.endswith("/") or target.is_dir() else target


# ---------------------------------------------------------------- basics

def test_url_and_port(demo_site: SiteServer) -> None:
    assert demo_site.port > 0
    assert demo_site.url == f"http://127.0.0.1:{demo_site.port}/"


def test_start_stop_frees_port() -> None:
    srv = SiteServer(SITE_DIR).start()
    port = srv.port
    assert fetch(srv, "/").status == 200
    srv.stop()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=1).close()


@pytest.mark.parametrize("path, ctype", [
    ("/", "text/html; charset=utf-8"),
    ("/news/2026/harbour-bridge.html", "text/html; charset=utf-8"),
    ("/robots.txt", "text/plain; charset=utf-8"),
    ("/sitemap.xml", "application/xml; charset=utf-8"),
    ("/feed.xml", "application/rss+xml; charset=utf-8"),
    ("/atom.xml", "application/atom+xml; charset=utf-8"),
    ("/static/gazette.css", "text/css; charset=utf-8"),
])
def test_content_types(demo_site: SiteServer, path: str, ctype: str) -> None:
    r = fetch(demo_site, path)
    assert r.status == 200
    assert r.header("Content-Type") == ctype
    assert int(r.header("Content-Length")) == len(r.body)


def test_directory_index_and_slash_redirect(demo_site: SiteServer) -> None:
    assert fetch(demo_site, "/news/").body == (SITE_DIR / "news/index.html").read_bytes()
    r = fetch(demo_site, "/news")
    assert r.status == 301 and r.header("Location") == "/news/"


def test_missing_file_is_real_404(demo_site: SiteServer) -> None:
    r = fetch(demo_site, "/no/such/page.html")
    assert r.status == 404
    assert r.header("Content-Type") == "text/html; charset=utf-8"
    assert b"404 Not Found" in r.body


def test_path_traversal_is_refused(demo_site: SiteServer) -> None:
    assert fetch(demo_site, "/../../etc/passwd").status == 404
    assert fetch(demo_site, "/%2e%2e/%2e%2e/etc/passwd").status == 404


def test_head_has_headers_but_no_body(demo_site: SiteServer) -> None:
    r = fetch(demo_site, BRIDGE, method="HEAD")
    assert r.status == 200 and r.body == b""
    assert int(r.header("Content-Length")) == site_file(BRIDGE).stat().st_size


def test_keep_alive_serves_several_requests_on_one_connection(demo_site: SiteServer) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", demo_site.port, timeout=5)
    try:
        for path in ("/", "/_trouble/empty", "/chunked/about.html", "/robots.txt"):
            conn.request("GET", path)
            resp = conn.getresponse()
            resp.read()
            assert resp.status == 200 and resp.version == 11
            assert not resp.will_close
    finally:
        conn.close()


# ---------------------------------------------------------------- rewriting

def test_robots_sitemap_lines_are_absolute(demo_site: SiteServer) -> None:
    text = fetch(demo_site, "/robots.txt").body.decode()
    base = demo_site.url.rstrip("/")
    assert "Disallow: /private/" in text
    sitemaps = re.findall(r"(?im)^sitemap:\s*(\S+)", text)
    assert sitemaps == [f"{base}/sitemap.xml", f"{base}/sitemap-index.xml"]


@pytest.mark.parametrize("name", ["sitemap.xml", "news-sitemap.xml", "sitemap-index.xml", "feed.xml", "atom.xml"])
def test_base_placeholder_is_substituted(demo_site: SiteServer, name: str) -> None:
    raw = (SITE_DIR / name).read_text(encoding="utf-8")
    assert "{{BASE}}" in raw
    body = fetch(demo_site, "/" + name).body.decode()
    assert "{{BASE}}" not in body
    ET.fromstring(body)  # still well-formed XML
    urls = re.findall(r"<(?:loc|link|id|guid[^>]*)>([^<]+)<", body) + re.findall(r'href="([^"]+)"', body)
    assert urls
    for url in urls:
        assert url.startswith(demo_site.url.rstrip("/") + "/"), url


def test_sitemap_locations_all_resolve(demo_site: SiteServer) -> None:
    ns = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9", "news": "http://www.google.com/schemas/sitemap-news/0.9"}
    index = ET.fromstring(fetch(demo_site, "/sitemap-index.xml").body)
    maps = [urlsplit(e.text).path for e in index.findall("sm:sitemap/sm:loc", ns)]
    assert maps == ["/sitemap.xml", "/news-sitemap.xml"]
    articles = {p for p, e in TRUTH["pages"].items() if e["outcome"] == "article"}
    news = ET.fromstring(fetch(demo_site, "/news-sitemap.xml").body)
    assert {urlsplit(e.text).path for e in news.findall("sm:url/sm:loc", ns)} == articles
    for url in news.findall("sm:url", ns):
        path = urlsplit(url.find("sm:loc", ns).text).path
        assert url.find("news:news/news:publication_date", ns).text == TRUTH["pages"][path]["published"]
        assert url.find("news:news/news:title", ns).text == TRUTH["pages"][path]["title"]
    plain = ET.fromstring(fetch(demo_site, "/sitemap.xml").body)
    for loc in plain.findall("sm:url/sm:loc", ns):
        assert fetch(demo_site, urlsplit(loc.text).path).status == 200


def test_host_header_decides_the_base(demo_site: SiteServer) -> None:
    body = fetch(demo_site, "/robots.txt", headers={"Host": "localhost:1234"}).body.decode()
    assert "Sitemap: http://localhost:1234/sitemap.xml" in body
    hostile = fetch(demo_site, "/robots.txt", headers={"Host": "evil\"><x"}).body.decode()
    assert f"Sitemap: http://127.0.0.1:{demo_site.port}/sitemap.xml" in hostile


# ---------------------------------------------------------------- gzip and chunked

def test_html_is_gzipped_when_asked(demo_site: SiteServer) -> None:
    r = fetch(demo_site, BRIDGE, headers={"Accept-Encoding": "gzip, deflate"})
    assert r.header("Content-Encoding") == "gzip"
    assert r.header("Vary") == "Accept-Encoding"
    assert int(r.header("Content-Length")) == len(r.body)
    assert gzip.decompress(r.body) == site_file(BRIDGE).read_bytes()


def test_html_is_plain_when_not_asked(demo_site: SiteServer) -> None:
    for headers in ({}, {"Accept-Encoding": "identity"}, {"Accept-Encoding": "gzip;q=0"}):
        r = fetch(demo_site, BRIDGE, headers=headers)
        assert r.header("Content-Encoding") is None
        assert r.body == site_file(BRIDGE).read_bytes()


def test_non_html_is_never_gzipped(demo_site: SiteServer) -> None:
    for path in ("/robots.txt", "/sitemap.xml", "/_trouble/pdf", "/_trouble/binary"):
        assert fetch(demo_site, path, headers={"Accept-Encoding": "gzip"}).header("Content-Encoding") is None


def test_accepts_gzip_parsing() -> None:
    assert accepts_gzip("gzip") and accepts_gzip("br, gzip;q=0.5") and accepts_gzip("*")
    assert not accepts_gzip(None) and not accepts_gzip("deflate") and not accepts_gzip("gzip;q=0")


def test_chunked_prefix(demo_site: SiteServer) -> None:
    r = fetch(demo_site, "/chunked" + BRIDGE)  # http.client undoes the chunk framing for us
    assert r.status == 200
    assert r.header("Transfer-Encoding") == "chunked" and r.header("Content-Length") is None
    assert r.body == site_file(BRIDGE).read_bytes()


def test_chunked_query_flag_with_gzip(demo_site: SiteServer) -> None:
    r = fetch(demo_site, "/_trouble/huge?chunked=1", headers={"Accept-Encoding": "gzip"})
    assert r.header("Transfer-Encoding") == "chunked" and r.header("Content-Encoding") == "gzip"
    assert len(gzip.decompress(r.body)) >= TRUTH["trouble"]["/_trouble/huge"]["min_bytes"]


def test_chunked_wire_framing(demo_site: SiteServer) -> None:
    """Read the raw socket: the body really is hex-size-prefixed chunks ending in a 0 chunk."""
    with socket.create_connection(("127.0.0.1", demo_site.port), timeout=5) as sock:
        sock.sendall(b"GET /chunked/robots.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        raw = b""
        while chunk := sock.recv(65536):
            raw += chunk
    head, _, body = raw.partition(b"\r\n\r\n")
    assert b"Transfer-Encoding: chunked" in head
    assert re.match(rb"[0-9a-f]+\r\n", body) and body.endswith(b"\r\n0\r\n\r\n")


# ---------------------------------------------------------------- trouble routes

def test_trouble_index_links_every_route(demo_site: SiteServer) -> None:
    r = fetch(demo_site, "/_trouble/")
    assert r.status == 200
    links = set(re.findall(r'href="([^"]+)"', r.body.decode()))
    expected = {p for p in TRUTH["trouble"] if p != "/_trouble/"}
    assert links == expected
    assert set(TROUBLE_ROUTES) <= expected


@pytest.mark.parametrize("path", sorted(p for p, e in TRUTH["trouble"].items() if e["status"] is not None))
def test_trouble_final_status_matches_truth(demo_site: SiteServer, path: str) -> None:
    try:
        with urllib.request.urlopen(demo_site.url.rstrip("/") + path, timeout=5) as resp:
            status, final, ctype = resp.status, urlsplit(resp.url).path, resp.headers.get("Content-Type")
    except urllib.error.HTTPError as err:
        status, final, ctype = err.code, path, err.headers.get("Content-Type")
    entry = TRUTH["trouble"][path]
    assert status == entry["status"]
    if "final_path" in entry and path.startswith("/_trouble/"):
        assert final == entry["final_path"]
    if "content_type" in entry:
        assert ctype.split(";")[0] == entry["content_type"]


def test_errors(demo_site: SiteServer) -> None:
    assert fetch(demo_site, "/_trouble/404").status == 404
    r = fetch(demo_site, "/_trouble/500")
    assert r.status == 500 and r.header("Content-Type") == "text/html; charset=utf-8"
    assert fetch(demo_site, "/_trouble/nonexistent").status == 404


def test_redirect_chain(demo_site: SiteServer) -> None:
    first = fetch(demo_site, "/_trouble/redirect")
    assert first.status == 301 and first.header("Location") == "/_trouble/redirect2"
    second = fetch(demo_site, "/_trouble/redirect2")
    assert second.status == 302 and second.header("Location") == BRIDGE


def test_redirect_loop(demo_site: SiteServer) -> None:
    a = fetch(demo_site, "/_trouble/loop")
    b = fetch(demo_site, a.header("Location"))
    assert (a.status, b.status) == (302, 302)
    assert b.header("Location") == "/_trouble/loop"
    with pytest.raises(urllib.error.HTTPError, match="infinite loop"):
        urllib.request.urlopen(demo_site.url + "_trouble/loop", timeout=5)


def test_pdf_is_valid(demo_site: SiteServer) -> None:
    r = fetch(demo_site, "/_trouble/pdf", headers={"Accept-Encoding": "gzip"})
    assert r.header("Content-Type") == "application/pdf"
    assert r.body == minimal_pdf()
    assert r.body.startswith(b"%PDF-1.4") and r.body.rstrip().endswith(b"%%EOF")
    # Every xref offset must land on its "N 0 obj" header, or readers reject the file.
    startxref = int(re.search(rb"startxref\n(\d+)", r.body).group(1))
    assert r.body[startxref:].startswith(b"xref")
    offsets = [int(o) for o in re.findall(rb"(\d{10}) 00000 n", r.body)]
    for number, offset in enumerate(offsets, start=1):
        assert r.body[offset:].startswith(b"%d 0 obj" % number)


def test_binary_is_deterministic_junk_as_html(demo_site: SiteServer) -> None:
    first, second = fetch(demo_site, "/_trouble/binary"), fetch(demo_site, "/_trouble/binary")
    assert first.header("Content-Type") == "text/html"
    assert first.body == second.body == binary_junk()
    with pytest.raises(UnicodeDecodeError):
        first.body.decode("utf-8")


def test_empty(demo_site: SiteServer) -> None:
    r = fetch(demo_site, "/_trouble/empty", headers={"Accept-Encoding": "gzip"})
    assert (r.status, r.body, r.header("Content-Length")) == (200, b"", "0")
    assert r.header("Content-Type").startswith("text/html") and r.header("Content-Encoding") is None


def test_latin1_charset_only_in_header(demo_site: SiteServer) -> None:
    r = fetch(demo_site, "/_trouble/latin1")
    assert r.header("Content-Type") == "text/html; charset=ISO-8859-1"
    assert b"charset" not in r.body.lower()
    for char in "éü£°ñ":
        assert char.encode("iso-8859-1") in r.body
    with pytest.raises(UnicodeDecodeError):
        r.body.decode("utf-8")
    text = r.body.decode("iso-8859-1")
    for sentence in TRUTH["trouble"]["/_trouble/latin1"]["must_contain"]:
        assert sentence in text


def test_huge_page(demo_site: SiteServer) -> None:
    r = fetch(demo_site, "/_trouble/huge")
    entry = TRUTH["trouble"]["/_trouble/huge"]
    assert entry["min_bytes"] <= len(r.body) < 8_000_000
    text = r.body.decode("utf-8")
    assert text.rstrip().endswith("</html>")
    for sentence in entry["must_contain"]:
        assert sentence in text


def test_broken_page_is_truncated_but_has_the_article(demo_site: SiteServer) -> None:
    text = fetch(demo_site, "/_trouble/broken").body.decode("utf-8")
    assert "</html>" not in text and "</body>" not in text
    for sentence in TRUTH["trouble"]["/_trouble/broken"]["must_contain"]:
        assert sentence in text


# ---------------------------------------------------------------- truth.json vs the site

def test_truth_has_doc_and_sections() -> None:
    assert TRUTH_PATH.is_file()
    assert TRUTH["_doc"] and {"pages", "resources", "trouble"} <= TRUTH.keys()
    outcomes = {e["outcome"] for s in ("pages", "resources", "trouble") for e in TRUTH[s].values()}
    assert outcomes == {"article", "not_article", "error", "robots"}


def _articles() -> list[tuple[str, dict]]:
    return [(p, e) for p, e in TRUTH["pages"].items() if e["outcome"] == "article"]


@pytest.mark.parametrize("path, entry", _articles(), ids=[p for p, _ in _articles()])
def test_truth_article_matches_its_file(path: str, entry: dict) -> None:
    html = site_file(path).read_text(encoding="utf-8")
    assert f"<html lang=\"{entry['language']}\">" in html
    assert f'<meta property="article:published_time" content="{entry["published"]}">' in html
    assert '<meta property="og:type" content="article">' in html
    assert f'<link rel="canonical" href="{path}">' in html
    assert f">{entry['title']}</h1>" in html
    for author in entry["authors"]:
        assert f">{author}</a>" in html
    for sentence in entry["must_contain"]:
        assert sentence in html, sentence
    # Furniture listed as forbidden must really be on the page, or the check proves nothing.
    for furniture in entry["must_not_contain"]:
        assert furniture in html, furniture
    assert 250 <= entry["word_count"] <= 600


def test_site_has_required_variety() -> None:
    arts = dict(_articles())
    assert len(arts) >= 7
    assert {e["language"] for e in arts.values()} >= {"en", "fr"}
    assert any(e["modified"] for e in arts.values()) and any(e["comments"] for e in arts.values())
    assert any(e["json_ld"] for e in arts.values()) and not all(e["json_ld"] for e in arts.values())
    autoblog = site_file("/news/2026/tide-gauge-upgrade.html").read_text(encoding="utf-8")
    assert "<p>[ad_1] " in autoblog and "<p>[ad_2]</p>" in autoblog and "<br>[source_link]<br>" in autoblog
    for legit in ("[1]", "[sic]", "[Updated]"):
        assert legit in autoblog


@pytest.mark.parametrize("section", ["pages", "resources"])
def test_truth_statuses_match_server(demo_site: SiteServer, section: str) -> None:
    for path, entry in TRUTH[section].items():
        assert fetch(demo_site, path).status == entry["status"], path


def test_private_page_is_disallowed_and_linked_from_home() -> None:
    robots = (SITE_DIR / "robots.txt").read_text()
    private = [p for p, e in TRUTH["pages"].items() if e["outcome"] == "robots"]
    assert private and all(p.startswith("/private/") for p in private)
    assert "Disallow: /private/" in robots
    home = (SITE_DIR / "index.html").read_text(encoding="utf-8")
    assert all(f'href="{p}"' in home for p in private)


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.anchors: list[str] = []  # <a href> only: what a link-following crawler follows

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.links.append(value)
                if tag == "a":
                    self.anchors.append(value)


def _site_pages() -> list[Path]:
    # site/_trouble/ holds sources for dynamic routes, never served as files.
    return [p for p in SITE_DIR.rglob("*.html") if "_trouble" not in p.relative_to(SITE_DIR).parts]


def _links_of(page: Path) -> list[str]:
    parser = _Links()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.links


def test_all_internal_links_resolve_except_the_deliberate_404() -> None:
    errors = {p for p, e in TRUTH["pages"].items() if e["outcome"] == "error"}
    seen: set[str] = set()
    for page in _site_pages():
        page_path = "/" + page.relative_to(SITE_DIR).as_posix()
        for href in _links_of(page):
            if href.startswith("#"):
                continue
            # Root-relative only: no host, no scheme, nothing that could reach the internet.
            assert href.startswith("/") and not href.startswith("//"), (page_path, href)
            path = urlsplit(urljoin(page_path, href)).path
            seen.add(path)
            if path in errors:
                continue
            assert site_file(path).is_file(), (page_path, href)
    assert errors and errors <= seen


def test_truth_pages_are_exactly_what_links_reach() -> None:
    """'pages' = everything reachable by <a href> from the home page (what a link crawl sees)."""
    reachable, queue = set(), ["/"]
    while queue:
        path = queue.pop()
        if path in reachable:
            continue
        reachable.add(path)
        file = site_file(path)
        if file.suffix != ".html" or not file.is_file():
            continue
        parser = _Links()
        parser.feed(file.read_text(encoding="utf-8"))
        queue += [urlsplit(urljoin(path, h)).path for h in parser.anchors if not h.startswith("#")]
    assert reachable == set(TRUTH["pages"])
