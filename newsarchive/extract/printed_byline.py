"""Bylines printed on the page rather than stated in markup: the fallback when markup names no person.

Many pages name only the publisher in their markup (``"author": {"@type":
"Organization"}``, ``<meta name="author" content="Site">``) or a CMS account
("admin"), and print the real byline as text. Three printed forms are read
here, each only where the names it yields look like people's names:

- ``labelled_byline``: a byline label of one of many languages as its own
  piece of text, then the names ("<strong>Autorin/Autor</strong> Ann Lee",
  "<li>Von: <a>Ann Lee</a>, <a>Bo Chen</a></li>", "<span>By</span> <a>…</a>");
- ``lead_byline``: a paragraph that is only bold names at the top of the
  article text ("<p><strong>Ann Lee/Bo Chen</strong></p>"), the convention
  of many small papers' CMS;
- ``byline_group``: the byline box that holds a stated author lists its
  co-authors too (JSON-LD names one of two people the box prints).

A name is 2 to 4 words, each capitalised (or a particle such as "von",
"de"), without digits: "Berlin nach Hamburg" or "Key points" do not pass.
"""

from __future__ import annotations

import re
from typing import Callable, Iterable

from lxml import etree
from lxml.html import HtmlElement

# A byline label alone: "By", "Von:", "Autorin/Autor", "Text:", "Par", "Av", "Przez"... Italian "di"
# only in lower case ("Di" starts surnames).
_LABEL = re.compile(
    r"^(?:(?i:by|von|autor(?:in|en|innen|:innen)?(?:\s*/\s*autor(?:in)?)?|authors?|written by|reporting by|"
    r"text|texte|tekst|av|af|door|par|por|przez|yazan|escrito por|scritto da|napisał[a]?)|di)\s*:?$")
# Words inside a name that are not capitalised: particles of surnames.
_PARTICLES = frozenset("de da del della der den van von la le du dos das bin al el zu ter ten y".split())
# Parts of a printed byline: conjunctions of many languages, commas, slashes, semicolons.
_SEPARATORS = re.compile(r"\s+(?:and|und|og|och|en|et|ve|oraz|és|ja|и|e|i|y|&)\s+|\s*[,;/|]\s*", re.IGNORECASE)
# Job titles printed after a name, as a part of their own.
_ROLE_WORDS = frozenset(
    "editor writer reporter correspondent columnist contributor producer photographer staff critic chief "
    "redakteur redakteurin korrespondent korrespondentin journalist journalistin".split())
MAX_NAMES = 5
MAX_BYLINE_CHARS = 120
# Elements around the article, never its byline.
_OUTSIDE = frozenset(("nav", "aside", "footer", "header", "script", "style", "noscript", "template", "button"))
_COMMENTS = re.compile(r"comment|repl(?:y|ies)|respon[sd]|discussion|forum", re.IGNORECASE)
# A lead byline sits among the first lines of the article text.
LEAD_LINES = 3
BOX_DEPTH = 5
# Elements the markup marks as an author's name or link (XPath: one C-level walk).
_AUTHOR_MARKED = etree.XPath('//*[@rel="author" or contains(@itemprop, "author")]')
_BYLINE_BOX = re.compile(r"byline|author", re.IGNORECASE)


def name_list(text: str, is_site: Callable[[str], bool]) -> list[str]:
    """The people ``text`` names, or [] when any part of it is not shaped like a person's name."""
    text = " ".join(text.split()).strip(" ,:;|-–—")
    if not text or len(text) > MAX_BYLINE_CHARS:
        return []
    parts = [p.strip(" .") if p.count(".") == 1 and p.endswith(".") else p.strip() for p in _SEPARATORS.split(text)]
    # "Jane Doe, Music Editor": the job title is no second person.
    parts = [p for p in parts if p and p.split()[-1].lower() not in _ROLE_WORDS]
    if not parts or len(parts) > MAX_NAMES or not all(_name_shaped(p) and not is_site(p) for p in parts):
        return []
    return parts


