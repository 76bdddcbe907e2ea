"""The page as a list of text blocks, each judged as text or boilerplate on its own features.

``page_blocks`` walks the DOM once and cuts its text at block-level
elements, keeping per block what jusText (Pomikálek, 2011) looks at: length,
characters inside links, whether it is a heading. ``judge`` then applies
jusText's classification (context-free classes from length, stopword and
link density, then the context rules that settle short and near-good blocks
by their neighbours).

We re-implement it rather than call jusText because jusText parses the page
again and recomputes each paragraph's text on every access: it costs more
than trafilatura itself. Here the walk is lxml's C iterator and each block's
figures are computed once.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from justext.utils import get_stoplist, get_stoplists
from lxml import etree
from lxml.html import HtmlElement

from newsarchive.extract.tables import CELL_SEPARATOR, CELL_TAGS, data_rows

# Elements that start a new block: jusText's paragraph tags plus HTML5 sections and <br>.
BLOCK_TAGS = frozenset(
    "address article aside blockquote body br caption center col colgroup dd details div dl dt "
    "fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 header hr legend li main nav ol "
    "optgroup option p pre section summary table tbody td textarea tfoot th thead tr ul".split()
)
# Never text a reader sees as part of the page.
INVISIBLE_TAGS = frozenset(
    "head title script style noscript template svg math iframe object embed select option "
    "textarea button input canvas video audio map".split()
)
# Never the article's: neither trafilatura nor readability (consensus.readability_text) reads
# them, so no block there could be elected.
OUTSIDE_ARTICLE_TAGS = frozenset(("nav", "aside", "footer"))
# Pictures with their captions and credits: text about an image, never the article's own
# (trafilatura keeps <figcaption> inside the article container; the truth of both dev sets does not).
FIGURE_TAGS = frozenset(("figure", "figcaption"))
SKIP_TAGS = INVISIBLE_TAGS | OUTSIDE_ARTICLE_TAGS
HEADING_TAGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))

_SPACE = re.compile(r"\s+")


@dataclass(slots=True)
class Block:
    text: str
    link_chars: int = 0
    heading: bool = False
    # The data table (numbered from 1) this block is a row of; 0 outside data tables.
    table: int = 0
    # Inside a figure, caption or credit box: text about a picture (see consensus: only galleries keep it).
    caption: bool = False
    # jusText's class: short, neargood, good or bad, settled by the context rules to good or bad.
    label: str = ""

    @property
    def good(self) -> bool:
        return self.label == "good"


class _Builder:
    """Accumulates text runs into blocks; a block ends at every block-level boundary."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self._parts: list[str] = []
        self._link_chars = 0
        self._heading = False
        self._caption = False
        self.table = 0
        # A data table's next cell starts: the separator goes in before its first text.
        self._cell_pending = False

    def add(self, text: str | None, in_link: bool, in_heading: bool, in_caption: bool = False) -> None:
        if not text:
            return
        if self._cell_pending and not text.isspace():
            self._parts.append(CELL_SEPARATOR)
            self._cell_pending = False
        self._parts.append(text)
        if in_link:
            self._link_chars += len(text.strip())
        self._heading = self._heading or in_heading
        self._caption = self._caption or in_caption

    def next_cell(self) -> None:
        """A data table's cell starts: separated from the row's text before it, in the same block."""
        self._cell_pending = any(not part.isspace() for part in self._parts)

    def space(self) -> None:
        """A block element inside a data table's cell: a word break, not a new block."""
        self._parts.append(" ")

    def cut(self) -> None:
        self._cell_pending = False
        if self._parts:
            text = _SPACE.sub(" ", "".join(self._parts)).strip()
            if text:
                self.blocks.append(Block(text, min(self._link_chars, len(text)), self._heading, self.table,
                                         # A data table in a <figure> (WordPress's "wp-block-table") is data.
                                         self._caption and not self.table))
        self._parts = []
        self._link_chars = 0
        self._heading = False
        self._caption = False
        self.table = 0


_HOLDS_ARTICLE = etree.XPath(
    "//*[self::article or self::main]/ancestor::*[" + " or ".join(f"self::{t}" for t in sorted(OUTSIDE_ARTICLE_TAGS)) + "]"
)


