"""What a fetched body becomes: article or not, and why."""

from __future__ import annotations

import pytest

from newsarchive.extract.article import Article
from newsarchive.processing.classify import classify
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
    undeclared = ARTICLE.replace(b'content="article"', b'content=""')
    result = process_page(undeclared, url, "text/html")
    assert result.outcome == "not_article" and reason in result.reason


def test_declared_website_is_not_article():
    page = ARTICLE.replace(b'content="article"', b'content="website"')
    result = process_page(page, "http://news.example/2026/05/ferry.html", "text/html")
    assert (result.outcome, result.reason) == ("not_article", "declared type website")


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


def test_undated_short_page_is_not_article():
    verdict = classify("http://news.example/x.html", Article(text="a few words", word_count=90))
    assert not verdict.is_article and "no date" in verdict.reason


def test_looks_binary():
    assert looks_binary(b"\x00\x01\x02garbage")
    assert not looks_binary("<html>ünïcödé</html>".encode())
    assert not looks_binary("<html>text</html>".encode("utf-16"))
