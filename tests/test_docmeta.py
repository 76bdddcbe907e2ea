"""Our one-pass byline search and metadata composition give trafilatura's answers."""

from datetime import date

import pytest
from trafilatura.metadata import extract_author, extract_catstags, extract_metadata

from newsarchive.extract.byline import find_author
from newsarchive.demo import SITE_DIR
from newsarchive.extract.docmeta import document_metadata
from newsarchive.extract.dom import parse
from newsarchive.extract.taxonomy import categories_and_tags


def _page(body: str, head: str = "") -> str:
    return f"<html><head><title>Pier repairs | Gazette</title>{head}</head><body>{body}</body></html>"


BYLINES = {
    "specific class": '<div class="author-name">Jane Smith</div><div class="byline">By Someone Else</div>',
    "rel author link": '<p>By <a rel="author" href="/staff/jane">Jane Smith</a></p>',
    "author tag": "<author>Jane Smith</author>",
    "generic tier": '<span class="byline">By Jane Smith</span><div class="writer">Not this one</div>',
    "last resort tier": '<div class="article-writer">Jane Smith</div>',
    "id match": '<div id="story-author">Jane Smith and Tom Jones</div>',
    "itemprop": '<span itemprop="author">Jane Smith</span>',
    # A date inside the byline is deleted, its tail glued to the text before it.
    "time inside": '<div class="byline">By Jane Smith<time>3 May</time>, Harbour reporter</div>',
    "time no space": '<div class="author">Jane<time>3 May</time>Smith</div>',
    "first child dropped": '<div class="author"><time>3 May</time>Jane Smith</div>',
    # Comment sections and sidebars are skipped, however author-like their contents.
    "in comments": '<div id="comments"><span class="author">Reader Joe</span></div><p class="byline">By Jane Smith</p>',
    "in sidebar": '<aside><div class="sidebar"><a class="author">Columnist</a></div></aside>'
                  '<span class="author">Jane Smith</span>',
    "in figure": '<figure><figcaption><span class="author">Photo: Agency</span></figcaption></figure>'
                 '<span class="author">Jane Smith</span>',
    "too long": f'<div class="author">{"word " * 40}</div><span class="byline">Jane Smith</span>',
    "too short": '<div class="author">JS</div><span class="byline">Jane Smith</span>',
    "email only": '<div class="author">jane@example.com</div>',
    "none": "<p>No byline on this page at all.</p>",
}


@pytest.mark.parametrize("body", BYLINES.values(), ids=BYLINES.keys())
def test_find_author_agrees_with_trafilatura(body):
    html = _page(f"<article><h1>Pier repairs</h1>{body}<p>The council met.</p></article>")
    assert find_author(parse(html)) == extract_author(parse(html))


def test_find_author_finds_the_names():
    assert find_author(parse(_page(BYLINES["specific class"]))) == "Jane Smith"
    assert find_author(parse(_page(BYLINES["in comments"]))) == "Jane Smith"
    assert find_author(parse(_page(BYLINES["none"]))) is None


def _trafilatura_metadata(tree, url):
    config = {"extensive_search": False, "original_date": True, "max_date": date.today().isoformat()}
    return extract_metadata(tree, url, config, extensive=False)


def _fields(doc) -> dict:
    # The licence is not read (we store none); body elements are not metadata.
    return {k: v for k, v in doc.as_dict().items() if k not in ("license", "body", "commentsbody")}


@pytest.mark.parametrize("path", sorted(p.relative_to(SITE_DIR).as_posix() for p in SITE_DIR.rglob("*.html")))
def test_document_metadata_agrees_with_trafilatura_on_the_demo_site(path):
    html = (SITE_DIR / path).read_bytes().decode("utf-8", "replace")
    url = f"https://harbour-gazette.test/{path}"
    assert _fields(document_metadata(parse(html), url)) == _fields(_trafilatura_metadata(parse(html), url))


def test_document_metadata_agrees_with_trafilatura_on_varied_markup():
    head = ('<meta property="og:site_name" content="@harbourgazette"><meta name="author" content="Staff">'
            '<link rel="canonical" href="/news/pier.html"><meta property="og:url" content="https://gazette.test/">'
            '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Pier repairs", '
            '"datePublished": "2024-05-03"}</script>')
    body = ('<div class="entry-meta"><a href="/category/local/">Local</a> <a href="/tag/pier/">pier</a></div>'
            '<div class="tags"><a href="/tag/council/">council</a></div><span class="byline">By Jane Smith</span>'
            "<h1>Pier repairs</h1><p>The council met.</p>")
    html = _page(body, head)
    ours = document_metadata(parse(html), "https://gazette.test/news/pier.html")
    assert _fields(ours) == _fields(_trafilatura_metadata(parse(html), "https://gazette.test/news/pier.html"))
    assert ours.author == "Jane Smith" and ours.sitename == "Harbourgazette" and ours.date == "2024-05-03"


TAXONOMY = {
    "post-meta div": '<div class="post-meta">Filed in <a href="/category/local/">Local</a>, '
                     '<a href="/tag/pier/">pier</a></div>',
    "postpath id": '<div id="postpath-1"><a href="/categories/harbour/">Harbour</a></div>',
    "postinfo p": '<p class="postinfo"><a href="/category/news/">News</a></p>',
    "entry footer": '<footer class="entry-footer"><a href="/category/council/">Council</a>'
                    '<a href="/tags/budget/">Budget</a></footer>',
    "cat-links span": '<span class="cat-links"><a href="/category/a/">A</a></span>',
    "entry header": '<header class="entry-header"><a href="/category/h/">H</a></header>',
    "row div, both kinds": '<div class="row"><a href="/category/r/">R</a><a href="/tag/t/">T</a></div>',
    "tags div": '<div class="tags"><a href="/tag/ferry/">ferry</a><a href="/about/">About</a></div>',
    "entry-tags p": '<p class="entry-tags"><a href="/tag/storm/">storm</a></p>',
    "tag-cloud div": '<div class="tag-cloud"><a href="/tags/x/">x</a></div>',
    "topics anywhere": '<ul class="article-topics"><li><a href="/tag/y/">y</a></li></ul>',
    "nested containers": '<div class="meta"><div class="meta-inner"><a href="/category/n/">N</a></div>'
                         '<a href="/category/m/">M</a></div>',
    "a later rule wins only if earlier ones find nothing": '<div class="tags"><a href="/category/z/">Z</a></div>'
                                                           '<p class="postmeta"><a href="/category/p/">P</a></p>',
    "section meta fallback": '<p>No links.</p>',
    "links that are not categories": '<div class="post-meta"><a href="/author/jane/">Jane</a></div>',
}


@pytest.mark.parametrize("body", TAXONOMY.values(), ids=TAXONOMY.keys())
def test_categories_and_tags_agree_with_trafilatura(body):
    head = '<meta property="article:section" content="Harbour news">'
    tree = parse(_page(f"<article><h1>Pier</h1>{body}<p>The council met.</p></article>", head))
    expected = (extract_catstags("category", tree), extract_catstags("tag", tree))
    assert categories_and_tags(tree) == expected


def test_categories_and_tags_find_the_links():
    tree = parse(_page('<div class="meta"><a href="/category/local/">Local</a> <a href="/tag/pier/">pier</a></div>'))
    assert categories_and_tags(tree) == (["Local"], ["pier"])


def test_keywords_meta_gives_each_keyword_once_and_no_combined_tag():
    from newsarchive.extract.taxonomy import article_tags
    assert article_tags(["harbour, lifeboat", "Storms"], ["harbour", "Lifeboat", "storms"]) == [
        "harbour", "lifeboat", "Storms"]
