"""The result of extracting one page: clean text plus metadata, as plain values."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field


@dataclass
class Article:
    """One article's clean text and metadata.

    Lists are plain lists of strings; dates are ISO 8601 strings (date or
    date-time) so rows, JSON exports and the CLI all see the same values.
    """

    text: str
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    published: str | None = None
    modified: str | None = None
    site: str | None = None
    language: str | None = None
    description: str | None = None
    tags: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    url: str | None = None
    canonical_url: str | None = None
    image: str | None = None
    # schema.org @type or og:type as declared by the page ("NewsArticle", "article", "website"...)
    page_type: str | None = None
    word_count: int = 0
    # Hash of the normalised text: equal texts at different URLs share it.
    fingerprint: str = ""
    # What our cleaning took out of trafilatura's text (markers, furniture lines, the headline copy).
    removed: list[str] = field(default_factory=list)
    # Is the page an article, and why (processing.classify): the verdict a crawl stores in the
    # pages row (outcome, reason), so not an articles column.
    is_article: bool = False
    article_reason: str = ""

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


# Fields about the page, not the article: kept out of ``articles`` rows.
VERDICT_FIELDS = ("is_article", "article_reason")
