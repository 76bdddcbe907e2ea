"""HTML text to an lxml tree, cheaply and leniently.

Every reader of the page (trafilatura, readability, htmldate, our block
walker) works on ``lxml.html`` elements, and each touch of an element from
Python asks the parser's class lookup which class to wrap it in. lxml.html's
own lookup is a Python method (it picks ``FormElement``, ``InputElement``…
by tag): on news pages those calls were a fifth of extraction time. Our
parser answers in C, with ``HtmlElement`` for every tag. No reader we use
needs the form classes.

Otherwise this parses the way trafilatura's ``load_html`` does (same parser
options and repairs), so its extraction sees the tree it expects.
"""

from __future__ import annotations

import logging
import re

from lxml import etree
from lxml.etree import ParserError
from lxml.html import (
    HtmlComment,
    HtmlElement,
    HtmlEntity,
    HTMLParser,
    HtmlProcessingInstruction,
    document_fromstring,
    fromstring,
)
from trafilatura.utils import DOCTYPE_TAG, FAULTY_HTML, INVALID_XML_CHARS, is_dubious_html, repair_faulty_html

logger = logging.getLogger(__name__)


def _parser() -> HTMLParser:
    # The options of trafilatura's HTML_PARSER: comments and PIs never reach the readers.
    parser = HTMLParser(collect_ids=False, default_doctype=False, encoding="utf-8",
                        remove_comments=True, remove_pis=True)
    parser.set_element_class_lookup(etree.ElementDefaultClassLookup(
        element=HtmlElement, comment=HtmlComment, pi=HtmlProcessingInstruction, entity=HtmlEntity))
    return parser


PARSER = _parser()


def parse(html: str) -> HtmlElement | None:
    """Parse to an lxml tree; None for input lxml cannot make a document of (empty, binary).

    Two repairs for broken pages that would otherwise come out empty: a
    document with a mangled doctype is parsed again without trafilatura's
    rejection test; and an unterminated ``<title>`` swallows the whole page
    as title text, so we close it and parse again.
    """
    if not html.strip():
        return None
    tree = _load(html)
    if tree is None:
        tree = _parse_lenient(html)
    if tree is not None and _title_swallowed_page(tree):
        logger.debug("unterminated <title>: closing it and parsing again")
        repaired = _parse_lenient(_close_title(html))
        tree = repaired if repaired is not None else tree
    return tree


def _load(html: str) -> HtmlElement | None:
    """trafilatura's ``load_html`` for text, with our parser."""
    beginning = html[:50].lower()
    html = _repaired(html, beginning)
    try:
        tree = fromstring(html, parser=PARSER)
    except ValueError:
        # "Unicode strings with encoding declaration are not supported": parse the UTF-8 bytes.
        tree = _from_bytes(html)
    except ParserError as err:
        logger.debug("lxml cannot parse the page as text: %s", err)
        tree = _from_bytes(html)
    else:
        if tree is None or len(tree) < 1:
            tree = _from_bytes(html)
    # A "document" without any html tag that parses to a lone element is not a web page.
    if tree is not None and is_dubious_html(beginning) and len(tree) < 2:
        return None
    return tree if isinstance(tree, HtmlElement) else None


# The characters trafilatura's repair deletes, read off its own pattern so the two cannot drift
# (XML allows every character above the Basic Multilingual Plane).
_INVALID_CHARS = tuple(INVALID_XML_CHARS.findall("".join(map(chr, range(0x10000)))))


def _repaired(html: str, beginning: str) -> str:
    """trafilatura's ``repair_faulty_html``, without its regex pass over the whole page when not needed.

    That pass deletes control characters; a regex scan of a 300 kB page
    costs about 0.8 ms, checking each character with ``in`` (memchr) a
    quarter of that, and almost no page holds one.
    """
    if any(char in html for char in _INVALID_CHARS):
        return repair_faulty_html(html, beginning)
    # The rest of repair_faulty_html: a self-closing doctype, and a self-closing <html/>.
    if "doctype" in beginning:
        firstline, _, rest = html.partition("\n")
        html = DOCTYPE_TAG.sub("", firstline, count=1) + "\n" + rest
    for line in html[:4096].splitlines()[:4]:
        if "<html" in line and line.endswith("/>"):
            return FAULTY_HTML.sub(r"\1>", html, count=1)
    return html


def _from_bytes(html: str) -> HtmlElement | None:
    try:
        return fromstring(html.encode("utf-8", "surrogatepass"), parser=PARSER)
    except (ParserError, ValueError) as err:
        logger.debug("lxml cannot parse the page as bytes: %s", err)
        return None


def _parse_lenient(html: str) -> HtmlElement | None:
    try:
        return document_fromstring(html, parser=PARSER)
    except (ParserError, ValueError) as err:
        logger.debug("lxml cannot parse the page: %s", err)
        return None


def _title_swallowed_page(tree: HtmlElement) -> bool:
    title = tree.find(".//title")
    text = title.text if title is not None else None
    return bool(text) and len(text) > 500 and ("</head" in text or "<body" in text or "<div" in text)


_TITLE_OPEN = re.compile(r"<title[^>]*>", re.IGNORECASE)


def _close_title(html: str) -> str:
    """Insert ``</title>`` at the first tag after ``<title>``."""
    match = _TITLE_OPEN.search(html)
    if not match:
        return html
    end = html.find("<", match.end())
    return html if end < 0 else html[:end] + "</title>" + html[end:]
