"""Is a fetched page an article? Declared types first, then URL shape, then content.

Home, section, tag, pagination, author and service pages often carry enough
teaser text for an extractor to return something, so extraction alone cannot
decide. Publishers usually say what a page is (schema.org ``@type``,
``og:type``); when they don't, listing-style URLs and the absence of a date
or of enough words mark the non-articles.

``og:type=website`` (and a bare schema.org ``WebPage``) is weak evidence: many
CMSs put it on every page, articles included. It only takes away the
"long but undated" route: a dated page with enough text is still an article.
A page that declares itself an article and is dated is kept even when short
(a news brief), down to ``MIN_BRIEF_WORDS``.

This is the one rule: ``extract()`` puts its verdict on every ``Article`` and
the crawl, ``import-warc`` and ``reextract`` store that verdict.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from newsarchive.extract.article import Article
from newsarchive.extract.metadata import ARTICLE_TYPES, LISTING_TYPES

# NEWSARCHIVE_MIN_WORDS' default: fewer words is a stub, a teaser or a service page.
MIN_WORDS = 80
# A declared, dated article this short is still kept (a brief); below it, a caption or a stub.
MIN_BRIEF_WORDS = 20

NOT_ARTICLE_TYPES = LISTING_TYPES | {"profile", "person", "organization"}
# Declared on every page by many CMSs: no proof either way.
WEAK_TYPES = {"website", "webpage"}

# Path segments that name listing and service pages, not stories.
_LISTING_PATH = re.compile(
    r"/(?:tags?|topics?|categor(?:y|ies)|sections?|authors?|archives?|search|page/\d+|feeds?)(?:/|$|\.)"
    r"|/(?:about|about-us|privacy|privacy-policy|contact|contact-us|terms|terms-of-use|cookies?|cookie-policy"
    r"|imprint|impressum|subscribe|newsletters?|login|register|sitemap)(?:\.\w+)?/?$",
    re.IGNORECASE,
)
# A full date and a story segment after it: "/news/archives/2024/10/16/2003825372" is a story.
_DATED_STORY = re.compile(r"/(?:19|20)\d\d/[01]?\d/[0-3]?\d/[^/]+")
_PAGE_QUERY = re.compile(r"(?:^|&)(?:page|p|paged|start|offset)=\d+", re.IGNORECASE)
_HOME_PATH = re.compile(r"^/(?:index\.\w+)?$")


@dataclass(frozen=True)
class Verdict:
    is_article: bool
    reason: str


def classify(url: str | None, article: Article | None, min_words: int = MIN_WORDS) -> Verdict:
    """Article or not, with the reason a crawl stores; without a URL, its shape is not evidence."""
    if article is None or not article.text:
        return Verdict(False, "no main text")
    declared = (article.page_type or "").lower()
    if declared in NOT_ARTICLE_TYPES:
        return Verdict(False, f"declared type {article.page_type}")
    listing = _listing_reason(url) if url else None
    if listing:
        return Verdict(False, listing)
    words = article.word_count
    if words < min_words:
        if declared in ARTICLE_TYPES and article.published and words >= MIN_BRIEF_WORDS:
            return Verdict(True, f"declared type {article.page_type}, dated brief ({words} words)")
        return Verdict(False, f"too short ({words} words)")
    if declared in ARTICLE_TYPES:
        return Verdict(True, f"declared type {article.page_type}")
    if article.published:
        return Verdict(True, "dated main text")
    if declared in WEAK_TYPES:
        return Verdict(False, f"declared type {article.page_type} and no date")
    if words >= 3 * min_words:
        return Verdict(True, "long main text")
    return Verdict(False, f"no date and short ({words} words)")


def _listing_reason(url: str) -> str | None:
    parts = urlsplit(url)
    if _HOME_PATH.match(parts.path or "/"):
        return "home page"
    if _LISTING_PATH.search(parts.path) and not _DATED_STORY.search(parts.path):
        return "listing or service page URL"
    if _PAGE_QUERY.search(parts.query):
        return "pagination URL"
    return None
