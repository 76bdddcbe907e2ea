"""Three opinions on each block of the page, and the vote that picks the article text.

No single extractor is right on every page. trafilatura keeps too much on
cluttered pages (teasers, link lists, hidden copies of the story);
readability-lxml picks one container, which is precise when it is the right
one and a disaster when it is not (a quoted press release, an empty div);
jusText judges each block on its own features and keeps stray good-looking
blocks anywhere on the page. Their errors differ, so a vote over the page's
blocks (``blocks.page_blocks``) is cleaner than any of them:

- a block is kept when readability agrees with trafilatura or with the
  jusText-style judgement;
- trafilatura and the judgement alone outvote readability only on pages
  where readability missed the main text, i.e. its blocks cover less than
  ``READABILITY_MISSED`` of the words the other two agree on;
- a long block repeated verbatim is kept once, unless trafilatura kept it
  as often (hidden print copies and tab panes repeat whole stories).

docs/extraction.md has the measurements behind each rule.
"""

from __future__ import annotations

import copy
import logging
import re
from collections import Counter
from dataclasses import dataclass

from lxml import etree
from lxml.etree import ParserError
from lxml.html import HtmlElement, fromstring, xhtml_to_html
from readability import Document
from readability.readability import REGEXES, Unparseable

from newsarchive.extract.blocks import Block, outside_article, page_blocks, story_container
from newsarchive.extract.dom import PARSER

logger = logging.getLogger(__name__)

_WORD = re.compile(r"\w+")
SHINGLE = 4
# A block is in an extractor's text when this share of its shingles is.
SHARE = 0.5
# Below this share of the trafilatura+jusText agreement, readability chose the wrong container.
READABILITY_MISSED = 0.7
# Stripped before readability reads the tree: the blocks walker skips the same elements.
_NOT_CONTENT = ("script", "style", "noscript", "template", "svg", "iframe", "select")
# Repeats of blocks at least this long are copies, not style (a refrain, "Love,").
REPEAT_MIN_WORDS = 10


class _Readability(Document):
    """readability-lxml without its HTML sanitiser, which cost a third of its time.

    ``Document._parse`` runs lxml_html_clean's ``Cleaner`` on a copy of the
    tree. For text, that cleaner only drops scripts, styles, links, comments
    and processing instructions; the rest of its work (rewriting every link
    to defuse ``javascript:`` URLs, dropping ``on*`` attributes) is for HTML
    that will be displayed, and we only read the summary's text. This does
    the text-relevant part, on a copy too: readability retries on the
    original tree when its first, ruthless pass finds too little.
    """

    def _parse(self, input: HtmlElement) -> HtmlElement:  # noqa: A002 (readability's signature)
        self.encoding = "utf-8"
        for elem in input.xpath("//*[@hidden]"):
            elem.drop_tree()
        for elem in input.xpath("//*[@style]"):
            if REGEXES["displayNoneRe"].search(elem.get("style")):
                elem.drop_tree()
        doc = copy.deepcopy(input)
        xhtml_to_html(doc)
        for elem in doc.iter("image"):
            elem.tag = "img"
        etree.strip_elements(doc, etree.Comment, etree.ProcessingInstruction, "script", "style", "link",
                             with_tail=False)
        doc.resolve_base_href(handle_failures=self.handle_failures)
        return doc


def readability_text(tree: HtmlElement) -> str:
    """readability-lxml's main text of ``tree``, one line per block.

    Hidden elements are dropped from ``tree`` itself, as well as
    ``_NOT_CONTENT``, so call this after every other reader of ``tree``.
    """
    # Never article text, and most of a page's links: readability's candidate scoring walks every
    # element and link, so dropping these first halves its cost on menu-heavy pages.
    for el in outside_article(tree):
        el.drop_tree()
    etree.strip_elements(tree, *_NOT_CONTENT, with_tail=False)
    try:
        container = story_container(tree)
        summary = _Readability(tree if container is None else container).summary(html_partial=True)
        if not summary.strip():
            return ""
        return "\n".join(block.text for block in page_blocks(fromstring(summary, parser=PARSER)))
    except (Unparseable, ParserError) as err:
        logger.debug("readability found no content: %s", err)
        return ""


