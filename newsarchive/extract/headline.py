"""The article's headline, chosen among the page's title candidates.

trafilatura takes the only ``<h1>``, else meta titles, else ``<title>``; on
older and cluttered pages the lone ``<h1>`` is a section label ("Related
News") and ``<title>`` carries site and section names ("... - Football -
Sport - smh.com.au"). The headline is usually the part of ``<title>`` that
is also a heading or meta title on the page, so we prefer such a candidate
(without separators of its own), then the heading the article text starts
with, then the ``<title>`` segment that is not the site's name.

Today's pages state their headline: ``og:title`` (what social and search
previews show), the JSON-LD ``headline`` and ``twitter:title``. Where they do,
the first stated one wins, in that order, once HTML entities are decoded and
segments naming the site ("… | Daily Mail", "Ilanga News - …") are cut off; it
is never cut at an inner colon or dash, which belong to the headline
("Bei Protesten 2022: Bericht: …"). A stated title that is only the site's name
(a WebSite object's headline, a home page's og:title) does not count.
Measured on devset-modern: the <h1>/<title> cross-check alone 0.62, stated
titles first 0.79 (docs/extraction.md).
"""

from __future__ import annotations

import html
import re
from typing import Callable
from urllib.parse import urlsplit

from lxml.html import HtmlElement

_WORD = re.compile(r"\w+")
# Separators between headline and site/section names in <title>. A colon counts only with a
# space before it: "Bridge vote: council approves" is one headline, "Tehran Times : Bridge" is not.
_SEPARATORS = re.compile(r"\s+[|\-–—»/·:>*]+\s+|\s*::\s*|_(?=[A-Z])|\s+\|\s*|\s*[：｜]\s*")
# What may follow a headline inside a longer stated title: a separator, then site, section or date.
_TRAILER = re.compile(r"\s*[|\-–—»/·:>*：｜ㅣ]")
MIN_WORDS = 3
MAX_CANDIDATES = 8
# Host labels that say nothing about the site's name.
_GENERIC_LABELS = frozenset("www com co org net news uk au ca us in de fr online web".split())


def choose_headline(
    tree: HtmlElement,
    meta_titles: list[str],
    fallback: str | None,
    lead: str | None = None,
    url: str | None = None,
    site_name: str | None = None,
) -> str | None:
    """Best headline of the page.

    ``meta_titles`` are og:title, JSON-LD headline and the like; ``fallback``
    is trafilatura's title; ``lead`` is the heading the extracted text starts
    with, if any; ``url`` and ``site_name`` help tell the site's name from the
    headline among ``<title>`` segments.
    """
    site = _site_tokens(url, site_name)
    stated = declared_headline(meta_titles, site, _headings(tree))
    if stated:
        return stated
    page_title = _clean(tree.findtext(".//title") or "")
    segments = _segments(page_title)
    # trafilatura's title is not a candidate here: on such pages it is often the site's name,
    # which is a <title> segment too.
    candidates = [_clean(c) for c in [lead, *meta_titles, *_headings(tree)] if c and c.strip()]
    inside = [c for c in candidates if _in_title(c, page_title, segments)]
    if inside:
        best = max(inside, key=lambda c: (not _SEPARATORS.search(c), len(_words(c))))
        # "Bridge opens - Local" still carries a section name.
        return _main_segment(best, _segments(best), site)
    if lead:
        return _clean(lead)
    if len(segments) > 1:
        return _main_segment(page_title, segments, site)
    return page_title or (candidates[0] if candidates else None) or (_clean(fallback) if fallback else None)


def declared_headline(meta_titles: list[str], site: set[str], headings: list[str]) -> str | None:
    """The first stated title that is more than the site's name, without site-name segments.

    A stated title that is another candidate (a heading, another stated title)
    plus a separator and more ("Bridge opens - National", "Bridge opens | DW |
    28.04.2023") is cut back to that candidate: what follows is a section,
    site or date.
    """
    stated = [_clean(html.unescape(t)) for t in meta_titles]
    others = [c for c in stated + headings if len(c) >= MIN_PREFIX_CHARS]
    for title in stated:
        title = _headline_prefix(title, others) or title
        cut = _strip_site(title, site)
        if not cut or _names_site(cut, site):
            continue
        # "Site - tagline" or "Site: headline": only a headline when the page shows it as one.
        if title.startswith(cut) or any(_words(cut) == _words(h) for h in headings):
            return cut
    return None


# A candidate shorter than this is too short to stand for a headline at the start of a longer one.
MIN_PREFIX_CHARS = 12


def _headline_prefix(title: str, others: list[str]) -> str | None:
    """The longest other candidate that ``title`` starts with, a separator following it."""
    found = [o for o in others if len(o) < len(title) and title.startswith(o) and _TRAILER.match(title, len(o))]
    return max(found, key=len) if found else None


# A segment of at most this many words may be a site's name ("The Caucasus Herald").
MAX_SITE_WORDS = 5


def _strip_site(title: str, site: set[str]) -> str:
    """``title`` without a leading segment naming the site, or without the first later segment that
    does and what follows it ("Headline | Site | by Author"); inner separators stay."""
    cuts = list(_SEPARATORS.finditer(title))
    if not cuts:
        return title
    if _names_site(title[: cuts[0].start()], site):
        return title[cuts[0].end() :].strip()
    for i, cut in enumerate(cuts):
        end = cuts[i + 1].start() if i + 1 < len(cuts) else len(title)
        if _names_site(title[cut.end() : end], site):
            return title[: cut.start()].strip()
    return title


def _names_site(segment: str, site: set[str]) -> bool:
    words = _words(segment)
    if not words or len(words) > MAX_SITE_WORDS:
        return False
    squashed = "".join(words)
    return any(token in squashed or squashed in token for token in site)


def _in_title(candidate: str, page_title: str, segments: list[str]) -> bool:
    """Is ``candidate`` part of ``<title>`` (not all of it), long enough or a whole segment?"""
    words = _words(candidate)
    if not words or words == _words(page_title):
        # A candidate that is the whole <title> says nothing about where the site name is.
        return False
    if len(segments) > 1 and any(words == _words(s) for s in segments):
        # A short headline ("Storm warning | Fixture News") shows as a whole segment.
        return True
    if len(words) < MIN_WORDS:
        return False
    return f" {' '.join(words)} " in f" {' '.join(_words(page_title))} "


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


def _segments(page_title: str) -> list[str]:
    return [p.strip() for p in _SEPARATORS.split(page_title) if p and p.strip()]


def _site_tokens(url: str | None, *site_names: str | None) -> set[str]:
    """Squashed names the site goes by: host labels ("smh", "theage") and its declared names."""
    tokens = set()
    host = urlsplit(url).hostname if url else None
    if host:
        labels = {"".join(_words(label)) for label in host.split(".") if label not in _GENERIC_LABELS}
        tokens |= {label for label in labels if len(label) > 2}
    tokens |= {"".join(_words(name)) for name in site_names if name and _words(name)}
    return tokens


def site_namer(url: str | None, *site_names: str | None) -> Callable[[str], bool]:
    """A test for "does this text name the site" (its host or a declared name), for bylines."""
    tokens = _site_tokens(url, *site_names)
    return lambda text: _names_site(text, tokens)


def _main_segment(title: str, segments: list[str], site_tokens: set[str]) -> str:
    """The longest segment of ``title`` that does not name the site (``title`` if it has one)."""
    if len(segments) < 2:
        return title
    parts = [s for s in segments if not _names_site(s, site_tokens)] or segments
    best = max(parts, key=lambda p: len(_words(p)))
    return best if len(_words(best)) >= MIN_WORDS else title
