"""A second opinion on the main text: readability-lxml, and how to combine it with trafilatura.

trafilatura keeps too much on cluttered pages (link lists, layout-table
cells, captions of unrelated stories); readability-lxml picks one content
block and is more precise but sometimes misses or truncates the article.
Their *agreement* is cleaner than either: we keep trafilatura's lines that
readability's text also contains, and fall back to readability's text when
trafilatura found much less than it (trafilatura chose the wrong block).
"""

from __future__ import annotations

import logging
import re
from collections import Counter

from lxml.etree import ParserError
from lxml.html import HtmlElement, fromstring
from readability import Document
from readability.readability import Unparseable

logger = logging.getLogger(__name__)

_WORD = re.compile(r"\w+")
SHINGLE = 4
# A trafilatura line is kept when this share of its shingles is in readability's text.
AGREE_SHARE = 0.5
# Below this share of readability's length, trafilatura picked the wrong block: use readability.
FALLBACK_RATIO = 0.5
# Below this share of trafilatura's length, readability is no referee (it truncated): trust
# trafilatura -- unless readability's text lies inside trafilatura's (this share of its shingles)
# and is a real article's length: then trafilatura padded the article with the page around it.
REFEREE_RATIO = 0.3
CONTAINED_SHARE = 0.9
MIN_REFEREE_WORDS = 40

_BLOCKS = frozenset(
    "p div br li ul ol h1 h2 h3 h4 h5 h6 tr table blockquote pre section article "
    "figure figcaption dd dt dl header footer aside main td th".split()
)


def readability_text(tree: HtmlElement) -> str:
    """readability-lxml's main text of ``tree``, one line per block.

    readability drops hidden elements from the tree it is given, so call this
    after every other reader of ``tree``.
    """
    try:
        summary = Document(tree).summary(html_partial=True)
        return block_text(fromstring(summary)) if summary.strip() else ""
    except (Unparseable, ParserError) as err:
        logger.debug("readability found no content: %s", err)
        return ""


def block_text(element: HtmlElement) -> str:
    """Text of ``element`` with a line break at every block boundary and spaces collapsed."""
    parts: list[str] = []
    _walk(element, parts)
    lines = (" ".join(line.split()) for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line)


# Never text: readability may hand back a whole document on pages it cannot score.
_SKIP = frozenset(("head", "title", "script", "style", "noscript", "template"))


def _walk(element: HtmlElement, parts: list[str]) -> None:
    if element.tag in _SKIP:
        if element.tail:
            parts.append(element.tail)
        return
    block = isinstance(element.tag, str) and element.tag in _BLOCKS
    if block:
        parts.append("\n")
    if element.text and isinstance(element.tag, str):
        parts.append(element.text)
    for child in element:
        _walk(child, parts)
    if block:
        parts.append("\n")
    if element.tail:
        parts.append(element.tail)


def _shingles(text: str) -> Counter[tuple[str, ...]]:
    toks = _WORD.findall(text.lower())
    if len(toks) < SHINGLE:
        return Counter([tuple(toks)]) if toks else Counter()
    return Counter(tuple(toks[i : i + SHINGLE]) for i in range(len(toks) - SHINGLE + 1))


def _inside(reference: Counter[tuple[str, ...]], primary: str, n_reference: int) -> bool:
    """Is the (short) reference text an article-sized part of ``primary``?"""
    if n_reference < MIN_REFEREE_WORDS:
        return False
    shared = sum((reference & _shingles(primary)).values())
    return shared >= CONTAINED_SHARE * sum(reference.values())


def combine(primary: str, second: str) -> tuple[str, list[str]]:
    """trafilatura's text (``primary``) refereed by readability's (``second``).

    Returns the text and the lines dropped for lack of agreement.
    """
    n_primary, n_second = len(_WORD.findall(primary)), len(_WORD.findall(second))
    if n_second and n_primary < FALLBACK_RATIO * n_second:
        logger.debug("primary text %d words vs %d: using the second opinion", n_primary, n_second)
        return second, []
    reference = _shingles(second)
    if not n_second or (n_second < REFEREE_RATIO * n_primary and not _inside(reference, primary, n_second)):
        return primary, []
    kept: list[str] = []
    dropped: list[str] = []
    for line in primary.split("\n"):
        shingles = _shingles(line)
        total = sum(shingles.values())
        if not total:
            continue
        shared = sum((shingles & reference).values())
        (kept if shared >= AGREE_SHARE * total else dropped).append(line)
    return "\n".join(kept), dropped
