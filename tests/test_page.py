"""What a fetched body becomes: article or not, and why."""

from __future__ import annotations

import pytest

from newsarchive.extract.article import Article
from newsarchive.extract.classify import Verdict, classify
from newsarchive.processing.page import looks_binary, process_page

STORY = " ".join(["The harbour authority said the new ferry terminal would open in May after two years of work."] * 12)


def html(body: str, head: str = "", lang: str = "en") -> bytes:
    return f'<!doctype html><html lang="{lang}"><head><title>Ferry terminal</title>{head}</head><body>{body}</body></html>'.encode()


ARTICLE = html(f"<article><h1>Ferry terminal opens</h1><p>{STORY}</p><p>{STORY}</p></article>",
               '<meta property="og:type" content="article">'
               '<meta property="article:published_time" content="2026-05-01T09:00:00+02:00">')


def test_article_page():
    result = process_page(ARTICLE, "http://news.example/2026/05/ferry.html", "text/html; charset=utf-8")
    assert result.outcome == "article"
    assert result.article.published == "2026-05-01T09:00:00+02:00"
    assert result.article.language == "en"
    assert not result.article.text.startswith("Ferry terminal opens")


@pytest.mark.parametrize("url, reason", [
    ("http://news.example/", "home page"),
    ("http://news.example/tag/ferries/", "listing"),
    ("http://news.example/news/page/2.html", "listing"),
    ("http://news.example/about.html", "listing"),
    ("http://news.example/privacy", "listing"),
    ("http://news.example/news/?page=3", "pagination"),
])
def test_listing_and_service_urls_are_not_articles(url, reason):
    assert classify(url, Article(text="x " * 300, word_count=300)).reason.startswith(reason)
    undeclared = ARTICLE.replace(b'content="article"', b'content=""')
    result = process_page(undeclared, url, "text/html")
    assert result.outcome == "not_article" and reason in result.reason


def test_og_type_website_on_a_dated_story_does_not_drop_it():
    # Many CMSs put og:type=website on every page: weak evidence, not proof.
    page = ARTICLE.replace(b'content="article"', b'content="website"')
    result = process_page(page, "http://news.example/2026/05/ferry.html", "text/html")
    assert (result.outcome, result.reason) == ("article", "dated main text")


def test_og_type_website_without_a_date_is_not_an_article():
    page = ARTICLE.replace(b'content="article"', b'content="website"').replace(
        b'<meta property="article:published_time" content="2026-05-01T09:00:00+02:00">', b"")
    result = process_page(page, "http://news.example/ferry.html", "text/html")
    assert (result.outcome, result.reason) == ("not_article", "declared type website and no date")


def test_strong_non_article_types_still_decide():
    page = ARTICLE.replace(b'<meta property="og:type" content="article">',
                           b'<script type="application/ld+json">{"@type": "CollectionPage"}</script>')
    result = process_page(page, "http://news.example/2026/05/ferry.html", "text/html")
    assert (result.outcome, result.reason) == ("not_article", "declared type CollectionPage")


BRIEF = "The harbour authority said the new ferry terminal would open in May, two weeks later than planned."


@pytest.mark.parametrize("declared, dated, outcome, reason", [
    ("NewsArticle", True, "article", "declared type NewsArticle, dated brief (34 words)"),
    ("NewsArticle", False, "not_article", "too short (34 words)"),
    ("", True, "not_article", "too short (34 words)"),
])
def test_a_declared_dated_news_brief_is_kept(declared, dated, outcome, reason):
    head = (f'<script type="application/ld+json">{{"@type": "{declared}"}}</script>' if declared else "")
    head += '<meta property="article:published_time" content="2026-05-01T09:00:00+02:00">' if dated else ""
    page = html(f"<article><h1>Ferry terminal opens</h1><p>{BRIEF} {BRIEF}</p></article>", head)
    result = process_page(page, "http://news.example/2026/05/ferry.html", "text/html")
    assert (result.outcome, result.reason) == (outcome, reason)
    assert (result.article is not None) == (outcome == "article")


def test_stored_verdict_is_the_one_extract_gives():
    from newsarchive import extract
    url = "http://news.example/2026/05/ferry.html"
    for page in (ARTICLE, ARTICLE.replace(b"article:published_time", b"x").replace(b'content="article"', b'content=""')):
        result, art = process_page(page, url, "text/html"), extract(page, url)
        assert (result.outcome == "article", result.reason) == (art.is_article, art.article_reason)


@pytest.mark.parametrize("body, content_type, reason", [
    (b"%PDF-1.4 ...", "application/pdf", "content type application/pdf"),
    (b"", "text/html", "empty body"),
    (b"   \n ", "text/html", "empty body"),
    (bytes(range(256)) * 20, "text/html", "binary content"),
    (b"<html><body><p>Hi.</p></body></html>", "text/html", "too short (1 words)"),
    (b"<html><body></body></html>", "text/html", "no main text"),
])
def test_non_articles_say_why(body, content_type, reason):
    result = process_page(body, "http://news.example/x.html", content_type)
    assert (result.outcome, result.reason) == ("not_article", reason)


def test_latin1_declared_only_in_http_header():
    text = ("Le café de la gare a rouvert ses portes après trois ans de travaux, à la grande joie des habitués. " * 12)
    body = html(f"<article><p>{text}</p></article>", '<meta property="og:type" content="article">', lang="fr")
    body = body.decode().encode("iso-8859-1")
    result = process_page(body, "http://news.example/2026/cafe.html", "text/html; charset=ISO-8859-1")
    assert result.outcome == "article"
    assert "café de la gare" in result.article.text and "après" in result.article.text


def test_a_dated_story_under_an_archive_path_is_not_a_listing():
    url = "http://news.example/news/archives/2024/10/16/2003825372"
    assert classify(url, Article(text="x " * 300, word_count=300)) == Verdict(True, "long main text")


def test_without_a_url_its_shape_is_no_evidence():
    assert classify(None, Article(text="x " * 300, word_count=300)).reason == "long main text"


def test_undated_short_page_is_not_article():
    verdict = classify("http://news.example/x.html", Article(text="a few words", word_count=90))
    assert not verdict.is_article and "no date" in verdict.reason


def test_looks_binary():
    assert looks_binary(b"\x00\x01\x02garbage")
    assert not looks_binary("<html>ünïcödé</html>".encode())
    assert not looks_binary("<html>text</html>".encode("utf-16"))


def test_an_article_comes_back_with_its_near_duplicate_signature():
    # Made in the worker, so the end of a crawl reads it instead of signing the text (db/clusters.py).
    from newsarchive.corpus.neardup import signature_blob

    result = process_page(ARTICLE, "http://news.example/2026/05/ferry.html", "text/html; charset=utf-8")
    assert result.signature is not None and result.signature == signature_blob(result.article.text)
    listing = process_page(ARTICLE, "http://news.example/tag/ferries/", "text/html")
    assert listing.outcome == "not_article" and listing.signature is None
    # Nothing will cluster it (NEWSARCHIVE_NEAR_DUPLICATES off, a dry run): the worker does not sign.
    unsigned = process_page(ARTICLE, "http://news.example/2026/05/ferry.html", "text/html; charset=utf-8", sign=False)
    assert unsigned.outcome == "article" and unsigned.article.text == result.article.text
    assert unsigned.signature is None
