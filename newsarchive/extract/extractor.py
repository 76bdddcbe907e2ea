"""Main-text extraction: a vote of trafilatura, readability and a jusText-style judgement, plus our cleaning.

``extract(html, url)`` is the one entry point the crawl, re-extraction and
imports share. It parses the page once, reads the markup metadata, cuts the
page into blocks and keeps the blocks the three opinions elect (see
``consensus``), then cleans the text: marker residue, furniture lines and
the repeated headline go, and what went is recorded in ``Article.removed``.
docs/extraction.md has the measurements.
"""

from __future__ import annotations

import codecs
import copy
import hashlib
import re
from datetime import date
from urllib.parse import urljoin

import trafilatura
from htmldate import find_date
from lxml.html import HtmlElement, fromstring
from w3lib.encoding import html_to_unicode

from newsarchive.extract.article import Article
from newsarchive.extract.blocks import judge, page_blocks, stoplist, story_container
from newsarchive.extract.consensus import readability_text, vote
from newsarchive.extract.docmeta import document_metadata
from newsarchive.extract.dom import PARSER, parse
from newsarchive.extract.embedded import article_body, data_scripts
from newsarchive.extract.furniture import strip_furniture
from newsarchive.extract.byline import author_names, find_author
from newsarchive.extract.headline import choose_headline, site_namer
from newsarchive.extract.language import guess_language
from newsarchive.extract.taxonomy import article_tags
from newsarchive.extract.markers import strip_markers
from newsarchive.extract.printed_byline import byline_group, labelled_byline, lead_byline
from newsarchive.extract.metadata import normalise_date, read_markup
from newsarchive.extract.classify import MIN_WORDS, classify

_WORD = re.compile(r"\w+")

# fast=True skips trafilatura's own readability/jusText fallback: the vote
# runs readability and a jusText-style judgement itself. Tables stay in
# (sports results, figures); layout-table junk is what the vote removes.
TRAFILATURA_OPTIONS: dict = {"fast": True, "include_comments": False, "include_tables": True}
# The headline copy is looked for this near the top of the text.
HEADLINE_SEARCH_LINES = 5
# Longer headings are paragraphs set in heading type, not headlines.
MAX_HEADLINE_WORDS = 30
# JSON-LD articleBody replaces the DOM's text when it is this long and the DOM's text is
# shorter than this share of it (a paywall teaser, a script-rendered story).
EMBEDDED_MIN_WORDS = 80
EMBEDDED_SHARE = 0.5
# How the main text is chosen: "vote" (see consensus) or "trafilatura" alone, for comparison.
STRATEGIES = ("vote", "trafilatura")


def extract(html: str | bytes, url: str | None = None, *, strategy: str = "vote",
            min_words: int = MIN_WORDS) -> Article:
    """Return the page's main text and metadata, and whether the page is an article.

    ``html`` may be bytes (charset taken from a BOM or ``<meta charset>``,
    else detected) or already-decoded text. The metadata comes back even when
    no main text is found (``text`` is then ""). ``is_article`` and
    ``article_reason`` are the verdict a crawl stores for the page
    (``processing.classify``; ``min_words`` is its NEWSARCHIVE_MIN_WORDS).
    """
    if strategy not in STRATEGIES:
        raise ValueError(f"unknown strategy {strategy!r}; choose from {STRATEGIES}")
    if isinstance(html, bytes):
        html = decode_html(html)
    tree = parse(html)
    if tree is None:
        return _judged(Article(text="", url=url), min_words)
    markup = read_markup(tree)
    # htmldate and the byline search only where the markup has no date, or names no author.
    doc = document_metadata(tree, url, dated=markup.published is None, byline=not markup.authors)
    published = markup.published or doc.date
    if published is None and markup.date_unreadable:
        # The thorough search costs more than extraction: only where the markup says there is a
        # date we could not read (no year, free wording).
        published = _searched_date(tree, url)
    language = markup.language or doc.language
    text, removed, lead = _main_text(tree, url, language, strategy, doc.description)
    title = choose_headline(tree, markup.titles, doc.title, lead=lead, url=url, site_name=doc.sitename)
    authors, byline_line = _authors(tree, url, markup, doc, text)
    text, cleaned = clean_text(text, title, doc.title)
    removed += cleaned
    if byline_line:
        # The byline printed as the text's first paragraph is metadata, not text.
        text, cut = _without_line(text, byline_line)
        removed += cut
    # Undeclared (or declared as no language): the main text's stopwords tell.
    language = language or guess_language(text)
    canonical = markup.canonical_url or doc.url
    article = Article(
        text=text,
        title=title,
        authors=authors,
        published=published,
        modified=markup.modified,
        site=doc.sitename or doc.hostname,
        language=language,
        description=doc.description,
        tags=article_tags(doc.tags or [], markup.keywords),
        categories=list(doc.categories or []),
        url=url,
        canonical_url=urljoin(url, canonical) if url and canonical else canonical,
        image=doc.image,
        page_type=markup.page_type or doc.pagetype,
        word_count=len(_WORD.findall(text)),
        fingerprint=fingerprint(text) if text else "",
        removed=removed,
    )
    return _judged(article, min_words)