def _name_shaped(part: str) -> bool:
    words = part.split()
    if not 2 <= len(words) <= 4:
        return False
    capitalised = 0
    for word in words:
        if word.lower() in _PARTICLES:
            continue
        if any(ch.isdigit() for ch in word) or not word[0].isalpha() or word[0].islower():
            return False
        if "." in word.rstrip(".") or (word.endswith(".") and len(word) > 2):
            return False  # "J." is an initial; "Inc." or "U.S." is not a name
        capitalised += 1
    return capitalised >= 2


def labelled_byline(tree: HtmlElement, is_site: Callable[[str], bool]) -> list[str]:
    """The names after the first printed byline label whose text is names only."""
    for element in tree.iter(etree.Element):
        label = (element.text or "").strip()
        if not label or len(label) > 24 or not _LABEL.match(label):
            continue
        if element.tag in _OUTSIDE or any(_outside(a) for a in element.iterancestors()):
            continue
        names = name_list(_after_label(element), is_site)
        if names:
            return names
    return []


def _outside(element: HtmlElement) -> bool:
    """Around the article (menus, footers) or in reader comments, whose "by" names a commenter."""
    return element.tag in _OUTSIDE or bool(_COMMENTS.search(f"{element.get('class', '')} {element.get('id', '')}"))


def _after_label(element: HtmlElement) -> str:
    """The text that follows the label: the rest of the element, or, for a bare label, its siblings."""
    if len(element):
        return "".join(_texts(element))
    pieces = [element.tail or ""]
    for sibling in element.itersiblings():
        pieces.extend(_texts(sibling, with_text=True))
        pieces.append(sibling.tail or "")
        if sum(len(p) for p in pieces) > MAX_BYLINE_CHARS:
            break
    return "".join(pieces)


def _texts(element: HtmlElement, with_text: bool = False) -> Iterable[str]:
    """Text inside ``element`` after its own leading text (or all of it), scripts left out."""
    if with_text:
        if element.tag in _OUTSIDE or not isinstance(element.tag, str):
            return
        yield element.text or ""
    for child in element:
        yield from _texts(child, with_text=True)
        yield child.tail or ""


def lead_byline(tree: HtmlElement, text: str, is_site: Callable[[str], bool]) -> tuple[list[str], str | None]:
    """Names printed as a bold paragraph among the first lines of the article text, and that line."""
    lines = [" ".join(line.split()) for line in text.split("\n") if line.strip()][:LEAD_LINES]
    if not lines:
        return [], None
    for p in tree.iter("p"):
        if (p.text or "").strip() or len(p) != 1 or p[0].tag not in ("strong", "b") or (p[0].tail or "").strip():
            continue
        line = " ".join(p[0].text_content().split())
        if line in lines:
            names = name_list(line, is_site)
            if names:
                return names, line
    return [], None


def byline_group(tree: HtmlElement, stated: list[str]) -> list[str]:
    """Authors the byline box of the first stated author prints beside it (co-authors markup left out)."""
    if not stated:
        return []
    marked = _AUTHOR_MARKED(tree)
    keys = {_squashed(n) for n in stated}
    first = next((e for e in marked if _squashed(e.text_content()) in keys), None)
    if first is None:
        return []
    # The outermost byline/author box a few levels up ("bylines" > "byline" > "content" > address > a).
    box = None
    for depth, ancestor in enumerate(first.iterancestors()):
        if depth >= BOX_DEPTH:
            break
        if _BYLINE_BOX.search(ancestor.get("class", "")):
            box = ancestor
    if box is None:
        return []
    inside = {id(e) for e in box.iter(etree.Element)}
    names = [" ".join(e.text_content().split()) for e in marked if id(e) in inside]
    return [n for n in dict.fromkeys(names) if n and _name_shaped(n)]


def _squashed(name: str) -> str:
    return "".join(ch for ch in name.casefold() if ch.isalnum())