def misnested_outside(tree: HtmlElement) -> set[HtmlElement]:
    """``nav``/``aside``/``footer`` elements that hold the page's ``<article>`` or ``<main>``.

    An unclosed ``<aside>`` before the story makes the parser nest the whole
    article inside it: such an element is not outside the article.
    """
    return set(_HOLDS_ARTICLE(tree))


def outside_article(tree: HtmlElement) -> list[HtmlElement]:
    """The page's ``nav``/``aside``/``footer`` elements, except the mis-nested ones."""
    keep = misnested_outside(tree)
    return [el for el in tree.iter(*OUTSIDE_ARTICLE_TAGS) if el not in keep]


# Share of the page's visible text the lone <article>/<main> must hold to be the story's container.
CONTAINER_SHARE = 0.25
_CODE_TAGS = ("script", "style", "noscript", "template")


def story_container(tree: HtmlElement) -> HtmlElement | None:
    """The page's one ``<article>`` (else its one ``<main>``) when it holds much of the visible text.

    Whole-page readers (trafilatura, readability) score every paragraph and
    container of what they are given; given the story's own container, they
    answer the same on nearly every dev-set page at a fraction of the cost
    (docs/extraction.md). A lone ``<article>`` holding little of the text is
    a teaser card, not the story; with two or more, ``<main>`` is asked.
    """
    for tag in ("article", "main"):
        found = tree.xpath(f"//{tag}")
        if len(found) == 1:
            return found[0] if _visible_chars(found[0]) >= CONTAINER_SHARE * _visible_chars(tree) else None
    return None


def _visible_chars(element: HtmlElement) -> int:
    return len(element.text_content()) - sum(len(code.text_content()) for code in element.iter(*_CODE_TAGS))


def page_blocks(tree: HtmlElement) -> list[Block]:
    """The text blocks of ``tree`` in document order, markup-free and whitespace-collapsed."""
    root = tree.find("body")
    if root is None:
        root = tree
    keep = misnested_outside(root)
    rows = data_rows(root)
    builder = _Builder()
    # cells: open cells of data tables, where a row is one block; captions: open caption boxes.
    links = headings = cells = captions = 0
    walker = etree.iterwalk(root, events=("start", "end", "comment", "pi"))
    for event, el in walker:
        if event in ("comment", "pi"):
            # No text of their own, but their tail is the parent's text.
            builder.add(el.tail, links > 0, headings > 0, captions > 0)
            continue
        tag = el.tag if isinstance(el.tag, str) else None
        # Invisible elements are skipped whole; iterwalk still reports their "end", where the
        # tail is added.
        skipped = tag is None or (tag in SKIP_TAGS and el not in keep) or _hidden(el)
        # A caption box is a block of its own, so that the vote can tell it from the story; in a data
        # table's row, which stays one block, it is skipped. (``cells`` is the same at an element's
        # start and end, except for a cell itself.)
        boxed = not skipped and (tag in FIGURE_TAGS or _caption(el))
        if boxed and (cells or tag in CELL_TAGS):
            skipped, boxed = True, False
        if event == "start":
            if skipped:
                walker.skip_subtree()
                continue
            if tag in CELL_TAGS and el.getparent() in rows:
                builder.next_cell()
                cells += 1
            elif tag in BLOCK_TAGS or boxed:
                builder.space() if cells else builder.cut()
                if tag == "tr":
                    builder.table = rows.get(el, 0)
            links += tag == "a"
            headings += tag in HEADING_TAGS
            captions += boxed
            builder.add(el.text, links > 0, headings > 0, captions > 0)
            continue
        if not skipped:
            links -= tag == "a"
            headings -= tag in HEADING_TAGS
            if tag in CELL_TAGS and el.getparent() in rows:
                cells -= 1
            elif tag in BLOCK_TAGS or boxed:
                builder.space() if cells else builder.cut()
            captions -= boxed
        if el is not root:
            builder.add(el.tail, links > 0, headings > 0, captions > 0)
    builder.cut()
    return builder.blocks


