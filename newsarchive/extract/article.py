"""The result of extracting one page: clean text plus metadata, as plain values."""

from __future__ import annotations

import dataclasses
import json
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
        # asdict() without its recursive deep copy (a third of a stored row's cost): the fields are
        # strings, numbers and lists of strings, so copying the lists is the whole of it.
        return {name: list(value) if isinstance(value, list) else value
                for name in _FIELD_NAMES for value in (getattr(self, name),)}

    def to_json(self, **kwargs) -> str:
        """The article as one JSON object (lists as arrays); ``kwargs`` go to ``json.dumps``."""
        return json.dumps(self.to_dict(), ensure_ascii=False, **kwargs)

    def __repr__(self) -> str:
        # Short on purpose: a list of articles in a REPL or a log must not print whole texts.
        title = self.title if self.title is None or len(self.title) <= 70 else self.title[:69] + "…"
        return f"<{type(self).__name__} {title!r} {self.url or '(no url)'} {self.word_count} words>"


def json_default(value: object) -> object:
    """``json.dumps(article, default=json_default)``: articles (and their subclasses) as objects."""
    if isinstance(value, Article):
        return value.to_dict()
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")

# Fields about the page, not the article: kept out of ``articles`` rows.
VERDICT_FIELDS = ("is_article", "article_reason")


_FIELD_NAMES = tuple(f.name for f in dataclasses.fields(Article))
