"""Is a fetched page an article? Declared types first, then URL shape, then content.

Home, section, tag, pagination, author and service pages often carry enough
teaser text for an extractor to return something, so extraction alone cannot
decide. Publishers usually say what a page is (schema.org ``@type``,
``og:type``); when they don't, listing-style URLs and the absence of a date
or of enough words mark the non-articles.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from newsarchive.extract.article import Article
from newsarchive.extract.metadata import ARTICLE_TYPES

NOT_ARTICLE_TYPES = {
    "website", "webpage", "collectionpage", "itemlist", "aboutpage", "contactpage",
    "profilepage", "searchresultspage", "faqpage", "profile", "person", "organization",
}

# Path segments that name listing and service pages, not stories.
_LISTING_PATH = re.compile(
    r"/(?:tags?|topics?|categor(?:y|ies)|sections?|authors?|archives?|search|page/\d+|feeds?)(?:/|$|\.)"
    r"|/(?:about|about-us|privacy|privacy-policy|contact|contact-us|terms|terms-of-use|cookies?|cookie-policy"
    r"|imprint|impressum|subscribe|newsletters?|login|register|sitemap)(?:\.\w+)?/?$",
    re.IGNORECASE,
)
_PAGE_QUERY = re.compile(r"(?:^|&)(?:page|p|paged|start|offset)=\d+", re.IGNORECASE)
_HOME_PATH = re.compile(r"^/(?:index\.\w+)?$")


@dataclass(frozen=True)
class Verdict:
    is_article: bool
    reason: str


def classify(url: str, article: Article | None, min_words: int = 80) -> Verdict:
    if article is None:
        return Verdict(False, "no main text")
    declared = (article.page_type or "").lower()
    if declared in NOT_ARTICLE_TYPES:
        return Verdict(False, f"declared type {article.page_type}")
    listing = _listing_reason(url)
    if listing:
        return Verdict(False, listing)
    if article.word_count < min_words:
        return Verdict(False, f"too short ({article.word_count} words)")
    if declared in ARTICLE_TYPES:
        return Verdict(True, f"declared type {article.page_type}")
    if article.published:
        return Verdict(True, "dated main text")
    if article.word_count >= 3 * min_words:
        return Verdict(True, "long main text")
    return Verdict(False, f"no date and short ({article.word_count} words)")


def _listing_reason(url: str) -> str | None:
    parts = urlsplit(url)
    if _HOME_PATH.match(parts.path or "/"):
        return "home page"
    if _LISTING_PATH.search(parts.path):
        return "listing or service page URL"
    if _PAGE_QUERY.search(parts.query):
        return "pagination URL"
    return None
