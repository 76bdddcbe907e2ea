"""The byline search of trafilatura's metadata, in one walk over the tree.

When neither meta tags nor JSON-LD name the author, trafilatura deep-copies
the page, deletes comment sections, sidebars, dates and figures from the
copy, then runs three XPath searches for author-like elements. On news pages
that was 4 ms, a seventh of our extraction. The rules below are trafilatura's
(``xpaths.AUTHOR_DISCARD_XPATHS`` and ``AUTHOR_XPATHS``, trafilatura 2.x),
applied in a single pass without copying or deleting anything: the answers
are the same (tests/test_docmeta.py checks them against trafilatura's), with
one exception. trafilatura's first rule tests ``rel='me'``, without the
``@``: a child element ``<rel>``, which HTML does not have. We leave it out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree
from lxml.html import HtmlElement
from trafilatura.json_metadata import normalize_authors

# Elements whose text is never the byline: comment threads, sidebars, titles, dates, figures.
_DISCARD_TAGS = frozenset(("a", "div", "section", "span"))
_DISCARD_ID = re.compile(r"^comments|comment-?list|ProductReviews")
_DISCARD_CLASS = re.compile(
    r"^[Cc]omments|commentlist|comments-list|sidebar|is-hidden|quote|embedly-instagram"
    r"|article-(?:share|support)|print|category|meta-date|meta-reviewer"
)
_DISCARD_CLASS_EXACT = frozenset(("comments", "title", "date"))
_ALWAYS_DISCARD = frozenset(("time", "figure"))

# Three tiers of author elements, most specific first; the first text of a plausible length wins.
_SPECIFIC_TAGS = frozenset(("a", "address", "div", "link", "p", "span", "strong"))
_SPECIFIC_CLASS = re.compile(r"author-?name|AuthorName|authorName")
_GENERIC_TAGS = frozenset(("a", "div", "h3", "h4", "p", "span"))
_GENERIC_ID = re.compile(r"author|zuozhe|bianji|xiaobian")
_GENERIC_CLASS = re.compile(r"author|channel-name|zuozhe|bianji|xiaobian|submitted-by|posted-by|journalist-name")
_GENERIC_CLASS_EXACT = frozenset(("byline", "username", "byl", "BBL"))
_ANY_ID = re.compile(r"[Aa]uthor")
_ANY_CLASS = re.compile(r"[Aa]uthor|screenname|writer|[Bb]yline")
MAX_AUTHOR_CHARS = 120
# The tags a rule matches without looking at attributes.
_ATTRIBUTELESS = _ALWAYS_DISCARD | {"author"}


def find_author(tree: HtmlElement) -> str | None:
    """The author named in the page's byline elements, normalised as trafilatura does."""
    walk = _walk(tree)
    for tier in walk.tiers:
        for element in tier:
            text = " ".join(" ".join(_text_pieces(element, walk.discarded)).split())
            if 2 < len(text) < MAX_AUTHOR_CHARS:
                return normalize_authors(None, text)
    return None


@dataclass
class _Walk:
    discarded: set[HtmlElement] = field(default_factory=set)
    tiers: tuple[list[HtmlElement], ...] = field(default_factory=lambda: ([], [], []))


def _walk(tree: HtmlElement) -> _Walk:
    walk = _Walk()
    for element in tree.iter(etree.Element):
        tag = element.tag
        attrib = element.attrib
        if not attrib and tag not in _ATTRIBUTELESS:
            continue
        if tag in _ALWAYS_DISCARD or (attrib and _discards(tag, attrib)):
            # trafilatura's deletion cannot remove the root.
            if element is not tree:
                walk.discarded.add(element)
                continue
        for tier, matches in zip(walk.tiers, (_specific, _generic, _anywhere)):
            if matches(tag, attrib):
                tier.append(element)
    # Candidates inside a discarded element were deleted with it.
    for tier in walk.tiers:
        tier[:] = [e for e in tier if not any(a in walk.discarded for a in e.iterancestors())]
    return walk


def _discards(tag: str, attrib) -> bool:
    if tag not in _DISCARD_TAGS:
        return False
    id_, cls = attrib.get("id"), attrib.get("class")
    return bool(
        id_ == "comments" or (id_ and _DISCARD_ID.search(id_))
        or cls in _DISCARD_CLASS_EXACT or (cls and _DISCARD_CLASS.search(cls))
        or "Figure" in attrib.get("data-component", "")
    )


def _specific(tag: str, attrib) -> bool:
    if tag == "author":
        return True
    if tag not in _SPECIFIC_TAGS:
        return False
    cls = attrib.get("class")
    return bool(
        attrib.get("rel") == "author" or attrib.get("id") == "author" or cls == "author"
        or attrib.get("itemprop") == "author name"
        or attrib.get("data-testid") in ("AuthorCard", "AuthorURL")
        or (cls and _SPECIFIC_CLASS.search(cls))
    )


def _generic(tag: str, attrib) -> bool:
    if tag not in _GENERIC_TAGS:
        return False
    id_, cls = attrib.get("id"), attrib.get("class")
    return bool(
        cls in _GENERIC_CLASS_EXACT or "author" in attrib.get("itemprop", "")
        or (id_ and _GENERIC_ID.search(id_)) or (cls and _GENERIC_CLASS.search(cls))
    )


def _anywhere(tag: str, attrib) -> bool:
    id_, cls = attrib.get("id"), attrib.get("class")
    return bool(
        "Byline" in attrib.get("data-component", "") or "author" in attrib.get("itemprop", "")
        or (id_ and _ANY_ID.search(id_)) or (cls and _ANY_CLASS.search(cls))
    )


def _text_pieces(element: HtmlElement, discarded: set[HtmlElement]) -> list[str]:
    """``element.itertext()`` as if the discarded descendants had been deleted.

    trafilatura deletes them keeping their tail, which it glues to the text
    before it; gluing matters where no space separates the two.
    """
    pieces = [element.text or ""]
    for child in element:
        if child in discarded:
            pieces[-1] += child.tail or ""
            continue
        if isinstance(child.tag, str):
            pieces.extend(_text_pieces(child, discarded))
        pieces.append(child.tail or "")
    return pieces
