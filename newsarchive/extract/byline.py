"""Authors: trafilatura's byline search in one walk over the tree, and the names it yields.

``author_names`` turns the markup's author statements into the list of
people (labels, job titles, conjunctions, slugs and the publisher handled);
``find_author`` is the byline search, described below.

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


# --- from author strings to the list of people ---

# Byline labels in the languages we meet, before a name: "By", "Von", "Autor", "Text:", "Av" (sv), "Af" (da).
_LABEL = re.compile(
    r"^(?:(?i:by|von|autor(?:in)?|author|text|texte|tekst|av|af|door|par|por|przez|yazan|written by|reporting by)"
    # Italian "di" only in lower case: "Di Pietro" is a surname.
    r"|di)\s*:?\s+(?!(?:der|den|dem)\b)")
# A label inside: "Capital von Jemima Kelly" (a kicker before the byline). Two words must follow.
_INNER_LABEL = re.compile(r"^(?:\S+\s+){1,2}(?:by|von|av|af|door|par|por)\s+(?!(?:der|den|dem)\b)(?=\S+\s+\S+)",
                          re.IGNORECASE)
# Job titles that bylines list as if they were people.
_ROLES = frozenset(
    "journalist journalistin reporter reporterin redakteur redakteurin redaktion editor editors staff "
    "correspondent korrespondent photographer fotograf fotografin photos foto".split())
# Conjunctions that join two names in a byline, by language; single letters only between full names.
_JOIN = re.compile(r"\s+(?:and|und|og|och|en|et|ve|oraz|und|és|ja|и|&)\s+|\s*[;|/]\s*", re.IGNORECASE)
_SHORT_JOIN = re.compile(r"\s+(?:y|e|i)\s+")


def author_names(stated: list[str], found: str | None, is_site, byline=None, printed=None, box=None) -> list[str]:
    """The people who wrote the article.

    ``stated`` are names the markup lists one by one (JSON-LD, citation
    tags) and win; ``found`` is trafilatura's "; "-joined author string (meta
    tags, byline search). ``is_site(name)`` tells the publisher's own name
    (or a CMS account), dropped when anyone else is named. When no person is
    named, the page's byline (``byline()``, the byline search) is asked,
    then the byline printed as text (``printed()``, ``printed_byline``).
    ``box(names)`` lists the authors printed beside the stated ones (their
    co-authors, when the markup names one of two). Labels and job titles
    go; a URL slug of a name already listed ("emma-mackenzie") is that name.
    """
    stated_names = _names(stated)
    found_names = _names((found or "").split(";"))
    # Markup that names only the publisher ("author": {"@type": "Organization", "name": "Site"})
    # yields to a byline that names someone else.
    people = [n for n in stated_names if not is_site(n)]
    if people:
        return _with_coauthors(people, box)
    # A found name of one short word ("Amw") is initials or a handle: weaker than a stated publisher.
    people = [n for n in found_names if not is_site(n) and _full_name(n)]
    if not people and byline is not None and (stated_names or found_names):
        # Only the publisher is named in the markup: the page's byline may name the person.
        people = [n for n in _names((byline() or "").split(";")) if not is_site(n) and _full_name(n)]
    if not people and printed is not None:
        people = _names(printed())
    return people or stated_names or found_names


def _full_name(name: str) -> bool:
    """More than one word, or a name in a script written without spaces (신현주)."""
    return len(name.split()) > 1 or not name.isascii()


def _with_coauthors(people: list[str], box) -> list[str]:
    listed = _names(box(people)) if box is not None else []
    keys = {_squashed(n) for n in listed}
    # Only a box that prints every stated name and more: otherwise it is another story's byline.
    if len(listed) > len(people) and all(_squashed(n) in keys for n in people):
        return listed
    return people


def _names(values: list[str]) -> list[str]:
    names: dict[str, str] = {}
    for value in values:
        for part in _split(value):
            name = _unlabelled(" ".join(part.split()))
            key = _squashed(name)
            if key and name.lower() not in _ROLES and not name.lower().startswith(("http:", "https:", "www.")):
                names.setdefault(key, name)
    return list(names.values())


def _split(author: str) -> list[str]:
    parts = _JOIN.split(author)
    commas = [p.strip() for p in author.split(",")]
    if len(commas) > 1 and all(len(c.split()) >= 2 for c in commas):
        # "Ann Lee, Bo Chen, Cy Diaz": a list; "Lee, Ann" (Last, First) and "AFP, Manila" are not.
        parts = [q for c in commas for q in _JOIN.split(c)]
    out = []
    for part in parts:
        halves = _SHORT_JOIN.split(part)
        # "Ana y Luis" could be one odd name; two full names either side are two people.
        out.extend(halves if all(len(h.split()) >= 2 for h in halves) else [part])
    return [p.strip() for p in out if p.strip()]


# A job title after the name: "신현주 기자" (Korean "reporter"), "山田太郎記者", "Jane Smith, Reporter".
_ROLE_SUFFIX = re.compile(r"(?:\s*,)?\s*(?:기자|특파원|記者|reporter|correspondent|staff writer)$", re.IGNORECASE)
# What is left is a role itself ("Guardian staff" of "Guardian staff reporter"): the whole is the credit.
_ROLE_LEFT = re.compile(r"\b(?:staff|team|desk|newsroom|redaktion)$", re.IGNORECASE)


def _unlabelled(name: str) -> str:
    name = _LABEL.sub("", name)
    name = _INNER_LABEL.sub("", name).strip(" ,:")
    stripped = _ROLE_SUFFIX.sub("", name).strip()
    return stripped if stripped and not _ROLE_LEFT.search(stripped) else name


def _squashed(name: str) -> str:
    """Letters only, case-folded: "Emma-Mackenzie" and "emma mackenzie" are one name."""
    return "".join(ch for ch in name.casefold() if ch.isalnum())