_CAPTION_CLASS = re.compile(r"(?:^|[\s_-])(?:caption|credits?|photo-?credit|image-?credit|bildunterschrift|copyright)(?:$|[\s_-])", re.IGNORECASE)


def _caption(el: HtmlElement) -> bool:
    """Caption and credit boxes that are not marked up as ``<figcaption>``."""
    cls = el.get("class")
    return bool(cls) and _CAPTION_CLASS.search(cls) is not None


_DISPLAY_NONE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)


def _hidden(el: HtmlElement) -> bool:
    """Hidden from readers by markup: print copies, collapsed tabs, templates for scripts."""
    if el.get("hidden") is not None or el.get("aria-hidden") == "true":
        return True
    style = el.get("style")
    return bool(style) and _DISPLAY_NONE.search(style) is not None


# jusText's parameters as trafilatura tunes them for its own fallback (external.try_justext):
# more lenient than jusText's defaults, which suit its per-language stoplists better.
LENGTH_LOW = 50
LENGTH_HIGH = 150
STOPWORDS_LOW = 0.1
STOPWORDS_HIGH = 0.2
MAX_LINK_DENSITY = 0.25


@functools.lru_cache(maxsize=None)
def stoplist(language: str | None = None) -> frozenset[str]:
    """jusText's stopwords for ``language`` (an ISO code or jusText name); all languages' for None."""
    from trafilatura.settings import JUSTEXT_LANGUAGES

    name = JUSTEXT_LANGUAGES.get((language or "").split("-")[0].lower()) if language else None
    if name:
        return named_stoplist(name)
    return frozenset(word for lang in get_stoplists() for word in named_stoplist(lang))


@functools.lru_cache(maxsize=None)
def named_stoplist(name: str) -> frozenset[str]:
    """One jusText stoplist, read from its file once per process (the language index reads them all)."""
    return frozenset(get_stoplist(name))


def judge(blocks: list[Block], stopwords: frozenset[str]) -> list[Block]:
    """Label each block good or bad, jusText's way (headings are judged like other blocks)."""
    for block in blocks:
        block.label = _context_free(block, stopwords)
    _settle_short(blocks)
    _settle_neargood(blocks)
    return blocks


def _context_free(block: Block, stopwords: frozenset[str]) -> str:
    text = block.text
    length = len(text)
    if block.link_chars > MAX_LINK_DENSITY * length or "\xa9" in text:
        return "bad"
    if length < LENGTH_LOW:
        return "bad" if block.link_chars else "short"
    words = text.lower().split()
    density = sum(w in stopwords for w in words) / len(words)
    if density >= STOPWORDS_HIGH:
        return "good" if length > LENGTH_HIGH else "neargood"
    return "neargood" if density >= STOPWORDS_LOW else "bad"


def _neighbour(blocks: list[Block], i: int, step: int, ignore_neargood: bool) -> str:
    """Label of the nearest good/bad (or near-good) block in direction ``step``; edges count as bad."""
    i += step
    while 0 <= i < len(blocks):
        label = blocks[i].label
        if label in ("good", "bad") or (label == "neargood" and not ignore_neargood):
            return label
        i += step
    return "bad"


def _settle_short(blocks: list[Block]) -> None:
    new: dict[int, str] = {}
    for i, block in enumerate(blocks):
        if block.label != "short":
            continue
        before, after = _neighbour(blocks, i, -1, True), _neighbour(blocks, i, 1, True)
        if before == after:
            new[i] = before
        elif (before == "bad" and _neighbour(blocks, i, -1, False) == "neargood") or (
            after == "bad" and _neighbour(blocks, i, 1, False) == "neargood"
        ):
            new[i] = "good"
        else:
            new[i] = "bad"
    for i, label in new.items():
        blocks[i].label = label


def _settle_neargood(blocks: list[Block]) -> None:
    for i, block in enumerate(blocks):
        if block.label != "neargood":
            continue
        both_bad = _neighbour(blocks, i, -1, True) == "bad" and _neighbour(blocks, i, 1, True) == "bad"
        block.label = "bad" if both_bad else "good"
