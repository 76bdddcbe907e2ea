"""The article's headline, chosen among the page's title candidates.

trafilatura takes the only ``<h1>``, else meta titles, else ``<title>``; on
older and cluttered pages the lone ``<h1>`` is a section label ("Related
News") and ``<title>`` carries the site name ("... - Football - Sport").
The headline is usually the part of ``<title>`` that is also a heading or
meta title on the page, so we prefer a candidate found inside ``<title>``,
then ``<title>`` with its site-name segments cut off.
"""

from __future__ import annotations

import re

from lxml.html import HtmlElement

_WORD = re.compile(r"\w+")
# Separators between headline and site/section names in <title>.
_SEPARATORS = re.compile(r"\s+[|\-–—»/·]+\s+|\s*::\s*|_(?=[A-Z])|\s+\|\s*")
MIN_WORDS = 3
MAX_CANDIDATES = 8


def choose_headline(tree: HtmlElement, meta_titles: list[str | None], fallback: str | None) -> str | None:
    """Best headline of the page; ``meta_titles`` are og:title, JSON-LD headline and the like."""
    page_title = _clean(tree.findtext(".//title") or "")
    candidates = [_clean(t) for t in meta_titles if t] + _headings(tree)
    if fallback:
        candidates.append(_clean(fallback))
    # A candidate that is the whole <title> says nothing about where the site name is.
    whole = _words(page_title)
    inside = [c for c in candidates if _is_inside(c, page_title) and _words(c) != whole]
    if inside:
        return max(inside, key=lambda c: len(_words(c)))
    # A short headline ("Storm warning | Fixture News") shows as a whole <title> segment.
    segments = {tuple(_words(part)) for part in _segments(page_title)}
    whole_segment = [c for c in candidates if len(segments) > 1 and tuple(_words(c)) in segments]
    if whole_segment:
        return max(whole_segment, key=lambda c: len(_words(c)))
    segment = _main_segment(page_title)
    if segment:
        return segment
    return fallback or (candidates[0] if candidates else None)


def _headings(tree: HtmlElement) -> list[str]:
    found = []
    for el in tree.iter("h1", "h2"):
        text = _clean(el.text_content())
        if text:
            found.append(text)
        if len(found) >= MAX_CANDIDATES:
            break
    return found


def _clean(text: str) -> str:
    return " ".join(text.split())


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def _is_inside(candidate: str, page_title: str) -> bool:
    """Is ``candidate`` (at least MIN_WORDS words) a contiguous word run of ``page_title``?"""
    words = _words(candidate)
    if len(words) < MIN_WORDS:
        return False
    padded = f" {' '.join(_words(page_title))} "
    return f" {' '.join(words)} " in padded


def _segments(page_title: str) -> list[str]:
    return [p.strip() for p in _SEPARATORS.split(page_title) if p and p.strip()]


def _main_segment(page_title: str) -> str | None:
    """The longest separator-delimited part of ``<title>``, when the title has several."""
    parts = _segments(page_title)
    if len(parts) < 2:
        return page_title or None
    best = max(parts, key=lambda p: len(_words(p)))
    return best if len(_words(best)) >= MIN_WORDS else page_title