def _authors(tree: HtmlElement, url: str | None, markup, doc, text: str) -> tuple[list[str], str | None]:
    """The article's authors, and the text line that printed them when it was a lead byline."""
    site = site_namer(url, doc.sitename, markup.publisher, markup.meta_publisher)
    accounts = {" ".join(a.casefold().split()) for a in markup.accounts}

    def is_site(name: str) -> bool:
        return site(name) or " ".join(name.casefold().split()) in accounts

    lead: list[str | None] = [None]

    def printed() -> list[str]:
        names = labelled_byline(tree, is_site)
        if not names:
            names, lead[0] = lead_byline(tree, text, is_site)
        return names

    authors = author_names(markup.authors, doc.author, is_site, byline=lambda: find_author(tree), printed=printed,
                           box=lambda names: byline_group(tree, names))
    return authors, lead[0] if lead[0] and authors else None


def _without_line(text: str, line: str) -> tuple[str, list[str]]:
    lines = text.split("\n")
    for i, candidate in enumerate(lines):
        if " ".join(candidate.split()) == line:
            return "\n".join(lines[:i] + lines[i + 1:]).strip(), [line]
    return text, []


def _judged(article: Article, min_words: int) -> Article:
    """The article with the crawl's verdict on it: one rule for the crawl, imports and Python callers."""
    verdict = classify(article.url, article, min_words=min_words)
    article.is_article, article.article_reason = verdict.is_article, verdict.reason
    return article


def _main_text(
    tree: HtmlElement, url: str | None, language: str | None, strategy: str, description: str | None = None
) -> tuple[str, list[str], str | None]:
    """The page's main text, what the vote dropped from trafilatura's, and the heading it starts with."""
    container = story_container(tree)
    body = trafilatura.bare_extraction(tree if container is None else _alone(container), url=url,
                                       **TRAFILATURA_OPTIONS)
    text = (body.text or "") if body is not None else ""
    if strategy == "trafilatura":
        return text, [], None
    blocks = judge(page_blocks(tree), stoplist(language))
    scripts = data_scripts(tree)
    # readability rewrites the tree: it reads last.
    text, dropped = vote(blocks, text, readability_text(tree), description)
    # Escaped JSON is longer than its text: scripts under 1.5x the DOM text's length cannot hold twice it.
    embedded = article_body(scripts, longer_than=int(len(text) * 1.5))
    if len(_WORD.findall(embedded)) >= EMBEDDED_MIN_WORDS and len(_WORD.findall(text)) < EMBEDDED_SHARE * len(
        _WORD.findall(embedded)
    ):
        # The DOM gave a teaser or nothing: the story is in the structured data.
        return embedded, dropped, None
    first = text.split("\n", 1)[0]
    # Some pages set whole paragraphs in <h2>: a headline is short.
    is_headline = len(_WORD.findall(first)) <= MAX_HEADLINE_WORDS and any(b.heading and b.text == first for b in blocks)
    lead = first if is_headline else None
    return text, dropped, lead


def _alone(container: HtmlElement) -> HtmlElement:
    """A page holding a copy of ``container`` only (trafilatura cleans what it is given in place)."""
    page = fromstring("<html><body></body></html>", parser=PARSER)
    page.find("body").append(copy.deepcopy(container))
    return page


def decode_html(body: bytes, content_type: str | None = None) -> str:
    """Decode HTML bytes the way browsers do: BOM, then HTTP charset, then ``<meta>``, then detection.

    One exception: whatever charset is declared, bytes that are valid UTF-8
    with multi-byte sequences are read as UTF-8. Pages re-encoded by a CMS or
    an archive keep their old ``<meta charset=iso-8859-1>`` or ``gb2312``,
    and text really written in another charset is practically never valid
    UTF-8 (a legacy multi-byte or Latin-1 page fails the strict decode within
    a few non-ASCII characters), so this turns "donâ€™t" back into "don’t"
    and mojibake Chinese back into Chinese without misreading true legacy pages.
    """
    encoding, text = html_to_unicode(content_type, body)
    if codecs.lookup(encoding).name != "utf-8" and not body.isascii():
        try:
            return body.decode("utf-8")
        except UnicodeDecodeError:
            pass  # genuinely another charset: the declaration was right
    return text


def _searched_date(tree: HtmlElement, url: str | None) -> str | None:
    """htmldate's extensive search: free text, the URL, years inferred from context.

    A year alone ("© 2020") comes back as January 1st: that is not a
    publication date, so such a result is dropped.
    """
    found = find_date(tree, extensive_search=True, original_date=True, url=url, max_date=date.today().isoformat())
    if not found or found.endswith("-01-01"):
        return None
    return normalise_date(found)


def clean_text(text: str, title: str | None, *other_titles: str | None) -> tuple[str, list[str]]:
    """Apply our cleaning to the extracted text; return the text and the removed pieces.

    A line among the first ``HEADLINE_SEARCH_LINES`` that repeats the headline
    (``title`` or any of ``other_titles``) goes with everything above it: the
    headline is stored in ``Article.title``.
    """
    text, removed = strip_markers(text)
    text, furniture = strip_furniture(text)
    removed += furniture
    lines = [line for line in text.split("\n") if line.strip()]
    titles = [t for t in (title, *other_titles) if t]
    # The headline copy goes, with what precedes it near the top (kickers, breadcrumbs, teasers).
    for i, line in enumerate(lines[:HEADLINE_SEARCH_LINES]):
        if any(_same_words(line, t) for t in titles):
            removed += lines[: i + 1]
            lines = lines[i + 1 :]
            break
    return "\n".join(lines).strip(), removed


def _same_words(a: str, b: str) -> bool:
    return _WORD.findall(a.lower()) == _WORD.findall(b.lower())


def fingerprint(text: str) -> str:
    """Content hash that ignores case, punctuation and spacing."""
    words = " ".join(_WORD.findall(text.lower()))
    return hashlib.sha256(words.encode("utf-8")).hexdigest()[:32]