def _tokens(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def _shingles(tokens: list[str]) -> Counter[tuple[str, ...]]:
    # zip over shifted views builds the 4-tuples in C.
    return Counter(zip(tokens, tokens[1:], tokens[2:], tokens[3:]))


class _Opinion:
    """One extractor's text, consumed block by block so a repeated block matches only as often as it
    appears in the text."""

    def __init__(self, text: str) -> None:
        # Plain dicts: Counter's Python-level __delitem__ dominated the cost.
        self._shingles = dict(_shingles(_tokens(text)))
        # Blocks too short for a shingle match whole lines.
        self._lines = dict(Counter(" ".join(_tokens(line)) for line in text.split("\n")))

    def take(self, tokens: list[str], wanted: Counter[tuple[str, ...]] | None = None) -> bool:
        """Consume the block ``tokens`` (its shingles ``wanted``, when already counted) if the text holds it."""
        if len(tokens) < SHINGLE:
            key = " ".join(tokens)
            if self._lines.get(key, 0) > 0:
                self._lines[key] -= 1
                return True
            return False
        have = self._shingles
        if not have:
            return False
        wanted = _shingles(tokens) if wanted is None else wanted
        found = {k: min(n, have[k]) for k, n in wanted.items() if k in have}
        if sum(found.values()) < SHARE * (len(tokens) - SHINGLE + 1):
            return False
        for k, n in found.items():
            if have[k] == n:
                del have[k]
            else:
                have[k] -= n
        return True


@dataclass(slots=True)
class Ballot:
    block: Block
    words: int
    trafilatura: bool
    readability: bool
    judged_good: bool


def ballots(blocks: list[Block], trafilatura: str, readability: str) -> list[Ballot]:
    """Each block with the three opinions on it, in document order."""
    t, r = _Opinion(trafilatura), _Opinion(readability)
    out = []
    for block in blocks:
        tokens = _tokens(block.text)
        if tokens:
            # One count of the block's shingles serves both opinions.
            wanted = _shingles(tokens) if len(tokens) >= SHINGLE else None
            out.append(Ballot(block, len(tokens), t.take(tokens, wanted), r.take(tokens, wanted), block.good))
    return out


def readability_missed(votes: list[Ballot]) -> bool:
    """Did readability choose a container other than the one trafilatura and jusText agree on?"""
    agreed = sum(b.words for b in votes if b.trafilatura and b.judged_good)
    shared = sum(b.words for b in votes if b.trafilatura and b.judged_good and b.readability)
    return agreed > 0 and shared < READABILITY_MISSED * agreed


def vote(
    blocks: list[Block], trafilatura: str, readability: str, standfirst: str | None = None
) -> tuple[str, list[str]]:
    """The article text elected from ``blocks``; also trafilatura's lines the vote left out.

    ``standfirst`` is the page's description: a block before the elected text
    that repeats it is the lead paragraph, which is article text
    (readability often starts below it, in the body container).
    """
    votes = ballots(blocks, trafilatura, readability)
    outvoted = readability_missed(votes)
    elected = [_elected(b, outvoted) for b in votes]
    _drop_captions(votes, elected)
    _dedupe(votes, elected)
    _elect_tables(votes, elected)
    _elect_standfirst(votes, elected, standfirst)
    kept = [b.block.text for b, e in zip(votes, elected) if e]
    dropped = [b.block.text for b, e in zip(votes, elected) if not e and b.trafilatura]
    if not kept:
        # No block has two opinions for it: trust trafilatura's own text rather than nothing.
        return trafilatura.strip() or readability.strip(), []
    return "\n".join(kept), dropped


def _elected(b: Ballot, outvoted: bool) -> bool:
    if b.block.link_chars > LINKED_MAX * len(b.block.text):
        # Mostly link text: a teaser, "read also" line or rail entry, whoever votes for it.
        return False
    if outvoted:
        # readability chose another container (often a second article appended below the first):
        # its vote counts only alongside trafilatura's.
        return b.trafilatura and (b.readability or b.judged_good)
    return b.readability and (b.trafilatura or b.judged_good)


def _drop_captions(votes: list[Ballot], elected: list[bool]) -> None:
    """Captions and credits are not the story's text, unless they are most of it (a photo gallery).

    Both dev sets' conventions and ours leave captions out; a gallery whose
    only prose is one caption per picture would otherwise be left with nothing.
    """
    captions = sum(b.words for b, e in zip(votes, elected) if e and b.block.caption)
    if captions and captions <= sum(b.words for b, e in zip(votes, elected) if e and not b.block.caption):
        for i, b in enumerate(votes):
            elected[i] = elected[i] and not b.block.caption


def _dedupe(votes: list[Ballot], elected: list[bool]) -> None:
    """A long block repeated verbatim is kept once, unless trafilatura kept it as often."""
    seen: set[str] = set()
    for i, b in enumerate(votes):
        if elected[i] and b.words >= REPEAT_MIN_WORDS:
            key = " ".join(_tokens(b.block.text))
            elected[i] = b.trafilatura or key not in seen
            seen.add(key)


# Blocks whose text is more than this share link text are never elected.
LINKED_MAX = 0.5
# A description shorter than this is a tagline, not a lead paragraph.
STANDFIRST_MIN_WORDS = 8


# At most this many unelected blocks (a heading, an intro line) between a table and the elected text.
TABLE_GAP = 2


def _elect_tables(votes: list[Ballot], elected: list[bool]) -> None:
    """Elect a data table's rows as a whole when it sits in the elected text and an extractor kept it.

    Rows are short and often linked (team names), so row by row the judgement
    and the link test reject what trafilatura or readability keep as a table.
    A table counts as inside the text when elected text is right above or below
    it, with at most ``TABLE_GAP`` other blocks (a heading, an intro line) between.
    """
    spans: dict[int, list[int]] = {}
    for i, b in enumerate(votes):
        if b.block.table:
            spans.setdefault(b.block.table, []).append(i)
    for rows in spans.values():
        words = sum(votes[i].words for i in rows)
        kept = sum(votes[i].words for i in rows if votes[i].trafilatura or votes[i].readability)
        if 2 * kept >= words and (_beside(votes, elected, rows[0], -1) or _beside(votes, elected, rows[-1], 1)):
            for i in rows:
                elected[i] = True


def _beside(votes: list[Ballot], elected: list[bool], i: int, step: int) -> bool:
    """Is there elected text within ``TABLE_GAP`` blocks of block ``i`` in direction ``step``?"""
    table = votes[i].block.table
    gap = 0
    i += step
    while 0 <= i < len(votes) and gap <= TABLE_GAP:
        if votes[i].block.table != table:
            if elected[i]:
                return True
            gap += 1
        i += step
    return False


def _elect_standfirst(votes: list[Ballot], elected: list[bool], standfirst: str | None) -> None:
    """Elect the first block above the elected text that repeats the description."""
    want = _tokens(standfirst or "")
    if len(want) < STANDFIRST_MIN_WORDS or True not in elected:
        return
    for i in range(elected.index(True)):
        have = _tokens(votes[i].block.text)
        # Descriptions are often cut short ("..."); the block may carry a dateline before it.
        if len(have) >= STANDFIRST_MIN_WORDS and (_contains(have, want) or _contains(want, have)):
            elected[i] = True
            return


def _contains(longer: list[str], shorter: list[str]) -> bool:
    if len(shorter) > len(longer):
        return False
    n = len(shorter)
    return any(longer[i : i + n] == shorter for i in range(len(longer) - n + 1))
