"""page_links gives exactly the URLs Scrapy's LinkExtractor() gives, in its order, whatever pages came before."""

from __future__ import annotations

import itertools
import random

import pytest
from scrapy.http import HtmlResponse
from scrapy.linkextractors import LinkExtractor

from newsarchive.crawl import links
from newsarchive.crawl.links import page_links

BASES = [
    "http://site.example/news/2026/story.html",
    "http://site.example/news/2026/",
    "https://site.example/news/2026/story.html?page=2#top",
    "http://site.example:8080/a;p/b/c",
    "http://other.example/",
    "https://www.site.example/x/y/z/",
    "http://127.0.0.1:8000/news/",
]

HREFS = [
    "", " ", "#", "#top", "?", "?page=3", "?a=1&amp;b=2", "story-2.html", "./story-2.html", "../index.html",
    "../../../../up.html", "a/./b/../c", ".", "..", "/", "/news/", "/news/a b.html", "/news/%7Euser/",
    "/news/../x", "/./x", "//site.example/x", "//other.example", "//other.example?q", "///triple",
    "http://site.example/x", "HTTP://Site.Example/X", "https://site.example:443/x", "http://site.example:80",
    "http://site.example/x?", "http://site.example/x#", "http://site.example/a;b?c#d", "http:relative.html",
    "https:relative.html", "http:/rooted", "http://", "http://[::1", "http://[::1]:8080/x", "mailto:a@b.example",
    "javascript:void(0)", "data:text/html,hi", "tel:+431234", "file:///etc/passwd", "ftp://ftp.example/f.txt",
    "/report.pdf", "/IMAGE.JPG", "/video.mp4?x=1", "/doc.pdf;jsessionid=1", "/archive.tar.gz", "/page.html",
    "  \n /spaced.html \t", "/tab\there", "/new\nline", "\x01/control", "/ümlaut/ß.html", "?q=ümlaut",
    "http://bücher.example/straße", "http://xn--bcher-kva.example/", "/%zz/bad-escape", "/a%20b",
    "\\backslash", "/\\backslash", "//\\host", "http://user:pass@site.example/", "http://site.example:99999/",
    "https://site.example/x.html#frag", "/x.PDF", "/.pdf", "/dir.pdf/", "/a%2e%2e/b", "///",
]


def extractor_urls(response: HtmlResponse) -> list[str]:
    return [link.url for link in LinkExtractor().extract_links(response)]


def page(url: str, hrefs: list[str], head: str = "", charset: str = "utf-8") -> HtmlResponse:
    anchors = "".join(f'<a href="{h}">{i}</a><area href="{h}">' for i, h in enumerate(hrefs))
    body = f"<html><head>{head}</head><body><p>{anchors}</p></body></html>".encode(charset, "xmlcharrefreplace")
    return HtmlResponse(url, body=body, headers={b"Content-Type": f"text/html; charset={charset}".encode()})


def both(response_url: str, hrefs: list[str], **kwargs) -> tuple[list[str], list[str]]:
    return extractor_urls(page(response_url, hrefs, **kwargs)), page_links(page(response_url, hrefs, **kwargs))


@pytest.fixture(autouse=True)
def empty_cache():
    links._absolute.clear()
    links._followable.clear()


@pytest.mark.parametrize("base", BASES)
def test_every_kind_of_href_against_every_kind_of_base(base):
    expected, got = both(base, HREFS)
    assert got == expected
    assert len(got) > 20  # the page does have links to compare


def test_results_remembered_from_other_pages_do_not_leak():
    # The same hrefs on pages of other sites, paths and schemes: each page alone must still match.
    for base in BASES + BASES[::-1]:
        expected, got = both(base, HREFS)
        assert got == expected, base


def test_base_href_is_honoured():
    for base_tag in ['<base href="http://cdn.example/root/">', '<base href="/elsewhere/">', '<base href="sub/">',
                     '<base href="https://site.example">']:
        expected, got = both(BASES[0], HREFS, head=base_tag)
        assert got == expected, base_tag


@pytest.mark.parametrize("charset", ["utf-8", "cp1251", "latin-1", "shift_jis"])
def test_page_encodings_reach_query_strings_as_scrapy_encodes_them(charset):
    hrefs = ["?q=é", "/é?q=é", "?q=ж", "http://site.example/?q=日本", "/plain"]
    expected, got = both(BASES[0], hrefs, charset=charset)
    assert got == expected
    assert len(got) >= 2


def test_markup_the_parser_sees_differently_from_a_regex():
    html = """<html><body>
      <!-- <a href="/in-comment">x</a> -->
      <script>document.write('<a href="/in-script">x</a>')</script>
      <A HREF="/upper">x</A> <a href=/unquoted>x</a> <a href='/single'>x</a>
      <a href="/first" href="/second">x</a> <a name="no-href">x</a> <a href>empty</a>
      <a href="/amp?a=1&amp;b=2&lt;">x</a> <a rel="nofollow" href="/nofollow">x</a>
      <map><area href="/area" shape="rect"></map> <link href="/not-a-link"> <img src="/img.png">
      <svg><a href="/svg-a">x</a></svg> <template><a href="/in-template">x</a></template>
      <noscript><a href="/in-noscript">x</a></noscript> <textarea><a href="/in-textarea"></a></textarea>
    </body></html>"""
    response = HtmlResponse(BASES[0], body=html.encode(), headers={b"Content-Type": b"text/html"})
    expected = extractor_urls(response)
    assert page_links(HtmlResponse(BASES[0], body=html.encode(), headers={b"Content-Type": b"text/html"})) == expected
    assert "http://site.example/nofollow" in expected  # followed, as the spider's LinkExtractor did


def test_random_hrefs_and_bases_in_any_order():
    rng = random.Random(13)
    pieces = ["/", "//", "..", ".", "a", "b.html", "?", "q=1", "#", "f", ":", "http", "https", "site.example",
              "other.example", ";", "p", "%", "20", " ", "\t", "é", "@", "[", "]", ".pdf", "x.JPG", "\\"]
    bases = BASES + ["http://site.example", "https://site.example/a/b;c?d#e", "http://[::1]:8000/x/"]
    hrefs = ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 7))) for _ in range(3000)]
    for base, chunk in zip(itertools.cycle(bases), [hrefs[i:i + 150] for i in range(0, len(hrefs), 150)]):
        expected, got = both(base, chunk)
        assert got == expected, base
    for base in bases:  # every href again, now answered from what other pages left behind
        expected, got = both(base, hrefs)
        assert got == expected, base


def test_a_full_cache_starts_over(monkeypatch):
    monkeypatch.setattr(links, "CACHE_SIZE", 5)
    expected, got = both(BASES[0], HREFS)
    assert got == expected
    assert len(links._absolute) <= 5 and len(links._followable) <= 5
